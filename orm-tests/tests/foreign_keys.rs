//! Foreign keys: forward accessors, reverse managers, `on_delete` in the ORM and in the DDL.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{Error, IntegrityKind};
use orm_tests::fixtures::{author, blog, book, category, entry, inserts, raw_delete_all, review};
use orm_tests::harness::{each_backend, each_database};
use orm_tests::models::*;

#[test]
fn forward_accessor_is_one_statement() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        let e = entry(conn, &b, "e", 0);
        let got = assert_num_queries(conn, 1, |conn| e.blog(conn).unwrap());
        assert_eq!(got, b);

        let a = author(conn, "a");
        let unedited = book(conn, &a, None, "t");
        assert_eq!(
            assert_num_queries(conn, 0, |conn| unedited.editor(conn).unwrap()),
            None,
            "a NULL key reads nothing"
        );
        let edited = book(conn, &a, Some(&a), "u");
        assert_eq!(
            assert_num_queries(conn, 1, |conn| edited.editor(conn).unwrap()),
            Some(a.clone())
        );
        assert_eq!(edited.author(conn).unwrap(), a);
    });
}

#[test]
fn reverse_manager_all_filter_count_exists() {
    each_backend(|conn| {
        let b1 = blog(conn, "one");
        let b2 = blog(conn, "two");
        let e1 = entry(conn, &b1, "a", 1);
        let e2 = entry(conn, &b1, "b", 5);
        entry(conn, &b2, "c", 9);

        let all = assert_num_queries(conn, 1, |conn| b1.entries().all(conn).unwrap());
        assert_eq!(all, vec![e1, e2.clone()]);
        let busy = assert_num_queries(conn, 1, |conn| {
            b1.entries()
                .filter(Entry::comments.gt(2))
                .all(conn)
                .unwrap()
        });
        assert_eq!(busy, vec![e2]);
        assert_num_queries(conn, 1, |conn| {
            assert_eq!(b1.entries().count(conn).unwrap(), 2)
        });
        assert_num_queries(conn, 1, |conn| assert!(b2.entries().exists(conn).unwrap()));
        let b3 = blog(conn, "three");
        assert!(!b3.entries().exists(conn).unwrap());
        assert_eq!(b3.entries().all(conn).unwrap(), vec![]);
        let ordered = b1
            .entries()
            .query()
            .order_by(Entry::headline.desc())
            .all(conn)
            .unwrap();
        assert_eq!(
            ordered
                .iter()
                .map(|e| e.headline.as_str())
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
    });
}

#[test]
fn default_and_custom_related_names_and_text_keys() {
    each_backend(|conn| {
        let a = author(conn, "a");
        let ed = author(conn, "ed");
        book(conn, &a, Some(&ed), "t");
        assert_eq!(a.book_set().count(conn).unwrap(), 1);
        assert_eq!(a.edited_books().count(conn).unwrap(), 0);
        assert_eq!(ed.edited_books().count(conn).unwrap(), 1);

        let tag = Tag::create(
            conn,
            NewTag {
                slug: "db".into(),
                label: "Databases".into(),
            },
        )
        .unwrap();
        let doc = Document::create(
            conn,
            NewDocument {
                uid: uuid::Uuid::new_v4(),
                title: "d".into(),
                tag_slug: Some("db".into()),
            },
        )
        .unwrap();
        assert_eq!(tag.documents().all(conn).unwrap(), vec![doc.clone()]);
        assert_eq!(doc.tag_slug_object(conn).unwrap(), Some(tag));
    });
}

#[test]
fn foreign_keys_are_enforced() {
    each_backend(|conn| {
        let err = Entry::create(
            conn,
            NewEntry {
                blog_id: 999,
                headline: "orphan".into(),
                comments: 0,
                rating: None,
                published: false,
                pub_date: None,
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Integrity {
                    kind: IntegrityKind::ForeignKey,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(Entry::query().count(conn).unwrap(), 0);
    });
}

#[test]
fn cascade_deletes_dependents_in_the_orm() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        let keep = blog(conn, "keep");
        entry(conn, &b, "x", 0);
        entry(conn, &b, "y", 0);
        let kept = entry(conn, &keep, "z", 0);
        // Nothing points at entries: they go in one DELETE, unread (Django's fast delete),
        // then the blog.
        let deleted = assert_num_queries(conn, 2, |conn| b.delete(conn).unwrap());
        assert_eq!(deleted.total, 3);
        assert_eq!(deleted.per_model, vec![("Entry", 2), ("Blog", 1)]);
        assert_eq!(Entry::query().all(conn).unwrap(), vec![kept]);
    });
}

#[test]
fn cascade_through_a_self_reference() {
    each_backend(|conn| {
        let root = category(conn, "root", None);
        let child = category(conn, "child", Some(&root));
        category(conn, "leaf", Some(&child));
        let other = category(conn, "other", None);
        assert_eq!(root.children().count(conn).unwrap(), 1);
        let deleted = root.delete(conn).unwrap();
        assert_eq!(deleted.total, 3);
        assert_eq!(Category::query().all(conn).unwrap(), vec![other]);
    });
}

#[test]
fn protect_refuses_and_deletes_nothing() {
    each_backend(|conn| {
        let a = author(conn, "a");
        let first = book(conn, &a, None, "t");
        let second = book(conn, &a, None, "u");
        // Which books point at the author (the reviews, a cascade, go unread), then refused,
        // naming every protected book as Django's `ProtectedError` does.
        let err = assert_num_queries(conn, 1, |conn| a.delete(conn).unwrap_err());
        let keys = vec![first.id.to_string(), second.id.to_string()];
        assert_eq!(
            blocked(&err),
            [(
                "Author",
                "Book",
                "author_id",
                OnDelete::Protect,
                keys.clone()
            )]
        );
        assert!(
            err.to_string()
                .contains(&format!("keys {}", keys.join(", "))),
            "{err}"
        );
        assert_eq!(Author::get(conn, a.id).unwrap(), a);
        // Once the books are gone, the author can go.
        first.delete(conn).unwrap();
        second.delete(conn).unwrap();
        a.delete(conn).unwrap();
        assert_eq!(Author::query().count(conn).unwrap(), 0);
    });
}

#[test]
fn restrict_refuses_in_the_orm_and_in_the_ddl() {
    each_backend(|conn| {
        let a = author(conn, "a");
        let book = book(conn, &a, None, "t");
        let r = review(conn, &book, 5);
        let err = book.delete(conn).unwrap_err();
        assert_eq!(
            blocked(&err),
            [(
                "Book",
                "Review",
                "book_id",
                OnDelete::Restrict,
                vec![r.id.to_string()]
            )]
        );
        // Bypassing the ORM, the database refuses too.
        let raw = raw_delete_all(conn, "library_book").unwrap_err();
        assert!(
            matches!(
                raw,
                Error::Integrity {
                    kind: IntegrityKind::ForeignKey,
                    ..
                }
            ),
            "{raw}"
        );
        assert_eq!(Book::query().count(conn).unwrap(), 1);
    });
}

#[test]
fn restrict_allows_a_delete_that_cascades_to_the_referencing_rows() {
    each_backend(|conn| {
        let artist = |conn: &mut Connection, name: &str| {
            Artist::create(conn, NewArtist { name: name.into() }).unwrap()
        };
        let album = |conn: &mut Connection, by: &Artist, title: &str| {
            Album::create(
                conn,
                NewAlbum {
                    artist_id: by.id,
                    title: title.into(),
                },
            )
            .unwrap()
        };
        let song = |conn: &mut Connection, by: &Artist, on: &Album, title: &str| {
            Song::create(
                conn,
                NewSong {
                    artist_id: by.id,
                    album_id: on.id,
                    title: title.into(),
                },
            )
            .unwrap()
        };
        let counts = |conn: &mut Connection| {
            (
                Artist::query().count(conn).unwrap(),
                Album::query().count(conn).unwrap(),
                Song::query().count(conn).unwrap(),
            )
        };
        let one = artist(conn, "one");
        let first = album(conn, &one, "first");
        song(conn, &one, &first, "a");
        song(conn, &one, &first, "b");

        // The album alone: its songs stay, so it is refused, and nothing is deleted.
        let err = first.delete(conn).unwrap_err();
        let refused: Vec<_> = blocked(&err)
            .into_iter()
            .map(|b| (b.1, b.3, b.4.len()))
            .collect();
        assert_eq!(refused, [("Song", OnDelete::Restrict, 2)], "{err}");
        assert_eq!(counts(conn), (1, 1, 2));

        // The artist: the same call deletes the songs (through `Song.artist_id`), so the album
        // may go. The songs are deleted first, or the database's own RESTRICT would refuse.
        // The artist's albums, the songs of those albums, then (the artist's songs go unread)
        // which songs the artist's are, to see they cover them; the songs, the album, the
        // artist.
        let deleted = assert_num_queries(conn, 6, |conn| one.delete(conn).unwrap());
        assert_eq!(
            deleted.per_model,
            [("Song", 2), ("Album", 1), ("Artist", 1)]
        );
        assert_eq!(deleted.total, 4);
        assert_eq!(counts(conn), (0, 0, 0));

        // A song of another artist on this artist's album: the cascade does not reach it, so
        // the delete is refused and undone as a whole.
        let two = artist(conn, "two");
        let three = artist(conn, "three");
        let second = album(conn, &two, "second");
        song(conn, &two, &second, "c");
        song(conn, &three, &second, "d");
        let err = two.delete(conn).unwrap_err();
        let refused: Vec<_> = blocked(&err)
            .into_iter()
            .map(|b| (b.0, b.3, b.4.len()))
            .collect();
        assert_eq!(refused, [("Album", OnDelete::Restrict, 1)], "{err}");
        assert_eq!(counts(conn), (2, 1, 2));
    });
}

#[test]
fn set_null_clears_the_key() {
    each_backend(|conn| {
        let a = author(conn, "a");
        let ed = author(conn, "ed");
        let book = book(conn, &a, Some(&ed), "t");
        ed.delete(conn).unwrap();
        assert_eq!(book.refresh(conn).unwrap().editor_id, None);

        let tag = Tag::create(
            conn,
            NewTag {
                slug: "x".into(),
                label: "X".into(),
            },
        )
        .unwrap();
        let doc = Document::create(
            conn,
            NewDocument {
                uid: uuid::Uuid::new_v4(),
                title: "d".into(),
                tag_slug: Some("x".into()),
            },
        )
        .unwrap();
        tag.delete(conn).unwrap();
        assert_eq!(doc.refresh(conn).unwrap().tag_slug, None);
    });
}

#[test]
fn cascade_in_the_ddl_without_the_orm() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        entry(conn, &b, "x", 0);
        raw_delete_all(conn, "blog").unwrap();
        assert_eq!(Entry::query().count(conn).unwrap(), 0);
    });
}

