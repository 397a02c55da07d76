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

#[derive(Model, Clone)]
pub struct Blog {
    pub id: i64,
}

fn load(conn: &mut Connection) {
    // `PizzaToppings` starts at `Pizza`, not at `Blog`.
    let _ = Blog::query().prefetch(PizzaToppings).all(conn);
}

fn main() {}
