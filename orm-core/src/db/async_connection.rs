//! An async face for a [`Connection`]: Django's `sync_to_async`, done once for the whole API.
//!
//! Diesel's connections block, so an [`AsyncConnection`] owns a [`Connection`] on a thread of
//! its own and runs closures there, one at a time, in the order they were sent. A call returns
//! a future that resolves when its closure has run; the calling task never blocks. The futures
//! need no particular runtime (tokio, async-std, smol or a plain `block_on` all work).
//!
//! Every async twin of a manager method (`aadd`, `acreate`, `aremove`, `aclear`, `aset`) is the
//! sync method run through [`AsyncConnection::run`], so both do the same statements, in the same
//! transaction, with the same hooks.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll};
use std::thread;

use futures_channel::oneshot;

use crate::db::connection::Connection;
use crate::error::{Error, Result};

thread_local! {
    /// On a worker thread of a one-connection handle, that handle's id; else 0.
    static WORKER_OF: Cell<usize> = const { Cell::new(0) };
}

/// A new handle id (never 0).
fn next_id() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A closure the worker runs on its connection, or with the error that kept it from having one
/// (a pool's worker whose connection could not be opened again).
type Job = Box<dyn FnOnce(Result<&mut Connection>) -> Flow + Send>;

/// How a pool's worker opens its connection again, after a closure panicked on the one it had.
type Reopen = Arc<dyn Fn() -> Result<Connection> + Send + Sync>;

/// What the worker does after a job: go on, stop after a panic (a transaction may be half
/// open), or hand the connection over ([`AsyncConnection::into_inner`]).
enum Flow {
    Continue,
    Stop,
    Hand(oneshot::Sender<Connection>),
}

/// A [`Connection`] on a thread of its own, for async code: `aconn.run(|conn| ..).await`, and
/// the managers' async twins (`blog.entry_set().aadd(&aconn, [&mut entry]).await`).
///
/// Clones share the one connection (and thread); their calls run one after another. The thread
/// ends, closing the connection, when the last clone is dropped. [`AsyncConnection::pool`]
/// puts several connections behind one handle.
///
/// A closure that panics makes the `run` that sent it panic with the same payload, as a sync call
/// would; the connection is then closed (a transaction may have been left half done). On a
/// handle of one connection later calls fail with [`Error::Closed`] (what was set on it, such as
/// hooks, would not survive a new one); a pool opens a new connection, set up by its `setup`,
/// for its next call, so it never shrinks.
///
/// A future dropped before it resolves does not cancel its closure: once sent, it runs to the
/// end (so a write is never cut in half); only its result is lost.
///
/// ```
/// use orm_core::prelude::*;
/// use orm_core::AsyncConnection;
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// pub struct Blog { pub id: i64, pub name: String }
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// pub struct Entry {
///     pub id: i64,
///     #[foreign_key(Blog, related_name = entries)]
///     pub blog_id: i64,
/// }
///
/// # fn main() -> orm_core::Result<()> {
/// futures_executor::block_on(async {                    // any executor: tokio, smol, ...
///     let aconn = AsyncConnection::open("sqlite::memory:").await?;
///     # aconn.run(|c| c.batch_execute("CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
///     #   CREATE TABLE entry (id INTEGER PRIMARY KEY AUTOINCREMENT, blog_id BIGINT NOT NULL REFERENCES blog (id))")).await?;
///     let (one, two) = aconn
///         .run(|c| Ok((
///             Blog::create(c, NewBlog { name: "one".into() })?,
///             Blog::create(c, NewBlog { name: "two".into() })?,
///         )))
///         .await?;
///     let mut entry = one.entries().acreate(&aconn, |blog_id| NewEntry { blog_id }).await?;
///     two.entries().aadd(&aconn, [&mut entry]).await?;   // one UPDATE, on the connection's thread
///     assert_eq!(entry.blog_id, two.id);                // and in memory
///     let entries = two.entries();
///     assert_eq!(aconn.run(move |c| entries.count(c)).await?, 1);
///     Ok(())
/// })
/// # }
/// ```
#[derive(Clone)]
pub struct AsyncConnection {
    jobs: mpsc::Sender<Job>,
    /// For one connection, an id its thread knows, so that waiting for a call from that
    /// thread (which would wait forever) fails instead; 0 for a pool.
    solo: usize,
}

impl fmt::Debug for AsyncConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncConnection").finish_non_exhaustive()
    }
}

impl AsyncConnection {
    /// Opens a connection from a URL ([`Connection::open`]) on a new thread.
    pub async fn open(url: &str) -> Result<AsyncConnection> {
        Self::start(url, 1, |_| Ok(()), false).await
    }

