//! The generic relation manager's async twins: each runs its sync method on an
//! [`AsyncConnection`].

use std::future::Future;

use crate::db::async_connection::{on_copies, AsyncConnection, Pending};
use crate::db::connection::Connection;
use crate::error::Result;
use crate::generic::ItemsKey;
use crate::generic::{GenericInsert, GenericManager, GenericRelation, ObjectId};
use crate::model::{Deleted, Model};
use crate::query::QuerySet;
use crate::relation::{AsyncRelatedManager, CreateRelated, RelatedManager};

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
        let owned = self.to_owned_manager();
        conn.run(move |conn| f(&owned.manager(), conn))
    }

    /// Sends `f` with a manager of its own and copies of `objs` ([`on_copies`]).
    fn on_copies_of<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Items>,
        f: impl FnOnce(&GenericManager<'_, R>, &mut Connection, &mut [&mut R::Items]) -> Result<()>
            + Send
            + 'static,
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        let owned = self.to_owned_manager();
        on_copies(conn, objs.into_iter().collect(), move |conn, objs| {
            f(&owned.manager(), conn, objs)
        })
    }

    /// [`GenericManager::add`] on an [`AsyncConnection`].
    pub fn aadd<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Items>,
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        self.on_copies_of(conn, objs, |m, conn, objs| {
            m.add(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }

    /// [`GenericManager::remove`] on an [`AsyncConnection`].
    pub fn aremove<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o R::Items>,
    ) -> Pending<Deleted> {
        let objs: Vec<R::Items> = objs.into_iter().cloned().collect();
        self.on_worker(conn, move |m, conn| m.remove(conn, &objs))
    }

    /// [`GenericManager::clear`] on an [`AsyncConnection`].
    pub fn aclear(&self, conn: &AsyncConnection) -> Pending<Deleted> {
        self.on_worker(conn, |m, conn| m.clear(conn))
    }

    /// [`GenericManager::set`] on an [`AsyncConnection`].
    pub fn aset<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Items>,
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        self.on_copies_of(conn, objs, |m, conn, objs| {
            m.set(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }

    /// [`GenericManager::set_with_clear`] on an [`AsyncConnection`].
    pub fn aset_with_clear<'o>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = &'o mut R::Items>,
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        self.on_copies_of(conn, objs, |m, conn, objs| {
            m.set_with_clear(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }
}

impl<R: GenericRelation> AsyncRelatedManager for GenericManager<'_, R>
where
    <R::Owner as Model>::Key: ObjectId,
    R::Owner: Clone + Send,
{
    type Owned = OwnedGenericManager<R>;

    fn to_owned_manager(&self) -> Self::Owned {
        OwnedGenericManager {
            owner: self.owner.clone(),
            bulk: self.bulk,
        }
    }
}

/// A generic relation manager owning a copy of its instance: what an async twin sends to the
/// connection's thread.
#[derive(Debug)]
pub struct OwnedGenericManager<R: GenericRelation> {
    owner: R::Owner,
    bulk: bool,
}

impl<R: GenericRelation> OwnedGenericManager<R>
where
    <R::Owner as Model>::Key: ObjectId,
{
    /// The manager, borrowing the copy.
    fn manager(&self) -> GenericManager<'_, R> {
        GenericManager::of(&self.owner).bulk(self.bulk)
    }
}

impl<R: GenericRelation> RelatedManager for OwnedGenericManager<R>
where
    <R::Owner as Model>::Key: ObjectId,
{
    type Row = R::Items;

    fn related(&self, conn: &mut Connection) -> Result<QuerySet<R::Items>> {
        self.manager().related(conn)
    }
}

impl<R: GenericRelation> CreateRelated<<R::Items as Model>::New> for OwnedGenericManager<R>
where
    <R::Owner as Model>::Key: ObjectId,
    ItemsKey<R>: GenericInsert,
{
    fn create(&self, conn: &mut Connection, new: <R::Items as Model>::New) -> Result<R::Items> {
        self.manager().create(conn, new)
    }
}
