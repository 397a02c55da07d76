//! The everyday API: create, get, filter, exclude, order, limit/offset, count, exists, save,
//! delete, bulk create; every column type; integer, text and UUID keys.

use chrono::{NaiveDate, NaiveDateTime};
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{Backend, Error};
use orm_tests::fixtures::{author, blog, book, category, document, inserts, new_entry, review};
use orm_tests::harness::{each_backend, each_database};
use orm_tests::models::*;
use uuid::Uuid;

fn entry(
    conn: &mut Connection,
    blog: &Blog,
    headline: &str,
    comments: i32,
    rating: Option<f64>,
) -> Entry {
    Entry::create(
        conn,
        NewEntry {
            rating,
            ..new_entry(blog, headline, comments)
        },
    )
    .unwrap()
}

#[test]
fn create_returns_the_row_with_its_key_in_one_statement() {
    each_backend(|conn| {
        let a = assert_num_queries(conn, inserts(conn), |conn| blog(conn, "a"));
        let b = blog(conn, "b");
        assert!(b.id > a.id);
        assert_eq!(a.name, "a");
        assert_eq!(Blog::get(conn, a.id).unwrap(), a);
    });
}

#[test]
fn get_missing_is_a_typed_not_found() {
    each_backend(|conn| {
        let err = assert_num_queries(conn, 1, |conn| Blog::get(conn, 404).unwrap_err());
        assert!(matches!(err, Error::NotFound { model: "Blog" }), "{err}");
        assert_eq!(err.to_string(), "Blog matching query does not exist");
    });
}

#[test]
fn filter_exclude_order_limit_offset() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        for (i, h) in ["delta", "alpha", "charlie", "bravo", "echo"]
            .iter()
            .enumerate()
        {
            entry(
                conn,
                &b,
                h,
                i as i32,
                if i == 4 { None } else { Some(i as f64) },
            );
        }
        let names = |rows: Vec<Entry>| rows.into_iter().map(|e| e.headline).collect::<Vec<_>>();

        let rows = assert_num_queries(conn, 1, |conn| {
            Entry::query()
                .order_by(Entry::headline.asc())
                .all(conn)
                .unwrap()
        });
        assert_eq!(names(rows), ["alpha", "bravo", "charlie", "delta", "echo"]);

        let rows = Entry::query()
            .filter(Entry::comments.ge(1))
            .exclude(Entry::headline.eq("bravo"))
            .order_by(Entry::comments.desc())
            .all(conn)
            .unwrap();
        assert_eq!(names(rows), ["echo", "charlie", "alpha"]);

        let page = Entry::query()
            .order_by(Entry::headline.asc())
            .limit(2)
            .offset(1)
            .all(conn)
            .unwrap();
        assert_eq!(names(page), ["bravo", "charlie"]);
        let tail = Entry::query()
            .order_by(Entry::headline.asc())
            .offset(3)
            .all(conn)
            .unwrap();
        assert_eq!(names(tail), ["delta", "echo"]);

        let either = Entry::query()
            .filter(Entry::headline.eq("alpha") | Entry::headline.eq("echo"))
            .order_by(Entry::id.asc())
            .all(conn)
            .unwrap();
        assert_eq!(names(either), ["alpha", "echo"]);

        let null = Entry::query()
            .filter(Entry::rating.eq(None))
            .all(conn)
            .unwrap();
        assert_eq!(names(null), ["echo"]);
        assert_eq!(
            Entry::query()
                .filter(Entry::rating.is_not_null())
                .count(conn)
                .unwrap(),
            4
        );
        assert_eq!(
            Entry::query()
                .filter(Entry::rating.gt(1.5))
                .count(conn)
                .unwrap(),
            2
        );

        let some = Entry::query()
            .filter(Entry::headline.is_in(["alpha", "delta", "zulu"]))
            .order_by(Entry::headline.desc())
            .all(conn)
            .unwrap();
        assert_eq!(names(some), ["delta", "alpha"]);
        assert_eq!(
            Entry::query()
                .filter(Entry::id.is_in(Vec::<i64>::new()))
                .count(conn)
                .unwrap(),
            0
        );

        let like = Entry::query()
            .filter(Entry::headline.contains("ha"))
            .order_by(Entry::id.asc())
            .all(conn)
            .unwrap();
        assert_eq!(names(like), ["alpha", "charlie"]);
        assert_eq!(
            Entry::query()
                .filter(Entry::headline.starts_with("ch"))
                .count(conn)
                .unwrap(),
            1
        );
        assert_eq!(
            Entry::query()
                .filter(Entry::headline.ends_with("o"))
                .count(conn)
                .unwrap(),
            2
        );
        // Wildcards in the searched text are literal.
        assert_eq!(
            Entry::query()
                .filter(Entry::headline.contains("%"))
                .count(conn)
                .unwrap(),
            0
        );
    });
}

