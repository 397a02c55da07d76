//! `prefetch_related`, typed: every relation kind, nested paths, custom queries, `to_attr`,
//! top N per parent, through rows, objects shared or in hand, trees, and the statement count of
//! each. Joins are in `select_related.rs`, tracked writes in `prefetch_tracking.rs`, keys in
//! `prefetch_keys.rs`, what is sent in `prefetch_statements.rs`.

use chrono::NaiveDate;
use orm_core::prefetch_related_objects;
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::fixtures::{
    author, blog, book, category, credits, entry, names, person, pizza, review, toppings,
};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

fn headlines<'a>(entries: impl IntoIterator<Item = &'a Loaded<Entry>>) -> Vec<String> {
    entries.into_iter().map(|e| e.headline.clone()).collect()
}

fn dated(conn: &mut Connection, b: &Blog, headline: &str, day: u32, published: bool) -> Entry {
    let mut e = entry(conn, b, headline, day as i32);
    e.pub_date = NaiveDate::from_ymd_opt(2024, 1, day);
    e.published = published;
    e.save(conn).unwrap();
    e
}

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
                .prefetch(BlogEntries)
                .order_by(Blog::id.asc())
                .all(conn)
                .unwrap()
        });
        let got = assert_num_queries(conn, 0, |_| {
            blogs
                .iter()
                .map(|b| {
                    (
                        b.name.clone(),
                        names(b.get(BlogEntries), |e| e.headline.clone()),
                    )
                })
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
        // No parents, no statement for the relation.
        let none = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .filter(Blog::name.eq("nope"))
                .prefetch(BlogEntries)
                .all(conn)
                .unwrap()
        });
        assert!(none.is_empty());
        // Counting or testing for rows prefetches nothing.
        let with_entries = Blog::query()
            .filter(BlogEntries.any(Entry::headline.ne("b1")))
            .prefetch(BlogEntries);
        assert_eq!(
            assert_num_queries(conn, 1, |conn| with_entries.count(conn).unwrap()),
            1
        );
        assert!(assert_num_queries(conn, 1, |conn| with_entries
            .exists(conn)
            .unwrap()));
    });
}

#[test]
fn forward_foreign_keys_share_their_target_and_null_keys_read_none() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        book(conn, &ann, Some(&bob), "one");
        book(conn, &ann, None, "two");
        book(conn, &bob, Some(&bob), "three");
        let books = assert_num_queries(conn, 3, |conn| {
            Book::query()
                .order_by(Book::id.asc())
                .prefetch(BookAuthor)
                .prefetch(BookEditor)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, &str, Option<&str>)> =
            assert_num_queries(conn, 0, |_| books.iter().map(credits).collect());
        assert_eq!(
            got,
            [
                ("one", "Ann", Some("Bob")),
                ("two", "Ann", None),
                ("three", "Bob", Some("Bob")),
            ]
        );
    });
}

/// A foreign key prefetched with a filter, a custom query or a slice may drop a row's target,
/// so its value is an `Option`: `None` for the rows whose target the query drops, as Django
/// gives `None`, under a `to_attr` name or the relation's own, never the whole query failing
/// with `NotFound`. Ordering alone drops nothing: the target stays a plain value.
#[test]
fn a_filtered_foreign_key_reads_as_an_option() {
    each_backend(|conn| {
        let kept = blog(conn, "kept");
        let dropped = blog(conn, "dropped");
        entry(conn, &kept, "a", 0);
        entry(conn, &dropped, "b", 0);
        let entries = assert_num_queries(conn, 3, |conn| {
            Entry::query()
                .order_by(Entry::headline.asc())
                .prefetch(EntryBlog.order_by(Blog::name.asc()))
                .prefetch(
                    EntryBlog
                        .filter(Blog::name.eq("kept"))
                        .to(EntryFeaturedBlog),
                )
                .all(conn)
                .unwrap()
        });
        let featured: Vec<Option<&str>> = entries
            .iter()
            .map(|e| e.get(EntryFeaturedBlog).as_ref().map(|b| b.name.as_str()))
            .collect();
        assert_eq!(featured, [Some("kept"), None]);
        let all: Vec<&str> = entries
            .iter()
            .map(|e| e.get(EntryBlog).name.as_str())
            .collect();
        assert_eq!(all, ["kept", "dropped"]);
        let by_query = assert_num_queries(conn, 2, |conn| {
            Entry::query()
                .order_by(Entry::headline.asc())
                .prefetch(EntryBlog.query(Blog::query().exclude(Blog::name.eq("kept"))))
                .all(conn)
                .unwrap()
        });
        let names: Vec<Option<&str>> = by_query
            .iter()
            .map(|e| e.get(EntryBlog).as_ref().map(|b| b.name.as_str()))
            .collect();
        assert_eq!(names, [None, Some("dropped")]);
    });
}

