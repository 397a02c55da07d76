use orm_core::prelude::*;

#[derive(Model)]
#[many_to_many(Self, name = friends, related_trait = HasFriends)]
pub struct Person {
    pub id: i64,
}

fn main() {}
