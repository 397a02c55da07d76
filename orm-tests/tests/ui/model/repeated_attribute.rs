use orm_core::Model;

#[derive(Model)]
#[orm(table = "notes", table = "other")]
struct Note {
    id: i64,
    #[orm(column = "a", column = "b")]
    title: String,
}

fn main() {}