#[test]
fn case_insensitive_text_lookups_ignore_case_on_every_backend() {
    each_backend(|conn| {
        let b = blog(conn, "Blog Of Mixed Case");
        for h in ["Alpha", "bravo", "CHARLIE", "50% off"] {
            entry(conn, &b, h, 0, None);
        }
        let matching = |conn: &mut Connection, filter| {
            let rows = assert_num_queries(conn, 1, |conn| {
                Entry::query()
                    .filter(filter)
                    .order_by(Entry::id.asc())
                    .all(conn)
                    .unwrap()
            });
            rows.into_iter().map(|e| e.headline).collect::<Vec<_>>()
        };
        assert_eq!(
            matching(conn, Entry::headline.icontains("hA")),
            ["Alpha", "CHARLIE"]
        );
        assert_eq!(
            matching(conn, Entry::headline.istarts_with("BR")),
            ["bravo"]
        );
        assert_eq!(
            matching(conn, Entry::headline.iends_with("lie")),
            ["CHARLIE"]
        );
        assert_eq!(matching(conn, Entry::headline.iexact("alpha")), ["Alpha"]);
        assert!(matching(conn, Entry::headline.iexact("alph")).is_empty());
        // Wildcards in the text are literal here too.
        assert_eq!(
            matching(conn, Entry::headline.icontains("0% O")),
            ["50% off"]
        );
        assert!(matching(conn, Entry::headline.icontains("_")).is_empty());
        // A unique column compares byte for byte on MySQL too; these still ignore case.
        let found = Blog::query()
            .filter(Blog::name.icontains("of mixed"))
            .all(conn)
            .unwrap();
        assert_eq!(found, vec![b.clone()]);
        assert_eq!(
            Blog::query()
                .filter(Blog::name.eq("blog of mixed case"))
                .count(conn)
                .unwrap(),
            0,
            "`eq` on a unique column tells case apart on every backend"
        );
    });
}

#[test]
fn last_reverses_the_ordering_nulls_included_else_takes_the_highest_key() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        assert_eq!(
            assert_num_queries(conn, 1, |conn| Entry::query().last(conn).unwrap()),
            None
        );
        let unrated = entry(conn, &b, "unrated", 5, None);
        let low = entry(conn, &b, "low", 1, Some(1.0));
        let high = entry(conn, &b, "high", 1, Some(9.0));
        let last = |conn: &mut Connection, query: orm_core::QuerySet<Entry>| {
            assert_num_queries(conn, 1, |conn| query.last(conn).unwrap())
        };
        assert_eq!(
            last(conn, Entry::query()),
            Some(high.clone()),
            "the highest key"
        );
        let by_rating = Entry::query().order_by(Entry::rating.asc().nulls_first());
        assert_eq!(by_rating.first(conn).unwrap(), Some(unrated.clone()));
        assert_eq!(last(conn, by_rating), Some(high.clone()));
        let nulls_last = Entry::query().order_by(Entry::rating.desc().nulls_last());
        assert_eq!(last(conn, nulls_last), Some(unrated.clone()));
        // Several columns are reversed together.
        let two = Entry::query()
            .order_by(Entry::comments.asc())
            .order_by(Entry::headline.desc());
        assert_eq!(two.first(conn).unwrap(), Some(low.clone()));
        assert_eq!(last(conn, two.clone()), Some(unrated.clone()));
        assert_eq!(
            last(conn, two.clone().filter(Entry::comments.eq(1))),
            Some(high.clone())
        );
        // After a slice the reversed order would pick from other rows: refused, no statement.
        let err = assert_num_queries(conn, 0, |conn| two.limit(2).last(conn).unwrap_err());
        assert!(
            matches!(&err, Error::InvalidInput(m) if m.contains("`first`")),
            "{err}"
        );
        // With relations: the one row, then its level.
        let blogs = assert_num_queries(conn, 2, |conn| {
            Blog::query().prefetch(BlogEntries).last(conn).unwrap()
        });
        assert_eq!(blogs.map(|l| l.get(BlogEntries).len()), Some(3));
    });
}

