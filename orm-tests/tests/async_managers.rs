//! Django's async twins (`aadd`, `acreate`, `aremove`, `aclear`, `aset`) on an
//! `AsyncConnection`, on every backend, with exact statement counts: each twin writes what its
//! sync method writes.

use std::sync::{Arc, Mutex};

use futures_executor::block_on;
use orm_core::hooks::{M2mAction, M2mChanged};
use orm_core::prelude::*;
use orm_core::{AsyncConnection, Error};
use orm_tests::fixtures::{
    author, blog, book, day, entry, inserts, member_dates, names, new_entry, new_tagged,
    owner_lock, person,
};
use orm_tests::harness::each_database;
use orm_tests::models::*;

/// Runs `test` with an async connection to a fresh database, on every backend.
fn each_backend_async(mut test: impl FnMut(&AsyncConnection, &mut Connection)) {
    each_database(|db| {
        let aconn = block_on(AsyncConnection::open(&db.url)).unwrap();
        test(&aconn, &mut db.conn);
    });
}

/// Awaits the future `$call` makes, and asserts the statements it sent on `$aconn`. A macro, so
/// that the call is made after the first count.
macro_rules! counted {
    ($aconn:expr, $expected:expr, $call:expr) => {{
        let count = || block_on($aconn.run(|c| Ok(c.query_count()))).unwrap();
        let before = count();
        let out = block_on($call);
        assert_eq!(count() - before, $expected, "statements sent");
        out
    }};
}

fn headlines(conn: &mut Connection, b: &Blog) -> Vec<String> {
    names(b.entries().all(conn).unwrap(), |e| e.headline)
}

#[test]
fn reverse_foreign_key_twins_write_what_the_sync_methods_write() {
    each_backend_async(|aconn, conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        let mut e1 = entry(conn, &b1, "a", 0);
        let mut e2 = entry(conn, &b1, "b", 0);
        // aadd: one UPDATE; the objects are updated in memory.
        counted!(aconn, 1, b2.entries().aadd(aconn, [&mut e1, &mut e2])).unwrap();
        assert_eq!((e1.blog_id, e2.blog_id), (b2.id, b2.id));
        assert_eq!(headlines(conn, &b2), ["a", "b"]);
        // acreate: one INSERT (two statements on MySQL).
        let draft = new_entry(&b1, "c", 0);
        let new = move |blog_id| NewEntry { blog_id, ..draft };
        let c = counted!(aconn, inserts(conn), b1.entries().acreate(aconn, new)).unwrap();
        assert_eq!(c.blog_id, b1.id);
        assert_eq!(headlines(conn, &b1), ["c"]);
        // aset on a non-nullable key adds (rows cannot leave their parent): one UPDATE.
        let mut c = c;
        counted!(aconn, 1, b2.entries().aset(aconn, [&mut c])).unwrap();
        assert_eq!(headlines(conn, &b2), ["a", "b", "c"]);
        assert!(headlines(conn, &b1).is_empty());
        // bulk(false) is kept: one save per object.
        counted!(
            aconn,
            2,
            b1.entries().bulk(false).aadd(aconn, [&mut e1, &mut c])
        )
        .unwrap();
        assert_eq!(headlines(conn, &b1), ["a", "c"]);
    });
}

#[test]
fn nullable_foreign_key_twins_remove_clear_and_set() {
    each_backend_async(|aconn, conn| {
        let ann = author(conn, "Ann");
        let mut x = book(conn, &ann, Some(&ann), "x");
        let mut y = book(conn, &ann, Some(&ann), "y");
        let mut z = book(conn, &ann, None, "z");
        let edited =
            |conn: &mut Connection| names(ann.edited_books().all(conn).unwrap(), |b| b.title);
        // aremove: one UPDATE setting the key to NULL, in memory too.
        counted!(aconn, 1, ann.edited_books().aremove(aconn, [&mut x])).unwrap();
        assert_eq!(x.editor_id, None);
        assert_eq!(edited(conn), ["y"]);
        // aset: one read, one UPDATE detaching y, one UPDATE pointing x and z.
        counted!(aconn, 3 + owner_lock(conn), {
            ann.edited_books().aset(aconn, [&mut x, &mut z])
        })
        .unwrap();
        assert_eq!((x.editor_id, z.editor_id), (Some(ann.id), Some(ann.id)));
        assert_eq!(edited(conn), ["x", "z"]);
        // aset_with_clear: the clear, then one UPDATE.
        counted!(aconn, 2 + owner_lock(conn), {
            ann.edited_books().aset_with_clear(aconn, [&mut y])
        })
        .unwrap();
        assert_eq!(edited(conn), ["y"]);
        // aclear: one UPDATE.
        counted!(aconn, 1, ann.edited_books().aclear(aconn)).unwrap();
        assert!(edited(conn).is_empty());
    });
}

