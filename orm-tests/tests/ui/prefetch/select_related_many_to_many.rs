use orm_core::prelude::*;

#[derive(Model, Clone)]
pub struct Topping {
    pub id: i64,
    pub name: String,
}

#[derive(Model, Clone)]
#[many_to_many(Topping, name = toppings)]
pub struct Pizza {
    pub id: i64,
}

fn main() {
    // A pizza has any number of toppings: prefetch them instead.
    let _ = Pizza::query().select_related(PizzaToppings);
    // A column is not a relation at all.
    let _ = Topping::query().select_related(Topping::name);
}
