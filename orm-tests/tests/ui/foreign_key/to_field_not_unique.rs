use orm_core::Model;

#[derive(Model, Clone)]
struct Country {
    id: i64,
    code: String,
}

#[derive(Model)]
struct City {
    id: i64,
    #[foreign_key(Country, to_field = code)]
    country_id: String,
}

fn main() {}