#[test]
fn a_failed_twin_writes_nothing_and_leaves_the_objects_as_they_were() {
    each_backend_async(|aconn, conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        let mut saved = entry(conn, &b1, "saved", 0);
        let mut ghost = saved.clone();
        ghost.id = saved.id + 1000;
        // The UPDATE, then one statement on the error path to name the missing row.
        let err =
            counted!(aconn, 2, b2.entries().aadd(aconn, [&mut saved, &mut ghost])).unwrap_err();
        assert!(
            matches!(&err, Error::Unsaved { model: "Entry", key } if *key == ghost.id.to_string()),
            "{err:?}"
        );
        assert_eq!(saved.blog_id, b1.id, "objects keep their key on failure");
        assert_eq!(
            headlines(conn, &b1),
            ["saved"],
            "the UPDATE was rolled back"
        );
        // A manager of an unsaved parent: a clear error, nothing written.
        let unsaved = Blog {
            id: b2.id + 1000,
            ..b2.clone()
        };
        let err = counted!(aconn, 2, unsaved.entries().aadd(aconn, [&mut saved])).unwrap_err();
        assert!(
            matches!(err, Error::Unsaved { model: "Blog", .. }),
            "{err:?}"
        );
        assert_eq!(saved.blog_id, b1.id);
        assert_eq!(headlines(conn, &b1), ["saved"]);
    });
}

type Log = Arc<Mutex<Vec<(M2mAction, Vec<i64>)>>>;

#[test]
fn many_to_many_twins_take_rows_or_keys_and_run_the_hooks() {
    use M2mAction::*;
    each_backend_async(|aconn, conn| {
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        let t = Topping::bulk_create(conn, ["a", "b", "c"].map(|n| NewTopping { name: n.into() }))
            .unwrap();
        let toppings = |conn: &mut Connection| names(p.toppings().all(conn).unwrap(), |t| t.name);
        // aadd of rows and of keys: one INSERT each; a link that exists stays.
        counted!(aconn, 1, p.toppings().aadd(aconn, [&t[0], &t[1]])).unwrap();
        counted!(aconn, 1, p.toppings().aadd(aconn, [t[1].id, t[2].id])).unwrap();
        assert_eq!(toppings(conn), ["a", "b", "c"]);
        // aremove: one DELETE; from the other side too.
        counted!(aconn, 1, p.toppings().aremove(aconn, [&t[0]])).unwrap();
        counted!(aconn, 1, t[1].pizzas().aremove(aconn, [&p])).unwrap();
        assert_eq!(toppings(conn), ["c"]);
        // aset diffs: one read, one DELETE, one INSERT.
        counted!(
            aconn,
            3 + owner_lock(conn),
            p.toppings().aset(aconn, [&t[0], &t[1]])
        )
        .unwrap();
        assert_eq!(toppings(conn), ["a", "b"]);
        // acreate: the row and its link (three statements on MySQL).
        let d = counted!(aconn, 1 + inserts(conn), {
            p.toppings().acreate(aconn, NewTopping { name: "d".into() })
        })
        .unwrap();
        assert_eq!(d.pizzas().count(conn).unwrap(), 1);
        // Hooks registered on the async connection run there, as Django's signals do.
        let log: Log = Arc::default();
        let sink = log.clone();
        block_on(aconn.run(move |c| {
            c.on_m2m_changed::<PizzaToppings>(move |_, change: &M2mChanged<'_, PizzaToppings>| {
                let keys = match change {
                    M2mChanged::Forward { keys, .. } => keys.to_vec(),
                    M2mChanged::Reverse { keys, .. } => keys.to_vec(),
                };
                sink.lock().unwrap().push((change.action(), keys));
                Ok(())
            });
            Ok(())
        }))
        .unwrap();
        // aset_with_clear: the DELETE and the INSERT; aclear: one DELETE.
        counted!(
            aconn,
            2 + owner_lock(conn),
            p.toppings().aset_with_clear(aconn, [&t[2]])
        )
        .unwrap();
        assert_eq!(toppings(conn), ["c"]);
        counted!(aconn, 1, p.toppings().aclear(aconn)).unwrap();
        assert!(toppings(conn).is_empty());
        assert_eq!(
            *log.lock().unwrap(),
            [
                (PreClear, vec![]),
                (PostClear, vec![]),
                (PreAdd, vec![t[2].id]),
                (PostAdd, vec![t[2].id]),
                (PreClear, vec![]),
                (PostClear, vec![]),
            ]
        );
    });
}

