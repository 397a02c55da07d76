//! The manager of a prefetched many-to-many, keeping the prefetched rows in step
//! (`pizza.track(PizzaToppings)`).

use crate::db::async_connection::AsyncConnection;
use crate::db::connection::Connection;
use crate::error::Result;
use crate::many_to_many::manager::ManyToManyManager;
use crate::many_to_many::prefetch::Linked;
use crate::many_to_many::through::{Defaults, DefaultsWith, ExtraSource, NoDefaults};
use crate::many_to_many::{ManyToMany, Side};
use crate::model::Model;
use crate::relation::track::{append, drop_rows, TrackKind};
use crate::relation::Loaded;
use crate::relation::{AsyncRelatedManager, CreateRelated};

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
    crate::many_to_many::manager::OtherKey<R, D>: Send,
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
