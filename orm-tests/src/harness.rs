//! Runs a test on every configured backend, each in a fresh database.
//!
//! SQLite always (a temporary file). PostgreSQL when built with feature `postgres` and
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
    /// A URL that opens more connections to the same fresh database.
    pub url: String,
    drop_sql: Option<String>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.drop_sql {
            Some(sql) => {
                let _ = self.conn.batch_execute(sql);
            }
            None => {
                let _ = std::fs::remove_file(self.url.trim_start_matches("sqlite://"));
            }
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
fn env_url(var: &str) -> Option<String> {
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
    // A file, not `:memory:`, so that a pool's connections share it.
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());
    let mut conn = Connection::open(&url).expect("open sqlite");
    MIGRATION.apply(&mut conn).expect("create sqlite schema");
    out.push(TestDb {
        conn,
        url,
        drop_sql: None,
    });

    #[cfg(feature = "postgres")]
    if let Some(url) = env_url("ORM_TEST_POSTGRES_URL") {
        let mut conn =
            Connection::open(&url).unwrap_or_else(|e| panic!("PostgreSQL unreachable: {e}"));
        let name = unique_name();
        conn.batch_execute(&format!("CREATE SCHEMA {name}; SET search_path TO {name}"))
            .expect("create schema");
        MIGRATION.apply(&mut conn).expect("create postgres schema");
        let sep = if url.contains('?') { '&' } else { '?' };
        out.push(TestDb {
            conn,
            url: format!("{url}{sep}options=-csearch_path%3D{name}"),
            drop_sql: Some(format!("DROP SCHEMA {name} CASCADE")),
        });
    }

    #[cfg(feature = "mysql")]
    if let Some(url) = env_url("ORM_TEST_MYSQL_URL") {
        let mut conn = Connection::open(&url).unwrap_or_else(|e| panic!("MySQL unreachable: {e}"));
        let name = unique_name();
        conn.batch_execute(&format!("CREATE DATABASE {name}; USE {name}"))
            .expect("create database");
        MIGRATION.apply(&mut conn).expect("create mysql schema");
        let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
        out.push(TestDb {
            conn,
            url: format!("{base}/{name}"),
            drop_sql: Some(format!("DROP DATABASE {name}")),
        });
    }
    out
}

/// Runs `test` once per configured backend, naming the backend on stderr first.
pub fn each_backend(mut test: impl FnMut(&mut Connection)) {
    each_database(|db| test(&mut db.conn));
}

/// Like [`each_backend`], with the whole [`TestDb`] (for tests that open more connections).
pub fn each_database(mut test: impl FnMut(&mut TestDb)) {
    for mut db in databases() {
        eprintln!("-- backend: {}", db.conn.backend().name());
        test(&mut db);
    }
}
