//! The query set's async twins (Django's `aget`, `acount`, ...): each runs its sync method on
//! an [`AsyncConnection`].

use crate::db::async_connection::{AsyncConnection, Pending};
use crate::db::value::Field;
use crate::model::{Deleted, Model};
use crate::query::{Assignment, Column, QuerySet};

/// The query twins: Django's `aget`, `afirst`, `alast`, `ain_bulk` (and `ain_bulk_by`), `acount`, `aexists`, `aupdate`,
/// `adelete`, and `async for` as `aall`.
impl<M: Model + Send> QuerySet<M>
where
    QuerySet<M>: Send,
{
    /// [`QuerySet::all`] on an [`AsyncConnection`].
    pub fn aall(&self, conn: &AsyncConnection) -> Pending<Vec<M>> {
        let query = self.clone();
        conn.run(move |conn| query.all(conn))
    }

    /// [`QuerySet::first`] on an [`AsyncConnection`].
    pub fn afirst(&self, conn: &AsyncConnection) -> Pending<Option<M>> {
        let query = self.clone();
        conn.run(move |conn| query.first(conn))
    }

    /// [`QuerySet::last`] on an [`AsyncConnection`].
    pub fn alast(&self, conn: &AsyncConnection) -> Pending<Option<M>> {
        let query = self.clone();
        conn.run(move |conn| query.last(conn))
    }

    /// [`QuerySet::in_bulk`] on an [`AsyncConnection`].
    pub fn ain_bulk(
        &self,
        conn: &AsyncConnection,
        keys: impl IntoIterator<Item = M::Key>,
    ) -> Pending<std::collections::HashMap<M::Key, M>>
    where
        M::Key: Send,
    {
        let query = self.clone();
        let keys: Vec<M::Key> = keys.into_iter().collect();
        conn.run(move |conn| query.in_bulk(conn, keys))
    }

    /// [`QuerySet::in_bulk_by`] on an [`AsyncConnection`].
    pub fn ain_bulk_by<T: Field + Eq + std::hash::Hash + Send + 'static, V: Into<T>>(
        &self,
        conn: &AsyncConnection,
        column: Column<M, T>,
        values: impl IntoIterator<Item = V>,
    ) -> Pending<std::collections::HashMap<T, M>> {
        let query = self.clone();
        let values: Vec<T> = values.into_iter().map(Into::into).collect();
        conn.run(move |conn| query.in_bulk_by(conn, column, values))
    }

    /// [`QuerySet::get`] on an [`AsyncConnection`].
    pub fn aget(&self, conn: &AsyncConnection) -> Pending<M> {
        let query = self.clone();
        conn.run(move |conn| query.get(conn))
    }

    /// [`QuerySet::count`] on an [`AsyncConnection`].
    pub fn acount(&self, conn: &AsyncConnection) -> Pending<i64> {
        let query = self.clone();
        conn.run(move |conn| query.count(conn))
    }

    /// [`QuerySet::exists`] on an [`AsyncConnection`].
    pub fn aexists(&self, conn: &AsyncConnection) -> Pending<bool> {
        let query = self.clone();
        conn.run(move |conn| query.exists(conn))
    }

    /// [`QuerySet::update`] on an [`AsyncConnection`].
    pub fn aupdate(
        &self,
        conn: &AsyncConnection,
        assignments: impl IntoIterator<Item = Assignment<M>>,
    ) -> Pending<u64> {
        let query = self.clone();
        let assignments: Vec<Assignment<M>> = assignments.into_iter().collect();
        conn.run(move |conn| query.update(conn, assignments))
    }

    /// [`QuerySet::delete`] on an [`AsyncConnection`].
    pub fn adelete(&self, conn: &AsyncConnection) -> Pending<Deleted> {
        let query = self.clone();
        conn.run(move |conn| query.delete(conn))
    }

    /// [`QuerySet::get_or_create`] on an [`AsyncConnection`].
    pub fn aget_or_create(
        &self,
        conn: &AsyncConnection,
        create: impl FnOnce() -> M::New + Send + 'static,
    ) -> Pending<(M, bool)> {
        let query = self.clone();
        conn.run(move |conn| query.get_or_create(conn, create))
    }

    /// [`QuerySet::update_or_create`] on an [`AsyncConnection`].
    pub fn aupdate_or_create(
        &self,
        conn: &AsyncConnection,
        defaults: impl IntoIterator<Item = Assignment<M>>,
        create: impl FnOnce() -> M::New + Send + 'static,
    ) -> Pending<(M, bool)> {
        let query = self.clone();
        let defaults: Vec<Assignment<M>> = defaults.into_iter().collect();
        conn.run(move |conn| query.update_or_create(conn, defaults, create))
    }
}
