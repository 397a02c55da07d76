//! Generic foreign keys: pointing at models with integer, text and UUID keys, typed reads,
//! equal ids of different models, deleted targets, unsaved targets.

use orm_core::prefetch::Slot;
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::fixtures::{author, book, document, inserts, new_tagged, owner_lock, review, tag};
use orm_tests::harness::{each_backend, each_database};
use orm_tests::models::*;

fn tag_item(conn: &mut Connection, label: &str, target: (i64, String)) -> TaggedItem {
    TaggedItem::create(
        conn,
        NewTaggedItem {
            label: label.into(),
            content_type_id: target.0,
            object_id: target.1,
        },
    )
    .unwrap()
}

#[test]
fn a_generic_foreign_key_points_at_integer_text_and_uuid_keys_and_reads_back_typed() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let t = tag(conn, "rust", "Rust");
        let d = document(conn, "doc", None);
        // One statement to check the book exists, one to read its content type (first use here).
        let on_book = assert_num_queries(conn, 1 + 1, |conn| conn.generic_target(&b).unwrap());
        let item = tag_item(conn, "on a book", on_book);
        let first = conn.generic_target(&b).unwrap();
        let mut on_tag = tag_item(conn, "moved", first);
        assert_num_queries(conn, 1 + 1, |conn| {
            on_tag.set_content_object(conn, &t).unwrap()
        });
        on_tag.save(conn).unwrap();
        let on_doc = conn.generic_target(&d).unwrap();
        let on_doc = tag_item(conn, "on a doc", on_doc);

        let item = TaggedItem::get(conn, item.id).unwrap();
        let read: Option<Book> =
            assert_num_queries(conn, 1, |conn| item.content_object(conn).unwrap());
        assert_eq!(read, Some(b.clone()));
        // Another model: no statement, None.
        let not_a_tag: Option<Tag> =
            assert_num_queries(conn, 0, |conn| item.content_object(conn).unwrap());
        assert_eq!(not_a_tag, None);
        let on_tag = TaggedItem::get(conn, on_tag.id).unwrap();
        assert_eq!(on_tag.object_id, "rust");
        assert_eq!(on_tag.content_object::<Tag>(conn).unwrap(), Some(t));
        assert_eq!(on_tag.content_object::<Book>(conn).unwrap(), None);
        assert_eq!(
            on_doc.content_object::<Document>(conn).unwrap(),
            Some(d.clone())
        );
        assert_eq!(on_doc.object_id, d.uid.to_string());
    });
}

#[test]
fn equal_ids_of_different_models_never_match() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let r = review(conn, &b, 5);
        // Make the review's id equal the book's, so only the content type tells them apart.
        assert_eq!(b.id, r.id);
        let target = conn.generic_target(&r).unwrap();
        let item = tag_item(conn, "on a review", target);
        assert_eq!(item.content_object::<Book>(conn).unwrap(), None);
        assert_eq!(item.content_object::<Review>(conn).unwrap(), Some(r));
    });
}

#[test]
fn a_deleted_target_reads_as_none_and_the_ids_stay() {
    each_backend(|conn| {
        let t = tag(conn, "gone", "Gone");
        let target = conn.generic_target(&t).unwrap();
        let item = tag_item(conn, "dangling", target.clone());
        t.delete(conn).unwrap();
        let item = TaggedItem::get(conn, item.id).unwrap();
        let read: Option<Tag> =
            assert_num_queries(conn, 1, |conn| item.content_object(conn).unwrap());
        assert_eq!(read, None);
        assert_eq!((item.content_type_id, item.object_id.clone()), target);
    });
}

#[test]
fn pointing_at_an_unsaved_instance_is_an_error_and_changes_nothing() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let target = conn.generic_target(&b).unwrap();
        let mut item = tag_item(conn, "kept", target.clone());
        let ghost = Book {
            id: b.id + 1000,
            ..b.clone()
        };
        let err = item.set_content_object(conn, &ghost).unwrap_err();
        assert!(matches!(err, Error::Unsaved { model: "Book", .. }), "{err}");
        assert_eq!((item.content_type_id, item.object_id.clone()), target);
        // A stored id that is not a key of the model it names is an error, not a panic.
        item.object_id = "not a number".into();
        let err = item.content_object::<Book>(conn).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    });
}

