//! What a column holds, the same on every backend: a value a column cannot hold is refused
//! before anything is written, never cut to fit, stored as something else, or read back as a
//! made-up value; keys compare exactly, trailing spaces included.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{Backend, Error, IntegrityKind};
use orm_tests::fixtures::{blog, inserts, new_entry, tag};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

/// `err` is [`Error::InvalidInput`] naming `field`.
fn refused(err: Error, field: &str) {
    match &err {
        Error::InvalidInput(m) if m.contains(&format!("`{field}`")) => {
            assert!(m.contains("nothing was written"), "{m}");
        }
        other => panic!("expected InvalidInput naming `{field}`, got {other:?}"),
    }
}

fn rated(conn: &mut Connection, blog: &Blog, rating: f64) -> orm_core::Result<Entry> {
    let mut new = new_entry(blog, "rated", 0);
    new.rating = Some(rating);
    Entry::create(conn, new)
}

#[test]
fn nan_and_infinities_round_trip_where_the_backend_stores_them_and_are_refused_elsewhere() {
    each_backend(|conn| {
        let backend = conn.backend();
        let b = blog(conn, "b");
        let e = rated(conn, &b, 1.5).unwrap();
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let stored = match backend {
                Backend::Postgres => true,
                Backend::Sqlite => !value.is_nan(),
                Backend::Mysql => false,
            };
            let before = Entry::query().count(conn).unwrap();
            if stored {
                let row = assert_num_queries(conn, inserts(conn), |c| rated(c, &b, value).unwrap());
                let back = row.refresh(conn).unwrap().rating.unwrap();
                assert!(
                    back.is_nan() && value.is_nan() || back == value,
                    "{value} came back as {back}"
                );
                continue;
            }
            // Refused before any statement: create, save, update, and a non-null column.
            let err = assert_num_queries(conn, 0, |c| rated(c, &b, value).unwrap_err());
            refused(err, "Entry.rating");
            let mut changed = e.clone();
            changed.rating = Some(value);
            refused(
                assert_num_queries(conn, 0, |c| changed.save(c).unwrap_err()),
                "Entry.rating",
            );
            let update = Entry::query().update(conn, [Entry::rating.set(Some(value))]);
            refused(update.unwrap_err(), "Entry.rating");
            let mut row = all_types();
            row.double = value;
            row.float = value as f32;
            refused(AllTypes::create(conn, row).unwrap_err(), "AllTypes.float");
            assert_eq!(Entry::query().count(conn).unwrap(), before);
            assert_eq!(e.refresh(conn).unwrap().rating, Some(1.5));
        }
    });
}

fn all_types() -> NewAllTypes {
    NewAllTypes {
        small: 1,
        int: 2,
        big: 3,
        float: 1.0,
        double: 2.0,
        flag: true,
        text: "t".into(),
        bytes: vec![1],
        at: chrono::NaiveDate::from_ymd_opt(2024, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap(),
        day: chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        uid: uuid::Uuid::nil(),
        maybe_int: None,
        maybe_text: None,
        maybe_at: None,
        maybe_uid: None,
    }
}

fn coupon(code: &str, data: &[u8]) -> NewCoupon {
    NewCoupon {
        code: code.into(),
        data: data.to_vec(),
        note: None,
    }
}

#[test]
fn a_value_longer_than_its_column_is_refused_before_the_write_and_text_has_no_other_limit() {
    each_backend(|conn| {
        // `max_length = 8` counts characters, not bytes: eight of them fit, nine do not.
        let kept = assert_num_queries(conn, inserts(conn), |c| {
            Coupon::create(c, coupon("éééééééé", b"abcd")).unwrap()
        });
        assert_eq!(kept.refresh(conn).unwrap().code, "éééééééé");
        let err = assert_num_queries(conn, 0, |c| {
            Coupon::create(c, coupon("ééééééééé", b"")).unwrap_err()
        });
        refused(err, "Coupon.code");
        // Bytes count bytes.
        let err = Coupon::create(conn, coupon("x", b"abcde")).unwrap_err();
        refused(err, "Coupon.data");
        let mut longer = kept.clone();
        longer.code = "123456789".into();
        refused(longer.save(conn).unwrap_err(), "Coupon.code");
        let update = Coupon::query().update(conn, [Coupon::code.set("123456789".to_owned())]);
        refused(update.unwrap_err(), "Coupon.code");
        // A unique `String` without `max_length` is an indexed column: 255 characters, as
        // MySQL can index, on every backend.
        let err = Blog::create(
            conn,
            NewBlog {
                name: "n".repeat(300),
                tagline: String::new(),
            },
        )
        .unwrap_err();
        refused(err, "Blog.name");
        blog(conn, &"n".repeat(255));
        assert_eq!(Coupon::query().count(conn).unwrap(), 1);
        // Text with no `max_length` holds any length on every backend: 70,000 bytes, past
        // MySQL's 64 KiB `TEXT`, and four-byte characters.
        let b = blog(conn, "b");
        let long = "🦀".repeat(17_500);
        let mut new = new_entry(&b, &long, 0);
        new.headline = long.clone();
        let e = Entry::create(conn, new).unwrap();
        assert_eq!(e.refresh(conn).unwrap().headline.len(), 70_000);
    });
}

#[test]
fn mysql_connections_run_in_strict_mode() {
    each_backend(|conn| {
        if conn.backend() != Backend::Mysql {
            return;
        }
        #[derive(diesel::QueryableByName)]
        struct Mode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            mode: String,
        }
        let mode: Vec<Mode> = assert_num_queries(conn, 1, |c| {
            c.load(&orm_core::Stmt {
                sql: "SELECT @@SESSION.sql_mode AS mode".into(),
                binds: Vec::new(),
            })
            .unwrap()
        });
        assert!(
            mode[0].mode.contains("STRICT_ALL_TABLES"),
            "{}",
            mode[0].mode
        );
    });
}

