use orm_core::prelude::*;

#[derive(Model)]
pub struct Topping {
    pub id: i64,
}

#[derive(Model)]
#[many_to_many(Topping, name = toppings)]
pub struct Pizza {
    pub id: i64,
}

#[derive(Model)]
pub struct Movie {
    pub id: i64,
}

fn link(conn: &mut Connection, pizza: &Pizza, movie: &Movie) {
    pizza.toppings().add(conn, [movie]).unwrap();
}

fn main() {}
