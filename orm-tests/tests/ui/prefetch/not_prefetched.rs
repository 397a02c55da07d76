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
    let blogs = Blog::query().prefetch(BlogEntries).all(conn).unwrap();
    // Entries were prefetched; their blogs were not.
    for entry in blogs[0].get(BlogEntries) {
        let _ = entry.get(EntryBlog);
    }
}

fn main() {}
