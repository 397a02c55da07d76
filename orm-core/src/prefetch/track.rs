//! Writes through a prefetched relation that keep the prefetched rows in step: a manager
//! borrowed from a [`Loaded`] value (`blog.track(BlogEntries).create(..)`).
//!
//! After each write the slot holds what a plain prefetch of the relation would load now, with
//! no extra statement: added and created rows are appended, removed ones dropped, `clear`
//! empties it, `set` replaces it. A slot loaded with a custom query (a filter, top N) is a view
//! the write may not respect: prefetch again for those.

use std::collections::HashSet;

use crate::db::async_connection::AsyncConnection;
use crate::db::connection::Connection;
use crate::error::Result;
use crate::m2m::{Defaults, DefaultsWith, ExtraSource, ManyToManyManager, NoDefaults};
use crate::manager::ReverseManager;
use crate::model::Model;
use crate::relation::{ForeignKey, ManyToMany, NullableForeignKey, Side};

use crate::generic::{GenericInsert, GenericItems, GenericManager, GenericRelation, ObjectId};
use crate::model::Deleted;

use super::loaded::{Has, Loaded};
use super::path::{GenericReverse, Linked, Relation, ReverseKey};

/// The kinds of relation whose prefetched rows a manager can keep in step (reverse foreign keys
/// and many-to-many), and the manager for each.
#[diagnostic::on_unimplemented(
    message = "writes through `{Self}` cannot keep its prefetched rows in step",
    label = "only a reverse foreign key or a many-to-many prefetched as is can be tracked",
    note = "use the model's own manager and prefetch again"
)]
pub trait TrackKind<M, V> {
    /// The manager.
    type Tracked<'a>
    where
        M: 'a,
        V: 'a;
    /// The manager for `owner`, updating `slot`.
    fn track<'a>(owner: &'a M, slot: &'a mut V) -> Self::Tracked<'a>;
}

impl<M, R> Loaded<M, R> {
    /// A manager for the prefetched relation `key` that also updates what was prefetched:
    /// `blog.track(BlogEntries).create(&mut conn, |blog_id| NewEntry { .. })` appends the new
    /// entry to `blog.get(BlogEntries)`. Costs what the manager's method costs, nothing more.
    pub fn track<K>(
        &mut self,
        key: K,
    ) -> <K::Kind as TrackKind<M, <R as Has<K>>::Value>>::Tracked<'_>
    where
        K: Relation,
        R: Has<K>,
        K::Kind: TrackKind<M, <R as Has<K>>::Value>,
    {
        let _ = key;
        let (model, related) = self.parts_mut();
        <K::Kind as TrackKind<M, _>>::track(model, related.slot_mut())
    }
}

/// A reverse foreign-key manager over prefetched rows.
#[derive(Debug)]
pub struct TrackedRows<'a, F: ForeignKey> {
    manager: ReverseManager<F>,
    rows: &'a mut Vec<Loaded<F::Source>>,
}

impl<F: ForeignKey> TrackKind<F::Target, Vec<Loaded<F::Source>>> for ReverseKey<F>
where
    F::Source: Clone,
{
    type Tracked<'a> = TrackedRows<'a, F>;
    fn track<'a>(owner: &'a F::Target, rows: &'a mut Vec<Loaded<F::Source>>) -> TrackedRows<'a, F> {
        TrackedRows {
            manager: ReverseManager::of(owner),
            rows,
        }
    }
}

impl<F: ForeignKey> TrackedRows<'_, F>
where
    F::Source: Clone,
{
    /// [`ReverseManager::add`], then the objects are in the prefetched rows.
    pub fn add(&mut self, conn: &mut Connection, objs: &mut [&mut F::Source]) -> Result<()> {
        self.manager.add(conn, objs.iter_mut().map(|o| &mut **o))?;
        append(self.rows, objs);
        Ok(())
    }

    /// [`ReverseManager::create`], then the new row is in the prefetched rows.
    pub fn create(
        &mut self,
        conn: &mut Connection,
        new: impl FnOnce(F::Value) -> <F::Source as Model>::New,
    ) -> Result<F::Source> {
        let row = self.manager.create(conn, new)?;
        self.rows.push(Loaded::new(row.clone()));
        Ok(row)
    }

    /// [`ReverseManager::remove`], then the objects are gone from the prefetched rows.
    pub fn remove(&mut self, conn: &mut Connection, objs: &mut [&mut F::Source]) -> Result<()>
    where
        F: NullableForeignKey,
    {
        self.manager
            .remove(conn, objs.iter_mut().map(|o| &mut **o))?;
        drop_rows(self.rows, objs);
        Ok(())
    }

    /// [`ReverseManager::clear`], then the prefetched rows are empty.
    pub fn clear(&mut self, conn: &mut Connection) -> Result<()>
    where
        F: NullableForeignKey,
    {
        self.manager.clear(conn)?;
        self.rows.clear();
        Ok(())
    }

    /// [`ReverseManager::set`], then the prefetched rows are the objects (on a non-nullable key,
    /// which only adds, the objects join the rows already there).
    pub fn set(&mut self, conn: &mut Connection, objs: &mut [&mut F::Source]) -> Result<()> {
        self.manager.set(conn, objs.iter_mut().map(|o| &mut **o))?;
        self.after_set(objs);
        Ok(())
    }

    fn after_set(&mut self, objs: &[&mut F::Source]) {
        if F::null().is_some() {
            self.rows.clear();
        }
        append(self.rows, objs);
    }
}

