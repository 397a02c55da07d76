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

#[derive(Model, Clone)]
pub struct Comment {
    pub id: i64,
    #[foreign_key(Entry, related_name = comments)]
    pub entry_id: i64,
}

fn main() {
    // `EntryBlog` is a key of entries, not of comments: join it after `CommentEntry`.
    let _ = Comment::query().select_related(EntryBlog);
}
