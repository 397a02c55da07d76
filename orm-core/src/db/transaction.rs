//! Transactions: the caller's (`Connection::transaction`), and those the ORM opens on the
//! caller's behalf and runs again after a deadlock (`Connection::atomic`); a panic inside one
//! rolls it back.

use std::panic::{self, AssertUnwindSafe};

use diesel::connection::TransactionManager;

use crate::db::connection::{with_conn, Connection, Inner};
use crate::error::{Error, Result};

impl Connection {
    /// Runs `f` in a transaction: committed when `f` returns `Ok`, rolled back on `Err`, and
    /// rolled back when `f` panics (the panic then goes on), so a panic never leaves the
    /// connection inside a transaction that later writes would silently join. Nested calls use
    /// savepoints.
    pub fn transaction<T, E: From<Error>>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.tx(Tx::Begin).map_err(E::from)?;
        self.extensions.begin();
        // Unwind safety: on a panic nothing `f` touched is used again before the rollback
        // undoes it; the connection's own state is the transaction, which the rollback ends.
        match panic::catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(Ok(value)) => {
                let committed = self.tx(Tx::Commit);
                self.extensions.end(committed.is_ok());
                committed.map_err(E::from)?;
                Ok(value)
            }
            Ok(Err(err)) => {
                // The caller's error is the one to report; a failed rollback leaves the
                // connection broken, which diesel reports on next use (and a pool drops it).
                let _ = self.tx(Tx::Rollback);
                self.extensions.end(false);
                Err(err)
            }
            Err(payload) => {
                let _ = self.tx(Tx::Rollback);
                self.extensions.end(false);
                panic::resume_unwind(payload)
            }
        }
    }

    /// Runs `f` in a transaction opened on the caller's behalf (a manager's write, a delete,
    /// `bulk_create`). When none of the caller's transactions is open, a transaction the
    /// database gave up to break a deadlock or to serialize it ([`Error::is_deadlock`]) runs
    /// `f` again in a new transaction, after a short pause, up to [`RETRIES`] times; inside
    /// the caller's transaction the error is returned, since the caller's own transaction is
    /// what must run again. Callers whose `f` runs the user's code (hooks) call
    /// [`Connection::transaction`] instead: that code's effects outside the database would
    /// happen twice.
    pub(crate) fn atomic<T>(
        &mut self,
        mut f: impl FnMut(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let owned = !self.in_transaction();
        let mut retries = 0;
        loop {
            match self.transaction(&mut f) {
                Err(err) if owned && retries < RETRIES && err.is_deadlock() => {
                    retries += 1;
                    tracing::debug!(error = %err, retries, "transaction retried");
                    std::thread::sleep(pause(retries));
                }
                done => return done,
            }
        }
    }

    /// Whether a transaction is open on this connection, or its transaction state is broken
    /// (a rollback failed): such a connection must not be reused for unrelated work. A pool
    /// drops a connection returned in this state.
    pub fn in_transaction(&mut self) -> bool {
        with_conn!(&mut self.inner, |c, DB| broken_or_open(c))
    }

    fn tx(&mut self, op: Tx) -> Result<()> {
        if let (Inner::Sqlite(c), Tx::Begin) = (&mut self.inner, op) {
            return begin_sqlite(c).map_err(Error::from);
        }
        with_conn!(&mut self.inner, |c, DB| tx_on(c, op)).map_err(Error::from)
    }
}

/// How many times [`Connection::atomic`] runs a transaction again after a deadlock.
const RETRIES: u32 = 3;

/// The pause before retry `n`: a few milliseconds more each time, and a jitter, so two
/// transactions that deadlocked do not meet again in step.
fn pause(n: u32) -> std::time::Duration {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_micros() % 4_000);
    std::time::Duration::from_micros(u64::from(n) * 4_000 + u64::from(jitter))
}

/// Opens a transaction on SQLite with `BEGIN IMMEDIATE`, a savepoint inside one. A plain
/// `BEGIN` takes the write lock only at the first write: two connections that both read first
/// (as `set` and hooked `add` do) then deadlock, and SQLite fails one at once ("database is
/// locked") instead of letting it wait its `busy_timeout`. Taking the lock first makes the second
/// writer wait its turn.
fn begin_sqlite(c: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    use diesel::connection::AnsiTransactionManager;
    let depth = AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?;
    match depth {
        None => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        Some(_) => AnsiTransactionManager::begin_transaction(c),
    }
}

/// Whether diesel's transaction manager of `c` has a transaction open, or is broken.
fn broken_or_open<C: diesel::Connection>(c: &mut C) -> bool {
    // Any open transaction counts, a test transaction (`begin_test_transaction`) included.
    !matches!(
        C::TransactionManager::transaction_manager_status_mut(c).transaction_depth(),
        Ok(None)
    )
}

fn tx_on<C: diesel::Connection>(c: &mut C, op: Tx) -> diesel::QueryResult<()> {
    match op {
        Tx::Begin => C::TransactionManager::begin_transaction(c),
        Tx::Commit => C::TransactionManager::commit_transaction(c),
        Tx::Rollback => C::TransactionManager::rollback_transaction(c),
    }
}

#[derive(Copy, Clone)]
enum Tx {
    Begin,
    Commit,
    Rollback,
}
