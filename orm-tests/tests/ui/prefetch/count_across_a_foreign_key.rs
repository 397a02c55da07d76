use orm_core::prelude::*;

#[derive(Model, Clone)]
pub struct Blog {
    pub id: i64,
}

#[derive(Model, Clone)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog, related_name = entries)]
    pub blog_id: i64,
}

fn load(conn: &mut Connection) {
    // An entry has one blog: there is nothing to count.
    let _ = Entry::query().with_count(EntryBlog).all(conn);
}

fn main() {}
