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

fn main() {
    // A blog has many entries: they cannot be joined into the blog's row.
    let _ = Blog::query().select_related(BlogEntries);
}
