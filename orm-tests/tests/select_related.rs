//! `select_related`: foreign keys and reverse one-to-ones joined into the statement of a query
//! or of a prefetch level, nested, read as if prefetched.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::fixtures::{author, book, credits, review};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

#[test]
fn select_related_inside_a_prefetch_costs_no_statement() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        book(conn, &ann, Some(&bob), "one");
        book(conn, &ann, None, "two");
        let authors = assert_num_queries(conn, 2, |conn| {
            Author::query()
                .filter(Author::name.eq("Ann"))
                .prefetch(
                    AuthorBookSet
                        .order_by(Book::title.asc())
                        .select_related(BookEditor),
                )
                .all(conn)
                .unwrap()
        });
        let got: Vec<(String, Option<String>)> = authors[0]
            .get(AuthorBookSet)
            .iter()
            .map(|b| {
                (
                    b.title.clone(),
                    b.get(BookEditor).as_ref().map(|e| e.name.clone()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [("one".into(), Some("Bob".into())), ("two".into(), None)]
        );
        // A non-nullable key joins too, and nests under a many-to-many.
        let reviews = assert_num_queries(conn, 2, |conn| {
            Author::query()
                .prefetch(AuthorBookSet.select_related(BookAuthor))
                .all(conn)
                .unwrap()
        });
        for a in &reviews {
            for b in a.get(AuthorBookSet) {
                assert_eq!(b.get(BookAuthor).id, a.id);
            }
        }

        // Two foreign keys of the books, both to `author`: two LEFT JOINs, one statement. With
        // a top N the select is wrapped, and every column keeps its own alias.
        for newest in [None, Some(1)] {
            let authors = assert_num_queries(conn, 2, |conn| {
                let books = AuthorBookSet
                    .order_by(Book::title.desc())
                    .select_related(BookAuthor)
                    .select_related(BookEditor);
                let books = match newest {
                    Some(n) => books.limit(n),
                    None => books,
                };
                Author::query()
                    .filter(Author::name.eq("Ann"))
                    .prefetch(books)
                    .all(conn)
                    .unwrap()
            });
            let got: Vec<(&str, &str, Option<&str>)> = assert_num_queries(conn, 0, |_| {
                authors[0].get(AuthorBookSet).iter().map(credits).collect()
            });
            let all = [("two", "Ann", None), ("one", "Ann", Some("Bob"))];
            assert_eq!(got, all[..newest.map_or(2, |n| n as usize)]);
        }
    });
}

#[test]
fn select_related_on_a_query_joins_in_its_one_statement() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        let one = book(conn, &ann, Some(&bob), "one");
        book(conn, &bob, None, "two");
        book(conn, &bob, Some(&ann), "three");
        review(conn, &one, 5);

        // Two foreign keys to one table, a filter, an ordering, a page: one statement.
        let books = assert_num_queries(conn, 1, |conn| {
            Book::query()
                .select_related(BookAuthor)
                .select_related(BookEditor)
                .filter(Book::title.ne("nope"))
                .order_by(Book::title.asc())
                .offset(1)
                .limit(2)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, &str, Option<&str>)> =
            assert_num_queries(conn, 0, |_| books.iter().map(credits).collect());
        assert_eq!(got, [("three", "Bob", Some("Ann")), ("two", "Bob", None)]);

        // With prefetch paths: the joined key is a slot like a prefetched one, so a path to it
        // runs only its nested paths.
        let books = assert_num_queries(conn, 3, |conn| {
            Book::query()
                .select_related(BookAuthor)
                .prefetch(BookReviewSet)
                .prefetch(BookAuthor.with(AuthorEditedBooks))
                .order_by(Book::title.asc())
                .all(conn)
                .unwrap()
        });
        assert_eq!(books[0].get(BookReviewSet).len(), 1);
        let edited: Vec<&str> = books[0]
            .get(BookAuthor)
            .get(AuthorEditedBooks)
            .iter()
            .map(|b| b.title.as_str())
            .collect();
        assert_eq!(edited, ["three"]);

        // first and get: one statement each.
        let first = assert_num_queries(conn, 1, |conn| {
            Book::query()
                .select_related(BookEditor)
                .first(conn)
                .unwrap()
        });
        assert_eq!(first.unwrap().get(BookEditor).as_ref().unwrap().name, "Bob");
        let two = assert_num_queries(conn, 1, |conn| {
            Book::query()
                .select_related(BookAuthor)
                .filter(Book::title.eq("two"))
                .get(conn)
                .unwrap()
        });
        assert_eq!(two.get(BookAuthor).model(), &bob);
        let err = Book::query()
            .select_related(BookAuthor)
            .get(conn)
            .unwrap_err();
        assert!(
            matches!(err, Error::MultipleObjectsReturned { .. }),
            "{err}"
        );

        // Joins of the joined rows (Django's `select_related('book__author', 'book__editor')`):
        // still one statement, on a query and inside a prefetch.
        let reviews = assert_num_queries(conn, 1, |conn| {
            Review::query()
                .select_related(ReviewBook.then(BookAuthor).then(BookEditor))
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, &str, Option<&str>)> = assert_num_queries(conn, 0, |_| {
            reviews.iter().map(|r| credits(r.get(ReviewBook))).collect()
        });
        assert_eq!(got, [("one", "Ann", Some("Bob"))]);
        let books = assert_num_queries(conn, 2, |conn| {
            Book::query()
                .order_by(Book::title.asc())
                .prefetch(BookReviewSet.select_related(ReviewBook.then(BookEditor)))
                .all(conn)
                .unwrap()
        });
        let editor = books[0].get(BookReviewSet)[0]
            .get(ReviewBook)
            .get(BookEditor)
            .as_ref()
            .map(|e| e.name.as_str());
        assert_eq!(editor, Some("Bob"));
        // A path listed after a nested join merges into it, and is checked against it.
        let reviews = assert_num_queries(conn, 2, |conn| {
            Review::query()
                .select_related(ReviewBook.then(BookAuthor))
                .prefetch(ReviewBook.with(BookAuthor.with(AuthorEditedBooks)))
                .all(conn)
                .unwrap()
        });
        let edited = reviews[0]
            .get(ReviewBook)
            .get(BookAuthor)
            .get(AuthorEditedBooks);
        assert_eq!(edited.len(), 1);
        let err = assert_num_queries(conn, 0, |conn| {
            Review::query()
                .select_related(ReviewBook.then(BookAuthor))
                .prefetch(ReviewBook.with(BookAuthor.filter(Author::name.eq("Ann"))))
                .all(conn)
                .unwrap_err()
        });
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");

        // A path to a joined key with its own query would be ignored: an error, before any
        // statement.
        let err = assert_num_queries(conn, 0, |conn| {
            Book::query()
                .select_related(BookAuthor)
                .prefetch(BookAuthor.filter(Author::name.eq("Ann")))
                .all(conn)
                .unwrap_err()
        });
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    });
}
