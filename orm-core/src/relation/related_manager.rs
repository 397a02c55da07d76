//! What Django's three related managers share, written once: the related rows (`all`, `count`,
//! `exists`), `get_or_create` and `update_or_create` on top of each manager's own `create`, and
//! their async twins. Each kind's manager implements [`RelatedManager`], [`CreateRelated`] and,
//! where its instance can be copied to another thread, [`AsyncRelatedManager`];
//! `use orm_core::prelude::*` brings them into scope.

use crate::db::async_connection::{AsyncConnection, Pending};
use crate::db::connection::Connection;
use crate::error::Result;
use crate::model::Model;
use crate::query::{Assignment, Filter, QuerySet};

/// The rows related to one instance: `blog.entries()`, `pizza.toppings()`, `book.tags()`.
pub trait RelatedManager {
    /// The related model.
    type Row: Model;

    /// The related rows, as a query set (a generic relation first reads its content type,
    /// once per connection).
    fn related(&self, conn: &mut Connection) -> Result<QuerySet<Self::Row>>;

    /// Every related row. One statement.
    fn all(&self, conn: &mut Connection) -> Result<Vec<Self::Row>> {
        self.related(conn)?.all(conn)
    }

    /// How many related rows there are. One statement.
    fn count(&self, conn: &mut Connection) -> Result<i64> {
        self.related(conn)?.count(conn)
    }

    /// Whether there is any related row. One statement.
    fn exists(&self, conn: &mut Connection) -> Result<bool> {
        self.related(conn)?.exists(conn)
    }
}

/// A related manager that creates related rows from `N`: an insert form, or, on the reverse of
/// a foreign key, a closure given the key value to point with.
pub trait CreateRelated<N>: RelatedManager {
    /// Inserts a row related to the instance and returns it (each manager documents its
    /// statements).
    fn create(&self, conn: &mut Connection, new: N) -> Result<Self::Row>;

    /// The related row matching `filter`, or a new related row built from `new` (as
    /// [`CreateRelated::create`]): Django's `get_or_create` on a related manager. Returns the
    /// row and whether it was created. One statement when a row matches; see
    /// [`QuerySet::get_or_create`] for races. A row that matches but is not related is not
    /// found (as Django): a new one is created.
    fn get_or_create(
        &self,
        conn: &mut Connection,
        filter: Filter<Self::Row>,
        new: N,
    ) -> Result<(Self::Row, bool)> {
        self.related(conn)?
            .filter(filter)
            .get_or_insert(conn, |conn| self.create(conn, new))
    }

    /// Sets `defaults` on the related row matching `filter`, or creates a related row from
    /// `new`: Django's `update_or_create` on a related manager. See
    /// [`QuerySet::update_or_create`] for the statements.
    fn update_or_create(
        &self,
        conn: &mut Connection,
        filter: Filter<Self::Row>,
        defaults: impl IntoIterator<Item = Assignment<Self::Row>>,
        new: N,
    ) -> Result<(Self::Row, bool)> {
        self.related(conn)?
            .filter(filter)
            .update_or_insert(conn, defaults, |conn| self.create(conn, new))
    }
}

/// The async twins of a related manager whose instance can be copied to the connection's
/// thread: each runs its sync method there, on a manager owning the copy.
pub trait AsyncRelatedManager: RelatedManager {
    /// This manager with its instance copied.
    type Owned: RelatedManager<Row = Self::Row> + Send + 'static;

    /// This manager, owning a copy of its instance.
    fn to_owned_manager(&self) -> Self::Owned;

    /// [`RelatedManager::all`] on an [`AsyncConnection`].
    fn aall(&self, conn: &AsyncConnection) -> Pending<Vec<Self::Row>>
    where
        Self::Row: Send,
    {
        let manager = self.to_owned_manager();
        conn.run(move |conn| manager.all(conn))
    }

    /// [`RelatedManager::count`] on an [`AsyncConnection`].
    fn acount(&self, conn: &AsyncConnection) -> Pending<i64> {
        let manager = self.to_owned_manager();
        conn.run(move |conn| manager.count(conn))
    }

    /// [`RelatedManager::exists`] on an [`AsyncConnection`].
    fn aexists(&self, conn: &AsyncConnection) -> Pending<bool> {
        let manager = self.to_owned_manager();
        conn.run(move |conn| manager.exists(conn))
    }

    /// [`CreateRelated::create`] on an [`AsyncConnection`].
    fn acreate<N>(&self, conn: &AsyncConnection, new: N) -> Pending<Self::Row>
    where
        Self::Owned: CreateRelated<N>,
        Self::Row: Send,
        N: Send + 'static,
    {
        let manager = self.to_owned_manager();
        conn.run(move |conn| manager.create(conn, new))
    }

    /// [`CreateRelated::get_or_create`] on an [`AsyncConnection`].
    fn aget_or_create<N>(
        &self,
        conn: &AsyncConnection,
        filter: Filter<Self::Row>,
        new: N,
    ) -> Pending<(Self::Row, bool)>
    where
        Self::Owned: CreateRelated<N>,
        Self::Row: Send,
        N: Send + 'static,
    {
        let manager = self.to_owned_manager();
        conn.run(move |conn| manager.get_or_create(conn, filter, new))
    }

    /// [`CreateRelated::update_or_create`] on an [`AsyncConnection`].
    fn aupdate_or_create<N>(
        &self,
        conn: &AsyncConnection,
        filter: Filter<Self::Row>,
        defaults: impl IntoIterator<Item = Assignment<Self::Row>>,
        new: N,
    ) -> Pending<(Self::Row, bool)>
    where
        Self::Owned: CreateRelated<N>,
        Self::Row: Send,
        N: Send + 'static,
    {
        let manager = self.to_owned_manager();
        let defaults: Vec<_> = defaults.into_iter().collect();
        conn.run(move |conn| manager.update_or_create(conn, filter, defaults, new))
    }
}