/// The twins of [`TrackedRows`]' methods, on an [`AsyncConnection`].
impl<F: ForeignKey> TrackedRows<'_, F>
where
    F::Source: Clone + Send,
    F::Key: Send,
{
    /// [`TrackedRows::add`] on an [`AsyncConnection`].
    pub async fn aadd(
        &mut self,
        conn: &AsyncConnection,
        objs: &mut [&mut F::Source],
    ) -> Result<()> {
        self.manager
            .aadd(conn, objs.iter_mut().map(|o| &mut **o))
            .await?;
        append(self.rows, objs);
        Ok(())
    }

    /// [`TrackedRows::create`] on an [`AsyncConnection`].
    pub async fn acreate(
        &mut self,
        conn: &AsyncConnection,
        new: impl FnOnce(F::Value) -> <F::Source as Model>::New + Send + 'static,
    ) -> Result<F::Source> {
        let row = self.manager.acreate(conn, new).await?;
        self.rows.push(Loaded::new(row.clone()));
        Ok(row)
    }

    /// [`TrackedRows::remove`] on an [`AsyncConnection`].
    pub async fn aremove(
        &mut self,
        conn: &AsyncConnection,
        objs: &mut [&mut F::Source],
    ) -> Result<()>
    where
        F: NullableForeignKey,
    {
        self.manager
            .aremove(conn, objs.iter_mut().map(|o| &mut **o))
            .await?;
        drop_rows(self.rows, objs);
        Ok(())
    }

    /// [`TrackedRows::clear`] on an [`AsyncConnection`].
    pub async fn aclear(&mut self, conn: &AsyncConnection) -> Result<()>
    where
        F: NullableForeignKey,
    {
        self.manager.aclear(conn).await?;
        self.rows.clear();
        Ok(())
    }

    /// [`TrackedRows::set`] on an [`AsyncConnection`].
    pub async fn aset(
        &mut self,
        conn: &AsyncConnection,
        objs: &mut [&mut F::Source],
    ) -> Result<()> {
        self.manager
            .aset(conn, objs.iter_mut().map(|o| &mut **o))
            .await?;
        self.after_set(objs);
        Ok(())
    }
}

/// Appends the objects the rows do not hold yet.
fn append<T: Model + Clone, O: std::ops::Deref<Target = T>>(rows: &mut Vec<Loaded<T>>, objs: &[O]) {
    let mut have: HashSet<_> = rows.iter().map(|r| r.key().clone()).collect();
    for obj in objs {
        if have.insert(obj.key().clone()) {
            rows.push(Loaded::new((**obj).clone()));
        }
    }
}

/// Drops the rows of the objects.
fn drop_rows<T: Model, O: std::ops::Deref<Target = T>>(rows: &mut Vec<Loaded<T>>, objs: &[O]) {
    let gone: HashSet<_> = objs.iter().map(|o| o.key()).collect();
    rows.retain(|r| !gone.contains(r.key()));
}

/// A many-to-many manager over prefetched rows; `X` gives the through rows' extra fields, as
/// the manager's `D` does.
#[derive(Debug)]
pub struct TrackedLinks<'a, R: ManyToMany, D: Side<R>, X = NoDefaults> {
    manager: ManyToManyManager<'a, R, D, X>,
    rows: &'a mut Vec<Loaded<D::Other>>,
}

impl<R: ManyToMany, D: Side<R>> TrackKind<D::Owner, Vec<Loaded<D::Other>>> for Linked<R, D>
where
    D::Other: Clone,
{
    type Tracked<'a> = TrackedLinks<'a, R, D>;
    fn track<'a>(
        owner: &'a D::Owner,
        rows: &'a mut Vec<Loaded<D::Other>>,
    ) -> TrackedLinks<'a, R, D> {
        TrackedLinks {
            manager: ManyToManyManager::of(owner),
            rows,
        }
    }
}

