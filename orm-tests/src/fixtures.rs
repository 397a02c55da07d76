//! Rows the behaviour tests create over and over.

use orm_core::prelude::*;

use crate::models::*;

/// A saved blog.
pub fn blog(conn: &mut Connection, name: &str) -> Blog {
    Blog::create(
        conn,
        NewBlog {
            name: name.into(),
            tagline: String::new(),
        },
    )
    .unwrap()
}

/// A saved author.
pub fn author(conn: &mut Connection, name: &str) -> Author {
    Author::create(conn, NewAuthor { name: name.into() }).unwrap()
}

/// An unsaved entry of `blog`, unrated and unpublished.
pub fn new_entry(blog: &Blog, headline: &str, comments: i32) -> NewEntry {
    NewEntry {
        blog_id: blog.id,
        headline: headline.into(),
        comments,
        rating: None,
        published: false,
        pub_date: None,
    }
}

/// A saved entry of `blog`, unrated and unpublished.
pub fn entry(conn: &mut Connection, blog: &Blog, headline: &str, comments: i32) -> Entry {
    Entry::create(conn, new_entry(blog, headline, comments)).unwrap()
}
