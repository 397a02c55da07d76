//! The generic relation manager's async twins: each runs its sync method on an
//! [`AsyncConnection`].

use std::future::Future;

use crate::db::async_connection::{on_copies, AsyncConnection, Pending};
use crate::db::connection::Connection;
use crate::error::Result;
use crate::generic::{GenericInsert, GenericItems, GenericManager, GenericRelation, ObjectId};
use crate::model::{Deleted, Model};
use crate::query::{Assignment, Filter};

/// The generic relation manager's twins.
impl<R: GenericRelation> GenericManager<'_, R>
where
    <R::Owner as Model>::Key: ObjectId,
    R::Owner: Clone + Send,
    R::Items: Clone + Send,
{
    /// Sends `f` with a manager of its own (a copy of the instance).
    fn on_worker<T: Send + 'static>(
        &self,
        conn: &AsyncConnection,
        f: impl FnOnce(&GenericManager<'_, R>, &mut Connection) -> Result<T> + Send + 'static,
    ) -> Pending<T> {
        let owner = self.owner.clone();
        let bulk = self.bulk;
        conn.run(move |conn| f(&GenericManager::of(&owner).bulk(bulk), conn))
    }

    /// Sends `f` with a manager of its own and copies of `objs` ([`on_copies`]).
    fn on_copies_of<'o>(
        &self,
        conn: &AsyncConnection,
        objs: &'o mut [&mut R::Items],
        f: impl FnOnce(&GenericManager<'_, R>, &mut Connection, &mut [&mut R::Items]) -> Result<()>
            + Send
            + 'static,
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        let (owner, bulk) = (self.owner.clone(), self.bulk);
        let objs = objs.iter_mut().map(|o| &mut **o).collect();
        on_copies(conn, objs, move |conn, objs| {
            f(&GenericManager::of(&owner).bulk(bulk), conn, objs)
        })
    }

    /// [`GenericManager::all`] on an [`AsyncConnection`].
    pub fn aall(&self, conn: &AsyncConnection) -> Pending<Vec<R::Items>> {
        self.on_worker(conn, |m, conn| m.all(conn))
    }

    /// [`GenericManager::count`] on an [`AsyncConnection`].
    pub fn acount(&self, conn: &AsyncConnection) -> Pending<i64> {
        self.on_worker(conn, |m, conn| m.count(conn))
    }

    /// [`GenericManager::add`] on an [`AsyncConnection`].
    pub fn aadd<'o>(
        &self,
        conn: &AsyncConnection,
        objs: &'o mut [&mut R::Items],
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        self.on_copies_of(conn, objs, |m, conn, objs| m.add(conn, objs))
    }

    /// [`GenericManager::create`] on an [`AsyncConnection`].
    pub fn acreate(
        &self,
        conn: &AsyncConnection,
        new: <R::Items as Model>::New,
    ) -> Pending<R::Items>
    where
        <R::Items as GenericItems>::Key: GenericInsert,
        <R::Items as Model>::New: Send,
    {
        self.on_worker(conn, move |m, conn| m.create(conn, new))
    }

    /// [`GenericManager::get_or_create`] on an [`AsyncConnection`].
    pub fn aget_or_create(
        &self,
        conn: &AsyncConnection,
        filter: Filter<R::Items>,
        new: <R::Items as Model>::New,
    ) -> Pending<(R::Items, bool)>
    where
        <R::Items as GenericItems>::Key: GenericInsert,
        <R::Items as Model>::New: Send,
    {
        self.on_worker(conn, move |m, conn| m.get_or_create(conn, filter, new))
    }

    /// [`GenericManager::update_or_create`] on an [`AsyncConnection`].
    pub fn aupdate_or_create(
        &self,
        conn: &AsyncConnection,
        filter: Filter<R::Items>,
        defaults: impl IntoIterator<Item = Assignment<R::Items>>,
        new: <R::Items as Model>::New,
    ) -> Pending<(R::Items, bool)>
    where
        <R::Items as GenericItems>::Key: GenericInsert,
        <R::Items as Model>::New: Send,
    {
        let defaults: Vec<_> = defaults.into_iter().collect();
        self.on_worker(conn, move |m, conn| {
            m.update_or_create(conn, filter, defaults, new)
        })
    }

    /// [`GenericManager::remove`] on an [`AsyncConnection`].
    pub fn aremove(&self, conn: &AsyncConnection, objs: &[&R::Items]) -> Pending<Deleted> {
        let objs: Vec<R::Items> = objs.iter().map(|o| (*o).clone()).collect();
        self.on_worker(conn, move |m, conn| {
            m.remove(conn, &objs.iter().collect::<Vec<_>>())
        })
    }

    /// [`GenericManager::clear`] on an [`AsyncConnection`].
    pub fn aclear(&self, conn: &AsyncConnection) -> Pending<Deleted> {
        self.on_worker(conn, |m, conn| m.clear(conn))
    }

    /// [`GenericManager::set`] on an [`AsyncConnection`].
    pub fn aset<'o>(
        &self,
        conn: &AsyncConnection,
        objs: &'o mut [&mut R::Items],
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        self.on_copies_of(conn, objs, |m, conn, objs| m.set(conn, objs))
    }
}
