//! Django's async twins on embedded SQLite: `cargo run --example async_blog`.
//!
//! Diesel blocks, so an `AsyncConnection` keeps the connection on a thread of its own and runs
//! every call there, in order. Any executor drives the futures; this one uses `block_on`.

use futures_executor::block_on;
use orm_core::prelude::*;
use orm_examples::blog::*;
use orm_examples::MIGRATION;

fn main() -> orm_core::Result<()> {
    block_on(run())
}

async fn run() -> orm_core::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite::memory:".into());
    let aconn = AsyncConnection::open(&url).await?;
    aconn.run(|conn| MIGRATION.apply(conn)).await?;

    // Model and query twins: Django's `await Blog.objects.acreate(...)`, `aget`, `acount`.
    let blog = Blog::acreate(
        &aconn,
        NewBlog {
            name: "Cheddar Talk".into(),
            tagline: "All the latest cheese news".into(),
        },
    )
    .await?;
    let joe = Author::acreate(&aconn, NewAuthor { name: "Joe".into() }).await?;

    // Manager twins: the same statements as the sync methods, in the same transaction.
    let author_id = Some(joe.id);
    for i in 1..=3 {
        blog.entries()
            .acreate(&aconn, move |blog_id| NewEntry {
                blog_id,
                author_id,
                headline: format!("Cheese news #{i}"),
                rating: i,
            })
            .await?;
    }
    let (mut later, created) = blog
        .entries()
        .aget_or_create(
            &aconn,
            Entry::headline.eq("Cheese news #1"),
            move |blog_id| NewEntry {
                blog_id,
                author_id,
                headline: "never used".into(),
                rating: 0,
            },
        )
        .await?;
    println!("get_or_create found #1 (created: {created})");
    let other = Blog::acreate(
        &aconn,
        NewBlog {
            name: "Brie Weekly".into(),
            tagline: String::new(),
        },
    )
    .await?;
    other.entries().aadd(&aconn, [&mut later]).await?; // moved, in memory too
    println!("moved {:?} to blog {}", later.headline, later.blog_id);

    // A prefetch: the blogs, then their entries, two statements, on the connection's thread.
    let blogs = Blog::query()
        .order_by(Blog::id.asc())
        .prefetch(BlogEntries)
        .aall(&aconn)
        .await?;
    for b in &blogs {
        println!("{}: {} entries", b.name, b.get(BlogEntries).len());
    }
    let good = Entry::query()
        .filter(Entry::rating.ge(2))
        .acount(&aconn)
        .await?;
    println!("{good} entries rated 2 or more");

    // Anything else is a closure run on the connection: here, one transaction.
    let renamed = aconn
        .run(move |conn| {
            conn.transaction(|conn| {
                Entry::query()
                    .filter(Entry::blog_id.eq(other.id))
                    .update(conn, [Entry::rating.set(5)])
            })
        })
        .await?;
    println!("{renamed} entry rated 5 in one transaction");
    Ok(())
}