#[test]
fn many_to_many_from_both_sides_and_symmetrical() {
    each_backend(|conn| {
        let margherita = pizza(conn, "margherita");
        let hawaii = pizza(conn, "hawaii");
        let t = toppings(conn, &["cheese", "ham", "pineapple", "unused"]);
        margherita.toppings().add(conn, [&t[0]]).unwrap();
        hawaii.toppings().add(conn, [&t[0], &t[1], &t[2]]).unwrap();
        let pizzas = assert_num_queries(conn, 2, |conn| {
            Pizza::query()
                .order_by(Pizza::name.asc())
                .prefetch(PizzaToppings)
                .all(conn)
                .unwrap()
        });
        let got: Vec<Vec<String>> = pizzas
            .iter()
            .map(|p| names(p.get(PizzaToppings), |t| t.name.clone()))
            .collect();
        assert_eq!(got, [vec!["cheese", "ham", "pineapple"], vec!["cheese"]]);

        let tops = assert_num_queries(conn, 2, |conn| {
            Topping::query()
                .order_by(Topping::id.asc())
                .prefetch(ToppingPizzas)
                .all(conn)
                .unwrap()
        });
        let got: Vec<usize> = tops.iter().map(|t| t.get(ToppingPizzas).len()).collect();
        assert_eq!(got, [2, 1, 1, 0]);

        let ann = person(conn, "ann");
        let bob = person(conn, "bob");
        let cat = person(conn, "cat");
        ann.friends().add(conn, [&bob, &cat]).unwrap();
        let people = assert_num_queries(conn, 2, |conn| {
            Person::query()
                .order_by(Person::name.asc())
                .prefetch(PersonFriends)
                .all(conn)
                .unwrap()
        });
        let got: Vec<Vec<String>> = people
            .iter()
            .map(|p| names(p.get(PersonFriends), |f| f.name.clone()))
            .collect();
        assert_eq!(got, [vec!["bob", "cat"], vec!["ann"], vec!["ann"]]);
    });
}

#[test]
fn nested_paths_cost_one_statement_per_level_and_share_a_level() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        let one = book(conn, &ann, Some(&bob), "one");
        let two = book(conn, &ann, None, "two");
        book(conn, &bob, Some(&ann), "three");
        for (b, stars) in [(&one, 5), (&one, 3), (&two, 4)] {
            review(conn, b, stars);
        }
        // Author -> books -> reviews, and books -> editor, on one shared books level;
        // edited_books beside it: 1 + 3 + 1.
        let authors = assert_num_queries(conn, 5, |conn| {
            Author::query()
                .order_by(Author::name.asc())
                .prefetch(AuthorBookSet.with(BookReviewSet).with(BookEditor))
                .prefetch(AuthorEditedBooks)
                .all(conn)
                .unwrap()
        });
        let got = assert_num_queries(conn, 0, |_| {
            authors
                .iter()
                .map(|a| {
                    let books: Vec<(String, usize, Option<String>)> = a
                        .get(AuthorBookSet)
                        .iter()
                        .map(|b| {
                            (
                                b.title.clone(),
                                b.get(BookReviewSet).len(),
                                b.get(BookEditor).as_ref().map(|e| e.name.clone()),
                            )
                        })
                        .collect();
                    (a.name.clone(), books, a.get(AuthorEditedBooks).len())
                })
                .collect::<Vec<_>>()
        });
        let mut got = got;
        for (_, books, _) in &mut got {
            books.sort();
        }
        assert_eq!(
            got,
            [
                (
                    "Ann".to_string(),
                    vec![
                        ("one".to_string(), 2, Some("Bob".to_string())),
                        ("two".into(), 1, None)
                    ],
                    1
                ),
                (
                    "Bob".into(),
                    vec![("three".into(), 0, Some("Ann".into()))],
                    1
                ),
            ]
        );

        // Three levels of many-to-many back and forth: pizzas -> toppings -> pizzas.
        let p = pizza(conn, "p");
        let q = pizza(conn, "q");
        let t = toppings(conn, &["x", "y"]);
        p.toppings().add(conn, [&t[0], &t[1]]).unwrap();
        q.toppings().add(conn, [&t[1]]).unwrap();
        let pizzas = assert_num_queries(conn, 3, |conn| {
            Pizza::query()
                .order_by(Pizza::name.asc())
                .prefetch(
                    PizzaToppings
                        .order_by(Topping::name.asc())
                        .with(ToppingPizzas),
                )
                .all(conn)
                .unwrap()
        });
        let got: Vec<Vec<(String, Vec<String>)>> = pizzas
            .iter()
            .map(|p| {
                p.get(PizzaToppings)
                    .iter()
                    .map(|t| {
                        (
                            t.name.clone(),
                            names(t.get(ToppingPizzas), |p| p.name.clone()),
                        )
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            got,
            [
                vec![
                    ("x".to_string(), vec!["p".to_string()]),
                    ("y".into(), vec!["p".into(), "q".into()])
                ],
                vec![("y".into(), vec!["p".into(), "q".into()])],
            ]
        );
    });
}

