//! The reverse manager's async twins (Django's `acreate`, `aadd`, ...): each runs its sync
//! method on an [`AsyncConnection`].

use std::future::Future;

use crate::db::async_connection::{on_copies, AsyncConnection, Pending};
use crate::error::Result;
use crate::foreign_key::{ForeignKey, NullableForeignKey, ReverseManager};
use crate::model::Model;
use crate::query::{Assignment, Filter};

/// The reverse foreign-key manager's twins.
impl<R: ForeignKey> ReverseManager<R>
where
    R::Source: Clone + Send,
    R::Key: Send,
{
    /// [`ReverseManager::all`] on an [`AsyncConnection`].
    pub fn aall(&self, conn: &AsyncConnection) -> Pending<Vec<R::Source>> {
        self.query().aall(conn)
    }

    /// [`ReverseManager::count`] on an [`AsyncConnection`].
    pub fn acount(&self, conn: &AsyncConnection) -> Pending<i64> {
        self.query().acount(conn)
    }

    /// [`ReverseManager::exists`] on an [`AsyncConnection`].
    pub fn aexists(&self, conn: &AsyncConnection) -> Pending<bool> {
        self.query().aexists(conn)
    }

    /// [`ReverseManager::add`] on an [`AsyncConnection`].
    pub fn aadd<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        let manager = self.clone();
        on_copies(conn, objs.into_iter().collect(), move |conn, objs| {
            manager.add(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }

    /// [`ReverseManager::create`] on an [`AsyncConnection`].
    pub fn acreate(
        &self,
        conn: &AsyncConnection,
        new: impl FnOnce(R::Value) -> <R::Source as Model>::New + Send + 'static,
    ) -> Pending<R::Source> {
        let manager = self.clone();
        conn.run(move |conn| manager.create(conn, new))
    }

    /// [`ReverseManager::get_or_create`] on an [`AsyncConnection`].
    pub fn aget_or_create(
        &self,
        conn: &AsyncConnection,
        filter: Filter<R::Source>,
        new: impl FnOnce(R::Value) -> <R::Source as Model>::New + Send + 'static,
    ) -> Pending<(R::Source, bool)> {
        let manager = self.clone();
        conn.run(move |conn| manager.get_or_create(conn, filter, new))
    }

    /// [`ReverseManager::update_or_create`] on an [`AsyncConnection`].
    pub fn aupdate_or_create(
        &self,
        conn: &AsyncConnection,
        filter: Filter<R::Source>,
        defaults: impl IntoIterator<Item = Assignment<R::Source>>,
        new: impl FnOnce(R::Value) -> <R::Source as Model>::New + Send + 'static,
    ) -> Pending<(R::Source, bool)> {
        let manager = self.clone();
        let defaults: Vec<_> = defaults.into_iter().collect();
        conn.run(move |conn| manager.update_or_create(conn, filter, defaults, new))
    }

    /// [`ReverseManager::remove`] on an [`AsyncConnection`].
    pub fn aremove<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> impl Future<Output = Result<()>> + Send + 'o
    where
        R: NullableForeignKey,
    {
        let manager = self.clone();
        on_copies(conn, objs.into_iter().collect(), move |conn, objs| {
            manager.remove(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }

    /// [`ReverseManager::clear`] on an [`AsyncConnection`].
    pub fn aclear(&self, conn: &AsyncConnection) -> Pending<()>
    where
        R: NullableForeignKey,
    {
        let manager = self.clone();
        conn.run(move |conn| manager.clear(conn))
    }

    /// [`ReverseManager::set`] on an [`AsyncConnection`].
    pub fn aset<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        let manager = self.clone();
        on_copies(conn, objs.into_iter().collect(), move |conn, objs| {
            manager.set(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }

    /// [`ReverseManager::set_with_clear`] on an [`AsyncConnection`].
    pub fn aset_with_clear<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> impl Future<Output = Result<()>> + Send + 'o
    where
        R: NullableForeignKey,
    {
        let manager = self.clone();
        on_copies(conn, objs.into_iter().collect(), move |conn, objs| {
            manager.set_with_clear(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }
}
