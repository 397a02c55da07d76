//! The reverse manager's async twins (Django's `acreate`, `aadd`, ...): each runs its sync
//! method on an [`AsyncConnection`].

use std::future::Future;

use crate::db::async_connection::{on_copies, AsyncConnection, Pending};
use crate::error::Result;
use crate::foreign_key::{ForeignKey, NullableForeignKey, ReverseManager};
use crate::relation::AsyncRelatedManager;

/// The reverse foreign-key manager's twins.
impl<R: ForeignKey> ReverseManager<R>
where
    R::Source: Clone + Send,
    R::Key: Send,
{
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

impl<R: ForeignKey> AsyncRelatedManager for ReverseManager<R>
where
    R::Source: Clone + Send,
    R::Key: Send,
{
    type Owned = Self;

    fn to_owned_manager(&self) -> Self {
        self.clone()
    }
}
