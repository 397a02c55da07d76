use orm_core::prelude::*;

#[derive(Model, Clone)]
pub struct Topping {
    pub id: i64,
}

#[derive(Model, Clone)]
#[many_to_many(Topping, name = toppings)]
pub struct Pizza {
    pub id: i64,
}

fn load(conn: &mut Connection) {
    let _ = Pizza::query().prefetch(PizzaToppings.with_through()).all(conn);
}

fn main() {}