#[test]
fn queryset_delete_cascades_and_is_atomic() {
    each_backend(|conn| {
        let a = author(conn, "a");
        let b = author(conn, "b");
        book(conn, &b, None, "t");
        // `b` is protected, so neither author goes.
        let err = Author::query().delete(conn).unwrap_err();
        assert!(matches!(err, Error::Protected { .. }));
        assert_eq!(Author::query().count(conn).unwrap(), 2);
        let deleted = Author::query()
            .filter(Author::id.eq(a.id))
            .delete(conn)
            .unwrap();
        assert_eq!(deleted.total, 1);
    });
}

#[test]
fn set_default_points_the_rows_at_the_default_key() {
    each_backend(|conn| {
        let nobody = orm_tests::fixtures::person(conn, "nobody");
        assert_eq!(nobody.id, 1, "the default key of Ticket.assignee_id");
        let ann = orm_tests::fixtures::person(conn, "ann");
        let new = |title: &str, assignee_id| NewTicket {
            title: title.into(),
            assignee_id,
        };
        Ticket::bulk_create(
            conn,
            [new("a", ann.id), new("b", ann.id), new("c", nobody.id)],
        )
        .unwrap();
        // Deleting a person with no other dependents here: each relation to Person is looked at,
        // and the tickets' is one UPDATE to the default key.
        let (_, statements) = orm_core::testing::count_queries(conn, |conn| {
            orm_tests::fixtures::person(conn, "bob")
                .delete(conn)
                .unwrap()
        });
        let deleted = assert_num_queries(conn, statements - inserts(conn), |conn| {
            ann.delete(conn).unwrap()
        });
        assert_eq!(deleted.total, 1, "only ann: her tickets stay");
        let mut tickets: Vec<(String, i64)> = Ticket::query()
            .all(conn)
            .unwrap()
            .into_iter()
            .map(|t| (t.title, t.assignee_id))
            .collect();
        tickets.sort();
        assert_eq!(tickets, [("a".into(), 1), ("b".into(), 1), ("c".into(), 1)]);
        assert_eq!(nobody.tickets().count(conn).unwrap(), 3);
    });
}

