use orm_core::Model;

#[derive(Model)]
pub struct Desk {
    pub id: i64,
}

#[derive(Model)]
pub struct Chair {
    pub id: i64,
    #[foreign_key(Desk, on_delete = Set)]
    pub desk_id: Option<i64>,
}

fn main() {}
