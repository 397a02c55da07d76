use orm_core::Model;

#[derive(Model)]
struct Note {
    title: String,
}

fn main() {}