#[test]
fn a_relation_listed_twice_is_loaded_once_and_its_nested_paths_merge() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        let one = book(conn, &ann, Some(&bob), "one");
        book(conn, &ann, None, "two");
        book(conn, &bob, Some(&ann), "three");
        for stars in [5, 3] {
            review(conn, &one, stars);
        }
        // The same path twice: one slot, loaded once.
        let authors = assert_num_queries(conn, 2, |conn| {
            Author::query()
                .order_by(Author::name.asc())
                .prefetch(AuthorBookSet)
                .prefetch(AuthorBookSet)
                .all(conn)
                .unwrap()
        });
        let counts: Vec<usize> = authors.iter().map(|a| a.get(AuthorBookSet).len()).collect();
        assert_eq!(counts, [2, 1]);
        // Two paths through the same first step: books once, then each nested level once.
        let authors = assert_num_queries(conn, 4, |conn| {
            Author::query()
                .order_by(Author::name.asc())
                .prefetch(AuthorBookSet.with(BookReviewSet))
                .prefetch(AuthorBookSet.with(BookEditor))
                .all(conn)
                .unwrap()
        });
        let got = assert_num_queries(conn, 0, |_| {
            let mut got: Vec<(String, usize, Option<String>)> = authors[0]
                .get(AuthorBookSet)
                .iter()
                .map(|b| {
                    (
                        b.title.clone(),
                        b.get(BookReviewSet).len(),
                        b.get(BookEditor).as_ref().map(|e| e.name.clone()),
                    )
                })
                .collect();
            got.sort();
            got
        });
        assert_eq!(
            got,
            [
                ("one".to_string(), 2, Some("Bob".to_string())),
                ("two".into(), 0, None)
            ]
        );
        // Twice at a nested level; and a key joined by select_related, then nested under: the
        // join already loaded the editors, so only their edited books cost a statement.
        let authors = assert_num_queries(conn, 4, |conn| {
            Author::query()
                .order_by(Author::name.asc())
                .prefetch(
                    AuthorBookSet
                        .with(BookReviewSet)
                        .with(BookReviewSet)
                        .select_related(BookEditor)
                        .with(BookEditor.with(AuthorEditedBooks)),
                )
                .all(conn)
                .unwrap()
        });
        let got = assert_num_queries(conn, 0, |_| {
            let mut got: Vec<(String, usize, Option<usize>)> = authors
                .iter()
                .flat_map(|a| a.get(AuthorBookSet))
                .map(|b| {
                    (
                        b.title.clone(),
                        b.get(BookReviewSet).len(),
                        b.get(BookEditor)
                            .as_ref()
                            .map(|e| e.get(AuthorEditedBooks).len()),
                    )
                })
                .collect();
            got.sort();
            got
        });
        assert_eq!(
            got,
            [
                ("one".to_string(), 2, Some(1)),
                ("three".into(), 0, Some(1)),
                ("two".into(), 0, None)
            ]
        );
        // A foreign key (one object per parent) listed twice, the second with a nested path.
        let books = assert_num_queries(conn, 3, |conn| {
            Book::query()
                .order_by(Book::title.asc())
                .prefetch(BookAuthor)
                .prefetch(BookAuthor.with(AuthorEditedBooks))
                .all(conn)
                .unwrap()
        });
        let got: Vec<(String, usize)> = books
            .iter()
            .map(|b| {
                let a = b.get(BookAuthor);
                (a.name.clone(), a.get(AuthorEditedBooks).len())
            })
            .collect();
        assert_eq!(
            got,
            [("Ann".to_string(), 1), ("Bob".into(), 1), ("Ann".into(), 1)]
        );
        // A custom query first, then the plain path: the plain one adds its nested path to the
        // filtered books (Django reuses the first lookup the same way).
        let authors = assert_num_queries(conn, 3, |conn| {
            Author::query()
                .filter(Author::name.eq("Ann"))
                .prefetch(AuthorBookSet.filter(Book::title.eq("one")))
                .prefetch(AuthorBookSet.with(BookReviewSet))
                .all(conn)
                .unwrap()
        });
        let books = authors[0].get(AuthorBookSet);
        assert_eq!(books.len(), 1);
        assert_eq!(books[0].get(BookReviewSet).len(), 2);
        // The same custom query twice is the same path.
        let same = Book::title.ne("two");
        let authors = assert_num_queries(conn, 2, |conn| {
            Author::query()
                .filter(Author::name.eq("Ann"))
                .prefetch(AuthorBookSet.filter(same.clone()))
                .prefetch(AuthorBookSet.filter(same.clone()))
                .all(conn)
                .unwrap()
        });
        assert_eq!(authors[0].get(AuthorBookSet).len(), 1);
    });
}

