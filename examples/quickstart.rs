//! The tour of the README, on embedded SQLite: `cargo run --example quickstart`.

use orm_core::prelude::*;
use orm_core::testing::count_queries;
use orm_examples::blog::*;
use orm_examples::MIGRATION;

fn main() -> orm_core::Result<()> {
    // Any of: sqlite::memory:, sqlite://file.db, postgres://..., mysql://...
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite::memory:".into());
    let mut conn = Connection::open(&url)?;
    MIGRATION.apply(&mut conn)?;
    println!("schema created on {}", conn.backend().name());

    let blog = Blog::create(
        &mut conn,
        NewBlog {
            name: "Cheddar Talk".into(),
            tagline: "All the latest cheese news".into(),
        },
    )?;
    let joe = Author::create(&mut conn, NewAuthor { name: "Joe".into() })?;
    let entries = Entry::bulk_create(
        &mut conn,
        (1..=3).map(|i| NewEntry {
            blog_id: blog.id,
            author_id: Some(joe.id),
            headline: format!("Cheese news #{i}"),
            rating: i,
        }),
    )?;
    println!(
        "created {blog:?} and {} entries in one INSERT",
        entries.len()
    );

    // Typed filters and ordering; a column of the wrong type does not compile.
    let (good, n) = count_queries(&mut conn, |conn| {
        Entry::query()
            .filter(Entry::rating.ge(2))
            .exclude(Entry::headline.contains("#3"))
            .order_by(Entry::rating.desc())
            .all(conn)
    });
    println!(
        "{n} statement: rating >= 2, not #3 -> {:?}",
        good?.iter().map(|e| &e.headline).collect::<Vec<_>>()
    );

    // Forward accessor: one statement. Reverse manager: one statement per call.
    let (author, n) = count_queries(&mut conn, |conn| entries[0].author(conn));
    println!("{n} statement: entry.author() -> {:?}", author?);
    let (count, n) = count_queries(&mut conn, |conn| {
        blog.entries().filter(Entry::rating.gt(1)).count(conn)
    });
    println!(
        "{n} statement: blog.entries().filter(rating > 1).count() -> {}",
        count?
    );

    // Missing rows are a typed error.
    match Blog::get(&mut conn, 999) {
        Err(orm_core::Error::NotFound { model }) => {
            println!("Blog::get(999) -> NotFound {{ model: {model:?} }}")
        }
        other => println!("unexpected: {other:?}"),
    }

    // on_delete = Protect refuses, and deletes nothing; Cascade takes the entries along.
    match joe.delete(&mut conn) {
        Err(err @ orm_core::Error::Protected { .. }) => println!("joe.delete() -> {err}"),
        other => println!("unexpected: {other:?}"),
    }
    let deleted = blog.delete(&mut conn)?;
    println!("blog.delete() -> {:?}", deleted.per_model);
    joe.delete(&mut conn)?;
    println!(
        "then joe.delete() -> ok; {} statements in all",
        conn.query_count()
    );
    Ok(())
}