/// A manager of an owner without a row writes nothing: no foreign key would refuse a tag
/// pointing at nothing, so `create` inserts only if the owner's row exists (one statement
/// still), and `add` updates only then, in both cases [`Error::Unsaved`] naming the owner.
#[test]
fn a_generic_manager_of_an_unsaved_owner_writes_nothing() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let to_ann = conn.generic_target(&ann).unwrap();
        let mut loose = tag_item(conn, "loose", to_ann);
        let ghost = Book {
            id: b.id + 1000,
            ..b.clone()
        };
        conn.content_type::<Book>().unwrap();
        let unsaved = |err: Error| {
            assert!(
                matches!(err, Error::Unsaved { model: "Book", ref key } if *key == ghost.id.to_string()),
                "{err}"
            )
        };
        // The INSERT, which inserts nothing.
        let err = assert_num_queries(conn, 1, |c| {
            ghost.tags().create(c, new_tagged("x")).unwrap_err()
        });
        unsaved(err);
        // The read, then the same INSERT.
        let err = assert_num_queries(conn, 2, |c| {
            ghost
                .tags()
                .get_or_create(c, TaggedItem::label.eq("x"), new_tagged("x"))
                .unwrap_err()
        });
        unsaved(err);
        // The UPDATE, which updates nothing, then whether the owner has a row.
        let err = assert_num_queries(conn, 2, |c| ghost.tags().add(c, [&mut loose]).unwrap_err());
        unsaved(err);
        // One save at a time: the owner is looked for first.
        let err = assert_num_queries(conn, 1, |c| {
            ghost.tags().bulk(false).add(c, [&mut loose]).unwrap_err()
        });
        unsaved(err);
        assert_eq!(loose.object_id, ann.id.to_string(), "left as it was");
        assert_eq!(TaggedItem::query().count(conn).unwrap(), 1);
        assert_eq!(loose.refresh(conn).unwrap().object_id, ann.id.to_string());
    });
}

/// A book with its tags prefetched.
type Tagged = Loaded<Book, (Slot<BookTags, Vec<Loaded<TaggedItem>>>, ())>;

fn label_of(i: &TaggedItem) -> String {
    i.label.clone()
}

#[test]
fn the_reverse_generic_relation_is_a_full_manager() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let other = book(conn, &ann, None, "two");
        // Warm the content-type cache, so the counts below are the manager's own.
        conn.content_type::<Book>().unwrap();
        let target = conn.generic_target(&other).unwrap();
        let mut x = tag_item(conn, "x", target.clone());
        let mut y = tag_item(conn, "y", target);
        // add: one UPDATE for all, objects updated in memory.
        assert_num_queries(conn, 1, |conn| {
            b.tags().add(conn, [&mut x, &mut y]).unwrap()
        });
        assert_eq!(x.object_id, b.id.to_string());
        assert_eq!(names(b.tags().all(conn).unwrap()), ["x", "y"]);
        assert_eq!(other.tags().count(conn).unwrap(), 0);
        // create: one statement (two on MySQL); its generic fields point here whatever they said.
        let z = assert_num_queries(conn, inserts(conn), |conn| {
            b.tags()
                .create(
                    conn,
                    NewTaggedItem {
                        label: "z".into(),
                        content_type_id: -1,
                        object_id: "nothing".into(),
                    },
                )
                .unwrap()
        });
        assert_eq!(z.content_object::<Book>(conn).unwrap(), Some(b.clone()));
        // remove deletes the rows (a tag cannot exist without its target).
        let removed = b.tags().remove(conn, [&x]).unwrap();
        assert_eq!(removed.total, 1);
        assert_eq!(names(b.tags().all(conn).unwrap()), ["y", "z"]);
        // A row of another owner is refused, and nothing is deleted.
        let w = other.tags().create(conn, new_tagged("w")).unwrap();
        assert!(matches!(
            b.tags().remove(conn, [&w]),
            Err(Error::NotRelated { .. })
        ));
        // set: one read, one DELETE, one UPDATE.
        let mut w = w;
        assert_num_queries(conn, 3 + owner_lock(conn), |conn| {
            b.tags().set(conn, [&mut y, &mut w]).unwrap()
        });
        assert_eq!(names(b.tags().all(conn).unwrap()), ["w", "y"]);
        assert_eq!(other.tags().count(conn).unwrap(), 0);
        // bulk(false) looks for the book's row, then saves each object.
        let to_other = conn.generic_target(&other).unwrap();
        let mut v = tag_item(conn, "v", to_other);
        assert_num_queries(conn, 2, |conn| {
            b.tags().bulk(false).add(conn, [&mut v]).unwrap()
        });
        assert_eq!(names(b.tags().all(conn).unwrap()), ["v", "w", "y"]);
        // clear deletes every row of this book.
        b.tags().clear(conn).unwrap();
        assert_eq!(b.tags().count(conn).unwrap(), 0);
    });
}