#[test]
fn a_later_path_with_another_query_or_shape_is_an_error_before_any_statement() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        book(conn, &ann, None, "one");
        let err = assert_num_queries(conn, 0, |conn| {
            Author::query()
                .prefetch(AuthorBookSet)
                .prefetch(AuthorBookSet.filter(Book::title.eq("one")))
                .all(conn)
                .unwrap_err()
        });
        assert!(
            matches!(&err, Error::InvalidInput(m) if m.contains("`book_set` is prefetched twice with different queries")),
            "{err}"
        );
        let err = assert_num_queries(conn, 0, |conn| {
            Author::query()
                .prefetch(AuthorBookSet.filter(Book::title.eq("one")))
                .prefetch(AuthorBookSet.filter(Book::title.eq("two")))
                .first(conn)
                .unwrap_err()
        });
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
        // At a nested level too.
        let err = assert_num_queries(conn, 0, |conn| {
            Author::query()
                .prefetch(
                    AuthorBookSet
                        .with(BookReviewSet.limit(1))
                        .with(BookReviewSet.limit(2)),
                )
                .all(conn)
                .unwrap_err()
        });
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
        // Through rows on one path and not the other: another shape.
        let err = assert_num_queries(conn, 0, |conn| {
            Chapter::query()
                .prefetch(ChapterSlides)
                .prefetch(ChapterSlides.with_through())
                .all(conn)
                .unwrap_err()
        });
        assert!(
            matches!(&err, Error::InvalidInput(m) if m.contains("different shapes")),
            "{err}"
        );
        // Onto objects in hand: the path is checked against itself.
        let err = assert_num_queries(conn, 0, |conn| {
            prefetch_related_objects(
                conn,
                vec![ann.clone()],
                AuthorBookSet
                    .with(BookEditor)
                    .with(BookEditor.filter(Author::name.eq("x"))),
            )
            .unwrap_err()
        });
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    });
}

#[test]
fn custom_queries_store_under_to_attr_names_beside_the_plain_relation() {
    each_backend(|conn| {
        let a = blog(conn, "a");
        let b = blog(conn, "b");
        dated(conn, &a, "a-old", 1, true);
        dated(conn, &a, "a-mid", 2, false);
        dated(conn, &a, "a-new", 3, true);
        dated(conn, &b, "b-only", 5, false);
        // The same relation three ways, in three statements (plus the blogs).
        let blogs = assert_num_queries(conn, 4, |conn| {
            Blog::query()
                .order_by(Blog::name.asc())
                .prefetch(BlogEntries.order_by(Entry::pub_date.asc()))
                .prefetch(
                    BlogEntries
                        .filter(Entry::published.eq(true))
                        .order_by(Entry::pub_date.desc())
                        .to(BlogPopularEntries),
                )
                .prefetch(
                    BlogEntries
                        .order_by(Entry::pub_date.desc())
                        .limit(1)
                        .to(BlogLatestEntries),
                )
                .all(conn)
                .unwrap()
        });
        let a = &blogs[0];
        assert_eq!(headlines(a.get(BlogEntries)), ["a-old", "a-mid", "a-new"]);
        assert_eq!(headlines(a.get(BlogPopularEntries)), ["a-new", "a-old"]);
        assert_eq!(headlines(a.get(BlogLatestEntries)), ["a-new"]);
        let b = &blogs[1];
        assert_eq!(headlines(b.get(BlogEntries)), ["b-only"]);
        assert!(b.get(BlogPopularEntries).is_empty());
        assert_eq!(headlines(b.get(BlogLatestEntries)), ["b-only"]);
    });
}

