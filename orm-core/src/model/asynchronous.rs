//! A model's async twins (Django's `Model.objects.aget`, `acreate`, an instance's `asave`, ...):
//! each runs its sync method on an [`AsyncConnection`].

use crate::db::async_connection::{AsyncConnection, Pending};
use crate::model::{Deleted, Model};

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

    /// [`Model::save_or_insert`] on an [`AsyncConnection`] (a copy of the object is saved).
    fn asave_or_insert(&self, conn: &AsyncConnection) -> Pending<()> {
        let this = self.clone();
        conn.run(move |conn| this.save_or_insert(conn))
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