/// The generic manager has the shape of the other two: `query` and `filter` need no connection
/// (the content type is a subquery), `exists`, and `set_with_clear` (Django's `clear=True`).
#[test]
fn the_generic_manager_has_the_other_managers_shape() {
    each_database(|db| {
        let conn = &mut db.conn;
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let other = book(conn, &ann, None, "two");
        let target = conn.generic_target(&other).unwrap();
        let mut x = tag_item(conn, "x", target.clone());
        let mut y = tag_item(conn, "y", target);
        let query = b.tags().filter(TaggedItem::label.eq("x"));
        // A fresh connection: one statement, no content-type lookup of its own.
        let mut fresh = Connection::open(&db.url).unwrap();
        assert_num_queries(&mut fresh, 1, |fresh| {
            assert!(query.all(fresh).unwrap().is_empty())
        });
        assert_num_queries(conn, 1, |conn| assert!(!b.tags().exists(conn).unwrap()));
        b.tags().add(conn, [&mut x]).unwrap();
        assert_num_queries(conn, 1, |conn| {
            assert_eq!(names(query.all(conn).unwrap()), ["x"]);
        });
        assert_num_queries(conn, 1, |conn| assert!(b.tags().exists(conn).unwrap()));
        // set_with_clear: the clear's DELETE, then the add's UPDATE, in one transaction.
        assert_num_queries(conn, 2, |conn| {
            b.tags().set_with_clear(conn, [&mut y]).unwrap()
        });
        assert_eq!(names(b.tags().all(conn).unwrap()), ["y"]);
        assert_eq!(
            TaggedItem::query()
                .filter(TaggedItem::label.eq("x"))
                .count(conn)
                .unwrap(),
            0
        );
        // An object the clear deletes cannot be added back: the call fails and nothing changes.
        let err = b.tags().set_with_clear(conn, [&mut y]).unwrap_err();
        assert!(matches!(err, Error::Unsaved { .. }), "{err:?}");
        assert_eq!(names(b.tags().all(conn).unwrap()), ["y"]);
    });
}

fn names(items: Vec<TaggedItem>) -> Vec<String> {
    let mut out: Vec<String> = items.iter().map(label_of).collect();
    out.sort();
    out
}

#[test]
fn deleting_a_target_deletes_its_tags_and_a_model_without_the_relation_leaves_them() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let keep = book(conn, &ann, None, "two");
        b.tags().create(conn, new_tagged("gone")).unwrap();
        keep.tags().create(conn, new_tagged("kept")).unwrap();
        let r = review(conn, &keep, 3);
        let target = conn.generic_target(&r).unwrap();
        tag_item(conn, "on a review", target);
        // Its reviews looked for (a `Restrict` key: none), its tags deleted unread (nothing
        // points at them; the content type was read when they were made), the book deleted.
        let deleted = assert_num_queries(conn, 3, |conn| b.delete(conn).unwrap());
        assert_eq!(deleted.total, 2);
        assert_eq!(
            names(TaggedItem::query().all(conn).unwrap()),
            ["kept", "on a review"]
        );
        // Review declares no generic relation: its rows stay, their ids intact.
        // Nothing points at reviews, and tags are not theirs: one DELETE.
        assert_num_queries(conn, 1, |conn| r.delete(conn).unwrap());
        assert_eq!(
            names(TaggedItem::query().all(conn).unwrap()),
            ["kept", "on a review"]
        );
    });
}

