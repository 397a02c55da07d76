//! Writes through a prefetched relation that keep the prefetched rows in step: a manager
//! borrowed from a [`Loaded`] value (`blog.track(BlogEntries).create(..)`).
//!
//! After each write the slot holds what a plain prefetch of the relation would load now, with
//! no extra statement: added and created rows are appended, removed ones dropped, `clear`
//! empties it, `set` replaces it. A slot loaded with a custom query (a filter, top N) is a view
//! the write may not respect: prefetch again for those.

use std::collections::HashSet;

use crate::connection::Connection;
use crate::error::Result;
use crate::m2m::ManyToManyManager;
use crate::manager::ReverseManager;
use crate::model::Model;
use crate::relation::{ForeignKey, ManyToMany, NullableForeignKey, OptionalExtra, Side};

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
        let have: HashSet<_> = self.rows.iter().map(|r| r.key().clone()).collect();
        for obj in objs.iter() {
            if !have.contains(obj.key()) {
                self.rows.push(Loaded::new((**obj).clone()));
            }
        }
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
        let gone: HashSet<_> = objs.iter().map(|o| o.key().clone()).collect();
        self.rows.retain(|r| !gone.contains(r.key()));
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
        if F::null().is_some() {
            self.rows.clear();
        }
        let have: HashSet<_> = self.rows.iter().map(|r| r.key().clone()).collect();
        for obj in objs.iter() {
            if !have.contains(obj.key()) {
                self.rows.push(Loaded::new((**obj).clone()));
            }
        }
        Ok(())
    }
}

/// A many-to-many manager over prefetched rows.
#[derive(Debug)]
pub struct TrackedLinks<'a, R: ManyToMany, D: Side<R>> {
    manager: ManyToManyManager<'a, R, D>,
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

impl<R: ManyToMany, D: Side<R>> TrackedLinks<'_, R, D>
where
    D::Other: Clone,
    R::Extra: OptionalExtra,
{
    /// [`ManyToManyManager::add`], then the objects are in the prefetched rows.
    pub fn add<'o>(
        &mut self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o D::Other>,
    ) -> Result<()> {
        let objs: Vec<&D::Other> = objs.into_iter().collect();
        self.manager.add(conn, objs.iter().copied())?;
        self.append(&objs);
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

    /// [`ManyToManyManager::remove`], then the objects are gone from the prefetched rows.
    pub fn remove<'o>(
        &mut self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o D::Other>,
    ) -> Result<()> {
        let objs: Vec<&D::Other> = objs.into_iter().collect();
        self.manager.remove(conn, objs.iter().copied())?;
        let gone: HashSet<_> = objs.iter().map(|o| o.key()).collect();
        self.rows.retain(|r| !gone.contains(r.key()));
        Ok(())
    }

    /// [`ManyToManyManager::clear`], then the prefetched rows are empty.
    pub fn clear(&mut self, conn: &mut Connection) -> Result<()> {
        self.manager.clear(conn)?;
        self.rows.clear();
        Ok(())
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
        self.append(&objs);
        Ok(())
    }

    fn append(&mut self, objs: &[&D::Other]) {
        let mut have: HashSet<_> = self.rows.iter().map(|r| r.key().clone()).collect();
        for obj in objs {
            if have.insert(obj.key().clone()) {
                self.rows.push(Loaded::new((*obj).clone()));
            }
        }
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
        let have: HashSet<_> = self.rows.iter().map(|r| r.key().clone()).collect();
        for obj in objs.iter() {
            if !have.contains(obj.key()) {
                self.rows.push(Loaded::new((**obj).clone()));
            }
        }
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
        let gone: HashSet<_> = objs.iter().map(|o| o.key()).collect();
        self.rows.retain(|r| !gone.contains(r.key()));
        Ok(deleted)
    }

    /// [`GenericManager::clear`], then the prefetched rows are empty.
    pub fn clear(&mut self, conn: &mut Connection) -> Result<Deleted> {
        let deleted = self.manager.clear(conn)?;
        self.rows.clear();
        Ok(deleted)
    }
}
