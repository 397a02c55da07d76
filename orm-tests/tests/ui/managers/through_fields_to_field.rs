use orm_core::prelude::*;

#[derive(Model)]
pub struct Club {
    pub id: i64,
}

#[derive(Model)]
pub struct Person {
    pub id: i64,
    #[orm(unique)]
    pub email: String,
}

#[derive(Model)]
#[orm(through_fields(club_id, person_id))]
pub struct Membership {
    pub id: i64,
    #[foreign_key(Club)]
    pub club_id: i64,
    #[foreign_key(Person, to_field = email, related_name = memberships)]
    pub person_id: String,
}

fn main() {}
