//! What a prefetch sends: key lists split only at a backend's bind limit, a whole table's
//! parents sent as no keys at all, and each level's statement prepared once per form.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Backend;
use orm_tests::fixtures::{
    author, blog, book, entry, names, new_entry, new_tagged, pizza, review, toppings,
};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

#[test]
fn a_hundred_thousand_parents_split_only_where_the_bind_limit_forces_it_and_a_whole_table_sends_no_keys(
) {
    each_backend(|conn| {
        let n = 100_000;
        let tops = Topping::bulk_create(
            conn,
            (0..n).map(|i| NewTopping {
                name: format!("t{i}"),
            }),
        )
        .unwrap();
        let p = pizza(conn, "p");
        p.toppings()
            .add(conn, [&tops[0], &tops[n / 2], &tops[n - 1]])
            .unwrap();
        // The parents' keys are bound: SQLite binds at most 32,766 values, MySQL 65,535;
        // PostgreSQL binds one array.
        let chunks = match conn.backend() {
            Backend::Sqlite => 4,
            Backend::Mysql => 2,
            Backend::Postgres => 1,
        };
        let with_pizzas = |has: Vec<bool>| -> Vec<usize> {
            has.iter()
                .enumerate()
                .filter(|(_, h)| **h)
                .map(|(i, _)| i)
                .collect()
        };
        let loaded = assert_num_queries(conn, 1 + chunks, |conn| {
            Topping::query()
                .filter(Topping::id.ge(tops[0].id))
                .order_by(Topping::id.asc())
                .prefetch(ToppingPizzas)
                .all(conn)
                .unwrap()
        });
        assert_eq!(loaded.len(), n);
        let has = loaded.iter().map(|t| !t.get(ToppingPizzas).is_empty());
        assert_eq!(with_pizzas(has.collect()), [0, n / 2, n - 1]);
        // Every row of the table: no keys are sent, so nothing is split, on any backend.
        let loaded = assert_num_queries(conn, 2, |conn| {
            Topping::query()
                .order_by(Topping::id.asc())
                .prefetch(ToppingPizzas)
                .all(conn)
                .unwrap()
        });
        let has = loaded.iter().map(|t| !t.get(ToppingPizzas).is_empty());
        assert_eq!(with_pizzas(has.collect()), [0, n / 2, n - 1]);
    });
}

/// The statements diesel prepares and keeps on `conn` from now on.
fn kept_statements(conn: &mut Connection) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use diesel::connection::{Connection as _, InstrumentationEvent};
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&kept);
    let record = move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            sink.lock().unwrap().push(sql.to_owned());
        }
    };
    match conn.backend() {
        Backend::Sqlite => conn.as_sqlite().unwrap().set_instrumentation(record),
        #[cfg(feature = "postgres")]
        Backend::Postgres => conn.as_pg().unwrap().set_instrumentation(record),
        #[cfg(feature = "mysql")]
        Backend::Mysql => conn.as_mysql().unwrap().set_instrumentation(record),
        #[allow(unreachable_patterns)]
        other => panic!("{other:?} is not compiled in"),
    }
    kept
}