#[test]
fn through_defaults_reach_the_through_rows_of_a_twin() {
    each_backend_async(|aconn, conn| {
        let g = Group::create(conn, NewGroup { name: "g".into() }).unwrap();
        let (a, b) = (person(conn, "a"), person(conn, "b"));
        let extra = MembershipExtra {
            date_joined: day(3),
            invite_reason: Some("asked".into()),
        };
        counted!(aconn, 1, {
            g.members()
                .through_defaults(extra.clone())
                .aadd(aconn, [&a, &b])
        })
        .unwrap();
        assert_eq!(
            member_dates(conn, &g),
            [
                ("a".into(), day(3), Some("asked".into())),
                ("b".into(), day(3), Some("asked".into()))
            ]
        );
        // A closure is called once per call, on the connection's thread.
        let calls = Arc::new(Mutex::new(0));
        let seen = calls.clone();
        counted!(aconn, 3 + owner_lock(conn), {
            g.members()
                .through_defaults_with(move || {
                    *seen.lock().unwrap() += 1;
                    MembershipExtra {
                        date_joined: day(4),
                        invite_reason: None,
                    }
                })
                .aset(aconn, [&b, &person(conn, "c")])
        })
        .unwrap();
        assert_eq!(*calls.lock().unwrap(), 1);
        assert_eq!(
            names(g.members().all(conn).unwrap(), |p| p.name),
            ["b", "c"]
        );
    });
}

#[test]
fn generic_relation_twins() {
    each_backend_async(|aconn, conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let other = book(conn, &ann, None, "two");
        // Warm the async connection's content-type cache, so the counts are the manager's own.
        block_on(aconn.run(|c| c.content_type::<Book>().map(drop))).unwrap();
        let to_other = conn.generic_target(&other).unwrap();
        let mut x = other.tags().create(conn, new_tagged("x")).unwrap();
        let mut y = other.tags().create(conn, new_tagged("y")).unwrap();
        let labels =
            |conn: &mut Connection, b: &Book| names(b.tags().all(conn).unwrap(), |t| t.label);
        // aadd: one UPDATE, in memory too.
        counted!(aconn, 1, b.tags().aadd(aconn, [&mut x])).unwrap();
        assert_eq!(x.object_id, b.id.to_string());
        assert_eq!(labels(conn, &b), ["x"]);
        // acreate: one INSERT (two on MySQL), pointing here whatever the form says.
        let z = counted!(aconn, inserts(conn), {
            b.tags().acreate(aconn, new_tagged("z"))
        })
        .unwrap();
        assert_eq!(z.object_id, b.id.to_string());
        // aset: one read, one DELETE (z), one UPDATE (y).
        counted!(
            aconn,
            3 + owner_lock(conn),
            b.tags().aset(aconn, [&mut x, &mut y])
        )
        .unwrap();
        assert_eq!(labels(conn, &b), ["x", "y"]);
        assert_eq!(y.object_id, b.id.to_string());
        // aremove deletes the rows; a row of another owner is refused and nothing goes.
        let w = other.tags().create(conn, new_tagged("w")).unwrap();
        assert_eq!(to_other.1, w.object_id);
        let err = block_on(b.tags().aremove(aconn, [&x, &w])).unwrap_err();
        assert!(matches!(err, Error::NotRelated { .. }), "{err:?}");
        let removed = counted!(aconn, 1, b.tags().aremove(aconn, [&x])).unwrap();
        assert_eq!(removed.total, 1);
        assert_eq!(labels(conn, &b), ["y"]);
        // aclear: one DELETE (nothing points at tagged items, so they are not read first).
        let cleared = counted!(aconn, 1, b.tags().aclear(aconn)).unwrap();
        assert_eq!(cleared.total, 1);
        assert!(labels(conn, &b).is_empty());
        assert_eq!(labels(conn, &other), ["w"]);
        // aget_or_create: "w" is another book's, so one is made here; then found.
        let (q, created) = counted!(
            aconn,
            1 + inserts(conn),
            b.tags()
                .aget_or_create(aconn, TaggedItem::label.eq("w"), new_tagged("w"))
        )
        .unwrap();
        assert!(created);
        let (again, created) = counted!(
            aconn,
            3,
            b.tags().aupdate_or_create(
                aconn,
                TaggedItem::label.eq("w"),
                [TaggedItem::label.set("v")],
                new_tagged("unused")
            )
        )
        .unwrap();
        assert_eq!(
            (again.id, again.label.as_str(), created),
            (q.id, "v", false)
        );
        assert_eq!(labels(conn, &b), ["v"]);
    });
}