#[test]
fn top_n_per_parent_in_one_statement_both_orderings_and_slices() {
    each_backend(|conn| {
        let a = blog(conn, "a");
        let b = blog(conn, "b");
        for day in 1..=4 {
            dated(conn, &a, &format!("a{day}"), day, false);
        }
        for day in 1..=2 {
            dated(conn, &b, &format!("b{day}"), day + 10, false);
        }
        let newest = |conn: &mut Connection, n: u64| {
            assert_num_queries(conn, 2, |conn| {
                Blog::query()
                    .order_by(Blog::name.asc())
                    .prefetch(BlogEntries.order_by(Entry::pub_date.desc()).limit(n))
                    .all(conn)
                    .unwrap()
            })
        };
        let blogs = newest(conn, 1);
        assert_eq!(headlines(blogs[0].get(BlogEntries)), ["a4"]);
        assert_eq!(headlines(blogs[1].get(BlogEntries)), ["b2"]);
        let blogs = newest(conn, 3);
        assert_eq!(headlines(blogs[0].get(BlogEntries)), ["a4", "a3", "a2"]);
        assert_eq!(headlines(blogs[1].get(BlogEntries)), ["b2", "b1"]);

        let oldest = assert_num_queries(conn, 2, |conn| {
            Blog::query()
                .order_by(Blog::name.asc())
                .prefetch(BlogEntries.order_by(Entry::pub_date.asc()).limit(2))
                .all(conn)
                .unwrap()
        });
        assert_eq!(headlines(oldest[0].get(BlogEntries)), ["a1", "a2"]);
        assert_eq!(headlines(oldest[1].get(BlogEntries)), ["b1", "b2"]);

        // Every entry but the first, per blog; and a window in the middle.
        let rest = assert_num_queries(conn, 2, |conn| {
            Blog::query()
                .order_by(Blog::name.asc())
                .prefetch(BlogEntries.order_by(Entry::pub_date.asc()).offset(1))
                .all(conn)
                .unwrap()
        });
        assert_eq!(headlines(rest[0].get(BlogEntries)), ["a2", "a3", "a4"]);
        assert_eq!(headlines(rest[1].get(BlogEntries)), ["b2"]);
        let window = assert_num_queries(conn, 2, |conn| {
            Blog::query()
                .order_by(Blog::name.asc())
                .prefetch(
                    BlogEntries
                        .order_by(Entry::pub_date.asc())
                        .offset(1)
                        .limit(2),
                )
                .all(conn)
                .unwrap()
        });
        assert_eq!(headlines(window[0].get(BlogEntries)), ["a2", "a3"]);

        // Top N on a many-to-many: every topping of a pizza but the first by name.
        let p = pizza(conn, "p");
        let t = toppings(conn, &["c", "a", "b"]);
        p.toppings().add(conn, &t).unwrap();
        let pizzas = assert_num_queries(conn, 2, |conn| {
            Pizza::query()
                .prefetch(PizzaToppings.order_by(Topping::name.asc()).offset(1))
                .all(conn)
                .unwrap()
        });
        let got: Vec<&str> = pizzas[0]
            .get(PizzaToppings)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(got, ["b", "c"]);
    });
}

#[test]
fn many_to_many_prefetch_carries_the_through_rows() {
    each_backend(|conn| {
        let ch = Chapter::create(
            conn,
            NewChapter {
                title: "intro".into(),
            },
        )
        .unwrap();
        let other = Chapter::create(
            conn,
            NewChapter {
                title: "other".into(),
            },
        )
        .unwrap();
        let slides =
            Slide::bulk_create(conn, ["a", "b", "c"].map(|t| NewSlide { title: t.into() }))
                .unwrap();
        for (slide, number) in slides.iter().zip([3, 1, 2]) {
            ch.slides()
                .through_defaults(SlideOrderExtra {
                    number: Some(number),
                })
                .add(conn, [slide])
                .unwrap();
        }
        other.slides().add(conn, [&slides[0]]).unwrap();
        let chapters = assert_num_queries(conn, 2, |conn| {
            Chapter::query()
                .order_by(Chapter::title.asc())
                .prefetch(ChapterSlides.with_through())
                .all(conn)
                .unwrap()
        });
        let mut ordered: Vec<(Option<i32>, String)> = chapters[0]
            .get(ChapterSlides)
            .iter()
            .map(|(slide, order)| {
                assert_eq!(order.slide_id, slide.id);
                assert_eq!(order.chapter_id, chapters[0].id);
                (order.number, slide.title.clone())
            })
            .collect();
        ordered.sort();
        assert_eq!(
            ordered,
            [
                (Some(1), "b".into()),
                (Some(2), "c".into()),
                (Some(3), "a".into())
            ]
        );
        let other_slides = chapters[1].get(ChapterSlides);
        assert_eq!(other_slides.len(), 1);
        assert_eq!(other_slides[0].1.number, None);
        // From the other side too.
        let back = assert_num_queries(conn, 2, |conn| {
            Slide::query()
                .filter(Slide::title.eq("a"))
                .prefetch(SlideChapters.with_through())
                .all(conn)
                .unwrap()
        });
        assert_eq!(back[0].get(SlideChapters).len(), 2);
    });
}

