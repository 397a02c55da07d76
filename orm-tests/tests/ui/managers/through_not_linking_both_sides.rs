use orm_core::prelude::*;

#[derive(Model)]
pub struct Person {
    pub id: i64,
}

#[derive(Model)]
pub struct Topping {
    pub id: i64,
}

#[derive(Model)]
#[many_to_many(Topping, name = toppings, through = Membership)]
pub struct Group {
    pub id: i64,
}

#[derive(Model)]
pub struct Membership {
    pub id: i64,
    #[foreign_key(Group)]
    pub group_id: i64,
    #[foreign_key(Person)]
    pub person_id: i64,
}

fn main() {}
