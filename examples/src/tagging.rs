//! Seed 000's models: one `TaggedItem` table pointing at books or movies through a generic
//! foreign key. (The seed's `Author` is `Writer` here, because `blog.rs` has an `Author`.)

use orm_core::prelude::*;

/// A tag on a book or a movie.
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_foreign_key(content_object)]
pub struct TaggedItem {
    pub id: i64,
    pub tag: String,
    pub content_type_id: i64,
    pub object_id: String,
}

/// A film director.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Director {
    pub id: i64,
    pub name: String,
}

/// A movie, tagged through `tags`.
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_relation(TaggedItem, name = tags, related_query_name = movies)]
pub struct Movie {
    pub id: i64,
    pub name: String,
    #[foreign_key(Director, related_name = movies)]
    pub director_id: i64,
}

/// A writer (the seed's `Author`).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Writer {
    pub id: i64,
    pub name: String,
}

/// A book, tagged through `tags`.
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_relation(TaggedItem, name = tags, related_query_name = books)]
pub struct Book {
    pub id: i64,
    pub name: String,
    #[foreign_key(Writer, related_name = books)]
    pub author_id: i64,
}