#[test]
fn a_prefetch_level_is_prepared_once_per_form_and_reused() {
    each_backend(|conn| {
        let blogs: Vec<Blog> = (0..9).map(|i| blog(conn, &format!("b{i}"))).collect();
        for b in &blogs {
            entry(conn, b, "e", 0);
        }
        let kept = kept_statements(conn);
        let load = |conn: &mut Connection, n: usize| {
            let ids: Vec<i64> = blogs[..n].iter().map(|b| b.id).collect();
            let loaded = assert_num_queries(conn, 2, |conn| {
                Blog::query()
                    .filter(Blog::id.is_in(ids))
                    .prefetch(BlogEntries)
                    .all(conn)
                    .unwrap()
            });
            assert_eq!(loaded.len(), n);
            assert!(loaded.iter().all(|b| b.get(BlogEntries).len() == 1));
        };
        // 3 and 4 parents share one form (the list of 3 is padded to 4), and PostgreSQL binds
        // one array whatever the number: the entries' statement is prepared once. MySQL keeps
        // none (its prepared statements count against a server-wide limit).
        let kept_forms = |conn: &Connection, sqlite: usize, postgres: usize| match conn.backend() {
            Backend::Sqlite => sqlite,
            Backend::Postgres => postgres,
            Backend::Mysql => 0,
        };
        load(conn, 3);
        load(conn, 4);
        load(conn, 3);
        let forms = kept_forms(conn, 1, 1);
        assert_eq!(
            kept.lock().unwrap().len(),
            forms,
            "{:?}",
            kept.lock().unwrap()
        );
        // 5 parents: a list of 8 on SQLite, another form.
        load(conn, 5);
        let forms = kept_forms(conn, 2, 1);
        assert_eq!(kept.lock().unwrap().len(), forms);
        // A custom query with an IN list of its own is prepared each time, never kept.
        let custom = assert_num_queries(conn, 2, |conn| {
            Blog::query()
                .prefetch(BlogEntries.filter(Entry::headline.is_in(["e", "f"])))
                .all(conn)
                .unwrap()
        });
        assert_eq!(custom.len(), 9);
        assert_eq!(kept.lock().unwrap().len(), forms);
    });
}

/// The SQL of each statement `f` sends, and `f`'s result.
fn logged<T>(conn: &mut Connection, f: impl FnOnce(&mut Connection) -> T) -> (T, Vec<String>) {
    conn.start_log();
    let out = f(conn);
    (out, conn.take_log())
}

/// Whether a prefetch statement bound its parents' keys (an IN list, or PostgreSQL's array).
fn binds_keys(sql: &str) -> bool {
    sql.contains(" IN (") || sql.contains("ANY(")
}

