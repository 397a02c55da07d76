//! Seed 000, the story of `TaggedItem`, `Book` and `Movie`: every query it shows, including the
//! ones that fail in Django, each printed with its result and the number of statements it took.
//!
//! `cargo run --example tagging`

use orm_core::prelude::*;
use orm_core::testing::count_queries;
use orm_examples::tagging::*;
use orm_examples::MIGRATION;

/// Runs `f`, prints what it returned and how many statements it took.
fn show<T: std::fmt::Debug>(
    conn: &mut Connection,
    what: &str,
    f: impl FnOnce(&mut Connection) -> orm_core::Result<T>,
) -> orm_core::Result<T> {
    let (out, n) = count_queries(conn, f);
    let out = out?;
    println!("{what}\n  -> {out:?}  [{n} statement(s)]\n");
    Ok(out)
}

fn main() -> orm_core::Result<()> {
    let mut conn = Connection::open("sqlite::memory:")?;
    MIGRATION.apply(&mut conn)?;
    let conn = &mut conn;

    // The seed's data.
    let a = Writer::create(
        conn,
        NewWriter {
            name: "E L James".into(),
        },
    )?;
    let mut books = Vec::new();
    for name in [
        "Fifty Shades of Grey",
        "Fifty Shades Darker",
        "Fifty Shades Freed",
    ] {
        books.push(Book::create(
            conn,
            NewBook {
                name: name.into(),
                author_id: a.id,
            },
        )?);
    }
    let d = Director::create(
        conn,
        NewDirector {
            name: "James Gunn".into(),
        },
    )?;
    let m1 = Movie::create(
        conn,
        NewMovie {
            name: "Guardians of the Galaxy".into(),
            director_id: d.id,
        },
    )?;
    let tag = |tag: &str| NewTaggedItem {
        tag: tag.into(),
        content_type_id: 0,
        object_id: String::new(),
    };
    for b in &books {
        b.tags().create(conn, tag("roman"))?;
    }
    m1.tags().create(conn, tag("action movie"))?;
    let tags = |items: &[TaggedItem]| items.iter().map(|t| t.tag.clone()).collect::<Vec<_>>();

    println!("== What Django can do ==\n");
    show(conn, "b1.tags.all()", |c| {
        Ok(tags(&books[0].tags().all(c)?))
    })?;
    show(conn, "m1.tags.all()", |c| Ok(tags(&m1.tags().all(c)?)))?;
    show(
        conn,
        "TaggedItem.objects.filter(books__author__name='E L James')",
        |c| {
            let items = TaggedItem::query()
                .filter(TaggedItemBooks.any(BookAuthor.any(Writer::name.eq("E L James"))))
                .all(c)?;
            Ok(tags(&items))
        },
    )?;
    show(
        conn,
        "TaggedItem.objects.filter(movies__director__name='James Gunn')",
        |c| {
            let items = TaggedItem::query()
                .filter(TaggedItemMovies.any(MovieDirector.any(Director::name.eq("James Gunn"))))
                .all(c)?;
            Ok(tags(&items))
        },
    )?;
    show(conn, "Book.objects.filter(tags__tag='roman')", |c| {
        let books = Book::query()
            .filter(BookTags.any(TaggedItem::tag.eq("roman")))
            .all(c)?;
        Ok(books.into_iter().map(|b| b.name).collect::<Vec<_>>())
    })?;
    show(conn, "Book.objects.all().prefetch_related('tags')", |c| {
        let books = Book::query().prefetch(BookTags).all(c)?;
        Ok(books
            .iter()
            .map(|b| {
                let on_book: Vec<&str> = b.get(BookTags).iter().map(|t| t.tag.as_str()).collect();
                (b.name.clone(), on_book.join(", "))
            })
            .collect::<Vec<_>>())
    })?;
    show(
        conn,
        "TaggedItem.objects.all().prefetch_related('content_object'), per type",
        |c| {
            let items = TaggedItem::query()
                .prefetch(TaggedItemBooks)
                .prefetch(TaggedItemMovies)
                .all(c)?;
            Ok(items
                .iter()
                .map(
                    |i| match (i.get(TaggedItemBooks), i.get(TaggedItemMovies)) {
                        (Some(b), _) => format!("{} -> book {}", i.tag, b.name),
                        (_, Some(m)) => format!("{} -> movie {}", i.tag, m.name),
                        _ => format!("{} -> nothing", i.tag),
                    },
                )
                .collect::<Vec<_>>())
        },
    )?;

    println!("== What fails in Django, here ==\n");
    show(
        conn,
        "TaggedItem.objects.all().prefetch_related('books__author', 'movies__director')\n  \
         (Django: AttributeError: 'Book' object has no attribute 'object_id')",
        |c| {
            let items = TaggedItem::query()
                .order_by(TaggedItem::id.asc())
                .prefetch(TaggedItemBooks.with(BookAuthor))
                .prefetch(TaggedItemMovies.with(MovieDirector))
                .all(c)?;
            Ok(items
                .iter()
                .map(
                    |i| match (i.get(TaggedItemBooks), i.get(TaggedItemMovies)) {
                        (Some(b), _) => {
                            format!("{}: {} by {}", i.tag, b.name, b.get(BookAuthor).name)
                        }
                        (_, Some(m)) => {
                            format!("{}: {} by {}", i.tag, m.name, m.get(MovieDirector).name)
                        }
                        _ => i.tag.clone(),
                    },
                )
                .collect::<Vec<_>>())
        },
    )?;
    show(
        conn,
        "Prefetch('content_object', Book.objects.select_related('author')) and the same for movies\n  \
         (Django: ValueError: Custom queryset can't be used for this lookup.)",
        |c| {
            let items = TaggedItem::query()
                .prefetch(TaggedItemContentObject.of::<Book>().select_related(BookAuthor))
                .prefetch(TaggedItemContentObject.of::<Movie>().select_related(MovieDirector))
                .all(c)?;
            Ok(items
                .iter()
                .filter_map(|i| {
                    let book = i.get(TaggedItemContentObject.of::<Book>()).as_ref();
                    let movie = i.get(TaggedItemContentObject.of::<Movie>()).as_ref();
                    book.map(|b| b.get(BookAuthor).name.clone())
                        .or_else(|| movie.map(|m| m.get(MovieDirector).name.clone()))
                })
                .collect::<Vec<_>>())
        },
    )?;
    show(
        conn,
        "one page of 25 items, books with authors and movies with directors, none while iterating",
        |c| {
            let page = TaggedItem::query()
                .order_by(TaggedItem::id.asc())
                .limit(25)
                .prefetch(TaggedItemBooks.with(BookAuthor))
                .prefetch(TaggedItemMovies.with(MovieDirector))
                .all(c)?;
            Ok(page.len())
        },
    )?;
    Ok(())
}
