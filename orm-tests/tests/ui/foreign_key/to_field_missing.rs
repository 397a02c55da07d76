use orm_core::Model;

#[derive(Model, Clone)]
struct Country {
    id: i64,
    #[orm(unique)]
    code: String,
}

#[derive(Model)]
struct City {
    id: i64,
    #[foreign_key(Country, to_field = iso_code)]
    country_id: String,
}

fn main() {}
