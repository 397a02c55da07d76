//! Connections from URLs, the pool, statement counts, and errors.
use orm_core::prelude::*;
use orm_core::testing::{assert_num_queries, count_queries};
use orm_core::{Error, IntegrityKind, Pool};
use orm_tests::harness::{each_backend, each_database};
use orm_tests::models::*;

#[test]
fn urls_pick_the_backend() {
    assert_eq!(
        Connection::open("sqlite::memory:").unwrap().backend(),
        orm_core::Backend::Sqlite
    );
    assert_eq!(
        Connection::open("sqlite://:memory:").unwrap().backend(),
        orm_core::Backend::Sqlite
    );
    let bad = Connection::open("oracle://x").unwrap_err();
    assert!(
        matches!(&bad, Error::Connection(m) if m.contains("unknown database scheme `oracle`")),
        "{bad}"
    );
    let bad = Connection::open("not a url").unwrap_err();
    assert!(matches!(bad, Error::Connection(_)));
    #[cfg(not(feature = "postgres"))]
    {
        let off = Connection::open("postgres://localhost/x").unwrap_err();
        assert!(
            off.to_string().contains("enable the `postgres` feature"),
            "{off}"
        );
    }
    let missing = Connection::open("sqlite:///nonexistent-dir/x/y.db").unwrap_err();
    assert!(matches!(missing, Error::Connection(_)), "{missing}");
}

#[test]
fn pool_serves_threads() {
    each_database(|db| {
        let pool = Pool::new(&db.url, 4).unwrap();
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    Blog::create(
                        &mut conn,
                        NewBlog {
                            name: format!("blog {i}"),
                            tagline: String::new(),
                        },
                    )
                    .unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(Blog::query().count(&mut db.conn).unwrap(), 8);
        assert!(Pool::new("sqlite:///nonexistent-dir/x.db", 1).is_err());
    });
}

#[test]
fn integrity_errors_name_the_constraint() {
    each_backend(|conn| {
        Blog::create(
            conn,
            NewBlog {
                name: "same".into(),
                tagline: String::new(),
            },
        )
        .unwrap();
        let err = Blog::create(
            conn,
            NewBlog {
                name: "same".into(),
                tagline: String::new(),
            },
        )
        .unwrap_err();
        match &err {
            Error::Integrity {
                kind: IntegrityKind::Unique,
                constraint: Some(c),
                ..
            } => {
                assert!(c.contains("name") || c.contains("blog"), "{c}")
            }
            other => panic!("expected a unique violation, got {other:?}"),
        }
        assert_eq!(Blog::query().count(conn).unwrap(), 1);
    });
}

#[test]
fn assert_num_queries_reports_the_statements() {
    let mut conn = Connection::open("sqlite::memory:").unwrap();
    orm_tests::MIGRATION.apply(&mut conn).unwrap();
    let ((), n) = count_queries(&mut conn, |conn| {
        Blog::query().count(conn).unwrap();
        Blog::query().exists(conn).unwrap();
    });
    assert_eq!(n, 2);
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_num_queries(&mut conn, 1, |conn| {
            Blog::query().count(conn).unwrap();
            Blog::query().exists(conn).unwrap();
        })
    }))
    .unwrap_err();
    let msg = panic.downcast_ref::<String>().unwrap();
    assert!(
        msg.starts_with("expected 1 statement(s), 2 were run"),
        "{msg}"
    );
    assert!(
        msg.contains("1. SELECT COUNT(*)") && msg.contains("2. SELECT 1"),
        "{msg}"
    );
}