#[test]
fn calls_run_in_order_and_a_dropped_future_still_finishes_its_write() {
    each_backend_async(|aconn, conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        let mut e = entry(conn, &b1, "a", 0);
        // Sent, then dropped unpolled: the write is not cut off.
        drop(b2.entries().aadd(aconn, [&mut e]));
        let moved = block_on(aconn.run(move |c| b2.entries().count(c))).unwrap();
        assert_eq!(moved, 1, "the dropped call ran before the next one");
        assert_eq!(
            e.blog_id, b1.id,
            "only its result, the in-memory update, is lost"
        );
        // Futures resolve in the order they were sent, whatever the order they are awaited.
        let first = aconn.run(|c| {
            Blog::create(
                c,
                NewBlog {
                    name: "three".into(),
                    tagline: String::new(),
                },
            )
        });
        let second = aconn.run(|c| Blog::query().count(c));
        assert_eq!(block_on(second).unwrap(), 3);
        assert_eq!(block_on(first).unwrap().name, "three");
    });
}

#[test]
fn awaiting_the_connection_inside_its_own_call_fails_instead_of_hanging() {
    each_backend_async(|aconn, conn| {
        let b = blog(conn, "one");
        let (inner, taker) = (aconn.clone(), aconn.clone());
        // The inner call would run after the outer one, which waits for it: refused at once,
        // and the inner call never runs. So is taking the connection back from inside a call.
        // The outer call and its connection go on.
        let (refused, taken, count) = block_on(aconn.run(move |c| {
            let refused =
                block_on(inner.run(move |c| Entry::create(c, new_entry(&b, "never", 0)).map(drop)));
            let taken = block_on(taker.into_inner()).map(drop);
            Ok((refused, taken, Entry::query().count(c)?))
        }))
        .unwrap();
        for result in [&refused, &taken] {
            assert!(
                matches!(result, Err(Error::InvalidInput(m)) if m.contains("its own thread")),
                "{result:?}"
            );
        }
        assert_eq!(count, 0);
        let after = counted!(aconn, 1, aconn.run(|c| Entry::query().count(c))).unwrap();
        assert_eq!(after, 0, "the refused call was not run later either");
    });
}

#[test]
fn a_panic_reaches_the_caller_and_closes_the_connection() {
    each_backend_async(|aconn, _| {
        let other = aconn.clone();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            block_on(aconn.run(|_| -> orm_core::Result<()> { panic!("boom") }))
        }));
        let payload = caught.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
        // The connection may hold a half-done transaction: it is closed, for every clone.
        let err = block_on(other.run(|c| Ok(c.query_count()))).unwrap_err();
        assert!(matches!(err, Error::Closed), "{err:?}");
        assert!(err.to_string().contains("panicked"), "{err}");
    });
}

#[test]
fn into_inner_hands_back_the_connection_after_the_calls_sent_before() {
    each_database(|db| {
        let b = blog(&mut db.conn, "one");
        let owned = block_on(AsyncConnection::open(&db.url)).unwrap();
        let pending = owned.run(move |c| b.entries().count(c));
        let clone = owned.clone();
        let mut back = block_on(owned.into_inner()).unwrap();
        assert_eq!(back.query_count(), 1, "the count sent before ran first");
        assert_eq!(block_on(pending).unwrap(), 0);
        assert_eq!(Blog::query().count(&mut back).unwrap(), 1);
        // The connection has left the thread: the other handle is closed.
        assert!(matches!(
            block_on(clone.run(|c| Ok(c.query_count()))),
            Err(Error::Closed)
        ));
    });
}

#[test]
fn open_reports_a_bad_url_and_twins_are_send() {
    let err = block_on(AsyncConnection::open("nosuch://x")).unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err}");
    // The futures can move to another thread (a multi-threaded runtime's worker).
    fn send<T: Send>(t: T) -> T {
        t
    }
    each_backend_async(|aconn, conn| {
        let b = blog(conn, "one");
        let mut e = entry(conn, &b, "a", 0);
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        let fut = send(b.entries().aadd(aconn, [&mut e]));
        let handle = std::thread::scope(|s| s.spawn(|| block_on(fut)).join().unwrap());
        handle.unwrap();
        let linked = std::thread::scope(|s| {
            s.spawn(|| block_on(send(p.toppings().aclear(aconn))))
                .join()
                .unwrap()
        });
        linked.unwrap();
        assert_eq!(e.blog_id, b.id);
    });
}

