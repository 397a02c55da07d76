use orm_core::prelude::*;

#[derive(Model)]
pub struct Person {
    pub id: i64,
}

#[derive(Model)]
#[many_to_many(Person, name = members, through = Membership)]
pub struct Group {
    pub id: i64,
}

#[derive(Model)]
pub struct Membership {
    pub id: i64,
    #[foreign_key(Group)]
    pub group_id: i64,
    #[foreign_key(Person)]
    pub person_id: i64,
    pub role: String,
}

fn join(conn: &mut Connection, group: &Group, person: &Person) {
    group.members().add(conn, [person]).unwrap();
}

fn main() {}
