//! Django's tutorial models: blogs, authors and entries.

use orm_core::prelude::*;

/// A blog.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Blog {
    pub id: i64,
    #[orm(unique)]
    pub name: String,
    #[orm(default = "")]
    pub tagline: String,
}

/// An author; deleting one who wrote entries is refused.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Author {
    pub id: i64,
    pub name: String,
}

/// An entry: deleted with its blog; its author is protected.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog, related_name = entries, on_delete = Cascade)]
    pub blog_id: i64,
    #[foreign_key(Author, on_delete = Protect)]
    pub author_id: Option<i64>,
    pub headline: String,
    #[orm(default = 0)]
    pub rating: i32,
}