#[test]
fn a_whole_table_of_parents_sends_no_keys_as_deep_as_the_related_rows_stay_whole() {
    each_backend(|conn| {
        let (ann, bob) = (author(conn, "Ann"), author(conn, "Bob"));
        let a1 = book(conn, &ann, Some(&ann), "a1");
        let b1 = book(conn, &bob, None, "b1");
        book(conn, &ann, None, "a2");
        review(conn, &a1, 5);
        review(conn, &b1, 3);
        // Every author; every book has an author (non-nullable), so every book's reviews too:
        // neither level sends keys.
        let (authors, log) = logged(conn, |conn| {
            Author::query()
                .order_by(Author::id.asc())
                .prefetch(AuthorBookSet.with(BookReviewSet))
                .all(conn)
                .unwrap()
        });
        assert_eq!(log.len(), 3, "{log:#?}");
        assert!(
            log[1..]
                .iter()
                .all(|sql| !binds_keys(sql) && sql.contains("IS NOT NULL")),
            "{log:#?}"
        );
        let reviews: Vec<Vec<(String, usize)>> = authors
            .iter()
            .map(|a| {
                let mut v: Vec<_> = a
                    .get(AuthorBookSet)
                    .iter()
                    .map(|b| (b.title.clone(), b.get(BookReviewSet).len()))
                    .collect();
                v.sort();
                v
            })
            .collect();
        assert_eq!(
            reviews,
            [
                vec![("a1".into(), 1), ("a2".into(), 0)],
                vec![("b1".into(), 1)]
            ]
        );
        // A nullable key: the edited books are some of the books, so their reviews go by key.
        let (authors, log) = logged(conn, |conn| {
            Author::query()
                .order_by(Author::id.asc())
                .prefetch(AuthorEditedBooks.with(BookReviewSet))
                .all(conn)
                .unwrap()
        });
        assert_eq!(log.len(), 3, "{log:#?}");
        assert!(!binds_keys(&log[1]) && binds_keys(&log[2]), "{log:#?}");
        let edited: Vec<&str> = authors[0]
            .get(AuthorEditedBooks)
            .iter()
            .map(|b| b.title.as_str())
            .collect();
        assert_eq!(edited, ["a1"]);
        assert_eq!(
            authors[0].get(AuthorEditedBooks)[0]
                .get(BookReviewSet)
                .len(),
            1
        );
        assert!(authors[1].get(AuthorEditedBooks).is_empty());
        // A filter on the parents, or on a level, narrows what follows to keys.
        let (_, log) = logged(conn, |conn| {
            Author::query()
                .filter(Author::name.eq("Ann"))
                .prefetch(AuthorBookSet)
                .all(conn)
                .unwrap()
        });
        assert_eq!(log.len(), 2, "{log:#?}");
        assert!(binds_keys(&log[1]), "{log:#?}");
        let (authors, log) = logged(conn, |conn| {
            Author::query()
                .order_by(Author::id.asc())
                .prefetch(
                    AuthorBookSet
                        .filter(Book::title.eq("a1"))
                        .with(BookReviewSet),
                )
                .all(conn)
                .unwrap()
        });
        assert_eq!(log.len(), 3, "{log:#?}");
        assert!(!binds_keys(&log[1]) && binds_keys(&log[2]), "{log:#?}");
        assert_eq!(authors[0].get(AuthorBookSet).len(), 1);
        assert!(authors[1].get(AuthorBookSet).is_empty());
        // A many-to-many and a generic relation read whole too; a forward key never does.
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b"]);
        p.toppings().add(conn, [&t[0]]).unwrap();
        a1.tags().create(conn, new_tagged("x")).unwrap();
        conn.content_type::<Book>().unwrap();
        let (pizzas, log) = logged(conn, |conn| {
            Pizza::query().prefetch(PizzaToppings).all(conn).unwrap()
        });
        assert_eq!(log.len(), 2, "{log:#?}");
        assert!(!binds_keys(&log[1]), "{log:#?}");
        assert_eq!(pizzas[0].get(PizzaToppings).len(), 1);
        let (books, log) = logged(conn, |conn| {
            Book::query()
                .order_by(Book::id.asc())
                .prefetch(BookTags)
                .prefetch(BookAuthor)
                .all(conn)
                .unwrap()
        });
        assert_eq!(log.len(), 3, "{log:#?}");
        assert!(!binds_keys(&log[1]) && binds_keys(&log[2]), "{log:#?}");
        assert_eq!(
            books
                .iter()
                .map(|b| b.get(BookTags).len())
                .collect::<Vec<_>>(),
            [1, 0, 0]
        );
        assert_eq!(books[1].get(BookAuthor).name, "Bob");
    });
}

#[test]
fn related_rows_of_no_loaded_parent_are_dropped_from_a_whole_table_read() {
    each_backend(|conn| {
        let b = blog(conn, "one");
        entry(conn, &b, "kept", 0);
        // A row whose blog does not exist, written with the foreign-key checks off.
        let (off, on) = match conn.backend() {
            Backend::Sqlite => ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"),
            Backend::Postgres => (
                "SET session_replication_role = replica",
                "SET session_replication_role = DEFAULT",
            ),
            Backend::Mysql => ("SET FOREIGN_KEY_CHECKS = 0", "SET FOREIGN_KEY_CHECKS = 1"),
        };
        conn.batch_execute(off).unwrap();
        Entry::create(conn, new_entry(&b, "orphan", 0))
            .map(drop)
            .unwrap();
        let orphan = Entry::query()
            .filter(Entry::headline.eq("orphan"))
            .get(conn)
            .unwrap();
        Entry::query()
            .filter(Entry::id.eq(orphan.id))
            .update(conn, [Entry::blog_id.set(b.id + 1000)])
            .unwrap();
        conn.batch_execute(on).unwrap();
        let blogs = assert_num_queries(conn, 2, |conn| {
            Blog::query().prefetch(BlogEntries).all(conn).unwrap()
        });
        assert_eq!(blogs.len(), 1);
        assert_eq!(
            names(blogs[0].get(BlogEntries), |e: &Loaded<Entry>| e
                .headline
                .clone()),
            ["kept"]
        );
    });
}
