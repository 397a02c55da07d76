use orm_core::prelude::*;

#[derive(Model)]
pub struct Club {
    pub id: i64,
}

#[derive(Model)]
pub struct Person {
    pub id: i64,
}

#[derive(Model)]
#[orm(through_fields(club_key, person_id))]
pub struct Membership {
    pub id: i64,
    #[foreign_key(Club)]
    pub club_id: i64,
    #[foreign_key(Person)]
    pub person_id: i64,
}

fn main() {}