#[test]
fn books_with_their_tags_is_two_statements_and_never_matches_another_model() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b1 = book(conn, &ann, None, "one");
        let b2 = book(conn, &ann, None, "two");
        for label in ["a", "b"] {
            b1.tags()
                .create(
                    conn,
                    NewTaggedItem {
                        label: label.into(),
                        content_type_id: 0,
                        object_id: String::new(),
                    },
                )
                .unwrap();
        }
        // A review with the same id as the first book: its tag must not show up on the book.
        let r = review(conn, &b1, 1);
        assert_eq!(r.id, b1.id);
        let target = conn.generic_target(&r).unwrap();
        tag_item(conn, "review's", target);
        let books = assert_num_queries(conn, 2, |conn| {
            Book::query()
                .order_by(Book::id.asc())
                .prefetch(BookTags.order_by(TaggedItem::label.asc()))
                .all(conn)
                .unwrap()
        });
        let got: Vec<Vec<&str>> = books
            .iter()
            .map(|b| b.get(BookTags).iter().map(|t| t.label.as_str()).collect())
            .collect();
        assert_eq!(got, [vec!["a", "b"], vec![]]);
        assert_eq!(books[1].id, b2.id);
        // UUID owners too.
        let d = document(conn, "d", None);
        d.tags().create(conn, new_tagged("on d")).unwrap();
        let docs = Document::query().prefetch(DocumentTags).all(conn).unwrap();
        assert_eq!(docs[0].get(DocumentTags)[0].label, "on d");
    });
}

#[test]
fn items_prefetch_their_targets_per_type_with_nested_paths_in_one_statement_per_level() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        let b1 = book(conn, &ann, None, "one");
        let b2 = book(conn, &bob, None, "two");
        let rust = tag(conn, "rust", "Rust");
        let d = document(conn, "doc", Some(&rust.slug));
        // A review with the first book's id: not a possible target, and never taken for the book.
        let r = review(conn, &b1, 2);
        assert_eq!(r.id, b1.id);
        for (label, target) in [
            ("b1", conn.generic_target(&b1).unwrap()),
            ("b2", conn.generic_target(&b2).unwrap()),
            ("doc", conn.generic_target(&d).unwrap()),
            ("review", conn.generic_target(&r).unwrap()),
            ("b1 again", conn.generic_target(&b1).unwrap()),
        ] {
            tag_item(conn, label, target);
        }
        conn.content_type::<Document>().unwrap();
        // items; books; their authors; documents; their tags: 5 statements.
        let items = assert_num_queries(conn, 5, |conn| {
            TaggedItem::query()
                .order_by(TaggedItem::id.asc())
                .prefetch(TaggedItemBooks.with(BookAuthor))
                .prefetch(
                    TaggedItemContentObject
                        .of::<Document>()
                        .with(DocumentTagSlugObject),
                )
                .all(conn)
                .unwrap()
        });
        let got: Vec<(String, Option<String>, Option<String>)> =
            assert_num_queries(conn, 0, |_| {
                items
                    .iter()
                    .map(|i| {
                        (
                            i.label.clone(),
                            i.get(TaggedItemBooks)
                                .as_ref()
                                .map(|b| b.get(BookAuthor).name.clone()),
                            i.get(TaggedItemContentObject.of::<Document>())
                                .as_ref()
                                .and_then(|d| {
                                    d.get(DocumentTagSlugObject)
                                        .as_ref()
                                        .map(|t| t.label.clone())
                                }),
                        )
                    })
                    .collect()
            });
        assert_eq!(
            got,
            [
                ("b1".to_string(), Some("Ann".to_string()), None),
                ("b2".into(), Some("Bob".into()), None),
                ("doc".into(), None, Some("Rust".into())),
                ("review".into(), None, None),
                ("b1 again".into(), Some("Ann".into()), None),
            ]
        );
        // The constant and `.of::<Book>()` are one path, so one slot and one statement for
        // books; documents are another: items, books, their authors, documents.
        let items = assert_num_queries(conn, 4, |conn| {
            TaggedItem::query()
                .order_by(TaggedItem::id.asc())
                .prefetch(TaggedItemBooks)
                .prefetch(TaggedItemContentObject.of::<Document>())
                .prefetch(TaggedItemContentObject.of::<Book>().with(BookAuthor))
                .all(conn)
                .unwrap()
        });
        let got: Vec<(Option<String>, bool)> = items
            .iter()
            .map(|i| {
                (
                    i.get(TaggedItemBooks)
                        .as_ref()
                        .map(|b| b.get(BookAuthor).name.clone()),
                    i.get(TaggedItemContentObject.of::<Document>()).is_some(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("Ann".to_string()), false),
                (Some("Bob".into()), false),
                (None, true),
                (None, false),
                (Some("Ann".into()), false),
            ]
        );
        // The seed's page of 25 items, books with authors and documents with tags: 5 statements,
        // none while iterating.
        let page = assert_num_queries(conn, 5, |conn| {
            TaggedItem::query()
                .order_by(TaggedItem::id.asc())
                .limit(25)
                .prefetch(TaggedItemBooks.with(BookAuthor))
                .prefetch(
                    TaggedItemContentObject
                        .of::<Document>()
                        .with(DocumentTagSlugObject),
                )
                .all(conn)
                .unwrap()
        });
        let seen = assert_num_queries(conn, 0, |_| {
            page.iter()
                .filter(|i| {
                    i.get(TaggedItemBooks).is_some()
                        || i.get(TaggedItemContentObject.of::<Document>()).is_some()
                })
                .count()
        });
        assert_eq!(seen, 4);
        // A custom query per type; one page of items: still one statement per level.
        let page = assert_num_queries(conn, 2, |conn| {
            TaggedItem::query()
                .order_by(TaggedItem::id.asc())
                .limit(2)
                .prefetch(TaggedItemBooks.filter(Book::title.eq("two")))
                .all(conn)
                .unwrap()
        });
        let titles: Vec<Option<&str>> = page
            .iter()
            .map(|i| i.get(TaggedItemBooks).as_ref().map(|b| b.title.as_str()))
            .collect();
        assert_eq!(titles, [None, Some("two")]);
        // No item points at a document: no statement for documents.
        let books_only = assert_num_queries(conn, 1, |conn| {
            TaggedItem::query()
                .filter(TaggedItem::label.eq("review"))
                .prefetch(TaggedItemContentObject.of::<Document>())
                .all(conn)
                .unwrap()
        });
        assert!(books_only[0]
            .get(TaggedItemContentObject.of::<Document>())
            .is_none());
    });
}

