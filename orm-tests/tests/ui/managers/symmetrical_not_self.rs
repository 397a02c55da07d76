use orm_core::prelude::*;

#[derive(Model)]
pub struct Topping {
    pub id: i64,
}

#[derive(Model)]
#[many_to_many(Topping, name = toppings, symmetrical = true)]
pub struct Pizza {
    pub id: i64,
}

fn main() {}
