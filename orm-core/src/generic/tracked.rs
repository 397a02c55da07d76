//! The manager of a prefetched generic relation, keeping the prefetched items in step
//! (`book.track(BookTags)`).

use crate::db::async_connection::AsyncConnection;
use crate::db::connection::Connection;
use crate::error::Result;
use crate::generic::prefetch::GenericReverse;
use crate::generic::{GenericInsert, GenericItems, GenericManager, GenericRelation, ObjectId};
use crate::model::{Deleted, Model};
use crate::relation::track::{append, drop_rows, TrackKind};
use crate::relation::Loaded;
use crate::relation::{AsyncRelatedManager, CreateRelated};

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
        self.manager.add(conn, objs.iter_mut().map(|o| &mut **o))?;
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
        let deleted = self.manager.remove(conn, objs.iter().copied())?;
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
        self.manager.set(conn, objs.iter_mut().map(|o| &mut **o))?;
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
        self.manager
            .aadd(conn, objs.iter_mut().map(|o| &mut **o))
            .await?;
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
        let deleted = self.manager.aremove(conn, objs.iter().copied()).await?;
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
        self.manager
            .aset(conn, objs.iter_mut().map(|o| &mut **o))
            .await?;
        self.rows.clear();
        append(self.rows, objs);
        Ok(())
    }
}