impl<'a, R: ManyToMany, D: Side<R>> TrackedLinks<'a, R, D, NoDefaults> {
    /// [`ManyToManyManager::through_defaults`]: the through rows' extra fields for the links
    /// `add`, `create` and `set` insert.
    pub fn through_defaults(self, extra: R::Extra) -> TrackedLinks<'a, R, D, Defaults<R::Extra>> {
        TrackedLinks {
            manager: self.manager.through_defaults(extra),
            rows: self.rows,
        }
    }

    /// [`ManyToManyManager::through_defaults_with`]: the extra fields computed once per call.
    pub fn through_defaults_with<F: Fn() -> R::Extra>(
        self,
        f: F,
    ) -> TrackedLinks<'a, R, D, DefaultsWith<F>> {
        TrackedLinks {
            manager: self.manager.through_defaults_with(f),
            rows: self.rows,
        }
    }
}

impl<R: ManyToMany, D: Side<R>, X: ExtraSource<R::Extra>> TrackedLinks<'_, R, D, X>
where
    D::Other: Clone,
{
    /// [`ManyToManyManager::add`], then the objects are in the prefetched rows.
    pub fn add<'o>(
        &mut self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o D::Other>,
    ) -> Result<()> {
        let objs: Vec<&D::Other> = objs.into_iter().collect();
        self.manager.add(conn, objs.iter().copied())?;
        append(self.rows, &objs);
        Ok(())
    }

    /// [`ManyToManyManager::create`], then the new row is in the prefetched rows.
    pub fn create(
        &mut self,
        conn: &mut Connection,
        new: <D::Other as Model>::New,
    ) -> Result<D::Other> {
        let row = self.manager.create(conn, new)?;
        self.rows.push(Loaded::new(row.clone()));
        Ok(row)
    }

    /// [`ManyToManyManager::set`], then the prefetched rows are the objects.
    pub fn set<'o>(
        &mut self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o D::Other>,
    ) -> Result<()> {
        let objs: Vec<&D::Other> = objs.into_iter().collect();
        self.manager.set(conn, objs.iter().copied())?;
        self.rows.clear();
        append(self.rows, &objs);
        Ok(())
    }
}

/// Unlinking needs no through values.
impl<R: ManyToMany, D: Side<R>, X> TrackedLinks<'_, R, D, X>
where
    D::Other: Clone,
{
    /// [`ManyToManyManager::remove`], then the objects are gone from the prefetched rows.
    pub fn remove<'o>(
        &mut self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o D::Other>,
    ) -> Result<()> {
        let objs: Vec<&D::Other> = objs.into_iter().collect();
        self.manager.remove(conn, objs.iter().copied())?;
        drop_rows(self.rows, &objs);
        Ok(())
    }

    /// [`ManyToManyManager::clear`], then the prefetched rows are empty.
    pub fn clear(&mut self, conn: &mut Connection) -> Result<()> {
        self.manager.clear(conn)?;
        self.rows.clear();
        Ok(())
    }
}

/// The twins of [`TrackedLinks`]' methods, on an [`AsyncConnection`].
impl<R: ManyToMany, D: Side<R>, X> TrackedLinks<'_, R, D, X>
where
    D::Owner: Clone + Send,
    D::Other: Clone + Send,
    crate::m2m::OtherKey<R, D>: Send,
    <D::Other as Model>::New: Send,
    X: ExtraSource<R::Extra> + Clone + Send + 'static,
{
    /// [`TrackedLinks::add`] on an [`AsyncConnection`].
    pub async fn aadd(&mut self, conn: &AsyncConnection, objs: &[&D::Other]) -> Result<()> {
        self.manager.aadd(conn, objs.iter().copied()).await?;
        append(self.rows, objs);
        Ok(())
    }

    /// [`TrackedLinks::create`] on an [`AsyncConnection`].
    pub async fn acreate(
        &mut self,
        conn: &AsyncConnection,
        new: <D::Other as Model>::New,
    ) -> Result<D::Other> {
        let row = self.manager.acreate(conn, new).await?;
        self.rows.push(Loaded::new(row.clone()));
        Ok(row)
    }

    /// [`TrackedLinks::remove`] on an [`AsyncConnection`].
    pub async fn aremove(&mut self, conn: &AsyncConnection, objs: &[&D::Other]) -> Result<()> {
        self.manager.aremove(conn, objs.iter().copied()).await?;
        drop_rows(self.rows, objs);
        Ok(())
    }

    /// [`TrackedLinks::clear`] on an [`AsyncConnection`].
    pub async fn aclear(&mut self, conn: &AsyncConnection) -> Result<()> {
        self.manager.aclear(conn).await?;
        self.rows.clear();
        Ok(())
    }

    /// [`TrackedLinks::set`] on an [`AsyncConnection`].
    pub async fn aset(&mut self, conn: &AsyncConnection, objs: &[&D::Other]) -> Result<()> {
        self.manager.aset(conn, objs.iter().copied()).await?;
        self.rows.clear();
        append(self.rows, objs);
        Ok(())
    }
}

