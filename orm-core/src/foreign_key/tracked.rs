//! The reverse manager of a prefetched foreign key, keeping the prefetched rows in step
//! (`blog.track(BlogEntries)`).

use crate::db::async_connection::AsyncConnection;
use crate::db::connection::Connection;
use crate::error::Result;
use crate::foreign_key::prefetch::ReverseKey;
use crate::foreign_key::{ForeignKey, NullableForeignKey, ReverseManager};
use crate::model::Model;
use crate::relation::track::{append, drop_rows, TrackKind};
use crate::relation::Loaded;
use crate::relation::{AsyncRelatedManager, CreateRelated};

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
