use orm_core::Model;

#[derive(Model)]
struct Place {
    id: i64,
}

#[derive(Model)]
struct Restaurant {
    id: i64,
    #[one_to_one(related_name = restaurant)]
    place_id: i64,
}

fn main() {}