#[test]
fn in_bulk_by_a_unique_field_maps_its_values_to_rows() {
    each_backend(|conn| {
        let a = blog(conn, "a");
        let c = blog(conn, "c");
        let found = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .in_bulk_by(conn, Blog::name, ["a", "c", "a", "zz", "A"])
                .unwrap()
        });
        assert_eq!(found.len(), 2, "{:?}", found.keys().collect::<Vec<_>>());
        assert_eq!(found["a"], a, "a value twice is one entry; no case folding");
        assert_eq!(found["c"], c);
        // The primary key is unique too; the query's filters apply.
        let by_id = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .exclude(Blog::name.eq("c"))
                .in_bulk_by(conn, Blog::id, [a.id, c.id])
                .unwrap()
        });
        assert_eq!(by_id.keys().collect::<Vec<_>>(), [&a.id]);
        let none = assert_num_queries(conn, 0, |conn| {
            Blog::query()
                .in_bulk_by(conn, Blog::name, Vec::<String>::new())
                .unwrap()
        });
        assert!(none.is_empty());
        // A field that is not unique, or a cut query: an error, and no statement.
        let err = assert_num_queries(conn, 0, |conn| {
            Blog::query()
                .in_bulk_by(conn, Blog::tagline, [""])
                .unwrap_err()
        });
        assert!(
            matches!(&err, Error::InvalidInput(m) if m.contains("`Blog.tagline`") && m.contains("unique")),
            "{err}"
        );
        let err = assert_num_queries(conn, 0, |conn| {
            Blog::query()
                .offset(1)
                .in_bulk_by(conn, Blog::name, ["a"])
                .unwrap_err()
        });
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
        // One statement however many values, like `in_bulk`.
        let many = (0..40_000).map(|i| format!("n{i}")).chain(["c".to_owned()]);
        let found = assert_num_queries(conn, 1, |conn| {
            Blog::query().in_bulk_by(conn, Blog::name, many).unwrap()
        });
        assert_eq!(found.keys().collect::<Vec<_>>(), ["c"]);
    });
}

#[test]
fn in_bulk_maps_keys_to_rows_in_one_statement_however_many() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        let e: Vec<Entry> = (0..3)
            .map(|i| entry(conn, &b, &format!("e{i}"), i, None))
            .collect();
        let found = assert_num_queries(conn, 1, |conn| {
            Entry::query()
                .in_bulk(conn, [e[0].id, e[2].id, e[0].id, -1])
                .unwrap()
        });
        assert_eq!(
            found.len(),
            2,
            "a key twice is one entry; a missing key none"
        );
        assert_eq!(found[&e[0].id], e[0]);
        assert_eq!(found[&e[2].id], e[2]);
        let none = assert_num_queries(conn, 0, |conn| {
            Entry::query().in_bulk(conn, Vec::new()).unwrap()
        });
        assert!(none.is_empty());
        // The query's own filters apply, and any number of keys is one statement, past
        // SQLite's 32,766 binds too.
        let filtered = Entry::query()
            .filter(Entry::comments.ge(1))
            .in_bulk(conn, e.iter().map(|e| e.id))
            .unwrap();
        assert_eq!(filtered.len(), 2);
        let many = Entry::query().filter(Entry::comments.ge(1));
        let found = assert_num_queries(conn, 1, |conn| {
            many.in_bulk(conn, (0..40_000).chain([e[1].id])).unwrap()
        });
        assert_eq!(found.len(), 2, "{:?}", found.keys().collect::<Vec<_>>());
        let err = assert_num_queries(conn, 0, |conn| {
            Entry::query()
                .limit(1)
                .in_bulk(conn, [e[0].id])
                .unwrap_err()
        });
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    });
}