#[test]
fn clones_on_several_threads_share_one_connection() {
    each_backend_async(|aconn, conn| {
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        let t = Topping::bulk_create(
            conn,
            (0..40).map(|i| NewTopping {
                name: format!("t{i}"),
            }),
        )
        .unwrap();
        let count = || block_on(aconn.run(|c| Ok(c.query_count()))).unwrap();
        let before = count();
        std::thread::scope(|s| {
            for part in t.chunks(10) {
                let (aconn, p) = (aconn.clone(), &p);
                s.spawn(move || {
                    for one in part {
                        block_on(p.toppings().aadd(&aconn, [one])).unwrap();
                    }
                });
            }
        });
        assert_eq!(
            count() - before,
            40,
            "one INSERT per call, all on the one connection"
        );
        assert_eq!(p.toppings().count(conn).unwrap(), 40);
    });
}

#[test]
fn tracked_twins_keep_the_prefetched_rows_in_step() {
    each_backend_async(|aconn, conn| {
        let ann = author(conn, "Ann");
        let mut kept = book(conn, &ann, Some(&ann), "kept");
        let mut stray = book(conn, &ann, None, "stray");
        let mut authors = Author::query()
            .filter(Author::id.eq(ann.id))
            .prefetch(AuthorEditedBooks)
            .all(conn)
            .unwrap();
        let a = &mut authors[0];
        let held = |a: &Loaded<Author, _>| {
            names(a.get(AuthorEditedBooks), |b: &Loaded<Book>| b.title.clone())
        };
        counted!(
            aconn,
            1,
            a.track(AuthorEditedBooks).aadd(aconn, &mut [&mut stray])
        )
        .unwrap();
        assert_eq!(held(a), ["kept", "stray"]);
        counted!(
            aconn,
            1,
            a.track(AuthorEditedBooks).aremove(aconn, &mut [&mut kept])
        )
        .unwrap();
        assert_eq!(held(a), ["stray"]);
        counted!(
            aconn,
            3 + owner_lock(conn),
            a.track(AuthorEditedBooks).aset(aconn, &mut [&mut kept])
        )
        .unwrap();
        assert_eq!(held(a), ["kept"]);
        let draft = fixtures_book(&ann, "made");
        let made = counted!(aconn, inserts(conn), {
            a.track(AuthorEditedBooks)
                .acreate(aconn, move |editor_id| NewBook { editor_id, ..draft })
        })
        .unwrap();
        assert_eq!(made.editor_id, Some(ann.id));
        assert_eq!(held(a), ["kept", "made"]);
        assert_eq!(
            held(a),
            names(ann.edited_books().all(conn).unwrap(), |b| b.title)
        );
        counted!(aconn, 1, a.track(AuthorEditedBooks).aclear(aconn)).unwrap();
        assert!(a.get(AuthorEditedBooks).is_empty());
        assert_eq!(ann.edited_books().count(conn).unwrap(), 0);
    });
}

fn fixtures_book(author: &Author, title: &str) -> NewBook {
    NewBook {
        author_id: author.id,
        editor_id: None,
        title: title.into(),
    }
}