#[test]
fn objects_shared_by_many_parents_are_read_once_and_each_parent_gets_its_own() {
    each_backend(|conn| {
        let t = toppings(conn, &["cheese", "basil", "ham", "olive", "anchovy"]);
        let names_of = |ts: &[Loaded<Topping, _>]| -> Vec<String> {
            ts.iter().map(|t| t.name.clone()).collect()
        };
        let mut pizzas = Vec::new();
        // Every pizza has cheese; the others are spread so that each topping has several.
        for (i, name) in ["a", "b", "c", "d", "e", "f"].into_iter().enumerate() {
            let p = pizza(conn, name);
            let picked: Vec<&Topping> = [&t[0], &t[1 + i % 3]].into_iter().collect();
            p.toppings().add(conn, picked).unwrap();
            pizzas.push(p);
        }
        // Each pizza's toppings in their order, each with its own pizzas: 3 statements.
        let loaded = assert_num_queries(conn, 3, |conn| {
            Pizza::query()
                .order_by(Pizza::name.asc())
                .prefetch(
                    PizzaToppings
                        .order_by(Topping::name.desc())
                        .with(ToppingPizzas),
                )
                .all(conn)
                .unwrap()
        });
        for (i, p) in loaded.iter().enumerate() {
            let expected = {
                let mut e = vec!["cheese".to_owned(), t[1 + i % 3].name.clone()];
                e.sort_by(|a, b| b.cmp(a));
                e
            };
            assert_eq!(names_of(p.get(PizzaToppings)), expected, "pizza {}", p.name);
            for topping in p.get(PizzaToppings) {
                // The same object as any other pizza's, down to its nested relation.
                let mut on: Vec<String> = topping
                    .get(ToppingPizzas)
                    .iter()
                    .map(|p| p.name.clone())
                    .collect();
                on.sort();
                let mut want: Vec<String> = if topping.name == "cheese" {
                    pizzas.iter().map(|p| p.name.clone()).collect()
                } else {
                    let k = t.iter().position(|x| x.id == topping.id).unwrap();
                    (0..6)
                        .filter(|i| 1 + i % 3 == k)
                        .map(|i| pizzas[i].name.clone())
                        .collect()
                };
                want.sort();
                assert_eq!(on, want, "pizzas of {}", topping.name);
            }
        }
        // The same answer as asking each pizza's manager, one statement per pizza.
        let each = assert_num_queries(conn, 6, |conn| {
            pizzas
                .iter()
                .map(|p| {
                    let mut ts = p.toppings().all(conn).unwrap();
                    ts.sort_by(|a, b| b.name.cmp(&a.name));
                    ts
                })
                .collect::<Vec<_>>()
        });
        for (p, ts) in loaded.iter().zip(&each) {
            let got: Vec<&Topping> = p.get(PizzaToppings).iter().map(|t| &**t).collect();
            assert_eq!(got, ts.iter().collect::<Vec<_>>());
        }
        // One pizza twice in hand, and a topping no pizza has: each copy gets the toppings.
        let twice = vec![pizzas[0].clone(), pizzas[0].clone()];
        let twice = assert_num_queries(conn, 1, |conn| {
            prefetch_related_objects(conn, twice, PizzaToppings).unwrap()
        });
        assert_eq!(twice[0].get(PizzaToppings).len(), 2);
        assert_eq!(twice[0].get(PizzaToppings), twice[1].get(PizzaToppings));
        let anchovy = assert_num_queries(conn, 2, |conn| {
            Topping::query()
                .filter(Topping::name.eq("anchovy"))
                .prefetch(ToppingPizzas)
                .all(conn)
                .unwrap()
        });
        assert!(anchovy[0].get(ToppingPizzas).is_empty());
    });
}