#[test]
fn count_exists_first_get() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        assert_num_queries(conn, 1, |conn| {
            assert!(!Entry::query().exists(conn).unwrap())
        });
        assert_eq!(Entry::query().first(conn).unwrap(), None);
        let e1 = entry(conn, &b, "one", 1, None);
        let e2 = entry(conn, &b, "two", 2, None);
        assert_num_queries(conn, 1, |conn| {
            assert_eq!(Entry::query().count(conn).unwrap(), 2)
        });
        assert_eq!(Entry::query().limit(1).count(conn).unwrap(), 1);
        assert_eq!(Entry::query().offset(1).count(conn).unwrap(), 1);
        assert!(Entry::query()
            .filter(Entry::headline.eq("two"))
            .exists(conn)
            .unwrap());
        assert_eq!(Entry::query().first(conn).unwrap(), Some(e1.clone()));
        assert_eq!(
            Entry::query()
                .order_by(Entry::id.desc())
                .first(conn)
                .unwrap(),
            Some(e2.clone())
        );
        assert_eq!(
            Entry::query()
                .filter(Entry::comments.eq(2))
                .get(conn)
                .unwrap(),
            e2
        );
        let many = Entry::query().get(conn).unwrap_err();
        assert!(
            matches!(many, Error::MultipleObjectsReturned { model: "Entry" }),
            "{many}"
        );
        let none = Entry::query()
            .filter(Entry::comments.eq(9))
            .get(conn)
            .unwrap_err();
        assert!(matches!(none, Error::NotFound { .. }));
        // A slice keeps its bounds (Django's `qs[0:1].get()`), joined or not, offset or not.
        let first = Entry::query().order_by(Entry::id.asc()).limit(1);
        let got = assert_num_queries(conn, 1, |c| first.get(c).unwrap());
        assert_eq!(got, e1);
        let second = Entry::query().order_by(Entry::id.asc()).offset(1).limit(1);
        assert_eq!(assert_num_queries(conn, 1, |c| second.get(c).unwrap()), e2);
        let joined = assert_num_queries(conn, 1, |c| {
            first.clone().select_related(EntryBlog).get(c).unwrap()
        });
        assert_eq!((&*joined, &joined.get(EntryBlog).name), (&e1, &b.name));
        let past = Entry::query().order_by(Entry::id.asc()).offset(2).limit(1);
        let none = assert_num_queries(conn, 1, |c| past.get(c).unwrap_err());
        assert!(matches!(none, Error::NotFound { .. }), "{none}");
        // A slice of several rows is several rows.
        let both = Entry::query().offset(0).limit(5).get(conn).unwrap_err();
        assert!(
            matches!(both, Error::MultipleObjectsReturned { .. }),
            "{both}"
        );
    });
}

#[test]
fn save_update_delete() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        let mut e = entry(conn, &b, "draft", 0, None);
        e.headline = "final".into();
        e.rating = Some(4.5);
        assert_num_queries(conn, 1, |conn| e.save(conn).unwrap());
        assert_eq!(e.refresh(conn).unwrap(), e);

        let n = assert_num_queries(conn, 1, |conn| {
            Entry::query()
                .filter(Entry::id.eq(e.id))
                .update(conn, [Entry::comments.set(7), Entry::rating.set(None)])
                .unwrap()
        });
        assert_eq!(n, 1);
        let fresh = Entry::get(conn, e.id).unwrap();
        assert_eq!((fresh.comments, fresh.rating), (7, None));
        let no_columns = Entry::query().update(conn, []).unwrap_err();
        assert!(matches!(no_columns, Error::InvalidInput(_)));
        // A slice cannot be updated: the UPDATE would write every matching row.
        let sliced = assert_num_queries(conn, 0, |conn| {
            Entry::query()
                .order_by(Entry::id.asc())
                .limit(1)
                .update(conn, [Entry::comments.set(0)])
                .unwrap_err()
        });
        assert!(matches!(sliced, Error::InvalidInput(_)), "{sliced}");
        assert_eq!(Entry::get(conn, e.id).unwrap().comments, 7);

        let deleted = e.delete(conn).unwrap();
        assert_eq!(deleted.total, 1);
        assert_eq!(deleted.per_model, vec![("Entry", 1)]);
        assert!(matches!(
            Entry::get(conn, e.id),
            Err(Error::NotFound { .. })
        ));
        // Saving a row that no longer exists writes nothing and says so.
        let err = e.save(conn).unwrap_err();
        assert!(
            matches!(err, Error::Unsaved { model: "Entry", .. }),
            "{err}"
        );
        assert_eq!(Entry::query().count(conn).unwrap(), 0);
    });
}