/// `SetDefault` to a NULL default (Django's `SET_DEFAULT` with `default=None`) and `Set(expr)`
/// (Django's `SET`): the chairs of a deleted desk stand nowhere, those whose spare it was fall
/// back to the first desk; the chairs of another desk stay.
#[test]
fn set_default_to_a_null_default_and_set_to_a_value() {
    each_backend(|conn| {
        let desk = |conn: &mut Connection, name: &str| {
            Desk::create(conn, NewDesk { name: name.into() }).unwrap()
        };
        let first = desk(conn, "first");
        assert_eq!(first.id, fallback_desk());
        let (gone, kept) = (desk(conn, "gone"), desk(conn, "kept"));
        let chair = |conn: &mut Connection, desk: &Desk, spare: &Desk| {
            let new = NewChair {
                desk_id: Some(desk.id),
                spare_desk_id: Some(spare.id),
            };
            Chair::create(conn, new).unwrap()
        };
        let (a, b, c) = (
            chair(conn, &gone, &kept),
            chair(conn, &kept, &gone),
            chair(conn, &kept, &kept),
        );
        // Nothing to read: one UPDATE per key to its value, one DELETE.
        let deleted = assert_num_queries(conn, 3, |conn| gone.delete(conn).unwrap());
        assert_eq!(deleted.total, 1);
        let now = |conn: &mut Connection, chair: &Chair| {
            let chair = chair.refresh(conn).unwrap();
            (chair.desk_id, chair.spare_desk_id)
        };
        assert_eq!(now(conn, &a), (None, Some(kept.id)));
        assert_eq!(now(conn, &b), (Some(kept.id), Some(first.id)));
        assert_eq!(now(conn, &c), (Some(kept.id), Some(kept.id)));
    });
}

