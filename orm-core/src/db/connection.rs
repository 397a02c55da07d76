//! One connection type for every backend, picked from a URL, and the one place every statement
//! passes through: it counts it and emits a `tracing` span with its SQL.

use diesel::connection::{DefaultLoadingMode, LoadConnection, SimpleConnection};
use diesel::{Connection as _, RunQueryDsl};

use crate::db::backend::Backend;
#[cfg(feature = "mysql")]
use crate::db::decode::One;
use crate::db::decode::{LoadRow, RowSink, SinkAt};
use crate::db::extensions::Extensions;
use crate::db::raw::Raw;
use crate::db::sql::Stmt;
use crate::db::url::DatabaseUrl;
use crate::error::{Error, Result};

/// A database connection: SQLite (bundled, always available), PostgreSQL (feature `postgres`)
/// or MySQL/MariaDB (feature `mysql`), chosen at run time by [`Connection::open`].
///
/// Every statement the ORM sends goes through one method that counts it
/// ([`Connection::query_count`]) and emits a `tracing` span `orm.query` with its SQL.
/// Transaction control (BEGIN, COMMIT, SAVEPOINT) is not counted.
pub struct Connection {
    pub(super) inner: Inner,
    queries: u64,
    log: Option<Vec<String>>,
    returning: bool,
    consecutive_keys: bool,
    /// On the MySQL backend, whether the server is MariaDB.
    mariadb: bool,
    /// What the layers above keep per connection.
    pub(crate) extensions: Extensions,
}

// A hand-written enum rather than diesel's `MultiConnection` derive: that derive links every
// backend's client library, and SQLite-only builds must not need libpq or libmysqlclient.
pub(super) enum Inner {
    Sqlite(diesel::SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    #[cfg(feature = "mysql")]
    Mysql(diesel::MysqlConnection),
}

/// Runs `$body` with `$c` bound to the concrete diesel connection, and `$db` to its backend type.
macro_rules! with_conn {
    ($inner:expr, |$c:ident, $db:ident| $body:expr) => {
        match $inner {
            Inner::Sqlite($c) => {
                #[allow(dead_code)]
                type $db = diesel::sqlite::Sqlite;
                $body
            }
            #[cfg(feature = "postgres")]
            Inner::Postgres($c) => {
                #[allow(dead_code)]
                type $db = diesel::pg::Pg;
                $body
            }
            #[cfg(feature = "mysql")]
            Inner::Mysql($c) => {
                #[allow(dead_code)]
                type $db = diesel::mysql::Mysql;
                $body
            }
        }
    };
}
pub(super) use with_conn;

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("backend", &self.backend())
            .field("queries", &self.queries)
            .finish()
    }
}

