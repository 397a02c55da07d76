//! Generated code compiles under `#![deny(missing_docs)]`.
#![deny(missing_docs)]

use orm_core::Model;

/// A blog.
#[derive(Model, Clone)]
pub struct Blog {
    /// Key.
    pub id: i64,
}

/// An entry.
#[derive(Model, Clone)]
pub struct Entry {
    /// Key.
    pub id: i64,
    /// The blog.
    #[foreign_key(Blog, related_name = entries)]
    pub blog_id: Option<i64>,
}

fn main() {}
