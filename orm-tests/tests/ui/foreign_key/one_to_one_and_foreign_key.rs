use orm_core::Model;

#[derive(Model)]
struct Place {
    id: i64,
}

#[derive(Model)]
struct Restaurant {
    id: i64,
    #[foreign_key(Place)]
    #[one_to_one(Place)]
    place_id: i64,
}

fn main() {}
