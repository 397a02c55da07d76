//! Connections from URLs, the pool, statement counts, and errors.
use orm_core::prelude::*;
use orm_core::testing::{assert_num_queries, count_queries};
use orm_core::{Error, IntegrityKind, Pool};
use orm_tests::fixtures::owner_lock;
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
fn a_pool_sets_up_each_connection_it_opens() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    each_database(|db| {
        let p = Pizza::create(&mut db.conn, NewPizza { name: "p".into() }).unwrap();
        let t = Topping::create(&mut db.conn, NewTopping { name: "t".into() }).unwrap();
        let (opened, added) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (o, a) = (opened.clone(), added.clone());
        let pool = Pool::with_setup(&db.url, 2, move |conn| {
            o.fetch_add(1, Ordering::SeqCst);
            let a = a.clone();
            conn.on_m2m_changed::<PizzaToppings>(move |_, change| {
                if change.action() == orm_core::hooks::M2mAction::PostAdd {
                    a.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            });
            Ok(())
        })
        .unwrap();
        assert!(
            opened.load(Ordering::SeqCst) >= 2,
            "the check and the pool's connections"
        );
        let mut conn = pool.get().unwrap();
        let lock = owner_lock(&conn);
        // With a hook: the lock of the pizza's row (off SQLite), the read of what is linked,
        // then the INSERT.
        assert_num_queries(&mut conn, 2 + lock, |conn| {
            p.toppings().add(conn, [&t]).unwrap()
        });
        assert_eq!(added.load(Ordering::SeqCst), 1);
        // A setup that fails fails the pool at once, with its error.
        let err =
            Pool::with_setup(&db.url, 1, |_| Err(Error::InvalidInput("no".into()))).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
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