/// An `UPDATE` or `DELETE` whose filter reads its own table again. MySQL refuses that subquery
/// (error 1093), so there it goes through a derived table; the other backends, MariaDB
/// included, take it as written.
#[test]
fn update_and_delete_filtered_through_their_own_table() {
    each_backend(|conn| {
        let root = category(conn, "root", None);
        let other = category(conn, "other", None);
        for (name, parent) in [("a", &root), ("b", &root), ("c", &other)] {
            category(conn, name, Some(parent));
        }
        let derived = conn.backend() == Backend::Mysql;

        // The categories whose parent is named "root": the filter reads their table again.
        conn.start_log();
        let updated = Category::query()
            .filter(CategoryParent.any(Category::name.eq("root")))
            .update(conn, [Category::name.set("under root".to_owned())])
            .unwrap();
        let log = conn.take_log();
        assert_eq!(updated, 2);
        assert_eq!(log.len(), 1, "{log:#?}");
        assert_eq!(log[0].contains("SELECT DISTINCT"), derived, "{log:#?}");
        let mut names: Vec<String> = Category::query()
            .all(conn)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.sort();
        assert_eq!(names, ["c", "other", "root", "under root", "under root"]);

        // A fast delete (nothing points at reviews) whose filter reads their table two levels
        // down: the reviews of every book that has a five-star review.
        let ann = author(conn, "Ann");
        let (good, plain) = (
            book(conn, &ann, None, "good"),
            book(conn, &ann, None, "plain"),
        );
        for (b, stars) in [(&good, 5), (&good, 2), (&plain, 3)] {
            review(conn, b, stars);
        }
        conn.start_log();
        let deleted = Review::query()
            .filter(ReviewBook.any(BookReviewSet.any(Review::stars.eq(5i16))))
            .delete(conn)
            .unwrap();
        let log = conn.take_log();
        assert_eq!(deleted.total, 2);
        assert_eq!(log.len(), 1, "{log:#?}");
        assert_eq!(log[0].contains("SELECT DISTINCT"), derived, "{log:#?}");
        let left: Vec<(i64, i16)> = Review::query()
            .all(conn)
            .unwrap()
            .into_iter()
            .map(|r| (r.book_id, r.stars))
            .collect();
        assert_eq!(left, [(plain.id, 3)]);
    });
}

#[test]
fn a_query_delete_is_one_statement_when_nothing_points_at_its_rows() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        let other = blog(conn, "other");
        let e: Vec<Entry> = (0..4)
            .map(|i| entry(conn, &b, &format!("e{i}"), i, None))
            .collect();
        let theirs = entry(conn, &other, "theirs", 9, None);
        // Nothing points at entries: one DELETE with the query's conditions, nothing read.
        let deleted = assert_num_queries(conn, 1, |conn| {
            Entry::query()
                .filter(Entry::blog_id.eq(b.id) & Entry::comments.ge(2))
                .delete(conn)
                .unwrap()
        });
        assert_eq!(deleted.per_model, vec![("Entry", 2)]);
        let left = Entry::query().order_by(Entry::id.asc()).all(conn).unwrap();
        assert_eq!(left, [e[0].clone(), e[1].clone(), theirs.clone()]);
        // A slice: its keys are read (the rows `all` would return), then deleted.
        let deleted = assert_num_queries(conn, 2, |conn| {
            Entry::query()
                .order_by(Entry::id.desc())
                .limit(1)
                .delete(conn)
                .unwrap()
        });
        assert_eq!(deleted.total, 1);
        assert_eq!(
            Entry::query().count(conn).unwrap(),
            2,
            "only the last entry went"
        );
        assert!(Entry::query()
            .filter(Entry::id.eq(theirs.id))
            .all(conn)
            .unwrap()
            .is_empty());
        // Entries point at blogs: the blogs' keys are read, then their entries go in one
        // DELETE, then the blogs.
        let deleted = assert_num_queries(conn, 3, |conn| {
            Blog::query()
                .filter(Blog::name.eq("b"))
                .delete(conn)
                .unwrap()
        });
        assert_eq!(deleted.per_model, vec![("Entry", 2), ("Blog", 1)]);
        assert_eq!(Blog::query().all(conn).unwrap(), [other]);
    });
}

#[test]
fn bulk_create_is_one_statement_and_keeps_order() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        let rows: Vec<NewEntry> = (0..50)
            .map(|i| NewEntry {
                blog_id: b.id,
                headline: format!("h{i}"),
                comments: i,
                rating: None,
                published: false,
                pub_date: None,
            })
            .collect();
        // The test servers run InnoDB's default lock mode, which gives one insert consecutive keys.
        let created = assert_num_queries(conn, inserts(conn), |conn| {
            Entry::bulk_create(conn, rows.clone()).unwrap()
        });
        assert_eq!(created.len(), 50);
        for (row, new) in created.iter().zip(&rows) {
            assert_eq!(row.headline, new.headline);
        }
        assert!(created.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(Entry::query().count(conn).unwrap(), 50);
        assert!(Entry::bulk_create(conn, Vec::new()).unwrap().is_empty());
    });
}

