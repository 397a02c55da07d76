//! Prefetching on an [`AsyncConnection`]: the twins of a query with prefetch paths, and
//! `aprefetch_related_objects`.

use crate::db::async_connection::{AsyncConnection, Pending};
use crate::model::Model;

use super::load::{prefetch_related_objects, IntoLoaded, LoadedRow, Prefetching, WithSlot};
use super::path::{JoinMode, Paths, Prefetch};
use super::slots::{AddPath, AddPaths};

/// The twins of a query with prefetch paths. Each consumes the query, which moves to the
/// connection's thread.
impl<M, Ps, J> Prefetching<M, Ps, J>
where
    M: Model,
    Ps: Paths<M> + AddPaths<M, J::Slots> + Send + 'static,
    J: JoinMode<M> + 'static,
    Self: Send,
    LoadedRow<M, Ps, J>: Send,
{
    /// [`Prefetching::all`] on an [`AsyncConnection`].
    pub fn aall(self, conn: &AsyncConnection) -> Pending<Vec<LoadedRow<M, Ps, J>>> {
        conn.run(move |conn| self.all(conn))
    }

    /// [`Prefetching::first`] on an [`AsyncConnection`].
    pub fn afirst(self, conn: &AsyncConnection) -> Pending<Option<LoadedRow<M, Ps, J>>> {
        conn.run(move |conn| self.first(conn))
    }

    /// [`Prefetching::last`] on an [`AsyncConnection`].
    pub fn alast(self, conn: &AsyncConnection) -> Pending<Option<LoadedRow<M, Ps, J>>> {
        conn.run(move |conn| self.last(conn))
    }

    /// [`Prefetching::get`] on an [`AsyncConnection`].
    pub fn aget(self, conn: &AsyncConnection) -> Pending<LoadedRow<M, Ps, J>> {
        conn.run(move |conn| self.get(conn))
    }
}

/// [`prefetch_related_objects`] on an [`AsyncConnection`] (Django's
/// `aprefetch_related_objects`): the objects move to the connection's thread and come back with
/// the path's slot.
pub fn aprefetch_related_objects<O, P>(
    conn: &AsyncConnection,
    objects: impl IntoIterator<Item = O>,
    path: P,
) -> Pending<Vec<WithSlot<O, P>>>
where
    O: IntoLoaded + Send + 'static,
    P: Prefetch<O::Model> + Send + 'static,
    O::Related: AddPath<O::Model, P>,
    WithSlot<O, P>: Send,
{
    let objects: Vec<O> = objects.into_iter().collect();
    conn.run(move |conn| prefetch_related_objects(conn, objects, path))
}
