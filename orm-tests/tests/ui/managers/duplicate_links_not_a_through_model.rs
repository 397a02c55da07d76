use orm_core::Model;

#[derive(Model)]
#[orm(duplicate_links)]
pub struct Note {
    pub id: i64,
    pub text: String,
}

fn main() {}
