//! Django's `get_or_create` and `update_or_create`, on a query and on every kind of related
//! manager, on every backend, with exact statement counts, and with a race between connections.

use std::sync::Barrier;

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{Error, IntegrityKind};
use orm_tests::fixtures::{author, blog, book, entry, inserts, names, new_entry, new_tagged};
use orm_tests::harness::{each_backend, each_database};
use orm_tests::models::*;

fn new_blog(name: &str, tagline: &str) -> NewBlog {
    NewBlog {
        name: name.into(),
        tagline: tagline.into(),
    }
}

#[test]
fn get_or_create_reads_one_statement_or_inserts_after_it() {
    each_backend(|conn| {
        let named = |n: &str| Blog::query().filter(Blog::name.eq(n));
        // None matches: the read, then the insert.
        let (made, created) = assert_num_queries(conn, 1 + inserts(conn), |conn| {
            named("x")
                .get_or_create(conn, || new_blog("x", "new"))
                .unwrap()
        });
        assert!(created);
        assert_eq!(made.tagline, "new");
        // One matches: the read only; `create` is not called.
        let (got, created) = assert_num_queries(conn, 1, |conn| {
            named("x")
                .get_or_create(conn, || unreachable!("a row matches"))
                .unwrap()
        });
        assert!(!created);
        assert_eq!(got, made);
        // Several match: an error, nothing inserted.
        blog(conn, "y");
        let err = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .get_or_create(conn, || new_blog("z", ""))
                .unwrap_err()
        });
        assert!(
            matches!(err, Error::MultipleObjectsReturned { model: "Blog" }),
            "{err}"
        );
        assert_eq!(Blog::query().count(conn).unwrap(), 2);
    });
}