#[test]
fn filtering_across_generic_relations_always_matches_the_content_type() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        let b1 = book(conn, &ann, None, "one");
        let b2 = book(conn, &bob, None, "two");
        b1.tags().create(conn, new_tagged("roman")).unwrap();
        b2.tags().create(conn, new_tagged("essay")).unwrap();
        // A review of b2 whose id is b1's, tagged "roman": only the content type tells it from
        // b1, so it must not make any book match.
        let r = review(conn, &b2, 1);
        assert_eq!(r.id, b1.id);
        let target = conn.generic_target(&r).unwrap();
        tag_item(conn, "roman", target);

        // Tagged items whose book's author is Ann: one statement.
        let items = assert_num_queries(conn, 1, |conn| {
            TaggedItem::query()
                .filter(TaggedItemBooks.any(BookAuthor.any(Author::name.eq("Ann"))))
                .all(conn)
                .unwrap()
        });
        assert_eq!(names(items), ["roman"]);
        // Books tagged "roman": b1 only, though the review with b1's id is tagged "roman" too.
        let books = assert_num_queries(conn, 1, |conn| {
            Book::query()
                .filter(BookTags.any(TaggedItem::label.eq("roman")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(books, std::slice::from_ref(&b1));
        let untagged = Book::query()
            .exclude(BookTags.any(TaggedItem::label.eq("essay")))
            .all(conn)
            .unwrap();
        assert_eq!(untagged, [b1]);
    });
}

#[test]
fn writes_through_a_prefetched_generic_relation_keep_it_in_step() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        let other = book(conn, &ann, None, "two");
        b.tags().create(conn, new_tagged("first")).unwrap();
        let mut moved = other.tags().create(conn, new_tagged("moved")).unwrap();
        let mut books = Book::query()
            .filter(Book::id.eq(b.id))
            .prefetch(BookTags)
            .all(conn)
            .unwrap();
        let loaded = &mut books[0];
        let held = |l: &Tagged| {
            let mut v: Vec<String> = l.get(BookTags).iter().map(|t| t.label.clone()).collect();
            v.sort();
            v
        };
        let made = assert_num_queries(conn, inserts(conn), |conn| {
            loaded
                .track(BookTags)
                .create(conn, new_tagged("made"))
                .unwrap()
        });
        assert_eq!(held(loaded), ["first", "made"]);
        assert_num_queries(conn, 1, |conn| {
            loaded.track(BookTags).add(conn, &mut [&mut moved]).unwrap()
        });
        assert_eq!(held(loaded), ["first", "made", "moved"]);
        loaded.track(BookTags).remove(conn, &[&made]).unwrap();
        assert_eq!(held(loaded), ["first", "moved"]);
        assert_eq!(held(loaded), names(b.tags().all(conn).unwrap()));
        // set: one read, one DELETE (the rest), one UPDATE (the new one); the slot is the set.
        let mut last = other.tags().create(conn, new_tagged("last")).unwrap();
        assert_num_queries(conn, 3 + owner_lock(conn), |conn| {
            loaded.track(BookTags).set(conn, &mut [&mut last]).unwrap()
        });
        assert_eq!(held(loaded), ["last"]);
        assert_eq!(held(loaded), names(b.tags().all(conn).unwrap()));
        loaded.track(BookTags).clear(conn).unwrap();
        assert!(loaded.get(BookTags).is_empty());
        assert_eq!(b.tags().count(conn).unwrap(), 0);
    });
}

