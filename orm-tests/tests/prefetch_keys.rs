//! Prefetches match keys exactly on every backend: text keys that differ only in case, text
//! and UUID keys both ways.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::fixtures::{document, tag};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

#[test]
fn text_keys_differing_only_in_case_are_two_keys_on_every_backend() {
    each_backend(|conn| {
        // MySQL's default collation ignores case; key columns are created binary there, so a
        // key means on every backend what it means to `String`'s `Eq`, and to the prefetch.
        let lower = tag(conn, "rust", "lower");
        let upper = tag(conn, "Rust", "upper");
        assert_eq!(Tag::get(conn, "Rust").unwrap(), upper);
        let doc = document(conn, "d", Some("Rust"));
        let err = Document::create(
            conn,
            NewDocument {
                uid: uuid::Uuid::new_v4(),
                title: "e".into(),
                tag_slug: Some("RUST".into()),
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Integrity {
                    kind: orm_core::IntegrityKind::ForeignKey,
                    ..
                }
            ),
            "{err}"
        );

        let tags = assert_num_queries(conn, 2, |conn| {
            Tag::query()
                .order_by(Tag::label.asc())
                .prefetch(TagDocuments)
                .all(conn)
                .unwrap()
        });
        assert_eq!(tags[0].model(), &lower);
        assert!(tags[0].get(TagDocuments).is_empty());
        assert_eq!(tags[1].get(TagDocuments)[0].model(), &doc);
        let docs = assert_num_queries(conn, 2, |conn| {
            Document::query()
                .prefetch(DocumentTagSlugObject)
                .all(conn)
                .unwrap()
        });
        assert_eq!(
            docs[0]
                .get(DocumentTagSlugObject)
                .as_ref()
                .map(|t| t.model()),
            Some(&upper)
        );
    });
}

#[test]
fn text_and_uuid_keys_prefetch_both_ways() {
    each_backend(|conn| {
        let rust = Tag::create(
            conn,
            NewTag {
                slug: "rust".into(),
                label: "Rust".into(),
            },
        )
        .unwrap();
        Tag::create(
            conn,
            NewTag {
                slug: "empty".into(),
                label: "Nothing".into(),
            },
        )
        .unwrap();
        let docs = Document::bulk_create(
            conn,
            [("a", Some("rust")), ("b", Some("rust")), ("c", None)].map(|(title, tag)| {
                NewDocument {
                    uid: uuid::Uuid::new_v4(),
                    title: title.into(),
                    tag_slug: tag.map(Into::into),
                }
            }),
        )
        .unwrap();
        let tags = assert_num_queries(conn, 2, |conn| {
            Tag::query()
                .order_by(Tag::slug.desc())
                .prefetch(TagDocuments.order_by(Document::title.asc()))
                .all(conn)
                .unwrap()
        });
        assert_eq!(tags[0].slug, rust.slug);
        let titles: Vec<&str> = tags[0]
            .get(TagDocuments)
            .iter()
            .map(|d| d.title.as_str())
            .collect();
        assert_eq!(titles, ["a", "b"]);
        assert!(tags[1].get(TagDocuments).is_empty());
        // UUID keys, and a nullable text key followed forwards.
        let loaded = assert_num_queries(conn, 2, |conn| {
            Document::query()
                .order_by(Document::title.asc())
                .prefetch(DocumentTagSlugObject)
                .all(conn)
                .unwrap()
        });
        let got: Vec<Option<&str>> = loaded
            .iter()
            .map(|d| {
                d.get(DocumentTagSlugObject)
                    .as_ref()
                    .map(|t| t.label.as_str())
            })
            .collect();
        assert_eq!(got, [Some("Rust"), Some("Rust"), None]);
        assert_eq!(loaded[2].uid, docs[2].uid);
    });
}