#[test]
fn bulk_create_splits_at_the_bind_limit() {
    each_backend(|conn| {
        // 6 columns a row: 6,000 rows are 36,000 binds, past SQLite's 32,766.
        let b = blog(conn, "b");
        let rows = (0..6_000).map(|i| NewEntry {
            blog_id: b.id,
            headline: format!("h{i}"),
            comments: i,
            rating: None,
            published: true,
            pub_date: None,
        });
        let expected = if conn.backend() == Backend::Sqlite {
            2
        } else {
            inserts(conn)
        };
        let created = assert_num_queries(conn, expected, |conn| {
            Entry::bulk_create(conn, rows).unwrap()
        });
        assert_eq!(created.len(), 6_000);
        assert_eq!(Entry::query().count(conn).unwrap(), 6_000);
    });
}

#[test]
fn text_and_uuid_primary_keys() {
    each_backend(|conn| {
        let tag = Tag::create(
            conn,
            NewTag {
                slug: "rust".into(),
                label: "Rust".into(),
            },
        )
        .unwrap();
        assert_eq!(Tag::get(conn, "rust").unwrap(), tag);
        let uid = Uuid::new_v4();
        let doc = Document::create(
            conn,
            NewDocument {
                uid,
                title: "spec".into(),
                tag_slug: Some("rust".into()),
            },
        )
        .unwrap();
        assert_eq!(doc.uid, uid);
        assert_eq!(Document::get(conn, uid).unwrap(), doc);
        assert_eq!(
            Document::query()
                .filter(Document::uid.eq(uid))
                .count(conn)
                .unwrap(),
            1
        );
        let dup = Tag::create(
            conn,
            NewTag {
                slug: "rust".into(),
                label: "again".into(),
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                dup,
                Error::Integrity {
                    kind: orm_core::IntegrityKind::Unique,
                    ..
                }
            ),
            "{dup}"
        );
    });
}

#[test]
fn every_column_type_round_trips() {
    each_backend(|conn| {
        let at = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(13, 14, 15, 123_456)
            .unwrap();
        let new = NewAllTypes {
            small: -12,
            int: i32::MIN,
            big: i64::MAX,
            float: 1.5,
            double: -2.25e100,
            flag: true,
            text: "quote ' and \" and \\ and ünïcode".into(),
            bytes: vec![0, 1, 2, 255],
            at,
            day: NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
            uid: Uuid::new_v4(),
            maybe_int: None,
            maybe_text: Some(String::new()),
            maybe_at: None,
            maybe_uid: Some(Uuid::new_v4()),
        };
        let row = AllTypes::create(conn, new.clone()).unwrap();
        let back = AllTypes::get(conn, row.id).unwrap();
        assert_eq!(back, row);
        assert_eq!(
            (
                back.small,
                back.int,
                back.big,
                back.float,
                back.double,
                back.flag
            ),
            (new.small, new.int, new.big, new.float, new.double, new.flag)
        );
        assert_eq!(
            (&back.text, &back.bytes, back.at, back.day, back.uid),
            (&new.text, &new.bytes, new.at, new.day, new.uid)
        );
        assert_eq!(
            (
                back.maybe_int,
                &back.maybe_text,
                back.maybe_at,
                back.maybe_uid
            ),
            (None, &Some(String::new()), None, new.maybe_uid)
        );

        let mut changed = back.clone();
        changed.maybe_int = Some(3);
        changed.maybe_at = Some(NaiveDateTime::default());
        changed.maybe_uid = None;
        changed.save(conn).unwrap();
        assert_eq!(AllTypes::get(conn, row.id).unwrap(), changed);
        assert_eq!(
            AllTypes::query()
                .filter(AllTypes::at.eq(at))
                .count(conn)
                .unwrap(),
            1
        );
        assert_eq!(
            AllTypes::query()
                .filter(AllTypes::maybe_uid.is_null())
                .count(conn)
                .unwrap(),
            1
        );
    });
}

