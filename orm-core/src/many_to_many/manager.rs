//! Many-to-many managers: `pizza.toppings()` and `topping.pizza_set()`, Django's related
//! manager for a `ManyToManyField`, and the through-row query.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use crate::db::backend::Backend;
use crate::db::connection::Connection;
use crate::db::decode::One;
use crate::db::sql::SqlWriter;
use crate::db::value::{row_order, Field, Value};
use crate::error::Result;
use crate::many_to_many::hooks::{fire, M2mAction, M2mHook};
use crate::many_to_many::through::{Defaults, DefaultsWith, ExtraSource, NoDefaults, ThroughQuery};
use crate::many_to_many::{EndKey, Forward, KeyOf, LinkEnd, ManyToMany, ManyToManyThrough, Side};
use crate::model::{check_rows, explain_unsaved, insert_one, lock_rows, Model};
use crate::query::{Expr, Filter, Link, QuerySet};
use crate::relation::{CreateRelated, RelatedManager};

/// One side of a many-to-many relation `R`, seen from one instance: `pizza.toppings()` (side
/// [`Forward`]) or `topping.pizza_set()` (side [`crate::Reverse`]).
///
/// Every method writes at once, in one transaction (a savepoint when one is open). `add` and
/// `set` never duplicate a link, also when two connections add the same link at once
/// (`ON CONFLICT DO NOTHING`; `ON DUPLICATE KEY UPDATE` on MySQL). Hooks registered with
/// [`Connection::on_m2m_changed`] run before and after each change.
///
/// When the instance has no row, a write fails with [`crate::error::Error::Unsaved`]; a key passed in
/// that has no row fails with [`crate::error::Error::Integrity`] of kind `ForeignKey`. Either way
/// nothing is written.
pub struct ManyToManyManager<'a, R: ManyToMany, S: Side<R> = Forward, D = NoDefaults> {
    pub(crate) owner: &'a S::Owner,
    pub(crate) defaults: D,
    _marker: PhantomData<fn() -> R>,
}

impl<R: ManyToMany, S: Side<R>, D: fmt::Debug> fmt::Debug for ManyToManyManager<'_, R, S, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManyToManyManager")
            .field("relation", &R::NAME)
            .field("reverse", &S::REVERSE)
            .field("owner", &self.owner.key())
            .field("defaults", &self.defaults)
            .finish()
    }
}

/// What a link holds for a row of the manager's other side.
pub(crate) type OtherKey<R, S> = EndKey<<S as Side<R>>::OtherEnd>;

impl<'a, R: ManyToMany, S: Side<R>> ManyToManyManager<'a, R, S, NoDefaults> {
    /// The manager of `owner`'s links.
    pub fn of(owner: &'a S::Owner) -> Self {
        ManyToManyManager {
            owner,
            defaults: NoDefaults,
            _marker: PhantomData,
        }
    }

    /// Values for the through model's extra fields, for every link this manager's `add`,
    /// `create` and `set` insert.
    pub fn through_defaults(
        self,
        extra: R::Extra,
    ) -> ManyToManyManager<'a, R, S, Defaults<R::Extra>> {
        ManyToManyManager {
            owner: self.owner,
            defaults: Defaults(extra),
            _marker: PhantomData,
        }
    }

    /// Like [`ManyToManyManager::through_defaults`], computed by `f` once per call, so every
    /// link of one call gets the same values (a timestamp, say).
    pub fn through_defaults_with<F: Fn() -> R::Extra>(
        self,
        f: F,
    ) -> ManyToManyManager<'a, R, S, DefaultsWith<F>> {
        ManyToManyManager {
            owner: self.owner,
            defaults: DefaultsWith(f),
            _marker: PhantomData,
        }
    }
}

impl<'a, R: ManyToMany, S: Side<R>, D> ManyToManyManager<'a, R, S, D> {
    /// The manager of `owner`'s links, with `defaults` for the through rows.
    pub(crate) fn with_defaults(owner: &'a S::Owner, defaults: D) -> Self {
        ManyToManyManager {
            owner,
            defaults,
            _marker: PhantomData,
        }
    }

