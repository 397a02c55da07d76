//! The reverse side of a foreign key as a related manager: Django's `add`, `create`, `remove`,
//! `clear` and `set`, with `bulk`, on every backend, with exact statement counts.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::fixtures::{author, blog, book, entry, inserts, new_entry, owner_lock};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

fn headlines(conn: &mut Connection, b: &Blog) -> Vec<String> {
    let mut h: Vec<String> = b
        .entries()
        .all(conn)
        .unwrap()
        .into_iter()
        .map(|e| e.headline)
        .collect();
    h.sort();
    h
}

fn titles(conn: &mut Connection, a: &Author) -> Vec<String> {
    let mut t: Vec<String> = a
        .edited_books()
        .all(conn)
        .unwrap()
        .into_iter()
        .map(|b| b.title)
        .collect();
    t.sort();
    t
}

#[test]
fn add_moves_objects_in_one_update() {
    each_backend(|conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        let mut e1 = entry(conn, &b1, "a", 0);
        let mut e2 = entry(conn, &b1, "b", 0);
        let mut e3 = entry(conn, &b2, "c", 0);
        assert_num_queries(conn, 1, |conn| {
            b2.entries().add(conn, [&mut e1, &mut e2]).unwrap()
        });
        assert_eq!(
            (e1.blog_id, e2.blog_id),
            (b2.id, b2.id),
            "updated in memory"
        );
        assert_eq!(headlines(conn, &b2), ["a", "b", "c"]);
        assert!(headlines(conn, &b1).is_empty());
        // Adding what is already there changes nothing, still one statement.
        assert_num_queries(conn, 1, |conn| b2.entries().add(conn, [&mut e3]).unwrap());
        assert_eq!(headlines(conn, &b2), ["a", "b", "c"]);
        // Nothing to add, nothing sent.
        assert_num_queries(conn, 0, |conn| {
            b2.entries().add(conn, std::iter::empty()).unwrap()
        });
    });
}

#[test]
fn add_of_an_unsaved_object_writes_nothing() {
    each_backend(|conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        let mut saved = entry(conn, &b1, "saved", 0);
        let mut ghost = saved.clone();
        ghost.id = saved.id + 1000;
        let err = b2
            .entries()
            .add(conn, [&mut saved, &mut ghost])
            .unwrap_err();
        assert!(
            matches!(&err, Error::Unsaved { model: "Entry", key } if *key == ghost.id.to_string()),
            "{err:?}"
        );
        assert_eq!(saved.blog_id, b1.id, "objects keep their key on failure");
        assert_eq!(
            headlines(conn, &b1),
            ["saved"],
            "the saved one did not move"
        );
    });
}

#[test]
fn add_to_an_unsaved_parent_writes_nothing() {
    each_backend(|conn| {
        let b1 = blog(conn, "one");
        let mut e = entry(conn, &b1, "e", 0);
        let mut ghost = b1.clone();
        ghost.id += 1000;
        let err = ghost.entries().add(conn, [&mut e]).unwrap_err();
        assert!(
            matches!(&err, Error::Unsaved { model: "Blog", key } if *key == ghost.id.to_string()),
            "{err:?}"
        );
        let err = ghost
            .entries()
            .create(conn, |blog_id| new_entry(&b1, "n", 0).with_blog(blog_id))
            .unwrap_err();
        assert!(
            matches!(err, Error::Unsaved { model: "Blog", .. }),
            "{err:?}"
        );
        assert_eq!(e.blog_id, b1.id);
        assert_eq!(headlines(conn, &b1), ["e"]);
    });
}