#[test]
fn defaults_are_in_the_ddl() {
    each_backend(|conn| {
        // Insert without the defaulted columns, through the raw statement API.
        let b = blog(conn, "b");
        let mut w = orm_core::SqlWriter::new(conn.backend());
        w.push("INSERT INTO ")
            .ident("entry")
            .push(" (")
            .ident("blog_id")
            .push(", ")
            .ident("headline");
        w.push(") VALUES (")
            .bind(orm_core::Value::BigInt(b.id))
            .push(", ")
            .bind(orm_core::Value::Text("x".into()))
            .push(")");
        assert_eq!(conn.execute(&w.finish()).unwrap(), 1);
        let e = Entry::query().get(conn).unwrap();
        assert_eq!((e.comments, e.published, e.rating), (0, false, None));
    });
}

#[test]
fn transactions_roll_back_on_error() {
    each_backend(|conn| {
        let res: Result<(), Error> = conn.transaction(|conn| {
            blog(conn, "kept?");
            conn.transaction(|conn| {
                blog(conn, "inner");
                Err::<(), _>(Error::InvalidInput("inner fails".into()))
            })
            .unwrap_err();
            assert_eq!(
                Blog::query().count(conn).unwrap(),
                1,
                "the savepoint rolled back only the inner insert"
            );
            Err(Error::InvalidInput("outer fails".into()))
        });
        assert!(res.is_err());
        assert_eq!(Blog::query().count(conn).unwrap(), 0);
    });
}

/// MySQL with `auto_increment_increment` > 1, as Galera and multi-primary setups run it: keys
/// go up in steps of 2, and the other node's rows, replicated with their keys, land between
/// ours. A second connection plays that node: it watches the highest key (reading uncommitted
/// rows) and inserts rows with the even keys beside it. What `create` and `bulk_create` return
/// is exactly the rows they inserted.
#[test]
fn inserts_read_back_their_own_rows_when_keys_go_up_in_steps() {
    use std::sync::atomic::{AtomicBool, Ordering};
    const ROUNDS: usize = 300;
    each_database(|db| {
        if db.conn.backend() != Backend::Mysql {
            return; // `auto_increment_increment` is MySQL's.
        }
        let mut ours = Connection::open(&db.url).unwrap();
        ours.batch_execute("SET SESSION auto_increment_increment = 2, auto_increment_offset = 1")
            .unwrap();
        let b = blog(&mut ours, "ours");
        let mut node = Connection::open(&db.url).unwrap();
        node.batch_execute("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED")
            .unwrap();
        let replicate = format!(
            "INSERT IGNORE INTO entry (id, blog_id, headline, n_comments, published) \
             SELECT id + d, {}, 'the other node''s', 0, FALSE \
             FROM (SELECT MAX(id) AS id FROM entry) m, (SELECT -1 AS d UNION ALL SELECT 1) o \
             WHERE MOD(m.id, 2) = 1",
            b.id
        );
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            let done = &done;
            s.spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    node.batch_execute(&replicate).unwrap();
                }
            });
            // Stops the other node however this thread ends, a failed assertion included.
            let _stop = Stop(done);
            for round in 0..ROUNDS {
                let rows: Vec<NewEntry> = (0..5)
                    .map(|i| new_entry(&b, &format!("r{round}.{i}"), i))
                    .collect();
                let created = assert_num_queries(&mut ours, 2, |c| {
                    Entry::bulk_create(c, rows.clone()).unwrap()
                });
                let headlines: Vec<&str> = created.iter().map(|e| e.headline.as_str()).collect();
                let wanted: Vec<&str> = rows.iter().map(|e| e.headline.as_str()).collect();
                assert_eq!(headlines, wanted, "round {round}");
                let one = assert_num_queries(&mut ours, 2, |c| {
                    Entry::create(c, new_entry(&b, &format!("one {round}"), 0)).unwrap()
                });
                assert_eq!(one.headline, format!("one {round}"), "round {round}");
            }
        });
        let theirs = Entry::query()
            .filter(Entry::headline.eq("the other node's"))
            .count(&mut ours)
            .unwrap();
        assert!(theirs > 0, "the other node never wrote");
    });
}

