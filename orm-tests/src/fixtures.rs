//! Rows the behaviour tests create over and over.

use orm_core::prefetch::Has;
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

/// A saved category, under `parent` if any.
pub fn category(conn: &mut Connection, name: &str, parent: Option<&Category>) -> Category {
    Category::create(
        conn,
        NewCategory {
            name: name.into(),
            parent_id: parent.map(|p| p.id),
        },
    )
    .unwrap()
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

/// A saved review of `book` with `stars`.
pub fn review(conn: &mut Connection, book: &Book, stars: i16) -> Review {
    Review::create(
        conn,
        NewReview {
            book_id: book.id,
            stars,
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

/// Statements one insert takes: `INSERT ... RETURNING` on SQLite and PostgreSQL; on MySQL the
/// insert, then reading the rows back (MySQL's prepared statements have no `RETURNING`).
pub fn inserts(conn: &Connection) -> u64 {
    if conn.backend() == orm_core::Backend::Mysql {
        2
    } else {
        1
    }
}

/// A saved pizza.
pub fn pizza(conn: &mut Connection, name: &str) -> Pizza {
    Pizza::create(conn, NewPizza { name: name.into() }).unwrap()
}

/// Saved toppings, one per name.
pub fn toppings(conn: &mut Connection, names: &[&str]) -> Vec<Topping> {
    Topping::bulk_create(conn, names.iter().map(|n| NewTopping { name: (*n).into() })).unwrap()
}

/// A saved person.
pub fn person(conn: &mut Connection, name: &str) -> Person {
    Person::create(conn, NewPerson { name: name.into() }).unwrap()
}

/// The sorted names of some rows.
pub fn names<T>(rows: impl IntoIterator<Item = T>, name: impl Fn(T) -> String) -> Vec<String> {
    let mut out: Vec<String> = rows.into_iter().map(name).collect();
    out.sort();
    out
}

/// A saved tag.
pub fn tag(conn: &mut Connection, slug: &str, label: &str) -> Tag {
    Tag::create(
        conn,
        NewTag {
            slug: slug.into(),
            label: label.into(),
        },
    )
    .unwrap()
}

/// A saved document with a fresh UUID, optionally tagged with `tag_slug`.
pub fn document(conn: &mut Connection, title: &str, tag_slug: Option<&str>) -> Document {
    Document::create(
        conn,
        NewDocument {
            uid: uuid::Uuid::new_v4(),
            title: title.into(),
            tag_slug: tag_slug.map(Into::into),
        },
    )
    .unwrap()
}

/// A tagged item's insert form; the generic relation's manager fills in what it points at.
pub fn new_tagged(label: &str) -> NewTaggedItem {
    NewTaggedItem {
        label: label.into(),
        content_type_id: 0,
        object_id: String::new(),
    }
}

/// A day of January 2024.
pub fn day(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 1, d).expect("a day of January")
}

/// The members of `g` with their through fields, sorted.
pub fn member_dates(
    conn: &mut Connection,
    g: &Group,
) -> Vec<(String, chrono::NaiveDate, Option<String>)> {
    let mut rows: Vec<_> = g
        .members()
        .with_through()
        .all(conn)
        .unwrap()
        .into_iter()
        .map(|(p, m)| (p.name, m.date_joined, m.invite_reason))
        .collect();
    rows.sort();
    rows
}

/// Statements a write that reads before it writes (`set`, a hooked `add`) spends locking its
/// owner's row: one `SELECT .. FOR UPDATE` on PostgreSQL and MySQL; none on SQLite, whose
/// transactions hold the write lock from their start.
pub fn owner_lock(conn: &Connection) -> u64 {
    u64::from(conn.backend() != orm_core::Backend::Sqlite)
}

/// A book's title, author and editor, read from a value that holds both keys.
pub fn credits<R>(b: &Loaded<Book, R>) -> (&str, &str, Option<&str>)
where
    R: Has<BookAuthor, Value = Loaded<Author>> + Has<BookEditor, Value = Option<Loaded<Author>>>,
{
    (
        b.title.as_str(),
        b.get(BookAuthor).name.as_str(),
        b.get(BookEditor).as_ref().map(|e| e.name.as_str()),
    )
}