/// Keys that differ only in trailing spaces are two keys, as `String`s are, on every backend
/// (MySQL's `utf8mb4_bin` pads them to one; the key columns use a no-pad collation).
#[test]
fn keys_that_differ_in_trailing_spaces_are_different_keys() {
    each_backend(|conn| {
        tag(conn, "rust", "Rust");
        let spaced = tag(conn, "rust ", "Rust, spaced");
        let found = assert_num_queries(conn, 1, |c| {
            Tag::query().filter(Tag::slug.eq("rust ")).get(c).unwrap()
        });
        assert_eq!(found, spaced);
        blog(conn, "same");
        let (b, created) = assert_num_queries(conn, 1 + inserts(conn), |c| {
            Blog::query()
                .filter(Blog::name.eq("same "))
                .get_or_create(c, || NewBlog {
                    name: "same ".into(),
                    tagline: String::new(),
                })
                .unwrap()
        });
        assert!(created);
        assert_eq!(b.name, "same ");
        // A key holding "python " does not point at "python".
        tag(conn, "python", "Python");
        let err = Document::create(
            conn,
            NewDocument {
                uid: uuid::Uuid::new_v4(),
                title: "d".into(),
                tag_slug: Some("python ".into()),
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Integrity {
                    kind: IntegrityKind::ForeignKey,
                    ..
                }
            ),
            "{err}"
        );
        // And a prefetch over keys that differ only so finds each its own.
        for slug in ["rust", "rust "] {
            let new = NewDocument {
                uid: uuid::Uuid::new_v4(),
                title: slug.into(),
                tag_slug: Some(slug.into()),
            };
            Document::create(conn, new).unwrap();
        }
        let loaded = assert_num_queries(conn, 2, |c| {
            Document::query()
                .prefetch(DocumentTagSlugObject)
                .all(c)
                .unwrap()
        });
        assert_eq!(loaded.len(), 2);
        for doc in &loaded {
            let tag = doc.get(DocumentTagSlugObject).as_ref().unwrap();
            assert_eq!(Some(&tag.slug), doc.tag_slug.as_ref());
        }
    });
}

/// A column dropped behind the ORM's back is an error on every backend, never a value: SQLite
/// would read a double-quoted name that matches no column as a string (`"headline"` for every
/// row, and a filter on it would match), so the ORM quotes names in backticks there.
#[test]
fn a_column_that_is_gone_is_an_error_not_its_name() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        Entry::create(conn, new_entry(&b, "h", 0)).unwrap();
        let mut w = orm_core::SqlWriter::new(conn.backend());
        w.push("ALTER TABLE ")
            .ident(Entry::TABLE)
            .push(" DROP COLUMN ");
        w.ident("headline");
        conn.execute(&w.finish()).unwrap();
        let read = assert_num_queries(conn, 1, |c| Entry::query().all(c).unwrap_err());
        assert!(read.to_string().contains("headline"), "{read}");
        let filtered = assert_num_queries(conn, 1, |c| {
            Entry::query()
                .filter(Entry::headline.eq("headline"))
                .count(c)
                .unwrap_err()
        });
        assert!(filtered.to_string().contains("headline"), "{filtered}");
    });
}