    /// Opens `size` connections to one database, each on a thread of its own, behind one
    /// handle: a call runs on the first connection free, so calls from many tasks run side by
    /// side (with `size` 1, one after another, in order). `setup` runs on each connection as it
    /// opens, for what belongs to a connection: hooks ([`Connection::on_m2m_changed`]),
    /// session settings.
    ///
    /// Each call still runs on one connection, so a transaction is still one closure. An
    /// in-memory SQLite database is per connection, so a pool of more than one is refused
    /// ([`Error::InvalidInput`]): use a file. A connection whose call panicked is closed and
    /// replaced (with `setup` run on the new one) at its next call; if it cannot be opened
    /// again, that call gets the error, and the next one tries again.
    pub async fn pool(
        url: &str,
        size: usize,
        setup: impl Fn(&mut Connection) -> Result<()> + Send + Sync + 'static,
    ) -> Result<AsyncConnection> {
        Self::start(url, size, setup, true).await
    }

    /// [`AsyncConnection::pool`]; with `replace`, a connection whose call panicked is opened
    /// again for the next call, else that thread ends.
    async fn start(
        url: &str,
        size: usize,
        setup: impl Fn(&mut Connection) -> Result<()> + Send + Sync + 'static,
        replace: bool,
    ) -> Result<AsyncConnection> {
        crate::db::pool::check_size(url, size)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let url = url.to_owned();
        let connect: Reopen = Arc::new(move || {
            let mut conn = Connection::open(&url)?;
            setup(&mut conn)?;
            Ok(conn)
        });
        let solo = if size == 1 { next_id() } else { 0 };
        let mut opened = Vec::with_capacity(size);
        for _ in 0..size {
            let (done, result) = oneshot::channel();
            let first = Arc::clone(&connect);
            spawn(
                move || {
                    let (conn, report) = match first() {
                        Ok(conn) => (Some(conn), Ok(())),
                        Err(e) => (None, Err(e)),
                    };
                    let _ = done.send(report);
                    conn
                },
                replace.then(|| Arc::clone(&connect)),
                Arc::clone(&queue),
                solo,
            )?;
            opened.push(result);
        }
        // Every connection opened, or the first failure; the others then close with the queue.
        for result in opened {
            result.await.map_err(|_| Error::Closed)??;
        }
        Ok(AsyncConnection { jobs, solo })
    }

    /// Moves an open connection onto a new thread.
    pub fn new(conn: Connection) -> Result<AsyncConnection> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let solo = next_id();
        spawn(move || Some(conn), None, Arc::new(Mutex::new(queue)), solo)?;
        Ok(AsyncConnection { jobs, solo })
    }

    /// Runs `f` on the connection and returns what it returns. `f` runs after every call sent
    /// before it; a transaction is one closure (`aconn.run(|c| c.transaction(|c| ..))`).
    ///
    /// `f` is sent at once, before the future is polled; the future does not borrow `self`.
    /// Inside `f`, use the `&mut Connection` it is given. Waiting on this `AsyncConnection`
    /// from there (`block_on(aconn.run(..))`) would wait for `f` itself, forever: on a handle of
    /// one connection that wait fails at once with [`Error::InvalidInput`] and the call it waited
    /// for never runs. (On a pool another connection may take the call, so nothing is refused.)
    pub fn run<T, F>(&self, f: F) -> Pending<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (reply, result) = oneshot::channel::<thread::Result<Result<T>>>();
        let cancelled = Arc::new(AtomicBool::new(false));
        let skip = Arc::clone(&cancelled);
        let job: Job = Box::new(move |conn| {
            if skip.load(Ordering::Acquire) {
                return Flow::Continue;
            }
            let conn = match conn {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = reply.send(Ok(Err(e)));
                    return Flow::Continue;
                }
            };
            let out = panic::catch_unwind(AssertUnwindSafe(|| f(conn)));
            let flow = if out.is_ok() {
                Flow::Continue
            } else {
                Flow::Stop
            };
            let _ = reply.send(out);
            flow
        });
        Pending {
            result: self.jobs.send(job).is_ok().then_some(result),
            solo: self.solo,
            cancelled,
        }
    }

    /// Takes the connection back once every call sent before has run. Other clones of this
    /// handle fail with [`Error::Closed`] from then on; so does this call if the connection was
    /// closed after a panic. On a pool, takes back the first connection free; the others stay.
    ///
    /// Awaited inside a call on this handle, on its own thread (a handle of one connection), it
    /// fails at once with [`Error::InvalidInput`], as [`AsyncConnection::run`] does, instead of
    /// waiting forever for the call it is in.
    pub async fn into_inner(self) -> Result<Connection> {
        if on_worker(self.solo) {
            return Err(own_thread_wait());
        }
        let (give, taken) = oneshot::channel::<Connection>();
        let job: Job = Box::new(move |conn| match conn {
            Ok(_) => Flow::Hand(give),
            Err(_) => Flow::Continue,
        });
        self.jobs.send(job).map_err(|_| Error::Closed)?;
        taken.await.map_err(|_| Error::Closed)
    }
}

