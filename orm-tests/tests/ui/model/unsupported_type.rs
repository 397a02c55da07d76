use orm_core::Model;

#[derive(Model)]
struct Note {
    id: i64,
    views: u64,
}

fn main() {}
