use orm_core::prelude::*;

#[derive(Model, Clone)]
#[orm(to_attr(latest))]
pub struct Author {
    pub id: i64,
}

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
    let _ = Blog::query().prefetch(BlogEntries.limit(1).to(AuthorLatest)).all(conn);
}

fn main() {}