#[test]
fn tracked_many_to_many_and_generic_twins_keep_the_prefetched_rows_in_step() {
    each_backend_async(|aconn, conn| {
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        let t = Topping::bulk_create(conn, ["a", "b", "c"].map(|n| NewTopping { name: n.into() }))
            .unwrap();
        let mut pizzas = Pizza::query().prefetch(PizzaToppings).all(conn).unwrap();
        let loaded = &mut pizzas[0];
        let held = |l: &Loaded<Pizza, _>| {
            names(l.get(PizzaToppings), |t: &Loaded<Topping>| t.name.clone())
        };
        counted!(
            aconn,
            1,
            loaded.track(PizzaToppings).aadd(aconn, &[&t[1], &t[0]])
        )
        .unwrap();
        assert_eq!(held(loaded), ["a", "b"]);
        counted!(
            aconn,
            1,
            loaded.track(PizzaToppings).aremove(aconn, &[&t[0]])
        )
        .unwrap();
        assert_eq!(held(loaded), ["b"]);
        counted!(
            aconn,
            3 + owner_lock(conn),
            loaded.track(PizzaToppings).aset(aconn, &[&t[2], &t[0]])
        )
        .unwrap();
        assert_eq!(held(loaded), ["a", "c"]);
        let d = counted!(aconn, 1 + inserts(conn), {
            loaded
                .track(PizzaToppings)
                .acreate(aconn, NewTopping { name: "d".into() })
        })
        .unwrap();
        assert_eq!(d.name, "d");
        assert_eq!(
            held(loaded),
            names(p.toppings().all(conn).unwrap(), |t| t.name)
        );
        counted!(aconn, 1, loaded.track(PizzaToppings).aclear(aconn)).unwrap();
        assert!(loaded.get(PizzaToppings).is_empty());
        assert_eq!(p.toppings().count(conn).unwrap(), 0);

        // A generic relation: book.tags() prefetched as BookTags.
        let ann = author(conn, "Ann");
        let (b, other) = (book(conn, &ann, None, "one"), book(conn, &ann, None, "two"));
        block_on(aconn.run(|c| c.content_type::<Book>().map(drop))).unwrap();
        let mut moved = other.tags().create(conn, new_tagged("moved")).unwrap();
        let mut books = Book::query()
            .filter(Book::id.eq(b.id))
            .prefetch(BookTags)
            .all(conn)
            .unwrap();
        let loaded = &mut books[0];
        let labels =
            |l: &Loaded<Book, _>| names(l.get(BookTags), |t: &Loaded<TaggedItem>| t.label.clone());
        let made = counted!(
            aconn,
            inserts(conn),
            loaded.track(BookTags).acreate(aconn, new_tagged("made"))
        )
        .unwrap();
        counted!(
            aconn,
            1,
            loaded.track(BookTags).aadd(aconn, &mut [&mut moved])
        )
        .unwrap();
        assert_eq!(labels(loaded), ["made", "moved"]);
        counted!(aconn, 1, loaded.track(BookTags).aremove(aconn, &[&made])).unwrap();
        assert_eq!(labels(loaded), ["moved"]);
        let mut fresh = other.tags().create(conn, new_tagged("fresh")).unwrap();
        // aset: one read, one DELETE (moved), one UPDATE (fresh).
        counted!(
            aconn,
            3 + owner_lock(conn),
            loaded.track(BookTags).aset(aconn, &mut [&mut fresh])
        )
        .unwrap();
        assert_eq!(labels(loaded), ["fresh"]);
        assert_eq!(
            labels(loaded),
            names(b.tags().all(conn).unwrap(), |t| t.label)
        );
        counted!(aconn, 1, loaded.track(BookTags).aclear(aconn)).unwrap();
        assert!(loaded.get(BookTags).is_empty());
        assert_eq!(b.tags().count(conn).unwrap(), 0);
    });
}

#[test]
fn queries_models_and_prefetches_have_twins_too() {
    each_backend_async(|aconn, conn| {
        let b = blog(conn, "one");
        // Model twins: acreate, aget, asave, arefresh, adelete; one statement each (plus the
        // insert's read-back on MySQL).
        let e = counted!(
            aconn,
            inserts(conn),
            Entry::acreate(aconn, new_entry(&b, "a", 1))
        )
        .unwrap();
        let mut got = counted!(aconn, 1, Entry::aget(aconn, e.id)).unwrap();
        assert_eq!(got, e);
        got.headline = "b".into();
        counted!(aconn, 1, got.asave(aconn)).unwrap();
        assert_eq!(counted!(aconn, 1, e.arefresh(aconn)).unwrap().headline, "b");
        let more = counted!(
            aconn,
            inserts(conn),
            Entry::abulk_create(aconn, [new_entry(&b, "c", 3), new_entry(&b, "d", 4)])
        )
        .unwrap();
        assert_eq!(more.len(), 2);
        // Query twins.
        let q = Entry::query().filter(Entry::comments.gt(2));
        assert_eq!(counted!(aconn, 1, q.acount(aconn)).unwrap(), 2);
        assert!(counted!(aconn, 1, q.aexists(aconn)).unwrap());
        let all = counted!(aconn, 1, q.clone().order_by(Entry::id.asc()).aall(aconn)).unwrap();
        assert_eq!(names(all, |e| e.headline), ["c", "d"]);
        let first = counted!(aconn, 1, q.clone().order_by(Entry::id.desc()).afirst(aconn)).unwrap();
        assert_eq!(first.map(|e| e.headline).as_deref(), Some("d"));
        let last = counted!(aconn, 1, q.clone().order_by(Entry::id.desc()).alast(aconn)).unwrap();
        assert_eq!(last.map(|e| e.headline).as_deref(), Some("c"));
        let by_key = counted!(aconn, 1, q.ain_bulk(aconn, more.iter().map(|e| e.id))).unwrap();
        assert_eq!(by_key.len(), 2);
        let by_name = counted!(
            aconn,
            1,
            Blog::query().ain_bulk_by(aconn, Blog::name, ["one"])
        );
        assert_eq!(by_name.unwrap()["one"], b);
        assert!(matches!(
            counted!(aconn, 1, q.aget(aconn)),
            Err(Error::MultipleObjectsReturned { model: "Entry" })
        ));
        assert_eq!(
            counted!(aconn, 1, q.aupdate(aconn, [Entry::rating.set(Some(5.0))])).unwrap(),
            2
        );
        // Prefetching: the rows, then one statement per level.
        let blogs = counted!(aconn, 2, Blog::query().prefetch(BlogEntries).aall(aconn)).unwrap();
        assert_eq!(blogs[0].get(BlogEntries).len(), 3);
        let one = counted!(aconn, 2, Blog::query().prefetch(BlogEntries).aget(aconn)).unwrap();
        assert_eq!(one.get(BlogEntries).len(), 3);
        let last = counted!(aconn, 2, Blog::query().prefetch(BlogEntries).alast(aconn)).unwrap();
        assert_eq!(last.map(|b| b.get(BlogEntries).len()), Some(3));
        // Onto objects in hand: one statement.
        let with = counted!(
            aconn,
            1,
            orm_core::aprefetch_related_objects(aconn, vec![b.clone()], BlogEntries)
        )
        .unwrap();
        assert_eq!(with[0].get(BlogEntries).len(), 3);
        // adelete on a query and on an instance, with on_delete honoured.
        let gone = block_on(q.adelete(aconn)).unwrap();
        assert_eq!(gone.total, 2);
        let gone = block_on(b.adelete(aconn)).unwrap();
        assert_eq!(gone.total, 2, "the blog and its last entry");
        assert_eq!(Entry::query().count(conn).unwrap(), 0);
    });
}

