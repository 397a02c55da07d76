//! The many-to-many manager's async twins (Django's `aadd`, `aremove`, `aset`, ...): each runs
//! its sync method on an [`AsyncConnection`].

use crate::db::async_connection::{AsyncConnection, Pending};
use crate::db::connection::Connection;
use crate::error::Result;
use crate::many_to_many::manager::{distinct, ManyToManyManager, OtherKey};
use crate::many_to_many::through::ExtraSource;
use crate::many_to_many::{KeyOf, ManyToMany, Side};
use crate::model::Model;
use crate::query::{Assignment, Filter};

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