    /// Runs a write in one transaction, retried after a deadlock when the transaction is its
    /// own and no hook would run twice ([`Connection::atomic`]); a foreign-key failure caused
    /// by an owner without a row becomes [`crate::error::Error::Unsaved`]. The closure gets the
    /// relation's hooks on this connection.
    fn write<T>(
        &self,
        conn: &mut Connection,
        mut f: impl FnMut(&mut Connection, &[M2mHook<R>]) -> Result<T>,
    ) -> Result<T> {
        let hooks = conn.m2m_hooks::<R>();
        let res = if hooks.is_empty() {
            conn.atomic(|conn| f(conn, &hooks))
        } else {
            conn.transaction(|conn| f(conn, &hooks))
        };
        let (column, held) = (S::OwnerEnd::COLUMN, S::OwnerEnd::value(self.owner));
        explain_unsaved::<S::Owner, T>(conn, column, held, res)
    }

    /// Locks the owner's row for the rest of the transaction, so writes that read the links
    /// before they write (`set`, a hooked `add`) take turns instead of mixing their changes.
    fn lock_owner(&self, conn: &mut Connection) -> Result<()> {
        lock_rows::<S::Owner>(conn, S::OwnerEnd::COLUMN, self.owner_key())
    }

    /// What the links hold for the owner.
    fn owner_key(&self) -> Value {
        S::OwnerEnd::value(self.owner).to_value()
    }

    /// A query set of the linked rows, to refine further.
    pub fn query(&self) -> QuerySet<S::Other> {
        S::Other::query().filter(Filter::new(Expr::Linked(Box::new(Link {
            column: S::OtherEnd::COLUMN,
            table: R::TABLE,
            select: S::OTHER_COLUMN,
            owner_column: S::OWNER_COLUMN,
            owner: self.owner_key(),
        }))))
    }

    /// The linked rows matching `filter`, as a query set.
    pub fn filter(&self, filter: Filter<S::Other>) -> QuerySet<S::Other> {
        self.query().filter(filter)
    }

    /// `SELECT what AS v FROM <links> WHERE <owner column> = ?` and `tail`.
    fn links(&self, conn: &Connection, what: &str, tail: &str) -> crate::db::sql::Stmt {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT ")
            .push(what)
            .push(" AS v FROM ")
            .ident(R::TABLE);
        w.push(" WHERE ").ident(S::OWNER_COLUMN).push(" = ");
        w.bind(self.owner_key()).push(tail);
        w.finish()
    }