#[test]
fn get_or_create_and_update_or_create_have_twins() {
    each_backend_async(|aconn, conn| {
        let b = blog(conn, "one");
        let q = Blog::query().filter(Blog::name.eq("two"));
        let new = || NewBlog {
            name: "two".into(),
            tagline: String::new(),
        };
        let (two, created) =
            counted!(aconn, 1 + inserts(conn), q.aget_or_create(aconn, new)).unwrap();
        assert!(created);
        let (same, created) = counted!(aconn, 1, q.aget_or_create(aconn, new)).unwrap();
        assert_eq!((same.id, created), (two.id, false));
        let (set, created) = counted!(
            aconn,
            3,
            q.aupdate_or_create(aconn, [Blog::tagline.set("t")], new)
        )
        .unwrap();
        assert_eq!((set.tagline.as_str(), created), ("t", false));
        // On a manager: the row is made under its parent.
        let draft = new_entry(&b, "hi", 0);
        let (e, created) = counted!(
            aconn,
            1 + inserts(conn),
            two.entries()
                .aget_or_create(aconn, Entry::headline.eq("hi"), move |blog_id| NewEntry {
                    blog_id,
                    ..draft
                })
        )
        .unwrap();
        assert_eq!((e.blog_id, created), (two.id, true));
        let (e, created) = counted!(
            aconn,
            3,
            two.entries().aupdate_or_create(
                aconn,
                Entry::headline.eq("hi"),
                [Entry::comments.set(2)],
                |_| unreachable!()
            )
        )
        .unwrap();
        assert_eq!((e.comments, created), (2, false));
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        let (t, created) = counted!(
            aconn,
            2 + inserts(conn),
            p.toppings().aget_or_create(
                aconn,
                Topping::name.eq("a"),
                NewTopping { name: "a".into() }
            )
        )
        .unwrap();
        assert!(created);
        assert_eq!(names(p.toppings().all(conn).unwrap(), |t| t.name), [t.name]);
    });
}

#[test]
fn manager_reads_have_twins_too() {
    each_backend_async(|aconn, conn| {
        let b = blog(conn, "one");
        entry(conn, &b, "a", 0);
        entry(conn, &b, "b", 0);
        assert_eq!(counted!(aconn, 1, b.entries().acount(aconn)).unwrap(), 2);
        assert!(counted!(aconn, 1, b.entries().aexists(aconn)).unwrap());
        let all = counted!(aconn, 1, b.entries().aall(aconn)).unwrap();
        assert_eq!(names(all, |e| e.headline), ["a", "b"]);
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        assert!(!counted!(aconn, 1, p.toppings().aexists(aconn)).unwrap());
        let t = Topping::create(conn, NewTopping { name: "t".into() }).unwrap();
        p.toppings().add(conn, [&t]).unwrap();
        assert_eq!(counted!(aconn, 1, p.toppings().acount(aconn)).unwrap(), 1);
        assert_eq!(counted!(aconn, 1, t.pizzas().aall(aconn)).unwrap(), [p]);
        let ann = author(conn, "Ann");
        let bk = book(conn, &ann, None, "one");
        bk.tags().create(conn, new_tagged("x")).unwrap();
        block_on(aconn.run(|c| c.content_type::<Book>().map(drop))).unwrap();
        assert_eq!(counted!(aconn, 1, bk.tags().acount(aconn)).unwrap(), 1);
        let tags = counted!(aconn, 1, bk.tags().aall(aconn)).unwrap();
        assert_eq!(names(tags, |t| t.label), ["x"]);
    });
}

