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
        // One rule with `AsyncConnection::pool`: each in-memory connection would be a
        // database of its own, and a pool needs a connection.
        for (url, size) in [("sqlite::memory:", 2), (db.url.as_str(), 0)] {
            let refused = Pool::new(url, size).unwrap_err();
            assert!(matches!(refused, Error::InvalidInput(_)), "{refused}");
        }
        assert!(Pool::new("sqlite::memory:", 1).is_ok());
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

/// A URL's password never shows in an error or a `Debug` output: not in the user part, not in
/// the query.
#[test]
fn errors_and_debug_output_never_show_a_password() {
    #[allow(unused_mut)]
    let mut urls: Vec<String> = Vec::new();
    #[cfg(feature = "postgres")]
    urls.extend(std::env::var("ORM_TEST_POSTGRES_URL"));
    #[cfg(feature = "mysql")]
    urls.extend(std::env::var("ORM_TEST_MYSQL_URL"));
    for url in urls {
        let scheme_end = url.find("://").unwrap() + 3;
        // The test servers take no password: a wrong one is refused (MySQL) or ignored
        // (PostgreSQL's trust), and a closed port is refused.
        let with_password = format!(
            "{}nobody:s3cret@{}",
            &url[..scheme_end],
            &url[scheme_end..]
                .rsplit_once('@')
                .map_or(&url[scheme_end..], |(_, rest)| rest)
        );
        let closed_port = format!(
            "{}nobody:s3cret@127.0.0.1:1/x?password=s3cret",
            &url[..scheme_end]
        );
        for bad in [&with_password, &closed_port] {
            match Connection::open(bad) {
                Err(err) => {
                    let shown = format!("{err} {err:?}");
                    assert!(!shown.contains("s3cret"), "{shown}");
                    assert!(shown.contains("***"), "{shown}");
                }
                Ok(conn) => assert!(!format!("{conn:?}").contains("s3cret")),
            }
        }
        if let Ok(pool) = Pool::new(&with_password, 1) {
            assert!(!format!("{pool:?}").contains("s3cret"), "{pool:?}");
        }
    }
}

/// A server that accepts a connection and never answers: opening a connection, or a pool, gives
/// up after the URL's `connect_timeout` with an error saying so, instead of waiting forever.
#[test]
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn connecting_to_a_server_that_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts, keeps the sockets open, and never writes.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let mut urls: Vec<String> = Vec::new();
    #[cfg(feature = "postgres")]
    urls.push(format!("postgres://u@127.0.0.1:{port}/x?connect_timeout=2"));
    #[cfg(feature = "mysql")]
    urls.push(format!("mysql://u@127.0.0.1:{port}/x?connect_timeout=2"));
    for url in urls {
        let started = std::time::Instant::now();
        let err = Connection::open(&url).unwrap_err();
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_secs(8),
            "{url}: gave up after {took:?}"
        );
        let msg = err.to_string().to_lowercase();
        assert!(
            matches!(err, Error::Connection(_))
                && (msg.contains("timeout") || msg.contains("did not answer")),
            "{err}"
        );
        let started = std::time::Instant::now();
        assert!(Pool::new(&url, 1).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(8));
        let bad = Connection::open(&url.replace("connect_timeout=2", "connect_timeout=soon"))
            .unwrap_err();
        assert!(bad.to_string().contains("connect_timeout"), "{bad}");
    }
}
