//! A connection pool for multi-threaded programs, on r2d2.

use std::fmt;
use std::sync::Arc;

use crate::connection::Connection;
use crate::error::{Error, Result};

/// What runs on each connection as the pool opens it.
type Setup = Arc<dyn Fn(&mut Connection) -> Result<()> + Send + Sync>;

/// A pool of [`Connection`]s opened from one URL. Note that every `sqlite::memory:` connection
/// is its own database: pool a file (`sqlite://app.db`) instead.
#[derive(Clone, Debug)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
}

/// A connection borrowed from a [`Pool`]; it goes back when dropped. Derefs to [`Connection`].
pub type PooledConnection = r2d2::PooledConnection<Manager>;

impl Pool {
    /// Opens a pool of at most `max_size` connections; fails at once, with the connection's own
    /// error, if the URL cannot be opened.
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
        let manager = Manager {
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

/// Opens and checks connections for [`Pool`].
pub struct Manager {
    url: String,
    setup: Setup,
}

impl fmt::Debug for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manager")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl r2d2::ManageConnection for Manager {
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

    fn has_broken(&self, _conn: &mut Connection) -> bool {
        false
    }
}