/// A generic relation's manager over prefetched rows.
pub struct TrackedItems<'a, R: GenericRelation> {
    manager: GenericManager<'a, R>,
    rows: &'a mut Vec<Loaded<R::Items>>,
}

impl<R: GenericRelation> std::fmt::Debug for TrackedItems<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackedItems")
            .field("manager", &self.manager)
            .field("rows", &self.rows.len())
            .finish()
    }
}

impl<R: GenericRelation> TrackKind<R::Owner, Vec<Loaded<R::Items>>> for GenericReverse<R>
where
    R::Items: Clone,
    <R::Owner as Model>::Key: ObjectId,
{
    type Tracked<'a> = TrackedItems<'a, R>;
    fn track<'a>(owner: &'a R::Owner, rows: &'a mut Vec<Loaded<R::Items>>) -> TrackedItems<'a, R> {
        TrackedItems {
            manager: GenericManager::of(owner),
            rows,
        }
    }
}

impl<R: GenericRelation> TrackedItems<'_, R>
where
    R::Items: Clone,
    <R::Owner as Model>::Key: ObjectId,
{
    /// [`GenericManager::add`], then the objects are in the prefetched rows.
    pub fn add(&mut self, conn: &mut Connection, objs: &mut [&mut R::Items]) -> Result<()> {
        self.manager.add(conn, objs)?;
        append(self.rows, objs);
        Ok(())
    }

    /// [`GenericManager::create`], then the new row is in the prefetched rows.
    pub fn create(
        &mut self,
        conn: &mut Connection,
        new: <R::Items as Model>::New,
    ) -> Result<R::Items>
    where
        <R::Items as GenericItems>::Key: GenericInsert,
    {
        let row = self.manager.create(conn, new)?;
        self.rows.push(Loaded::new(row.clone()));
        Ok(row)
    }

    /// [`GenericManager::remove`], then the objects are gone from the prefetched rows.
    pub fn remove(&mut self, conn: &mut Connection, objs: &[&R::Items]) -> Result<Deleted> {
        let deleted = self.manager.remove(conn, objs)?;
        drop_rows(self.rows, objs);
        Ok(deleted)
    }

    /// [`GenericManager::clear`], then the prefetched rows are empty.
    pub fn clear(&mut self, conn: &mut Connection) -> Result<Deleted> {
        let deleted = self.manager.clear(conn)?;
        self.rows.clear();
        Ok(deleted)
    }

    /// [`GenericManager::set`], then the prefetched rows are the objects.
    pub fn set(&mut self, conn: &mut Connection, objs: &mut [&mut R::Items]) -> Result<()> {
        self.manager.set(conn, objs)?;
        self.rows.clear();
        append(self.rows, objs);
        Ok(())
    }
}

/// The twins of [`TrackedItems`]' methods, on an [`AsyncConnection`].
impl<R: GenericRelation> TrackedItems<'_, R>
where
    R::Owner: Clone + Send,
    R::Items: Clone + Send,
    <R::Owner as Model>::Key: ObjectId,
{
    /// [`TrackedItems::add`] on an [`AsyncConnection`].
    pub async fn aadd(&mut self, conn: &AsyncConnection, objs: &mut [&mut R::Items]) -> Result<()> {
        self.manager.aadd(conn, objs).await?;
        append(self.rows, objs);
        Ok(())
    }

    /// [`TrackedItems::create`] on an [`AsyncConnection`].
    pub async fn acreate(
        &mut self,
        conn: &AsyncConnection,
        new: <R::Items as Model>::New,
    ) -> Result<R::Items>
    where
        <R::Items as GenericItems>::Key: GenericInsert,
        <R::Items as Model>::New: Send,
    {
        let row = self.manager.acreate(conn, new).await?;
        self.rows.push(Loaded::new(row.clone()));
        Ok(row)
    }

    /// [`TrackedItems::remove`] on an [`AsyncConnection`].
    pub async fn aremove(&mut self, conn: &AsyncConnection, objs: &[&R::Items]) -> Result<Deleted> {
        let deleted = self.manager.aremove(conn, objs).await?;
        drop_rows(self.rows, objs);
        Ok(deleted)
    }

    /// [`TrackedItems::clear`] on an [`AsyncConnection`].
    pub async fn aclear(&mut self, conn: &AsyncConnection) -> Result<Deleted> {
        let deleted = self.manager.aclear(conn).await?;
        self.rows.clear();
        Ok(deleted)
    }

    /// [`TrackedItems::set`] on an [`AsyncConnection`].
    pub async fn aset(&mut self, conn: &AsyncConnection, objs: &mut [&mut R::Items]) -> Result<()> {
        self.manager.aset(conn, objs).await?;
        self.rows.clear();
        append(self.rows, objs);
        Ok(())
    }
}
