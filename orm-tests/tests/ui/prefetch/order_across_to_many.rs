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
    pub headline: String,
}

fn load(conn: &mut Connection) {
    // A blog has many entries: there is no one headline to order it by.
    let _ = Blog::query().order_by(BlogEntries.by(Entry::headline.asc())).all(conn);
}

fn main() {}