#[test]
fn a_pool_runs_calls_on_several_connections_each_set_up_as_it_opens() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let refused = block_on(AsyncConnection::pool("sqlite::memory:", 2, |_| Ok(()))).unwrap_err();
    assert!(matches!(refused, Error::InvalidInput(_)), "{refused}");
    let refused = block_on(AsyncConnection::pool("sqlite::memory:", 0, |_| Ok(()))).unwrap_err();
    assert!(matches!(refused, Error::InvalidInput(_)), "{refused}");
    each_database(|db| {
        let p = Pizza::create(&mut db.conn, NewPizza { name: "p".into() }).unwrap();
        let t = Topping::bulk_create(
            &mut db.conn,
            (0..12).map(|i| NewTopping {
                name: format!("t{i}"),
            }),
        )
        .unwrap();
        // Each connection gets the hook as it opens; the hook sees every add, whichever
        // connection runs it.
        let (opened, added) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (o, a) = (opened.clone(), added.clone());
        let pool = block_on(AsyncConnection::pool(&db.url, 3, move |conn| {
            o.fetch_add(1, Ordering::SeqCst);
            let a = a.clone();
            conn.on_m2m_changed::<PizzaToppings>(move |_, change| {
                if change.action() == M2mAction::PostAdd {
                    a.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            });
            Ok(())
        }))
        .unwrap();
        assert_eq!(opened.load(Ordering::SeqCst), 3);
        std::thread::scope(|s| {
            for part in t.chunks(4) {
                let (pool, p) = (pool.clone(), &p);
                s.spawn(move || {
                    for one in part {
                        block_on(p.toppings().aadd(&pool, [one])).unwrap();
                    }
                });
            }
        });
        assert_eq!(added.load(Ordering::SeqCst), 12);
        // With hooks, an add is two statements (the read of what is linked, the INSERT), and
        // the lock of the pizza's row off SQLite: 24 or 36 in all, wherever they ran.
        let counts: Vec<u64> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let pool = pool.clone();
                    s.spawn(move || block_on(pool.into_inner()).unwrap().query_count())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let per_add = 2 + owner_lock(&db.conn);
        assert_eq!(counts.iter().sum::<u64>(), 12 * per_add, "{counts:?}");
        assert_eq!(p.toppings().count(&mut db.conn).unwrap(), 12);
    });
}

/// A call that panics on a pool's connection closes that connection (it may hold a half-done
/// transaction), and the pool opens a new one, set up as the others were, for the next call: it
/// never shrinks. Two calls that each wait for the other still find two connections.
#[test]
fn a_pool_replaces_a_connection_whose_call_panicked() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;
    each_database(|db| {
        let opened = Arc::new(AtomicUsize::new(0));
        let o = opened.clone();
        let pool = block_on(AsyncConnection::pool(&db.url, 2, move |_| {
            o.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }))
        .unwrap();
        for _ in 0..2 {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                block_on(pool.run(|_| -> orm_core::Result<()> { panic!("boom") }))
            }));
            assert!(caught.is_err());
        }
        // Both connections were closed; each is opened again at its next call.
        let (to_a, at_a) = mpsc::channel::<()>();
        let (to_b, at_b) = mpsc::channel::<()>();
        let (at_a, at_b) = (Mutex::new(at_a), Mutex::new(at_b));
        let wait = |at: Mutex<mpsc::Receiver<()>>, to: mpsc::Sender<()>| {
            pool.run(move |conn| {
                to.send(()).unwrap();
                let met = at
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(5))
                    .is_ok();
                Ok((met, Blog::query().count(conn)?, conn.query_count()))
            })
        };
        let (a, b) = (wait(at_a, to_b), wait(at_b, to_a));
        let (a, b) = (block_on(a).unwrap(), block_on(b).unwrap());
        assert!(a.0 && b.0, "the two calls ran side by side");
        // A fresh connection each: the one COUNT is its first statement.
        assert_eq!((a.1, a.2, b.2), (0, 1, 1));
        assert_eq!(opened.load(Ordering::SeqCst), 4, "two opened, two replaced");
    });
}
