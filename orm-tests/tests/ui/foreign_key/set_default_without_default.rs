use orm_core::prelude::*;

#[derive(Model)]
pub struct Person {
    pub id: i64,
}

#[derive(Model)]
pub struct Ticket {
    pub id: i64,
    #[foreign_key(Person, on_delete = SetDefault)]
    pub assignee_id: i64,
}

fn main() {}
