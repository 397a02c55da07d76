//! A connection pool for multi-threaded programs, on r2d2.

use std::fmt;
use std::sync::Arc;

use crate::db::connection::Connection;
use crate::error::{Error, Result};

/// What runs on each connection as the pool opens it.
type Setup = Arc<dyn Fn(&mut Connection) -> Result<()> + Send + Sync>;

/// A pool of [`Connection`]s opened from one URL. Every `sqlite::memory:` connection is a
/// database of its own, so a pool of more than one of them is refused: pool a file
/// (`sqlite://app.db`) instead.
#[derive(Clone, Debug)]
pub struct Pool {
    inner: r2d2::Pool<ConnectionManager>,
}

/// A connection borrowed from a [`Pool`]; it goes back when dropped. Derefs to [`Connection`].
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

impl Pool {
    /// Opens a pool of at most `max_size` connections; fails at once, with the connection's own
    /// error, if the URL cannot be opened. [`Error::InvalidInput`] for a size of 0, or for more
    /// than one in-memory SQLite database.
    pub fn new(url: &str, max_size: u32) -> Result<Pool> {
        Self::with_setup(url, max_size, |_| Ok(()))
    }

    /// Like [`Pool::new`], and `setup` runs on each connection as the pool opens it: for what
    /// belongs to a connection, such as hooks ([`Connection::on_m2m_changed`]). A failing
    /// `setup` fails the pool at once, as a failing URL does.
    pub fn with_setup(
        url: &str,
        max_size: u32,
        setup: impl Fn(&mut Connection) -> Result<()> + Send + Sync + 'static,
    ) -> Result<Pool> {
        check_size(url, max_size as usize)?;
        let manager = ConnectionManager {
            url: url.to_owned(),
            setup: Arc::new(setup),
        };
        // r2d2 would retry until its timeout and then report only "timed out".
        r2d2::ManageConnection::connect(&manager)?;
        let inner = r2d2::Pool::builder()
            .max_size(max_size)
            .build(manager)
            .map_err(|e| Error::Connection(e.to_string()))?;
        Ok(Pool { inner })
    }

    /// Borrows a connection, waiting up to the pool's timeout.
    pub fn get(&self) -> Result<PooledConnection> {
        self.inner
            .get()
            .map_err(|e| Error::Connection(e.to_string()))
    }
}

/// The one rule for [`Pool`] and [`crate::AsyncConnection::pool`]: at least one connection,
/// and no more than one to `sqlite::memory:`, where each connection would be a database of its
/// own.
pub(crate) fn check_size(url: &str, size: usize) -> Result<()> {
    if size == 0 {
        return Err(Error::InvalidInput(
            "a pool needs at least one connection".into(),
        ));
    }
    let memory = crate::db::url::DatabaseUrl::new(url).sqlite_path() == Some(":memory:");
    if size > 1 && memory {
        return Err(Error::InvalidInput(format!(
            "each connection to `{url}` would be a database of its own; pool a SQLite file"
        )));
    }
    Ok(())
}

/// Opens and checks connections for [`Pool`] (r2d2's connection manager; not a related
/// manager).
pub struct ConnectionManager {
    url: String,
    setup: Setup,
}

impl fmt::Debug for ConnectionManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionManager")
            .field(
                "url",
                &crate::db::url::DatabaseUrl::new(&self.url).redacted(),
            )
            .finish_non_exhaustive()
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Connection;
    type Error = Error;

    fn connect(&self) -> Result<Connection> {
        let mut conn = Connection::open(&self.url)?;
        (self.setup)(&mut conn)?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<()> {
        conn.ping()
    }

    /// A connection given back while its thread panics, or with a transaction open (or a
    /// broken one), is closed rather than handed to the next borrower, whose writes would
    /// otherwise join that transaction and be lost with it (as diesel's own r2d2 manager).
    fn has_broken(&self, conn: &mut Connection) -> bool {
        std::thread::panicking() || conn.in_transaction()
    }
}

/// The old name of [`ConnectionManager`], which read as a related manager.
#[deprecated(since = "0.2.0", note = "renamed `ConnectionManager`")]
pub type Manager = ConnectionManager;
