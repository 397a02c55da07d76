//! The async twins, Django's `aadd`, `acreate`, `aremove`, `aclear` and `aset` on the managers,
//! and `aget`, `acount`, ... on queries and models: each is its sync method run on an
//! [`AsyncConnection`], so both send the same statements in the same transaction and run the
//! same hooks.
//!
//! The closure a twin sends must own what it uses, so the twin copies the instance it was built
//! on and the objects passed in; after a successful write the copies, as the write left them,
//! replace the objects (a failed write leaves them as they were, as the sync method does).

use std::future::Future;

use crate::db::async_connection::{AsyncConnection, Pending};
use crate::db::connection::Connection;
use crate::db::value::Field;
use crate::error::Result;
use crate::generic::{GenericInsert, GenericItems, GenericManager, GenericRelation, ObjectId};
use crate::m2m::{distinct, ExtraSource, ManyToManyManager, OtherKey};
use crate::manager::ReverseManager;
use crate::model::{Deleted, Model};
use crate::prefetch::{
    prefetch_related_objects, AddPath, AddPaths, IntoLoaded, JoinMode, LoadedRow, Paths, Prefetch,
    Prefetching, WithSlot,
};
use crate::query::{Assignment, Column, Filter, QuerySet};
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

    /// [`ManyToManyManager::all`] on an [`AsyncConnection`].
    pub fn aall(&self, conn: &AsyncConnection) -> Pending<Vec<S::Other>>
    where
        S::Other: Send,
    {
        self.query().aall(conn)
    }

    /// [`ManyToManyManager::count`] on an [`AsyncConnection`].
    pub fn acount(&self, conn: &AsyncConnection) -> Pending<i64>
    where
        S::Other: Send,
    {
        self.query().acount(conn)
    }

    /// [`ManyToManyManager::exists`] on an [`AsyncConnection`].
    pub fn aexists(&self, conn: &AsyncConnection) -> Pending<bool>
    where
        S::Other: Send,
    {
        self.query().aexists(conn)
    }

    /// [`ManyToManyManager::add`] on an [`AsyncConnection`].
    pub fn aadd<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::OtherEnd, K>(objs);
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

    /// [`ManyToManyManager::get_or_create`] on an [`AsyncConnection`].
    pub fn aget_or_create(
        &self,
        conn: &AsyncConnection,
        filter: Filter<S::Other>,
        new: <S::Other as Model>::New,
    ) -> Pending<(S::Other, bool)>
    where
        S::Other: Send,
        <S::Other as Model>::New: Send,
    {
        self.on_worker(conn, move |m, conn| m.get_or_create(conn, filter, new))
    }

    /// [`ManyToManyManager::update_or_create`] on an [`AsyncConnection`].
    pub fn aupdate_or_create(
        &self,
        conn: &AsyncConnection,
        filter: Filter<S::Other>,
        defaults: impl IntoIterator<Item = Assignment<S::Other>>,
        new: <S::Other as Model>::New,
    ) -> Pending<(S::Other, bool)>
    where
        S::Other: Send,
        <S::Other as Model>::New: Send,
    {
        let defaults: Vec<_> = defaults.into_iter().collect();
        self.on_worker(conn, move |m, conn| {
            m.update_or_create(conn, filter, defaults, new)
        })
    }

    /// [`ManyToManyManager::remove`] on an [`AsyncConnection`].
    pub fn aremove<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::OtherEnd, K>(objs);
        self.on_worker(conn, move |m, conn| m.remove_distinct(conn, keys))
    }

    /// [`ManyToManyManager::clear`] on an [`AsyncConnection`].
    pub fn aclear(&self, conn: &AsyncConnection) -> Pending<()> {
        self.on_worker(conn, |m, conn| m.clear(conn))
    }

    /// [`ManyToManyManager::set`] on an [`AsyncConnection`].
    pub fn aset<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::OtherEnd, K>(objs);
        self.on_worker(conn, move |m, conn| m.set_keys(conn, keys))
    }

    /// [`ManyToManyManager::set_with_clear`] on an [`AsyncConnection`].
    pub fn aset_with_clear<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &AsyncConnection,
        objs: impl IntoIterator<Item = K>,
    ) -> Pending<()> {
        let keys = distinct::<S::OtherEnd, K>(objs);
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

/// A model's twins: Django's `Model.objects.aget`, `acreate`, `abulk_create`, and an instance's
/// `asave`, `adelete`, `arefresh_from_db`. Implemented for every model.
pub trait AsyncModel: Model + Clone + Send {
    /// [`Model::get`] on an [`AsyncConnection`].
    fn aget(conn: &AsyncConnection, key: impl Into<Self::Key>) -> Pending<Self>
    where
        Self::Key: Send,
    {
        let key: Self::Key = key.into();
        conn.run(move |conn| Self::get(conn, key))
    }

    /// [`Model::create`] on an [`AsyncConnection`].
    fn acreate(conn: &AsyncConnection, new: Self::New) -> Pending<Self>
    where
        Self::New: Send,
    {
        conn.run(move |conn| Self::create(conn, new))
    }

    /// [`Model::bulk_create`] on an [`AsyncConnection`].
    fn abulk_create(
        conn: &AsyncConnection,
        rows: impl IntoIterator<Item = Self::New>,
    ) -> Pending<Vec<Self>>
    where
        Self::New: Send,
    {
        let rows: Vec<Self::New> = rows.into_iter().collect();
        conn.run(move |conn| Self::bulk_create(conn, rows))
    }

    /// [`Model::save`] on an [`AsyncConnection`] (a copy of the object is saved).
    fn asave(&self, conn: &AsyncConnection) -> Pending<()> {
        let this = self.clone();
        conn.run(move |conn| this.save(conn))
    }

    /// [`Model::delete`] on an [`AsyncConnection`].
    fn adelete(&self, conn: &AsyncConnection) -> Pending<Deleted> {
        let this = self.clone();
        conn.run(move |conn| this.delete(conn))
    }

    /// [`Model::refresh`] on an [`AsyncConnection`].
    fn arefresh(&self, conn: &AsyncConnection) -> Pending<Self> {
        let this = self.clone();
        conn.run(move |conn| this.refresh(conn))
    }
}

impl<M: Model + Clone + Send> AsyncModel for M {}
