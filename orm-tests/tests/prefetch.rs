//! `prefetch_related`, typed: every relation kind, nested paths, custom queries, `to_attr`,
//! top N per parent, through rows, `select_related` inside a prefetch, objects in hand, and the
//! statement count of each.

use orm_core::prefetch::Loaded;
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::prefetch_related_objects;
use orm_tests::fixtures::{author, blog, book, entry, names, person, pizza, toppings};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

#[test]
fn reverse_foreign_key_is_one_statement_and_empty_parents_get_empty_vecs() {
    each_backend(|conn| {
        let a = blog(conn, "a");
        let b = blog(conn, "b");
        let _empty = blog(conn, "empty");
        entry(conn, &a, "a1", 0);
        entry(conn, &a, "a2", 0);
        entry(conn, &b, "b1", 0);
        let blogs = assert_num_queries(conn, 2, |conn| {
            Blog::query()
                .order_by(Blog::id.asc())
                .prefetch(BlogEntries)
                .all(conn)
                .unwrap()
        });
        let got = assert_num_queries(conn, 0, |_| {
            blogs
                .iter()
                .map(|b| (b.name.clone(), names(b.get(BlogEntries), |e| e.headline.clone())))
                .collect::<Vec<_>>()
        });
        assert_eq!(
            got,
            [
                ("a".to_string(), vec!["a1".to_string(), "a2".to_string()]),
                ("b".into(), vec!["b1".into()]),
                ("empty".into(), vec![]),
            ]
        );
    });
}
