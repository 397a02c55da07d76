use orm_core::Model;

#[derive(Model)]
#[orm(crate = "no_such_facade::orm")]
pub struct Note {
    pub id: i64,
}

fn main() {}
