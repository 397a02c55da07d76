use orm_core::prelude::*;

#[derive(Model)]
pub struct Blog {
    pub id: i64,
}

#[derive(Model)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog, related_name = "+", related_trait = HasEntries)]
    pub blog_id: i64,
}

fn main() {}
