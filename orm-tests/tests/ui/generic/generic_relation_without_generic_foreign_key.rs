use orm_core::prelude::*;

#[derive(Model, Clone)]
pub struct Note {
    pub id: i64,
    pub text: String,
}

#[derive(Model, Clone)]
#[generic_relation(Note, name = notes)]
pub struct Book {
    pub id: i64,
}

fn main() {}
