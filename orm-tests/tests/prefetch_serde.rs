//! Loaded values serialize to nested JSON (feature `serde`).

use orm_core::prelude::*;
use orm_tests::fixtures::{author, book, review};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

#[test]
fn a_model_and_its_prefetched_relations_serialize_to_nested_json() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let one = book(conn, &ann, None, "one");
        review(conn, &one, 4);
        let authors = Author::query()
            .prefetch(AuthorBookSet.with(BookReviewSet).with(BookEditor))
            .all(conn)
            .unwrap();
        let json = serde_json::to_value(&authors).unwrap();
        let review = &authors[0].get(AuthorBookSet)[0].get(BookReviewSet)[0];
        assert_eq!(
            json,
            serde_json::json!([{
                "id": ann.id,
                "name": "Ann",
                "book_set": [{
                    "id": one.id,
                    "author_id": ann.id,
                    "editor_id": null,
                    "title": "one",
                    "review_set": [{"id": review.id, "book_id": one.id, "stars": 4}],
                    "editor": null,
                }],
            }])
        );
    });
}
