//! The many-to-many manager's async twins (Django's `aadd`, `aremove`, `aset`, ...): each runs
//! its sync method on an [`AsyncConnection`].

use crate::db::async_connection::{AsyncConnection, Pending};
use crate::db::connection::Connection;
use crate::error::Result;
use crate::many_to_many::manager::{distinct, ManyToManyManager, OtherKey};
use crate::many_to_many::through::ExtraSource;
use crate::many_to_many::{KeyOf, ManyToMany, Side};
use crate::model::Model;
use std::marker::PhantomData;

use crate::query::QuerySet;
use crate::relation::{AsyncRelatedManager, CreateRelated, RelatedManager};

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
        let owned = self.to_owned_manager();
        conn.run(move |conn| f(&owned.manager(), conn))
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

impl<R: ManyToMany, S: Side<R>, D> AsyncRelatedManager for ManyToManyManager<'_, R, S, D>
where
    S::Owner: Clone + Send,
    D: Clone + Send + 'static,
{
    type Owned = OwnedManyToManyManager<R, S, D>;

    fn to_owned_manager(&self) -> Self::Owned {
        OwnedManyToManyManager {
            owner: self.owner.clone(),
            defaults: self.defaults.clone(),
            _marker: PhantomData,
        }
    }
}

/// A many-to-many manager owning a copy of its instance and defaults: what an async twin sends
/// to the connection's thread.
#[derive(Debug)]
pub struct OwnedManyToManyManager<R: ManyToMany, S: Side<R>, D> {
    owner: S::Owner,
    defaults: D,
    _marker: PhantomData<fn() -> R>,
}

impl<R: ManyToMany, S: Side<R>, D: Clone> OwnedManyToManyManager<R, S, D> {
    /// The manager, borrowing the copy.
    fn manager(&self) -> ManyToManyManager<'_, R, S, D> {
        ManyToManyManager::with_defaults(&self.owner, self.defaults.clone())
    }
}

impl<R: ManyToMany, S: Side<R>, D: Clone> RelatedManager for OwnedManyToManyManager<R, S, D> {
    type Row = S::Other;

    fn related(&self, conn: &mut Connection) -> Result<QuerySet<S::Other>> {
        self.manager().related(conn)
    }

    fn count(&self, conn: &mut Connection) -> Result<i64> {
        self.manager().count(conn)
    }

    fn exists(&self, conn: &mut Connection) -> Result<bool> {
        self.manager().exists(conn)
    }
}

impl<R: ManyToMany, S: Side<R>, D> CreateRelated<<S::Other as Model>::New>
    for OwnedManyToManyManager<R, S, D>
where
    D: ExtraSource<R::Extra> + Clone,
{
    fn create(&self, conn: &mut Connection, new: <S::Other as Model>::New) -> Result<S::Other> {
        self.manager().create(conn, new)
    }
}