impl Connection {
    /// Opens a connection from a URL: `sqlite::memory:`, `sqlite://path/to/file.db` (created if
    /// missing), `postgres://user@host/db`, `mysql://user@host/db` (also `mariadb://`).
    ///
    /// SQLite connections enforce foreign keys (`PRAGMA foreign_keys = ON`). Connecting to a
    /// server gives up after 10 seconds, or the URL's `connect_timeout=N` (seconds), with
    /// [`Error::Connection`]: on PostgreSQL through libpq's own `connect_timeout`; on MySQL by
    /// first checking, within that time, that the server answers (libmysqlclient would wait
    /// for its greeting forever), then connecting. Errors show the URL with its password
    /// hidden.
    pub fn open(url: &str) -> Result<Connection> {
        let parsed = DatabaseUrl::new(url);
        let shown = parsed.redacted();
        let (scheme, _) = url.split_once(':').ok_or_else(|| {
            Error::Connection(format!(
                "`{shown}` is not a database URL; expected sqlite::memory:, sqlite://path, postgres://... or mysql://..."
            ))
        })?;
        let connect_err = |e: diesel::ConnectionError| Error::Connection(format!("{shown}: {e}"));
        #[allow(unused_variables)]
        let timeout = || {
            parsed.connect_timeout().ok_or_else(|| {
                Error::Connection(format!(
                    "{shown}: `connect_timeout` is a whole number of seconds"
                ))
            })
        };
        let conn = match (scheme, parsed.sqlite_path()) {
            ("sqlite", Some(path)) => {
                let mut c = diesel::SqliteConnection::establish(path).map_err(connect_err)?;
                c.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                    .map_err(Error::from)?;
                Connection::new(Inner::Sqlite(c), true)
            }
            #[cfg(feature = "postgres")]
            ("postgres" | "postgresql", _) => {
                let timeout = timeout()?;
                let url = match parsed.param("connect_timeout") {
                    Some(_) => url.to_owned(),
                    None => parsed.with_param("connect_timeout", &timeout.as_secs().to_string()),
                };
                let c = diesel::PgConnection::establish(&url).map_err(connect_err)?;
                Connection::new(Inner::Postgres(c), true)
            }
            #[cfg(feature = "mysql")]
            ("mysql" | "mariadb", _) => {
                let timeout = timeout()?;
                // A zero timeout waits as long as it takes, as libpq's does.
                if let (Some((host, port)), false) = (parsed.tcp_address(3306), timeout.is_zero()) {
                    server_answers(&host, port, timeout)
                        .map_err(|e| Error::Connection(format!("{shown}: {e}")))?;
                }
                let url = url.replacen("mariadb:", "mysql:", 1);
                let mut c = diesel::MysqlConnection::establish(&url).map_err(connect_err)?;
                // A value a column cannot hold is an error, never cut to fit or made up,
                // whatever the server's default mode (Django warns without it).
                c.batch_execute(
                        "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')",
                    )
                    .map_err(Error::from)?;
                let mut conn = Connection::new(Inner::Mysql(c), false);
                // No `RETURNING` through prepared statements (MariaDB sends no result metadata
                // for it). A multi-row insert gets consecutive auto-increment keys unless
                // InnoDB runs in "interleaved" lock mode (2). Which server it is decides the
                // name of a collation (`Migration::apply`). One statement for both.
                let facts: Vec<One<String>> = conn.load_uncounted(
                    "SELECT CONCAT(@@innodb_autoinc_lock_mode, ' ', VERSION()) AS v",
                )?;
                let facts = facts.first().map_or("", |f| f.0.as_str());
                let (mode, version) = facts.split_once(' ').unwrap_or((facts, ""));
                conn.consecutive_keys = mode.parse::<i64>().is_ok_and(|m| m < 2);
                conn.mariadb = version.contains("MariaDB");
                conn
            }
            #[allow(unreachable_patterns)]
            ("postgres" | "postgresql" | "mysql" | "mariadb", _) => {
                return Err(Error::Connection(format!(
                    "`{scheme}` support is not compiled in; enable the `{}` feature of orm-core",
                    if scheme.starts_with("postgres") {
                        "postgres"
                    } else {
                        "mysql"
                    }
                )))
            }
            (other, _) => {
                return Err(Error::Connection(format!(
                    "unknown database scheme `{other}`; expected sqlite, postgres or mysql"
                )))
            }
        };
        Ok(conn)
    }

    fn new(inner: Inner, returning: bool) -> Self {
        Connection {
            inner,
            queries: 0,
            log: None,
            returning,
            consecutive_keys: false,
            mariadb: false,
            extensions: Extensions::default(),
        }
    }