/// Sets its flag when dropped.
struct Stop<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A filter on any number of values is one statement on every backend: past a thousand, the
/// values are bound as one (an array on PostgreSQL, a JSON array on SQLite and MySQL), so
/// 100,000 keys do not hit "too many SQL variables", for integer, text, UUID and time columns.
#[test]
fn is_in_takes_any_number_of_values_in_one_statement() {
    use chrono::Duration;
    each_backend(|conn| {
        let blogs: Vec<Blog> = (0..5).map(|i| blog(conn, &format!("b{i}"))).collect();
        let mut ids: Vec<i64> = (1_000_000..1_100_000).collect();
        ids.extend(blogs.iter().skip(1).map(|b| b.id));
        let found = assert_num_queries(conn, 1, |c| {
            Blog::query()
                .filter(Blog::id.is_in(ids.clone()))
                .order_by(Blog::id.asc())
                .all(c)
                .unwrap()
        });
        assert_eq!(found, blogs[1..]);
        let left = assert_num_queries(conn, 1, |c| {
            Blog::query()
                .exclude(Blog::id.is_in(ids.clone()))
                .all(c)
                .unwrap()
        });
        assert_eq!(left, blogs[..1]);
        let mut names: Vec<String> = (0..50_000)
            .map(|i| format!("nobody \"{i}\" \\ é"))
            .collect();
        names.push("b3".into());
        let by_name = assert_num_queries(conn, 1, |c| {
            Blog::query()
                .filter(Blog::name.is_in(names))
                .all(c)
                .unwrap()
        });
        assert_eq!(by_name, [blogs[3].clone()]);
        let doc = document(conn, "d", None);
        let mut uids: Vec<Uuid> = (0..20_000).map(|_| Uuid::new_v4()).collect();
        uids.insert(10_000, doc.uid);
        let docs = assert_num_queries(conn, 1, |c| {
            Document::query()
                .filter(Document::uid.is_in(uids))
                .all(c)
                .unwrap()
        });
        assert_eq!(docs, [doc]);
        let at = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(12, 30, 5, 250_000)
            .unwrap();
        let row = AllTypes::create(
            conn,
            NewAllTypes {
                small: 1,
                int: 2,
                big: 3,
                float: 4.0,
                double: 5.0,
                flag: true,
                text: "t".into(),
                bytes: vec![6],
                at,
                day: at.date(),
                uid: Uuid::new_v4(),
                maybe_int: None,
                maybe_text: None,
                maybe_at: None,
                maybe_uid: None,
            },
        )
        .unwrap();
        let times: Vec<NaiveDateTime> = (1..3_000)
            .map(|s| at + Duration::seconds(s))
            .chain([at])
            .collect();
        let rows = assert_num_queries(conn, 1, |c| {
            AllTypes::query()
                .filter(AllTypes::at.is_in(times))
                .all(c)
                .unwrap()
        });
        assert_eq!(rows, [row]);
        // A long list means what a short one does, NULLs included: `exclude` of a list that
        // holds NULL keeps no row (the condition is NULL where no value matches).
        let b = &blogs[0];
        for rating in [Some(1.5), Some(2.5), None] {
            let mut e = new_entry(b, "rated", 0);
            e.rating = rating;
            Entry::create(conn, e).unwrap();
        }
        for nulls in [false, true] {
            let short: Vec<Option<f64>> = [Some(1.5)]
                .into_iter()
                .chain(nulls.then_some(None))
                .collect();
            let long: Vec<Option<f64>> = short
                .iter()
                .copied()
                .chain((0..2_000).map(|i| Some(1_000.0 + f64::from(i))))
                .collect();
            let ratings = |c: &mut Connection, values: Vec<Option<f64>>, out: bool| {
                let q = Entry::query();
                let q = if out {
                    q.exclude(Entry::rating.is_in(values))
                } else {
                    q.filter(Entry::rating.is_in(values))
                };
                let mut got: Vec<Option<f64>> =
                    q.all(c).unwrap().iter().map(|e| e.rating).collect();
                got.sort_by(|a, b| a.partial_cmp(b).unwrap());
                got
            };
            for out in [false, true] {
                let inline = assert_num_queries(conn, 1, |c| ratings(c, short.clone(), out));
                let bound = assert_num_queries(conn, 1, |c| ratings(c, long.clone(), out));
                assert_eq!(inline, bound, "nulls {nulls}, exclude {out}");
            }
        }
        assert_eq!(
            Entry::query()
                .filter(Entry::rating.is_in(vec![None::<f64>; 1_500]))
                .count(conn)
                .unwrap(),
            0
        );
        // A delete by so many keys too: the keys read, then each level's DELETE.
        let gone = assert_num_queries(conn, 3, |c| {
            Blog::query().filter(Blog::id.is_in(ids)).delete(c).unwrap()
        });
        assert_eq!(gone.per_model, [("Blog", 4)]);
        assert_eq!(
            Entry::query().count(conn).unwrap(),
            3,
            "the entries of the first blog stay"
        );
    });
}
