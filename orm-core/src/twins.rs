//! The managers' async twins, Django's `aadd`, `acreate`, `aremove`, `aclear` and `aset`: each is
//! its sync method run on an [`AsyncConnection`], so both write the same statements in the same
//! transaction and run the same hooks.
//!
//! The closure a twin sends must own what it uses, so the twin copies the instance it was built
//! on and the objects passed in; after a successful write the copies, as the write left them,
//! replace the objects (a failed write leaves them as they were, as the sync method does).

use std::future::Future;

use crate::async_conn::{AsyncConnection, Pending};
use crate::connection::Connection;
use crate::error::Result;
use crate::generic::{GenericInsert, GenericItems, GenericManager, GenericRelation, ObjectId};
use crate::m2m::{distinct, ExtraSource, ManyToManyManager, OtherKey};
use crate::manager::ReverseManager;
use crate::model::{Deleted, Model};
use crate::relation::{ForeignKey, KeyOf, ManyToMany, NullableForeignKey, Side};

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

    /// [`ReverseManager::create`] on an [`AsyncConnection`].
    pub fn acreate(
        &self,
        conn: &AsyncConnection,
        new: impl FnOnce(R::Value) -> <R::Source as Model>::New + Send + 'static,
    ) -> Pending<R::Source> {
        let manager = self.clone();
        conn.run(move |conn| manager.create(conn, new))
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

/// The many-to-many manager's twins. Each takes what the sync method takes (rows or keys);
/// the keys are read before the future is returned.
impl<R: ManyToMany, S: Side<R>, D> ManyToManyManager<'_, R, S, D>
where
    S::Owner: Clone + Send,
    OtherKey<R, S>: Send,
    D: ExtraSource<R::Extra> + Clone + Send + 'static,
{
    /// Sends `f` with a manager of its own (a copy of the instance and the defaults).
    fn on_worker<T: Send + 'static>(
        &self,
        conn: &AsyncConnection,
        f: impl FnOnce(&ManyToManyManager<'_, R, S, D>, &mut Connection) -> Result<T> + Send + 'static,
    ) -> Pending<T> {
        let owner = self.owner.clone();
        let defaults = self.defaults.clone();
        conn.run(move |conn| f(&ManyToManyManager::with_defaults(&owner, defaults), conn))
    }

    /// [`ManyToManyManager::add`] on an [`AsyncConnection`].
    pub fn aadd<K: KeyOf<S::Other>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::Other, K>(objs);
        self.on_worker(conn, move |m, conn| m.add_keys(conn, keys))
    }

    /// [`ManyToManyManager::create`] on an [`AsyncConnection`].
    pub fn acreate(
        &self,
        conn: &AsyncConnection,
        new: <S::Other as Model>::New,
    ) -> Pending<S::Other>
    where
        S::Other: Send,
        <S::Other as Model>::New: Send,
    {
        self.on_worker(conn, move |m, conn| m.create(conn, new))
    }

    /// [`ManyToManyManager::remove`] on an [`AsyncConnection`].
    pub fn aremove<K: KeyOf<S::Other>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::Other, K>(objs);
        self.on_worker(conn, move |m, conn| m.remove_distinct(conn, keys))
    }

    /// [`ManyToManyManager::clear`] on an [`AsyncConnection`].
    pub fn aclear(&self, conn: &AsyncConnection) -> Pending<()> {
        self.on_worker(conn, |m, conn| m.clear(conn))
    }

    /// [`ManyToManyManager::set`] on an [`AsyncConnection`].
    pub fn aset<K: KeyOf<S::Other>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::Other, K>(objs);
        self.on_worker(conn, move |m, conn| m.set_keys(conn, keys))
    }

    /// [`ManyToManyManager::set_with_clear`] on an [`AsyncConnection`].
    pub fn aset_with_clear<K: KeyOf<S::Other>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::Other, K>(objs);
        self.on_worker(conn, move |m, conn| m.set_with_clear_keys(conn, keys))
    }
}

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

    /// [`GenericManager::add`] on an [`AsyncConnection`].
    pub fn aadd<'o>(
        &self,
        conn: &AsyncConnection,
        objs: &'o mut [&mut R::Items],
    ) -> impl Future<Output = Result<()>> + Send + 'o {
        let (owner, bulk) = (self.owner.clone(), self.bulk);
        let objs = objs.iter_mut().map(|o| &mut **o).collect();
        on_copies(conn, objs, move |conn, objs| {
            GenericManager::<R>::of(&owner).bulk(bulk).add(conn, objs)
        })
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
        let (owner, bulk) = (self.owner.clone(), self.bulk);
        let objs = objs.iter_mut().map(|o| &mut **o).collect();
        on_copies(conn, objs, move |conn, objs| {
            GenericManager::<R>::of(&owner).bulk(bulk).set(conn, objs)
        })
    }
}
