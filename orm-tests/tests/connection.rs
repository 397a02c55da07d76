//! Connections from URLs, the pool, instrumentation, and errors.

use std::sync::{Arc, Mutex};

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

/// A minimal subscriber that records the `sql` field of every `orm.query` span.
struct Recorder(Arc<Mutex<Vec<String>>>);

struct SqlField<'a>(&'a mut Option<String>);

impl tracing::field::Visit for SqlField<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "sql" {
            *self.0 = Some(format!("{value:?}"));
        }
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if span.metadata().name() == "orm.query" {
            let mut sql = None;
            span.record(&mut SqlField(&mut sql));
            self.0.lock().unwrap().extend(sql);
        }
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn every_statement_emits_a_tracing_span_with_its_sql() {
    let spans = Arc::new(Mutex::new(Vec::new()));
    let mut conn = Connection::open("sqlite::memory:").unwrap();
    orm_tests::MIGRATION.apply(&mut conn).unwrap();
    tracing::subscriber::with_default(Recorder(spans.clone()), || {
        let b = Blog::create(
            &mut conn,
            NewBlog {
                name: "b".into(),
                tagline: String::new(),
            },
        )
        .unwrap();
        b.entries().count(&mut conn).unwrap();
    });
    let spans = spans.lock().unwrap();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert!(spans[0].starts_with("INSERT INTO \"blog\""), "{}", spans[0]);
    assert!(
        spans[1].contains("SELECT COUNT(*) AS v FROM \"entry\" WHERE \"blog_id\" = ?"),
        "{}",
        spans[1]
    );
}
