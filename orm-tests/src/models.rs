//! The models the behaviour tests use: every column type, every kind of key, every `on_delete`.

use chrono::{NaiveDate, NaiveDateTime};
use orm_core::prelude::*;
use uuid::Uuid;

/// A blog.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Blog {
    pub id: i64,
    #[orm(unique)]
    pub name: String,
    #[orm(default = "")]
    pub tagline: String,
}

/// An entry of a blog; deleting the blog deletes its entries.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog, related_name = entries, on_delete = Cascade)]
    pub blog_id: i64,
    pub headline: String,
    #[orm(column = "n_comments", default = 0)]
    pub comments: i32,
    pub rating: Option<f64>,
    #[orm(default = false)]
    pub published: bool,
    #[orm(index)]
    pub pub_date: Option<NaiveDate>,
}

/// An author, with a 32-bit key.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Author {
    pub id: i32,
    pub name: String,
}

/// A book: its author is protected, its editor is cleared when deleted.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "library_book")]
pub struct Book {
    pub id: i64,
    #[foreign_key(Author, on_delete = Protect)]
    pub author_id: i32,
    #[foreign_key(Author, related_name = edited_books, on_delete = SetNull)]
    pub editor_id: Option<i32>,
    pub title: String,
}

/// A review restricts deleting its book.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Review {
    pub id: i64,
    #[foreign_key(Book, on_delete = Restrict)]
    pub book_id: i64,
    pub stars: i16,
}

/// A tag, keyed by its slug.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tag {
    #[orm(primary_key)]
    pub slug: String,
    pub label: String,
}

/// A document, keyed by a UUID, optionally tagged (a text foreign key).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Document {
    #[orm(primary_key)]
    pub uid: Uuid,
    pub title: String,
    #[foreign_key(Tag, related_name = documents, on_delete = SetNull)]
    pub tag_slug: Option<String>,
}

/// A tree: deleting a category deletes its subtree.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub name: String,
    #[foreign_key(Category, related_name = children)]
    pub parent_id: Option<i64>,
}

/// One column of every supported type.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct AllTypes {
    pub id: i64,
    pub small: i16,
    pub int: i32,
    pub big: i64,
    pub float: f32,
    pub double: f64,
    pub flag: bool,
    pub text: String,
    pub bytes: Vec<u8>,
    pub at: NaiveDateTime,
    pub day: NaiveDate,
    pub uid: Uuid,
    pub maybe_int: Option<i32>,
    pub maybe_text: Option<String>,
    pub maybe_at: Option<NaiveDateTime>,
    pub maybe_uid: Option<Uuid>,
}