/// A tree deeper than a thread's stack could follow one call per level: the delete walks the
/// levels in a loop. A 3,000-level chain, deleted on a 2 MiB thread (a tokio worker's, or an
/// `AsyncConnection`'s), where a recursive walk aborted the process at about 2,000.
#[test]
fn a_deep_cascade_is_walked_in_a_loop_not_on_the_stack() {
    const LEVELS: i64 = 3_000;
    each_database(|db| {
        let conn = &mut db.conn;
        let mut w = orm_core::SqlWriter::new(conn.backend());
        w.push("INSERT INTO ").ident(Category::TABLE);
        w.push(" (").ident("id").push(", ").ident("name").push(", ");
        w.ident("parent_id").push(") VALUES ");
        w.list(1..=LEVELS, ", ", |w, id| {
            w.push("(").bind(orm_core::Value::BigInt(id)).push(", ");
            w.bind(orm_core::Value::Text(format!("level {id}")))
                .push(", ");
            let parent = (id > 1).then_some(id - 1);
            w.bind(orm_core::Field::to_value(&parent)).push(")");
        });
        conn.execute(&w.finish()).unwrap();
        let root = Category::get(conn, 1).unwrap();
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn_scoped(s, || {
                    // Each level: one read of its children, and one DELETE, deepest first.
                    let deleted = assert_num_queries(conn, 2 * LEVELS as u64, |conn| {
                        root.delete(conn).unwrap()
                    });
                    assert_eq!(deleted.per_model, [("Category", LEVELS as u64)]);
                })
                .unwrap();
        });
        assert_eq!(Category::query().count(conn).unwrap(), 0);
    });
}

/// Django's `PROTECT` example: deleting a band would delete its records and its tracks, but a
/// track protects its record, so the delete is refused and nothing goes. Whether the tracks'
/// table sorts after the records' (`track`) or before it (`aa_early_track`) changes nothing:
/// every decision is taken on every row the delete reaches, before anything is deleted.
#[test]
fn protect_refuses_whatever_order_the_tables_sort_in() {
    each_backend(|conn| {
        let band =
            |conn: &mut Connection| Band::create(conn, NewBand { name: "b".into() }).unwrap();
        let record = |conn: &mut Connection, band: &Band| {
            Record::create(
                conn,
                NewRecord {
                    band_id: band.id,
                    title: "r".into(),
                },
            )
            .unwrap()
        };
        let after = band(conn);
        let r = record(conn, &after);
        let track = NewTrack {
            band_id: after.id,
            record_id: r.id,
            title: "t".into(),
        };
        Track::create(conn, track).unwrap();
        let before = band(conn);
        let r = record(conn, &before);
        let early = NewEarlyTrack {
            band_id: before.id,
            record_id: r.id,
            title: "t".into(),
        };
        EarlyTrack::create(conn, early).unwrap();
        // The band's records, then which tracks of each kind protect them (all are listed).
        for (band, track) in [(after, "Track"), (before, "EarlyTrack")] {
            let err = assert_num_queries(conn, 3, |conn| band.delete(conn).unwrap_err());
            let refused: Vec<_> = blocked(&err)
                .into_iter()
                .map(|b| (b.0, b.1, b.3, b.4.len()))
                .collect();
            assert_eq!(refused, [("Record", track, OnDelete::Protect, 1)], "{err}");
        }
        assert_eq!(Band::query().count(conn).unwrap(), 2);
        assert_eq!(Record::query().count(conn).unwrap(), 2);
        assert_eq!(Track::query().count(conn).unwrap(), 1);
        assert_eq!(EarlyTrack::query().count(conn).unwrap(), 1);
    });
}

/// The rows that refused a delete: (model, referencing model, column, rule, their keys).
fn blocked(err: &Error) -> Vec<(&str, &str, &str, OnDelete, Vec<String>)> {
    match err {
        Error::Protected { blocking } => blocking
            .iter()
            .map(|b| {
                (
                    b.model,
                    b.referencing,
                    b.column,
                    b.on_delete,
                    b.keys.clone(),
                )
            })
            .collect(),
        other => panic!("expected Protected, got {other}"),
    }
}