/// Django's `add(bulk=False)` saves each object, and a save inserts an object without a row:
/// the object is written with its key. On PostgreSQL the key's sequence then moves past it, so a
/// later `create` takes the next key instead of failing on this one.
#[test]
fn add_without_bulk_inserts_an_object_without_a_row() {
    each_backend(|conn| {
        let (a, ed) = (author(conn, "a"), author(conn, "ed"));
        let last = book(conn, &a, None, "last");
        // The key the next insert would take, given by hand.
        let mut ghost = Book {
            id: last.id + 1,
            title: "ghost".into(),
            ..last.clone()
        };
        let saves = book_saves();
        // The UPDATE that finds no row, the INSERT (and PostgreSQL's sequence).
        let statements = 2 + u64::from(conn.backend() == orm_core::Backend::Postgres);
        assert_num_queries(conn, statements, |conn| {
            ed.edited_books()
                .bulk(false)
                .add(conn, [&mut ghost])
                .unwrap()
        });
        assert_eq!(book_saves() - saves, 2, "the save hooks run once");
        assert_eq!(ghost.editor_id, Some(ed.id));
        assert_eq!(Book::get(conn, ghost.id).unwrap(), ghost);
        assert_eq!(titles(conn, &ed), ["ghost"]);
        let next = book(conn, &a, None, "next");
        assert_eq!(next.id, ghost.id + 1);
        // A row that exists is updated, as before: one statement.
        ghost.title = "renamed".into();
        assert_num_queries(conn, 1, |conn| ghost.save_or_insert(conn).unwrap());
        assert_eq!(Book::get(conn, ghost.id).unwrap().title, "renamed");
    });
}

#[test]
fn add_without_bulk_saves_each_object_and_runs_its_hooks() {
    each_backend(|conn| {
        let (a, editor) = (author(conn, "a"), author(conn, "ed"));
        let mut b1 = book(conn, &a, None, "one");
        let mut b2 = book(conn, &a, None, "two");
        let saves = book_saves();
        assert_num_queries(conn, 2, |conn| {
            editor
                .edited_books()
                .bulk(false)
                .add(conn, [&mut b1, &mut b2])
                .unwrap()
        });
        assert_eq!(book_saves() - saves, 4, "before and after each save");
        assert_eq!(titles(conn, &editor), ["one", "two"]);

        // A hook that refuses rolls back the whole call, in the database and in memory.
        let mut b3 = book(conn, &a, None, "three");
        let mut untitled = book(conn, &a, None, "x");
        untitled.title.clear();
        let err = a
            .edited_books()
            .bulk(false)
            .add(conn, [&mut b3, &mut untitled])
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert_eq!((b3.editor_id, untitled.editor_id), (None, None));
        assert!(titles(conn, &a).is_empty());
    });
}

#[test]
fn create_points_the_new_row_at_the_parent() {
    each_backend(|conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        let one_insert = inserts(conn);
        let e = assert_num_queries(conn, one_insert, |conn| {
            b1.entries()
                .create(conn, |blog_id| new_entry(&b2, "new", 3).with_blog(blog_id))
                .unwrap()
        });
        assert_eq!(e.blog_id, b1.id);
        // Whatever the closure puts in the key field, the row points at the manager's parent.
        let e2 = b1
            .entries()
            .create(conn, |_| new_entry(&b2, "other", 0))
            .unwrap();
        assert_eq!(e2.blog_id, b1.id);
        assert_eq!(headlines(conn, &b1), ["new", "other"]);

        let a = author(conn, "a");
        let ed = author(conn, "ed");
        let edited = ed
            .edited_books()
            .create(conn, |editor_id| NewBook {
                author_id: a.id,
                editor_id,
                title: "t".into(),
            })
            .unwrap();
        assert_eq!(edited.editor_id, Some(ed.id));
    });
}

trait WithBlog {
    fn with_blog(self, blog_id: i64) -> Self;
}

impl WithBlog for NewEntry {
    fn with_blog(mut self, blog_id: i64) -> Self {
        self.blog_id = blog_id;
        self
    }
}