/// Whether the current thread is the worker of the one-connection handle `solo` (0: a pool).
fn on_worker(solo: usize) -> bool {
    solo != 0 && WORKER_OF.with(Cell::get) == solo
}

/// The error for waiting on a handle's one connection from inside a call on it.
fn own_thread_wait() -> Error {
    Error::InvalidInput(
        "a call on an AsyncConnection was awaited inside another call on it, on its own thread, where it would wait forever; use the `&mut Connection` the closure is given".into(),
    )
}

/// What a call on an [`AsyncConnection`] resolves to, once its closure has run on the
/// connection's thread. Dropping it does not cancel the closure.
#[must_use = "the call runs whether or not it is awaited; await it for its result"]
pub struct Pending<T> {
    /// `None` when the call could not be sent: the connection is closed.
    result: Option<oneshot::Receiver<thread::Result<Result<T>>>>,
    /// The handle's id, when it has one connection.
    solo: usize,
    /// Set when the call is refused before it runs.
    cancelled: Arc<AtomicBool>,
}

impl<T> fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending").finish_non_exhaustive()
    }
}

impl<T> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let Some(result) = self.result.as_mut() else {
            return Poll::Ready(Err(Error::Closed));
        };
        match Pin::new(result).poll(cx) {
            // Waiting on the connection's own thread, inside another call: the call waited
            // for would run only after this one ends, which it never would.
            Poll::Pending if on_worker(self.solo) => {
                self.cancelled.store(true, Ordering::Release);
                Poll::Ready(Err(own_thread_wait()))
            }
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(Ok(out))) => Poll::Ready(out),
            // The closure panicked: so does the caller, as it would have calling it directly.
            Poll::Ready(Ok(Err(payload))) => panic::resume_unwind(payload),
            Poll::Ready(Err(oneshot::Canceled)) => Poll::Ready(Err(Error::Closed)),
        }
    }
}

/// Starts the worker: `open` makes the connection on the new thread (or reports why not and
/// returns `None`), then jobs run until every sender is gone or one says stop. After a job
/// panicked, its connection (which may hold a half-done transaction) is closed; with `reopen`
/// (a pool's worker) the next job gets a new one, else the worker ends.
fn spawn(
    open: impl FnOnce() -> Option<Connection> + Send + 'static,
    reopen: Option<Reopen>,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    solo: usize,
) -> Result<()> {
    thread::Builder::new()
        .name("orm-connection".into())
        .spawn(move || {
            WORKER_OF.with(|w| w.set(solo));
            let Some(conn) = open() else { return };
            let mut conn = Some(conn);
            // The lock is held only while waiting for a job, never while one runs. A worker
            // that panicked never holds it (jobs run outside), so it cannot be poisoned.
            let next = || queue.lock().ok()?.recv().ok();
            while let Some(job) = next() {
                let ready = match (&mut conn, &reopen) {
                    (Some(open), _) => Ok(open),
                    (None, Some(reopen)) => reopen().map(|fresh| conn.insert(fresh)),
                    (None, None) => Err(Error::Closed),
                };
                match job(ready) {
                    Flow::Continue => {}
                    Flow::Stop if reopen.is_some() => {
                        tracing::warn!("a call panicked; its connection is closed and replaced");
                        conn = None;
                    }
                    Flow::Stop => return,
                    Flow::Hand(to) => {
                        if let Some(conn) = conn.take() {
                            let _ = to.send(conn);
                        }
                        return;
                    }
                }
            }
        })
        .map(drop)
        .map_err(|e| Error::Connection(format!("cannot start the connection's thread: {e}")))
}

/// Runs `f` on copies of `objs` on the connection's thread; on success the copies replace the
/// objects.
pub(crate) fn on_copies<'o, T, X, F>(
    conn: &AsyncConnection,
    objs: Vec<&'o mut T>,
    f: F,
) -> impl Future<Output = Result<X>> + Send + 'o
where
    T: Clone + Send + 'static,
    X: Send + 'static,
    F: FnOnce(&mut Connection, &mut [&mut T]) -> Result<X> + Send + 'static,
{
    let mut copies: Vec<T> = objs.iter().map(|o| (**o).clone()).collect();
    let done = conn.run(move |conn| {
        let out = f(conn, &mut copies.iter_mut().collect::<Vec<_>>())?;
        Ok((out, copies))
    });
    async move {
        let (out, copies) = done.await?;
        for (obj, copy) in objs.into_iter().zip(copies) {
            *obj = copy;
        }
        Ok(out)
    }
}
