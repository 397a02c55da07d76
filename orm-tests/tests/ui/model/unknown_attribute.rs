use orm_core::Model;

#[derive(Model)]
struct Note {
    id: i64,
    #[orm(uniq)]
    title: String,
}

fn main() {}
