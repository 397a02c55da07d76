//! Queries across relations: filters on related rows (`.any(..)`), ordering by a related column
//! with NULLs first or last, and a count of related rows per row, each one statement.

use orm_core::prefetch_related_objects;
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Order;
use orm_tests::fixtures::{author, blog, book, entry, pizza, toppings};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

#[test]
fn nulls_go_first_or_last_on_every_backend() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        book(conn, &ann, Some(&bob), "edited by Bob");
        book(conn, &ann, None, "unedited");
        book(conn, &bob, Some(&ann), "edited by Ann");
        let titles = |conn: &mut Connection, order: Order<Book>| -> Vec<String> {
            assert_num_queries(conn, 1, |conn| {
                Book::query()
                    .order_by(order)
                    .all(conn)
                    .unwrap()
                    .into_iter()
                    .map(|b| b.title)
                    .collect()
            })
        };
        // A nullable column of the row.
        assert_eq!(
            titles(conn, Book::editor_id.asc().nulls_first()),
            ["unedited", "edited by Ann", "edited by Bob"]
        );
        assert_eq!(
            titles(conn, Book::editor_id.desc().nulls_last()),
            ["edited by Bob", "edited by Ann", "unedited"]
        );
        // Across a nullable foreign key: a book without an editor has no name to sort by.
        assert_eq!(
            titles(conn, BookEditor.by(Author::name.asc()).nulls_last()),
            ["edited by Ann", "edited by Bob", "unedited"]
        );
        assert_eq!(
            titles(conn, BookEditor.by(Author::name.desc()).nulls_first()),
            ["unedited", "edited by Bob", "edited by Ann"]
        );
        // The same ordering picks the top N per parent in one statement.
        let authors = assert_num_queries(conn, 2, |conn| {
            Author::query()
                .filter(Author::name.eq("Ann"))
                .prefetch(
                    AuthorBookSet
                        .order_by(BookEditor.by(Author::name.asc()).nulls_first())
                        .limit(1),
                )
                .all(conn)
                .unwrap()
        });
        assert_eq!(authors[0].get(AuthorBookSet)[0].title, "unedited");
    });
}

#[test]
fn filters_across_foreign_keys_and_many_to_many_are_one_statement() {
    each_backend(|conn| {
        let a = blog(conn, "a");
        let b = blog(conn, "b");
        entry(conn, &a, "in a", 0);
        entry(conn, &b, "in b", 0);
        let in_a = assert_num_queries(conn, 1, |conn| {
            Entry::query()
                .filter(EntryBlog.any(Blog::name.eq("a")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(headlines_of(&in_a), ["in a"]);
        let with_b = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .filter(BlogEntries.any(Entry::headline.eq("in b")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(with_b, [b]);
        let p = pizza(conn, "p");
        let q = pizza(conn, "q");
        let t = toppings(conn, &["ham", "basil"]);
        p.toppings().add(conn, [&t[0]]).unwrap();
        q.toppings().add(conn, [&t[1]]).unwrap();
        let ham = assert_num_queries(conn, 1, |conn| {
            Pizza::query()
                .filter(PizzaToppings.any(Topping::name.eq("ham")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(ham, [p]);
        // Inside a prefetch's custom query too.
        let blogs = assert_num_queries(conn, 2, |conn| {
            Blog::query()
                .prefetch(BlogEntries.filter(EntryBlog.any(Blog::name.eq("a"))))
                .all(conn)
                .unwrap()
        });
        let total: usize = blogs.iter().map(|b| b.get(BlogEntries).len()).sum();
        assert_eq!(total, 1);
    });
}

fn headlines_of(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.headline.as_str()).collect()
}

#[test]
fn counting_related_rows_per_row_is_one_statement() {
    each_backend(|conn| {
        let a = blog(conn, "a");
        let b = blog(conn, "b");
        entry(conn, &a, "1", 0);
        entry(conn, &a, "2", 0);
        let blogs = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .order_by(Blog::name.asc())
                .with_count(BlogEntries)
                .all(conn)
                .unwrap()
        });
        assert_eq!(blogs, [(a, 2), (b, 0)]);
        // Counted rows, then a prefetch onto them (Django's `annotate(..).prefetch_related(..)`):
        // one statement for the rows and counts, one for the relation.
        let (rows, counts): (Vec<Blog>, Vec<i64>) = blogs.into_iter().unzip();
        let loaded = assert_num_queries(conn, 1, |conn| {
            prefetch_related_objects(conn, rows, BlogEntries.order_by(Entry::headline.asc()))
                .unwrap()
        });
        let got: Vec<(usize, i64)> = loaded
            .iter()
            .zip(&counts)
            .map(|(b, n)| (b.get(BlogEntries).len(), *n))
            .collect();
        assert_eq!(got, [(2, 2), (0, 0)]);
        let p = pizza(conn, "p");
        let t = toppings(conn, &["x", "y", "z"]);
        p.toppings().add(conn, &t).unwrap();
        let tops = assert_num_queries(conn, 1, |conn| {
            Topping::query()
                .order_by(Topping::name.asc())
                .with_count(ToppingPizzas)
                .all(conn)
                .unwrap()
        });
        let counts: Vec<i64> = tops.iter().map(|(_, n)| *n).collect();
        assert_eq!(counts, [1, 1, 1]);
        let pizzas = Pizza::query().with_count(PizzaToppings).all(conn).unwrap();
        assert_eq!(pizzas, [(p, 3)]);
    });
}