    /// The backend of this connection.
    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Inner::Postgres(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            Inner::Mysql(_) => Backend::Mysql,
        }
    }

    /// Whether `INSERT ... RETURNING` is available (SQLite, PostgreSQL).
    pub(crate) fn supports_returning(&self) -> bool {
        self.returning
    }

    /// Whether one multi-row insert gets consecutive auto-increment keys (MySQL, lock mode < 2).
    pub(crate) fn consecutive_keys(&self) -> bool {
        self.consecutive_keys
    }

    /// On the MySQL backend, whether the server is MariaDB (else MySQL proper).
    pub(crate) fn is_mariadb(&self) -> bool {
        self.mariadb
    }

    /// How many statements this connection has sent through the ORM.
    pub fn query_count(&self) -> u64 {
        self.queries
    }

    /// Starts recording the SQL of every statement, for [`Connection::take_log`].
    pub fn start_log(&mut self) {
        self.log = Some(Vec::new());
    }

    /// Stops recording and returns the SQL recorded since [`Connection::start_log`].
    pub fn take_log(&mut self) -> Vec<String> {
        self.log.take().unwrap_or_default()
    }

    fn instrument<T>(
        &mut self,
        stmt: &Stmt,
        run: impl FnOnce(&mut Inner) -> diesel::QueryResult<T>,
    ) -> Result<T> {
        let span = tracing::debug_span!(
            "orm.query",
            backend = self.backend().name(),
            sql = %stmt.sql,
            binds = stmt.binds.len()
        );
        let _entered = span.enter();
        self.queries += 1;
        if let Some(log) = &mut self.log {
            log.push(stmt.sql.clone());
        }
        run(&mut self.inner).map_err(|e| {
            tracing::debug!(error = %e, "statement failed");
            Error::from(e)
        })
    }

    /// Runs a statement that returns no rows; returns the number of rows affected. Counted.
    pub fn execute(&mut self, stmt: &Stmt) -> Result<usize> {
        self.instrument(stmt, |inner| {
            with_conn!(inner, |c, DB| Raw::once(stmt).execute(c))
        })
    }

    /// Runs a query and decodes every row, finding each column by name (so a statement written
    /// by hand may list them in any order). Prepared afresh each time. Counted.
    pub fn load<T: LoadRow>(&mut self, stmt: &Stmt) -> Result<Vec<T>> {
        self.instrument(stmt, |inner| {
            with_conn!(inner, |c, DB| Raw::once(stmt).load::<T>(c))
        })
    }

    /// [`Connection::load`] for a statement whose SQL takes few forms (a prefetch level), which
    /// is prepared once per connection and reused.
    pub(crate) fn load_cached<T: LoadRow>(&mut self, stmt: &Stmt) -> Result<Vec<T>> {
        self.instrument(stmt, |inner| {
            with_conn!(inner, |c, DB| Raw::cached(stmt).load::<T>(c))
        })
    }

    /// Runs a statement and hands its rows to `sink` one at a time, as they come: for a reader
    /// that keeps state across rows (a prefetch level). With `cache`, for a statement whose SQL
    /// takes few forms, the statement is prepared once per connection and reused. Counted.
    pub(crate) fn load_into<S: RowSink>(
        &mut self,
        stmt: &Stmt,
        cache: bool,
        sink: &mut S,
    ) -> Result<()> {
        let raw = if cache {
            Raw::cached(stmt)
        } else {
            Raw::once(stmt)
        };
        self.instrument(stmt, |inner| {
            with_conn!(inner, |c, DB| {
                for row in LoadConnection::<DefaultLoadingMode>::load(c, raw)? {
                    SinkAt::<DB>::row(sink, &row?)
                        .map_err(diesel::result::Error::DeserializationError)?;
                }
                Ok(())
            })
        })
    }

    /// Connection setup: not part of any caller's count or log.
    #[cfg(feature = "mysql")]
    fn load_uncounted<T: LoadRow>(&mut self, sql: &str) -> Result<Vec<T>> {
        let stmt = Stmt {
            sql: sql.into(),
            binds: Vec::new(),
        };
        with_conn!(&mut self.inner, |c, DB| Raw::once(&stmt).load::<T>(c)).map_err(Error::from)
    }

    /// Runs several `;`-separated statements without binds (DDL). Counted as one.
    pub fn batch_execute(&mut self, sql: &str) -> Result<()> {
        let stmt = Stmt {
            sql: sql.to_owned(),
            binds: Vec::new(),
        };
        self.instrument(&stmt, |inner| {
            with_conn!(inner, |c, DB| c.batch_execute(sql))
        })
    }

    /// The underlying diesel SQLite connection, for diesel's query builder on the generated
    /// `schema`. Statements sent this way are not counted.
    pub fn as_sqlite(&mut self) -> Option<&mut diesel::SqliteConnection> {
        match &mut self.inner {
            Inner::Sqlite(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The underlying diesel PostgreSQL connection (not counted).
    #[cfg(feature = "postgres")]
    pub fn as_pg(&mut self) -> Option<&mut diesel::PgConnection> {
        match &mut self.inner {
            Inner::Postgres(c) => Some(c),
            _ => None,
        }
    }

    /// The underlying diesel MySQL connection (not counted).
    #[cfg(feature = "mysql")]
    pub fn as_mysql(&mut self) -> Option<&mut diesel::MysqlConnection> {
        match &mut self.inner {
            Inner::Mysql(c) => Some(c),
            _ => None,
        }
    }

    /// Checks the connection is alive (used by the pool). Not counted.
    pub(crate) fn ping(&mut self) -> Result<()> {
        with_conn!(&mut self.inner, |c, DB| c
            .batch_execute("SELECT 1")
            .map_err(Error::from))
    }
}

/// Checks, within `timeout`, that the MySQL server at `host:port` answers: it greets a client
/// before the client says anything, and libmysqlclient, whose timeouts diesel leaves unset,
/// would wait for that greeting forever.
#[cfg(feature = "mysql")]
fn server_answers(
    host: &str,
    port: u16,
    timeout: std::time::Duration,
) -> std::result::Result<(), String> {
    use std::io::{ErrorKind, Read};
    use std::net::{TcpStream, ToSocketAddrs};
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve `{host}`: {e}"))?;
    let mut failure = format!("`{host}` has no address");
    for address in addresses {
        let mut stream = match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => stream,
            Err(e) => {
                failure = format!("cannot connect to {address} within {timeout:?}: {e}");
                continue;
            }
        };
        let _ = stream.set_read_timeout(Some(timeout));
        return match stream.read(&mut [0u8; 1]) {
            Ok(0) => Err(format!("{address} closed the connection without a greeting")),
            Ok(_) => Ok(()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Err(format!(
                "{address} accepted the connection but did not answer within {timeout:?} (set `connect_timeout=N`, in seconds, in the URL to wait longer)"
            )),
            Err(e) => Err(format!("{address}: {e}")),
        };
    }
    Err(failure)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::connection::InstrumentationEvent;

    use super::*;
    use crate::db::decode::One;
    use crate::db::value::Value;

    /// The statements diesel prepares and keeps in its cache on `conn` from now on.
    fn kept_statements(conn: &mut Connection) -> Arc<Mutex<Vec<String>>> {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&kept);
        let c = conn.as_sqlite().expect("opened as SQLite");
        c.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                sink.lock().unwrap().push(sql.to_owned());
            }
        });
        kept
    }

    /// The first column of each row.
    struct Values(Vec<i64>);

    impl<DB: diesel::backend::Backend> SinkAt<DB> for Values
    where
        i64: crate::db::decode::Decode<DB>,
    {
        fn row<'a>(
            &mut self,
            row: &impl diesel::row::NamedRow<'a, DB>,
        ) -> diesel::deserialize::Result<()> {
            let column = crate::db::decode::Column::Index(0);
            self.0.push(crate::db::decode::Decode::decode(row, column)?);
            Ok(())
        }
    }

    #[test]
    fn only_statements_loaded_as_cached_are_prepared_once_and_kept() -> Result<()> {
        let mut conn = Connection::open("sqlite::memory:")?;
        let kept = kept_statements(&mut conn);
        let stmt = |n| Stmt {
            sql: "SELECT ? AS v".into(),
            binds: vec![Value::BigInt(n)],
        };
        for n in [1, 2] {
            let mut read = Values(Vec::new());
            conn.load_into(&stmt(n), true, &mut read)?;
            assert_eq!(read.0, [n], "each run binds its own value");
        }
        let rows: Vec<One<i64>> = conn.load(&stmt(3))?;
        assert_eq!(rows[0].0, 3);
        assert_eq!(*kept.lock().unwrap(), ["SELECT ? AS v"]);
        assert_eq!(conn.query_count(), 3);
        Ok(())
    }
}