    /// Links the rows (given as `&Model` or as keys). A link that exists stays as it is.
    ///
    /// Without hooks: one `INSERT` for all. With hooks: one `SELECT` of the links that exist,
    /// the `PreAdd` hooks with the keys not linked yet, one `INSERT`, the `PostAdd` hooks (as
    /// Django, hooks run even when every link existed).
    pub fn add<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = K>,
    ) -> Result<()>
    where
        D: ExtraSource<R::Extra>,
    {
        self.add_keys(conn, distinct::<S::OtherEnd, K>(objs))
    }

    /// [`ManyToManyManager::add`] of distinct keys.
    pub(crate) fn add_keys(&self, conn: &mut Connection, keys: Vec<OtherKey<R, S>>) -> Result<()>
    where
        D: ExtraSource<R::Extra>,
    {
        if keys.is_empty() {
            return Ok(());
        }
        let extra = self.defaults.extra();
        self.write(conn, |conn, hooks| {
            // Without hooks, one INSERT whose conflicts the join table's unique keys skip;
            // without those (`duplicate_links`), what is linked is read first, as with hooks.
            if hooks.is_empty() && R::UNIQUE_LINKS {
                return self.insert(conn, &keys, &extra);
            }
            self.lock_owner(conn)?;
            let linked: HashSet<OtherKey<R, S>> =
                self.linked(conn, Some(&keys))?.into_iter().collect();
            let missing: Vec<_> = keys
                .iter()
                .filter(|k| !linked.contains(k))
                .cloned()
                .collect();
            self.add_missing(conn, hooks, &missing, &extra)
        })
    }

    /// Unlinks the rows (given as `&Model` or as keys); the rows stay. One `DELETE`; the hooks
    /// get every key passed.
    pub fn remove<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = K>,
    ) -> Result<()> {
        self.remove_distinct(conn, distinct::<S::OtherEnd, K>(objs))
    }

    /// [`ManyToManyManager::remove`] of distinct keys.
    pub(crate) fn remove_distinct(
        &self,
        conn: &mut Connection,
        keys: Vec<OtherKey<R, S>>,
    ) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        self.write(conn, |conn, hooks| self.remove_keys(conn, hooks, &keys))
    }

    /// Unlinks every row; the rows stay. One `DELETE`.
    pub fn clear(&self, conn: &mut Connection) -> Result<()> {
        self.write(conn, |conn, hooks| self.clear_in(conn, hooks))
    }

    /// Makes `objs` the linked set: one `SELECT` of the current links, then one `DELETE` of the
    /// links not in `objs` and one `INSERT` of the new ones (each only when needed). Links that
    /// stay are not touched, so their through fields keep their values. One transaction, so no
    /// other connection sees a half-done set.
    pub fn set<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = K>,
    ) -> Result<()>
    where
        D: ExtraSource<R::Extra>,
    {
        self.set_keys(conn, distinct::<S::OtherEnd, K>(objs))
    }

    /// [`ManyToManyManager::set`] to distinct keys.
    pub(crate) fn set_keys(&self, conn: &mut Connection, keys: Vec<OtherKey<R, S>>) -> Result<()>
    where
        D: ExtraSource<R::Extra>,
    {
        let extra = self.defaults.extra();
        self.write(conn, |conn, hooks| {
            self.lock_owner(conn)?;
            let current = self.linked(conn, None)?;
            let wanted: HashSet<&OtherKey<R, S>> = keys.iter().collect();
            let stale: Vec<_> = current
                .iter()
                .filter(|k| !wanted.contains(k))
                .cloned()
                .collect();
            let current: HashSet<OtherKey<R, S>> = current.into_iter().collect();
            let fresh: Vec<_> = keys
                .iter()
                .filter(|k| !current.contains(k))
                .cloned()
                .collect();
            if !stale.is_empty() {
                self.remove_keys(conn, hooks, &stale)?;
            }
            if !fresh.is_empty() {
                self.add_missing(conn, hooks, &fresh, &extra)?;
            }
            Ok(())
        })
    }

    /// Clears, then links `objs`: Django's `set(objs, clear=True)`. Two statements (the `DELETE`
    /// and the `INSERT`), one transaction.
    pub fn set_with_clear<K: KeyOf<S::Other, OtherKey<R, S>>>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = K>,
    ) -> Result<()>
    where
        D: ExtraSource<R::Extra>,
    {
        self.set_with_clear_keys(conn, distinct::<S::OtherEnd, K>(objs))
    }

    /// [`ManyToManyManager::set_with_clear`] to distinct keys.
    pub(crate) fn set_with_clear_keys(
        &self,
        conn: &mut Connection,
        keys: Vec<OtherKey<R, S>>,
    ) -> Result<()>
    where
        D: ExtraSource<R::Extra>,
    {
        let extra = self.defaults.extra();
        self.write(conn, |conn, hooks| {
            self.lock_owner(conn)?;
            self.clear_in(conn, hooks)?;
            if keys.is_empty() {
                return Ok(());
            }
            self.add_missing(conn, hooks, &keys, &extra)
        })
    }

    /// `PreAdd`, the insert, `PostAdd`, for keys known not to be linked.
    fn add_missing(
        &self,
        conn: &mut Connection,
        hooks: &[M2mHook<R>],
        keys: &[OtherKey<R, S>],
        extra: &R::Extra,
    ) -> Result<()> {
        self.fire(conn, hooks, M2mAction::PreAdd, keys)?;
        self.insert(conn, keys, extra)?;
        self.fire(conn, hooks, M2mAction::PostAdd, keys)
    }

    fn fire(
        &self,
        conn: &mut Connection,
        hooks: &[M2mHook<R>],
        action: M2mAction,
        keys: &[OtherKey<R, S>],
    ) -> Result<()> {
        if hooks.is_empty() {
            return Ok(());
        }
        fire(conn, hooks, &S::event(action, self.owner, keys))
    }

    /// `INSERT` the links, skipping those that exist (also when another connection inserts
    /// them at the same moment). Split only where the bind limit forces it.
    fn insert(
        &self,
        conn: &mut Connection,
        keys: &[OtherKey<R, S>],
        extra: &R::Extra,
    ) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(keys.len());
        for key in keys {
            S::link_values(S::OwnerEnd::value(self.owner), key, extra, &mut rows);
        }
        // In one order whatever the caller's: two adds of the same links lock them in the same
        // order, so they cannot deadlock each other.
        rows.sort_by(|a, b| row_order(a, b));
        let columns = R::link_columns();
        check_rows(
            R::NAME,
            R::LINK_FIELDS,
            conn.backend(),
            columns,
            rows.iter().map(Vec::as_slice),
        )?;
        let per_chunk = (conn.backend().max_binds() / columns.len()).max(1);
        for chunk in rows.chunks(per_chunk) {
            let mut w = SqlWriter::new(conn.backend());
            w.push("INSERT INTO ").ident(R::TABLE).push(" (");
            w.list(columns, ", ", |w, c| {
                w.ident(c);
            });
            w.push(") VALUES ");
            w.list(chunk, ", ", |w, row| {
                w.push("(");
                w.list(row, ", ", |w, v| {
                    w.bind(v.clone());
                });
                w.push(")");
            });
            match conn.backend() {
                // INSERT IGNORE would also swallow foreign-key errors; this ignores duplicates only.
                Backend::Mysql => {
                    w.push(" ON DUPLICATE KEY UPDATE ")
                        .ident(S::OWNER_COLUMN)
                        .push(" = ")
                        .ident(S::OWNER_COLUMN);
                }
                _ => {
                    w.push(" ON CONFLICT DO NOTHING");
                }
            }
            conn.execute(&w.finish())?;
        }
        Ok(())
    }

    /// The other side's keys linked to the owner; with `among`, only those among them.
    fn linked(
        &self,
        conn: &mut Connection,
        among: Option<&[OtherKey<R, S>]>,
    ) -> Result<Vec<OtherKey<R, S>>> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT ").ident(S::OTHER_COLUMN).push(" AS v FROM ");
        w.ident(R::TABLE).push(" WHERE ").ident(S::OWNER_COLUMN);
        w.push(" = ").bind(self.owner_key());
        if let Some(keys) = among {
            w.push(" AND ");
            Expr::In(S::OTHER_COLUMN, keys.iter().map(Field::to_value).collect()).write(&mut w);
        }
        let rows: Vec<One<OtherKey<R, S>>> = conn.load(&w.finish())?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    fn remove_keys(
        &self,
        conn: &mut Connection,
        hooks: &[M2mHook<R>],
        keys: &[OtherKey<R, S>],
    ) -> Result<()> {
        self.fire(conn, hooks, M2mAction::PreRemove, keys)?;
        let values: Vec<Value> = keys.iter().map(Field::to_value).collect();
        let mut w = self.delete_stmt(conn.backend());
        let one_way = |w: &mut SqlWriter, owner: &'static str, other: &'static str| {
            w.push("(").ident(owner).push(" = ").bind(self.owner_key());
            w.push(" AND ");
            Expr::In(other, values.clone()).write(w);
            w.push(")");
        };
        one_way(&mut w, S::OWNER_COLUMN, S::OTHER_COLUMN);
        if R::SYMMETRICAL {
            w.push(" OR ");
            one_way(&mut w, S::OTHER_COLUMN, S::OWNER_COLUMN);
        }
        conn.execute(&w.finish())?;
        self.fire(conn, hooks, M2mAction::PostRemove, keys)
    }

    fn clear_in(&self, conn: &mut Connection, hooks: &[M2mHook<R>]) -> Result<()> {
        self.fire(conn, hooks, M2mAction::PreClear, &[])?;
        let mut w = self.delete_stmt(conn.backend());
        w.ident(S::OWNER_COLUMN).push(" = ").bind(self.owner_key());
        if R::SYMMETRICAL {
            w.push(" OR ")
                .ident(S::OTHER_COLUMN)
                .push(" = ")
                .bind(self.owner_key());
        }
        conn.execute(&w.finish())?;
        self.fire(conn, hooks, M2mAction::PostClear, &[])
    }

    fn delete_stmt(&self, backend: Backend) -> SqlWriter {
        let mut w = SqlWriter::new(backend);
        w.push("DELETE FROM ").ident(R::TABLE).push(" WHERE ");
        w
    }
}