#[test]
fn filtering_across_a_generic_relation_to_uuid_keys_works_on_every_backend() {
    each_backend(|conn| {
        let tagged = document(conn, "tagged", None);
        let other = document(conn, "other", None);
        tagged.tags().create(conn, new_tagged("uuid")).unwrap();
        other.tags().create(conn, new_tagged("else")).unwrap();
        let docs = assert_num_queries(conn, 1, |conn| {
            Document::query()
                .filter(DocumentTags.any(TaggedItem::label.eq("uuid")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(docs, std::slice::from_ref(&tagged));
        let items = assert_num_queries(conn, 1, |conn| {
            TaggedItem::query()
                .filter(
                    TaggedItemContentObject
                        .of::<Document>()
                        .any(Document::title.eq("tagged")),
                )
                .all(conn)
                .unwrap()
        });
        assert_eq!(names(items), ["uuid"]);
    });
}

#[test]
fn counting_across_a_generic_relation_is_one_left_join_with_the_content_type() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b1 = book(conn, &ann, None, "one");
        let b2 = book(conn, &ann, None, "two");
        for label in ["a", "b"] {
            b1.tags().create(conn, new_tagged(label)).unwrap();
        }
        // Tags on a review whose id is b2's: they must not count for b2.
        review(conn, &b1, 1); // takes id 1, so the next review's id is b2's
        let r2 = review(conn, &b1, 1);
        assert_eq!(r2.id, b2.id);
        let target = conn.generic_target(&r2).unwrap();
        tag_item(conn, "review's", target);
        let counts = assert_num_queries(conn, 1, |conn| {
            Book::query()
                .order_by(Book::id.asc())
                .with_count(BookTags)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, i64)> = counts.iter().map(|(b, n)| (b.title.as_str(), *n)).collect();
        assert_eq!(got, [("one", 2), ("two", 0)]);
        // Filters and limits apply to the books.
        let only = Book::query()
            .filter(Book::title.eq("one"))
            .with_count(BookTags)
            .all(conn)
            .unwrap();
        assert_eq!(only, [(b1, 2)]);
    });
}

#[test]
fn ordering_by_a_field_across_relations_generic_or_not() {
    each_backend(|conn| {
        let zed = author(conn, "Zed");
        let amy = author(conn, "Amy");
        let late = book(conn, &zed, None, "a late author");
        let early = book(conn, &amy, None, "z early author");
        // Books by their author's name: one statement.
        let books = assert_num_queries(conn, 1, |conn| {
            Book::query()
                .order_by(BookAuthor.by(Author::name.asc()))
                .all(conn)
                .unwrap()
        });
        assert_eq!(books, [early.clone(), late.clone()]);
        // Items by their book's author's name, across the generic foreign key; only book items.
        late.tags().create(conn, new_tagged("on late")).unwrap();
        early.tags().create(conn, new_tagged("on early")).unwrap();
        let items = assert_num_queries(conn, 1, |conn| {
            TaggedItem::query()
                .order_by(TaggedItemBooks.by(BookAuthor.by(Author::name.desc())))
                .all(conn)
                .unwrap()
        });
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["on late", "on early"]);
        // Inside a prefetch's custom query too.
        let authors = assert_num_queries(conn, 2, |conn| {
            Author::query()
                .filter(Author::name.eq("Zed"))
                .prefetch(AuthorBookSet.order_by(BookAuthor.by(Author::name.asc())))
                .all(conn)
                .unwrap()
        });
        assert_eq!(authors[0].get(AuthorBookSet).len(), 1);
    });
}

fn activity(conn: &mut Connection, verb: &str) -> Activity {
    Activity::create(
        conn,
        NewActivity {
            verb: verb.into(),
            target_type: None,
            target_id: None,
        },
    )
    .unwrap()
}

fn verbs(rows: &[impl std::ops::Deref<Target = Activity>]) -> Vec<&str> {
    rows.iter().map(|a| a.verb.as_str()).collect()
}

#[test]
fn a_nullable_generic_foreign_key_points_at_nothing_or_at_a_row() {
    each_backend(|conn| {
        let assignee = orm_tests::fixtures::person(conn, "p");
        let b = Ticket::create(
            conn,
            NewTicket {
                assignee_id: assignee.id,
                title: "b".into(),
            },
        )
        .unwrap();
        let d = document(conn, "doc", None);
        let mut idle = activity(conn, "idle");
        let read = assert_num_queries(conn, 0, |conn| idle.target::<Ticket>(conn).unwrap());
        assert_eq!(read, None, "pointing at nothing reads nothing");

        // One statement to check the ticket exists, one for its content type (first use here).
        let mut posted = activity(conn, "posted");
        assert_num_queries(conn, 1 + 1, |conn| posted.set_target(conn, &b).unwrap());
        posted.save(conn).unwrap();
        assert_eq!(
            assert_num_queries(conn, 1, |conn| posted.target::<Ticket>(conn).unwrap()),
            Some(b.clone())
        );
        assert_eq!(posted.target::<Document>(conn).unwrap(), None);
        // Through the reverse manager, which sets both fields.
        let filed = d
            .activities()
            .create(
                conn,
                NewActivity {
                    verb: "filed".into(),
                    target_type: None,
                    target_id: None,
                },
            )
            .unwrap();
        assert_eq!(filed.target_id, Some(d.uid.to_string()));

        let all = assert_num_queries(conn, 3, |conn| {
            Activity::query()
                .prefetch(ActivityTarget.of::<Ticket>())
                .prefetch(ActivityTarget.of::<Document>())
                .order_by(Activity::id.asc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, Option<&str>, Option<&str>)> = all
            .iter()
            .map(|a| {
                (
                    a.verb.as_str(),
                    a.get(ActivityTarget.of::<Ticket>())
                        .as_ref()
                        .map(|b| b.title.as_str()),
                    a.get(ActivityTarget.of::<Document>())
                        .as_ref()
                        .map(|d| d.title.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("idle", None, None),
                ("posted", Some("b"), None),
                ("filed", None, Some("doc")),
            ]
        );
        let tickets = assert_num_queries(conn, 2, |conn| {
            Ticket::query()
                .prefetch(TicketActivities)
                .all(conn)
                .unwrap()
        });
        assert_eq!(verbs(tickets[0].get(TicketActivities)), ["posted"]);

        // Pointing at nothing again: both fields NULL once saved.
        posted.clear_target();
        posted.save(conn).unwrap();
        let back = posted.refresh(conn).unwrap();
        assert_eq!((back.target_type, back.target_id), (None, None));
        assert_eq!(b.activities().count(conn).unwrap(), 0);
        idle.set_target(conn, &d).unwrap();
        idle.save(conn).unwrap();
        // Deleting the document deletes what points at it; what points at nothing stays.
        d.delete(conn).unwrap();
        let left = Activity::query().all(conn).unwrap();
        assert_eq!(verbs(&left.iter().collect::<Vec<_>>()), ["posted"]);
    });
}