#[test]
fn an_insert_that_breaks_a_unique_constraint_is_read_back_or_reported() {
    each_backend(|conn| {
        blog(conn, "taken");
        // The query does not match the row in the way (another tagline), and the insert breaks
        // the unique name: the second read finds nothing, so the constraint error is the answer.
        let err = Blog::query()
            .filter(Blog::name.eq("taken"))
            .filter(Blog::tagline.eq("other"))
            .get_or_create(conn, || new_blog("taken", "other"))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Integrity {
                    kind: IntegrityKind::Unique,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(Blog::query().count(conn).unwrap(), 1);
        // Inside a transaction of the caller's, the failed insert is rolled back to a savepoint
        // and the transaction goes on (PostgreSQL would refuse every later statement otherwise).
        conn.transaction(|conn| {
            let res = Blog::query()
                .filter(Blog::name.eq("taken"))
                .filter(Blog::tagline.eq("other"))
                .get_or_create(conn, || new_blog("taken", "other"));
            assert!(res.is_err());
            Blog::create(conn, new_blog("after", ""))
        })
        .unwrap();
        assert_eq!(Blog::query().count(conn).unwrap(), 2);
    });
}

#[test]
fn connections_racing_to_get_or_create_one_row_all_get_it_and_one_creates_it_and_update_or_create_too(
) {
    each_database(|db| {
        const RACERS: usize = 4;
        for round in 0..10 {
            let name = format!("race {round}");
            let barrier = Barrier::new(RACERS);
            let results: Vec<(Blog, bool)> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..RACERS)
                    .map(|_| {
                        let (url, name, barrier) = (&db.url, &name, &barrier);
                        s.spawn(move || {
                            let mut conn = Connection::open(url).unwrap();
                            barrier.wait();
                            Blog::query()
                                .filter(Blog::name.eq(name.as_str()))
                                .get_or_create(&mut conn, || new_blog(name, ""))
                                .unwrap()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
            assert!(results.iter().all(|(b, _)| b.id == results[0].0.id));
        }
        assert_eq!(Blog::query().count(&mut db.conn).unwrap(), 10);
        // update_or_create in the same race: one creates, the others update that row.
        let barrier = Barrier::new(RACERS);
        let results: Vec<(Blog, bool)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..RACERS)
                .map(|i| {
                    let (url, barrier) = (&db.url, &barrier);
                    s.spawn(move || {
                        let mut conn = Connection::open(url).unwrap();
                        barrier.wait();
                        Blog::query()
                            .filter(Blog::name.eq("updated"))
                            .update_or_create(
                                &mut conn,
                                [Blog::tagline.set(format!("{i}"))],
                                || new_blog("updated", "new"),
                            )
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
        assert!(results.iter().all(|(b, _)| b.id == results[0].0.id));
        assert_eq!(
            Blog::query()
                .filter(Blog::name.eq("updated"))
                .count(&mut db.conn)
                .unwrap(),
            1
        );
    });
}

#[test]
fn update_or_create_updates_the_match_or_inserts() {
    each_backend(|conn| {
        let named = |n: &str| Blog::query().filter(Blog::name.eq(n));
        let (made, created) = assert_num_queries(conn, 1 + inserts(conn), |conn| {
            named("x")
                .update_or_create(conn, [Blog::tagline.set("set")], || new_blog("x", "new"))
                .unwrap()
        });
        assert!(created);
        assert_eq!(made.tagline, "new", "the defaults are for an existing row");
        // A match: read, UPDATE, read back.
        let (got, created) = assert_num_queries(conn, 3, |conn| {
            named("x")
                .update_or_create(conn, [Blog::tagline.set("set")], || unreachable!())
                .unwrap()
        });
        assert!(!created);
        assert_eq!((got.id, got.tagline.as_str()), (made.id, "set"));
        assert_eq!(Blog::get(conn, made.id).unwrap().tagline, "set");
        // Several match: an error, and nothing is updated.
        blog(conn, "y");
        let err = Blog::query()
            .update_or_create(conn, [Blog::tagline.set("all")], || new_blog("z", ""))
            .unwrap_err();
        assert!(
            matches!(err, Error::MultipleObjectsReturned { .. }),
            "{err}"
        );
        assert_eq!(named("x").get(conn).unwrap().tagline, "set");
    });
}

#[test]
fn a_reverse_foreign_key_manager_looks_among_its_rows_and_creates_under_its_parent() {
    each_backend(|conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        let elsewhere = entry(conn, &b2, "hello", 0);
        // "hello" exists, under another blog: not this manager's, so a new one is created here.
        let (made, created) = assert_num_queries(conn, 1 + inserts(conn), |conn| {
            b1.entries()
                .get_or_create(conn, Entry::headline.eq("hello"), |blog_id| NewEntry {
                    blog_id,
                    ..new_entry(&b2, "hello", 0)
                })
                .unwrap()
        });
        assert!(created);
        assert_ne!(made.id, elsewhere.id);
        assert_eq!(
            made.blog_id, b1.id,
            "the new row points at the manager's parent"
        );
        let (got, created) = assert_num_queries(conn, 1, |conn| {
            b1.entries()
                .get_or_create(conn, Entry::headline.eq("hello"), |_| unreachable!())
                .unwrap()
        });
        assert_eq!((got.id, created), (made.id, false));
        // update_or_create: the match in this blog only.
        let (updated, created) = assert_num_queries(conn, 3, |conn| {
            b2.entries()
                .update_or_create(
                    conn,
                    Entry::headline.eq("hello"),
                    [Entry::comments.set(7)],
                    |_| unreachable!(),
                )
                .unwrap()
        });
        assert_eq!(
            (updated.id, updated.comments, created),
            (elsewhere.id, 7, false)
        );
        assert_eq!(Entry::get(conn, made.id).unwrap().comments, 0);
    });
}

#[test]
fn a_many_to_many_manager_gets_a_linked_row_or_creates_and_links_one() {
    each_backend(|conn| {
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        let unlinked = Topping::create(
            conn,
            NewTopping {
                name: "basil".into(),
            },
        )
        .unwrap();
        // A "basil" exists but is not linked: as Django, a new one is created and linked.
        let (made, created) = assert_num_queries(conn, 2 + inserts(conn), |conn| {
            p.toppings()
                .get_or_create(
                    conn,
                    Topping::name.eq("basil"),
                    NewTopping {
                        name: "basil".into(),
                    },
                )
                .unwrap()
        });
        assert!(created);
        assert_ne!(made.id, unlinked.id);
        assert_eq!(
            names(p.toppings().all(conn).unwrap(), |t| t.id.to_string()),
            [made.id.to_string()]
        );
        let (got, created) = assert_num_queries(conn, 1, |conn| {
            p.toppings()
                .get_or_create(
                    conn,
                    Topping::name.eq("basil"),
                    NewTopping {
                        name: "unused".into(),
                    },
                )
                .unwrap()
        });
        assert_eq!((got.id, created), (made.id, false));
        let (renamed, created) = assert_num_queries(conn, 3, |conn| {
            p.toppings()
                .update_or_create(
                    conn,
                    Topping::name.eq("basil"),
                    [Topping::name.set("thai basil")],
                    NewTopping {
                        name: "unused".into(),
                    },
                )
                .unwrap()
        });
        assert_eq!((renamed.name.as_str(), created), ("thai basil", false));
        assert_eq!(Topping::get(conn, unlinked.id).unwrap().name, "basil");
    });
}

#[test]
fn a_generic_relation_manager_gets_or_creates_among_its_items() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let (b, other) = (book(conn, &ann, None, "one"), book(conn, &ann, None, "two"));
        other.tags().create(conn, new_tagged("red")).unwrap();
        conn.content_type::<Book>().unwrap();
        let (made, created) = assert_num_queries(conn, 1 + inserts(conn), |conn| {
            b.tags()
                .get_or_create(conn, TaggedItem::label.eq("red"), new_tagged("red"))
                .unwrap()
        });
        assert!(created);
        assert_eq!(made.object_id, b.id.to_string());
        let (got, created) = assert_num_queries(conn, 1, |conn| {
            b.tags()
                .get_or_create(conn, TaggedItem::label.eq("red"), new_tagged("unused"))
                .unwrap()
        });
        assert_eq!((got.id, created), (made.id, false));
        let (updated, created) = assert_num_queries(conn, 3, |conn| {
            b.tags()
                .update_or_create(
                    conn,
                    TaggedItem::label.eq("red"),
                    [TaggedItem::label.set("crimson")],
                    new_tagged("unused"),
                )
                .unwrap()
        });
        assert_eq!((updated.label.as_str(), created), ("crimson", false));
        assert_eq!(names(other.tags().all(conn).unwrap(), |t| t.label), ["red"]);
    });
}