impl<'a, R: ManyToManyThrough, S: Side<R>, D> ManyToManyManager<'a, R, S, D> {
    /// The linked rows together with their through rows, as one query: filter and order on
    /// either (`order_by_through(ChapterSlide::position.asc())`).
    pub fn with_through(&self) -> ThroughQuery<S::Other, R::Through> {
        ThroughQuery::new::<R, S>(self.owner_key())
    }
}

/// What the links hold for `objs`, first occurrence first.
pub(crate) fn distinct<E: LinkEnd, K: KeyOf<E::Model, E::Key>>(
    objs: impl IntoIterator<Item = K>,
) -> Vec<E::Key> {
    let mut seen = HashSet::new();
    objs.into_iter()
        .map(|k| k.key_of(E::value))
        .filter(|k| seen.insert(k.clone()))
        .collect()
}

impl<R: ManyToMany, S: Side<R>, D> RelatedManager for ManyToManyManager<'_, R, S, D> {
    type Row = S::Other;

    fn related(&self, _: &mut Connection) -> Result<QuerySet<S::Other>> {
        Ok(self.query())
    }

    /// How many rows are linked. One statement, on the link table alone (as Django's): every
    /// link points at a row, by its foreign keys, so the linked table need not be read.
    fn count(&self, conn: &mut Connection) -> Result<i64> {
        let rows: Vec<One<i64>> = conn.load(&self.links(conn, "COUNT(*)", ""))?;
        Ok(rows.first().map_or(0, |r| r.0))
    }

    /// Whether any row is linked. One statement, on the link table alone.
    fn exists(&self, conn: &mut Connection) -> Result<bool> {
        let rows: Vec<One<i32>> = conn.load(&self.links(conn, "1", " LIMIT 1"))?;
        Ok(!rows.is_empty())
    }
}

impl<R: ManyToMany, S: Side<R>, D: ExtraSource<R::Extra>> CreateRelated<<S::Other as Model>::New>
    for ManyToManyManager<'_, R, S, D>
{
    /// Inserts a row of the other model and links it; returns the row. Two statements (three
    /// on MySQL), also with hooks: a new row has no link to look for.
    fn create(&self, conn: &mut Connection, new: <S::Other as Model>::New) -> Result<S::Other> {
        let extra = self.defaults.extra();
        self.write(conn, |conn, hooks| {
            let row = insert_one::<S::Other>(conn, &new)?;
            let held = S::OtherEnd::value(&row);
            self.add_missing(conn, hooks, std::slice::from_ref(held), &extra)?;
            Ok(row)
        })
    }
}
