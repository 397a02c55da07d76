//! Generic foreign keys: pointing at models with integer, text and UUID keys, typed reads,
//! equal ids of different models, deleted targets, unsaved targets.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::fixtures::{author, book};
use orm_tests::harness::each_backend;
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
        let t = Tag::create(
            conn,
            NewTag {
                slug: "rust".into(),
                label: "Rust".into(),
            },
        )
        .unwrap();
        let d = Document::create(
            conn,
            NewDocument {
                uid: uuid::Uuid::new_v4(),
                title: "doc".into(),
                tag_slug: None,
            },
        )
        .unwrap();
        // The first lookup of each content type on this connection creates its row.
        let on_book = assert_num_queries(conn, 1 + 3, |conn| conn.generic_target(&b).unwrap());
        let item = tag_item(conn, "on a book", on_book);
        let first = conn.generic_target(&b).unwrap();
        let mut on_tag = tag_item(conn, "moved", first);
        assert_num_queries(conn, 1 + 3, |conn| {
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
        let r = Review::create(
            conn,
            NewReview {
                book_id: b.id,
                stars: 5,
            },
        )
        .unwrap();
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
        let t = Tag::create(
            conn,
            NewTag {
                slug: "gone".into(),
                label: "Gone".into(),
            },
        )
        .unwrap();
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
