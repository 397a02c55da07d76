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

/// A saved book by `author`, edited by `editor`.
pub fn book(conn: &mut Connection, author: &Author, editor: Option<&Author>, title: &str) -> Book {
    Book::create(
        conn,
        NewBook {
            author_id: author.id,
            editor_id: editor.map(|e| e.id),
            title: title.into(),
        },
    )
    .unwrap()
}

/// `DELETE FROM table`, bypassing the ORM (to see what the DDL alone does).
pub fn raw_delete_all(conn: &mut Connection, table: &str) -> orm_core::Result<usize> {
    let mut w = orm_core::SqlWriter::new(conn.backend());
    w.push("DELETE FROM ").ident(table);
    conn.execute(&w.finish())
}
