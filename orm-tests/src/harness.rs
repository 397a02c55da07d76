//! Runs a test on every configured backend, each in a fresh database.
//!
//! SQLite always (in memory). PostgreSQL when built with feature `postgres` and
//! `ORM_TEST_POSTGRES_URL` is set, MySQL/MariaDB with feature `mysql` and `ORM_TEST_MYSQL_URL`.
//! Each test gets its own PostgreSQL schema or MySQL database, dropped afterwards. Outside CI a
//! missing URL skips that backend with a message; in CI (`CI=true`) it fails.

use std::sync::atomic::{AtomicUsize, Ordering};

use orm_core::Connection;

use crate::MIGRATION;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A connection to a fresh database holding every test model's table.
pub struct TestDb {
    pub conn: Connection,
    drop_sql: Option<String>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(sql) = &self.drop_sql {
            let _ = self.conn.batch_execute(sql);
        }
    }
}

fn unique_name() -> String {
    format!(
        "orm_t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[allow(dead_code)]
fn url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} must be set in CI: every backend is tested there")
        }
        _ => {
            eprintln!("skipping this backend: {var} is not set");
            None
        }
    }
}

/// Fresh databases, one per configured backend.
pub fn databases() -> Vec<TestDb> {
    let mut out = Vec::new();
    let mut conn = Connection::open("sqlite::memory:").expect("open sqlite");
    MIGRATION.apply(&mut conn).expect("create sqlite schema");
    out.push(TestDb {
        conn,
        drop_sql: None,
    });

    #[cfg(feature = "postgres")]
    if let Some(url) = url("ORM_TEST_POSTGRES_URL") {
        let mut conn =
            Connection::open(&url).unwrap_or_else(|e| panic!("PostgreSQL unreachable: {e}"));
        let name = unique_name();
        conn.batch_execute(&format!("CREATE SCHEMA {name}; SET search_path TO {name}"))
            .expect("create schema");
        MIGRATION.apply(&mut conn).expect("create postgres schema");
        out.push(TestDb {
            conn,
            drop_sql: Some(format!("DROP SCHEMA {name} CASCADE")),
        });
    }

    #[cfg(feature = "mysql")]
    if let Some(url) = url("ORM_TEST_MYSQL_URL") {
        let mut conn = Connection::open(&url).unwrap_or_else(|e| panic!("MySQL unreachable: {e}"));
        let name = unique_name();
        conn.batch_execute(&format!("CREATE DATABASE {name}; USE {name}"))
            .expect("create database");
        MIGRATION.apply(&mut conn).expect("create mysql schema");
        out.push(TestDb {
            conn,
            drop_sql: Some(format!("DROP DATABASE {name}")),
        });
    }
    let _ = unique_name;
    out
}

/// Runs `test` once per configured backend, naming the backend on stderr first.
pub fn each_backend(mut test: impl FnMut(&mut Connection)) {
    for mut db in databases() {
        eprintln!("-- backend: {}", db.conn.backend().name());
        test(&mut db.conn);
    }
}