#[test]
fn prefetch_onto_objects_in_hand_and_again_onto_the_result() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        let one = book(conn, &ann, Some(&bob), "one");
        book(conn, &bob, None, "two");
        review(conn, &one, 5);
        // One page of a query, then its relations.
        let page = Book::query()
            .order_by(Book::title.asc())
            .limit(1)
            .all(conn)
            .unwrap();
        let page = assert_num_queries(conn, 1, |conn| {
            prefetch_related_objects(conn, page, BookAuthor).unwrap()
        });
        assert_eq!(page[0].get(BookAuthor).name, "Ann");
        // Again, onto the loaded values: what they hold stays, only the new path runs.
        let page = assert_num_queries(conn, 1, |conn| {
            prefetch_related_objects(conn, page, BookReviewSet).unwrap()
        });
        assert_eq!(page[0].get(BookAuthor).name, "Ann");
        assert_eq!(page[0].get(BookReviewSet)[0].stars, 5);
        // A path the values hold already costs nothing again, and its type stays.
        let page: Vec<Loaded<Book, _>> = assert_num_queries(conn, 0, |conn| {
            prefetch_related_objects(conn, page, BookAuthor).unwrap()
        });
        assert_eq!(page[0].get(BookAuthor).name, "Ann");
        // A nested path onto a held one: only the new level runs, on the objects held.
        let page = assert_num_queries(conn, 1, |conn| {
            prefetch_related_objects(conn, page, BookReviewSet.with(ReviewBook)).unwrap()
        });
        assert_eq!(page[0].get(BookReviewSet)[0].get(ReviewBook).title, "one");
        assert_eq!(page[0].get(BookAuthor).name, "Ann");
        // Nothing in hand: nothing runs.
        let none: Vec<Book> = Vec::new();
        let none = assert_num_queries(conn, 0, |conn| {
            prefetch_related_objects(conn, none, BookAuthor).unwrap()
        });
        assert!(none.is_empty());
    });
}

#[test]
fn a_non_nullable_key_whose_target_the_query_hides_reads_none() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let b = book(conn, &ann, None, "one");
        // The custom query hides the author: the book's non-nullable key finds nothing, which
        // the filtered path's `Option` says (it used to fail the whole query).
        let books = assert_num_queries(conn, 2, |conn| {
            Book::query()
                .filter(Book::id.eq(b.id))
                .prefetch(BookAuthor.filter(Author::name.eq("nobody")))
                .all(conn)
                .unwrap()
        });
        assert!(books[0].get(BookAuthor).is_none());
    });
}

#[test]
fn a_self_referential_tree_prefetches_level_by_level() {
    each_backend(|conn| {
        let root = category(conn, "root", None);
        let a = category(conn, "a", Some(&root));
        category(conn, "b", Some(&root));
        category(conn, "a1", Some(&a));
        category(conn, "a2", Some(&a));
        let roots = assert_num_queries(conn, 3, |conn| {
            Category::query()
                .filter(Category::parent_id.is_null())
                .prefetch(
                    CategoryChildren
                        .order_by(Category::name.asc())
                        .with(CategoryChildren.order_by(Category::name.asc())),
                )
                .all(conn)
                .unwrap()
        });
        let tree: Vec<(String, Vec<String>)> = roots[0]
            .get(CategoryChildren)
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.get(CategoryChildren)
                        .iter()
                        .map(|g| g.name.clone())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            tree,
            [
                ("a".to_string(), vec!["a1".to_string(), "a2".to_string()]),
                ("b".into(), vec![])
            ]
        );
        // Upwards: each leaf's parent and grandparent.
        let leaves = assert_num_queries(conn, 3, |conn| {
            Category::query()
                .filter(Category::name.starts_with("a"))
                .filter(Category::name.ne("a"))
                .prefetch(CategoryParent.with(CategoryParent))
                .all(conn)
                .unwrap()
        });
        for leaf in &leaves {
            let parent = leaf.get(CategoryParent).as_ref().unwrap();
            assert_eq!(parent.name, "a");
            assert_eq!(parent.get(CategoryParent).as_ref().unwrap().name, "root");
        }
    });
}

