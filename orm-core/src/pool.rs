//! A connection pool for multi-threaded programs, on r2d2.

use crate::connection::Connection;
use crate::error::{Error, Result};

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
        // r2d2 would retry until its timeout and then report only "timed out".
        Connection::open(url)?;
        let inner = r2d2::Pool::builder()
            .max_size(max_size)
            .build(Manager {
                url: url.to_owned(),
            })
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
#[derive(Debug)]
pub struct Manager {
    url: String,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = Error;

    fn connect(&self) -> Result<Connection> {
        Connection::open(&self.url)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<()> {
        conn.ping()
    }

    fn has_broken(&self, _conn: &mut Connection) -> bool {
        false
    }
}