/// A value a column cannot hold is an error when read, never a value made up: on SQLite any
/// column can hold anything written behind the ORM's back, and SQLite's own conversions would
/// read text in a float column as 0.0 and cut an integer too wide for an `i32`. PostgreSQL and
/// MySQL refuse such writes in the first place.
#[test]
fn a_value_the_field_cannot_hold_is_an_error_when_read() {
    each_backend(|conn| {
        let b = blog(conn, "b");
        let e = Entry::create(conn, new_entry(&b, "h", 0)).unwrap();
        // Text in a float column, an integer too wide for an `i32`, and a fraction in an
        // integer column (which the servers round as they write it).
        let cases = [
            ("rating", "'abc'", true),
            ("n_comments", "4294967296", true),
            ("n_comments", "1.5", false),
        ];
        for (column, value, servers_refuse) in cases {
            let mut w = orm_core::SqlWriter::new(conn.backend());
            w.push("UPDATE ")
                .ident(Entry::TABLE)
                .push(" SET ")
                .ident(column);
            w.push(" = ").push(value);
            let written = conn.execute(&w.finish());
            if conn.backend() != Backend::Sqlite {
                assert_eq!(written.is_err(), servers_refuse, "{column} = {value}");
                continue;
            }
            written.unwrap();
            let err = assert_num_queries(conn, 1, |c| e.refresh(c).unwrap_err());
            assert!(err.to_string().contains("the column holds"), "{err}");
            // Put it back for the next one.
            let mut w = orm_core::SqlWriter::new(conn.backend());
            w.push("UPDATE ")
                .ident(Entry::TABLE)
                .push(" SET ")
                .ident("rating");
            w.push(" = NULL, ").ident("n_comments").push(" = 0");
            conn.execute(&w.finish()).unwrap();
            assert_eq!(e.refresh(conn).unwrap(), e);
        }
    });
}

/// An auto-increment key that has reached the largest value its column holds: the next insert
/// is [`Error::OutOfKeys`], on every backend, for a 64-bit key (`Blog`) and a 32-bit one
/// (`Author`), instead of SQLite's "database or disk is full" (or a key past `i32::MAX`) or
/// MySQL's "Out of range value" and duplicate key.
#[test]
fn an_insert_with_no_key_left_says_so() {
    each_backend(|conn| {
        let backend = conn.backend();
        let last_key = |conn: &mut Connection, table: &str, max: i64, row: &str| {
            let mut w = orm_core::SqlWriter::new(backend);
            if backend == Backend::Postgres {
                // The identity sequence, not the rows, decides the next key.
                w.push("ALTER TABLE ").ident(table).push(" ALTER COLUMN ");
                w.ident("id").push(&format!(" RESTART WITH {max}"));
                conn.execute(&w.finish()).unwrap();
                return false;
            }
            w.push("INSERT INTO ")
                .ident(table)
                .push(&format!(" VALUES ({max}, {row})"));
            conn.execute(&w.finish()).unwrap();
            true
        };
        if !last_key(conn, Blog::TABLE, i64::MAX, "'last', ''") {
            blog(conn, "last");
        }
        if !last_key(conn, Author::TABLE, i64::from(i32::MAX), "'last'") {
            Author::create(
                conn,
                NewAuthor {
                    name: "last".into(),
                },
            )
            .unwrap();
        }
        // The failed INSERT; on SQLite, then the largest key, to tell it from a full disk.
        let statements = 1 + u64::from(backend == Backend::Sqlite);
        let err = assert_num_queries(conn, statements, |c| {
            Blog::create(
                c,
                NewBlog {
                    name: "one more".into(),
                    tagline: String::new(),
                },
            )
            .unwrap_err()
        });
        assert!(matches!(err, Error::OutOfKeys { model: "Blog" }), "{err:?}");
        let err = assert_num_queries(conn, 1, |c| {
            Author::create(
                c,
                NewAuthor {
                    name: "one more".into(),
                },
            )
            .unwrap_err()
        });
        assert!(
            matches!(err, Error::OutOfKeys { model: "Author" }),
            "{err:?}"
        );
        assert_eq!(Blog::query().count(conn).unwrap(), 1);
        assert_eq!(Author::query().count(conn).unwrap(), 1);
    });
}