#[test]
fn one_object_twice_in_hand_gets_its_relation_twice_from_one_statement() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b"]);
        p.toppings().add(conn, &t).unwrap();
        let twice = assert_num_queries(conn, 1, |conn| {
            prefetch_related_objects(conn, vec![p.clone(), p.clone()], PizzaToppings).unwrap()
        });
        assert_eq!(twice[0].get(PizzaToppings).len(), 2);
        assert_eq!(twice[0], twice[1]);
        // `get` and `first` of a prefetching query load their one row's relations.
        let one = assert_num_queries(conn, 2, |conn| {
            Pizza::query()
                .filter(Pizza::id.eq(p.id))
                .prefetch(PizzaToppings)
                .get(conn)
                .unwrap()
        });
        assert_eq!(one.get(PizzaToppings).len(), 2);
        let first = assert_num_queries(conn, 2, |conn| {
            Topping::query()
                .order_by(Topping::name.desc())
                .prefetch(ToppingPizzas)
                .first(conn)
                .unwrap()
        });
        assert_eq!(first.unwrap().get(ToppingPizzas)[0].name, "p");
        let missing = Pizza::query()
            .filter(Pizza::id.eq(-1))
            .prefetch(PizzaToppings)
            .get(conn)
            .unwrap_err();
        assert!(matches!(missing, Error::NotFound { model: "Pizza" }));
    });
}

#[test]
fn through_models_self_referential_links_and_edge_slices() {
    each_backend(|conn| {
        let ann = person(conn, "ann");
        let bob = person(conn, "bob");
        let cat = person(conn, "cat");
        // Following is one-way: ann follows bob and cat; cat follows ann.
        ann.following().add(conn, [&bob, &cat]).unwrap();
        cat.following().add(conn, [&ann]).unwrap();
        let people = assert_num_queries(conn, 3, |conn| {
            Person::query()
                .order_by(Person::name.asc())
                .prefetch(PersonFollowing.order_by(Person::name.asc()))
                .prefetch(PersonFollowers.order_by(Person::name.asc()))
                .all(conn)
                .unwrap()
        });
        let follow: Vec<(Vec<String>, Vec<String>)> = people
            .iter()
            .map(|p| {
                (
                    p.get(PersonFollowing)
                        .iter()
                        .map(|f| f.name.clone())
                        .collect(),
                    p.get(PersonFollowers)
                        .iter()
                        .map(|f| f.name.clone())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            follow,
            [
                (
                    vec!["bob".to_string(), "cat".to_string()],
                    vec!["cat".to_string()]
                ),
                (vec![], vec!["ann".into()]),
                (vec!["ann".into()], vec!["ann".into()]),
            ]
        );

        // A many-to-many through a model, plain and with its rows, and a top N over it.
        let g = Group::create(conn, NewGroup { name: "g".into() }).unwrap();
        for (p, day) in [(&ann, 3), (&bob, 1), (&cat, 2)] {
            g.members()
                .through_defaults(MembershipExtra {
                    date_joined: NaiveDate::from_ymd_opt(2024, 1, day).unwrap(),
                    invite_reason: None,
                })
                .add(conn, [p])
                .unwrap();
        }
        let groups = assert_num_queries(conn, 3, |conn| {
            Group::query()
                .prefetch(GroupMembers.order_by(Person::name.desc()))
                .prefetch(
                    GroupMembers
                        .with_through()
                        .order_by(Person::name.asc())
                        .limit(2)
                        .to(GroupFirstMembers),
                )
                .all(conn)
                .unwrap()
        });
        let members: Vec<&str> = groups[0]
            .get(GroupMembers)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(members, ["cat", "bob", "ann"]);
        let first: Vec<(&str, u32)> = groups[0]
            .get(GroupFirstMembers)
            .iter()
            .map(|(p, m)| (p.name.as_str(), chrono::Datelike::day(&m.date_joined)))
            .collect();
        assert_eq!(first, [("ann", 3), ("bob", 1)]);
        // From the person's side: their groups.
        let bob_groups = Person::query()
            .filter(Person::name.eq("bob"))
            .prefetch(PersonGroups)
            .all(conn)
            .unwrap();
        assert_eq!(bob_groups[0].get(PersonGroups)[0].name, "g");

        // A limit of 0 gives every parent nothing, in the same one statement.
        let none = assert_num_queries(conn, 2, |conn| {
            Person::query()
                .prefetch(PersonFollowing.limit(0))
                .all(conn)
                .unwrap()
        });
        assert!(none.iter().all(|p| p.get(PersonFollowing).is_empty()));
    });
}