#[test]
fn remove_detaches_only_related_objects() {
    each_backend(|conn| {
        let (a, ed, other) = (author(conn, "a"), author(conn, "ed"), author(conn, "o"));
        let mut b1 = book(conn, &a, Some(&ed), "one");
        let mut b2 = book(conn, &a, Some(&ed), "two");
        let mut b3 = book(conn, &a, Some(&other), "three");
        assert_num_queries(conn, 1, |conn| {
            ed.edited_books().remove(conn, [&mut b1]).unwrap()
        });
        assert_eq!(b1.editor_id, None);
        assert_eq!(titles(conn, &ed), ["two"]);
        assert_eq!(b1.refresh(conn).unwrap().editor_id, None, "the row stays");

        // An object of another parent: an error, and nothing written, not even the good one.
        let err = assert_num_queries(conn, 0, |conn| {
            ed.edited_books()
                .remove(conn, [&mut b2, &mut b3])
                .unwrap_err()
        });
        assert!(
            matches!(
                &err,
                Error::NotRelated {
                    model: "Book",
                    parent: "Author",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(b2.editor_id, Some(ed.id));
        assert_eq!(titles(conn, &ed), ["two"]);

        let saves = book_saves();
        assert_num_queries(conn, 1, |conn| {
            ed.edited_books()
                .bulk(false)
                .remove(conn, [&mut b2])
                .unwrap()
        });
        assert_eq!(book_saves() - saves, 2);
        assert!(titles(conn, &ed).is_empty());
    });
}

#[test]
fn clear_detaches_every_row() {
    each_backend(|conn| {
        let (a, ed) = (author(conn, "a"), author(conn, "ed"));
        for t in ["one", "two", "three"] {
            book(conn, &a, Some(&ed), t);
        }
        assert_num_queries(conn, 1, |conn| ed.edited_books().clear(conn).unwrap());
        assert!(titles(conn, &ed).is_empty());
        assert_eq!(
            Book::query().count(conn).unwrap(),
            3,
            "rows are not deleted"
        );

        for t in ["four", "five"] {
            book(conn, &a, Some(&ed), t);
        }
        let saves = book_saves();
        // One SELECT, then one save per row.
        assert_num_queries(conn, 3, |conn| {
            ed.edited_books().bulk(false).clear(conn).unwrap()
        });
        assert_eq!(book_saves() - saves, 4);
        assert!(titles(conn, &ed).is_empty());
    });
}

#[test]
fn set_diffs_on_a_nullable_key() {
    each_backend(|conn| {
        let (a, ed) = (author(conn, "a"), author(conn, "ed"));
        let mut b1 = book(conn, &a, Some(&ed), "one");
        let mut b2 = book(conn, &a, Some(&ed), "two");
        let mut b3 = book(conn, &a, None, "three");
        // One read, one UPDATE removing `one`, one UPDATE adding `three`.
        assert_num_queries(conn, 3 + owner_lock(conn), |conn| {
            ed.edited_books().set(conn, [&mut b2, &mut b3]).unwrap()
        });
        assert_eq!(titles(conn, &ed), ["three", "two"]);
        assert_eq!(b3.editor_id, Some(ed.id));
        assert_eq!(b1.refresh(conn).unwrap().editor_id, None);
        // The same set again: only the read (and the lock).
        assert_num_queries(conn, 1 + owner_lock(conn), |conn| {
            ed.edited_books().set(conn, [&mut b2, &mut b3]).unwrap()
        });
        // With clear: one UPDATE clearing, one adding.
        assert_num_queries(conn, 2 + owner_lock(conn), |conn| {
            ed.edited_books().set_with_clear(conn, [&mut b1]).unwrap()
        });
        assert_eq!(titles(conn, &ed), ["one"]);
        // To nothing.
        ed.edited_books().set(conn, std::iter::empty()).unwrap();
        assert!(titles(conn, &ed).is_empty());
    });
}

#[test]
fn set_on_a_non_nullable_key_only_adds() {
    each_backend(|conn| {
        let (b1, b2) = (blog(conn, "one"), blog(conn, "two"));
        entry(conn, &b1, "kept", 0);
        let mut moved = entry(conn, &b2, "moved", 0);
        assert_num_queries(conn, 1, |conn| {
            b1.entries().set(conn, [&mut moved]).unwrap()
        });
        assert_eq!(headlines(conn, &b1), ["kept", "moved"]);
        assert!(headlines(conn, &b2).is_empty());
    });
}
