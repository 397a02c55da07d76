use orm_core::prelude::*;

#[derive(Model, Clone)]
#[orm(to_attr(name, latest, latest, owner))]
pub struct Blog {
    pub id: i64,
    pub name: String,
    #[foreign_key(Blog)]
    pub owner_id: Option<i64>,
}

fn main() {}
