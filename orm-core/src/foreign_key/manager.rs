//! The reverse side of a foreign key: `blog.entry_set()`, Django's related manager for a
//! `ForeignKey`.

use std::collections::HashSet;

use crate::db::connection::Connection;
use crate::db::sql::SqlWriter;
use crate::db::value::{Field, Value};
use crate::error::{Error, Result};
use crate::foreign_key::{ForeignKey, NullableForeignKey};
use crate::model::{explain_unsaved, insert_one, lock_rows, Model};
use crate::query::{Expr, Filter, QuerySet};
use crate::relation::{CreateRelated, RelatedManager};

/// The rows of `R::Source` whose foreign key `R` points at one parent row. Returned by the
/// reverse accessor the derive puts on the target model (`blog.entry_set()`, or the
/// `related_name`).
///
/// Every method writes at once; nothing needs saving afterwards. Writes run in one transaction
/// (a savepoint when one is open), so a failing call leaves the database and the objects passed
/// in as they were.
#[derive(Debug)]
pub struct ReverseManager<R: ForeignKey> {
    parent: R::Key,
    bulk: bool,
}

// Not derived: that would ask `R` (a marker type) to be `Clone`.
impl<R: ForeignKey> Clone for ReverseManager<R> {
    fn clone(&self) -> Self {
        ReverseManager {
            parent: self.parent.clone(),
            bulk: self.bulk,
        }
    }
}

impl<R: ForeignKey> ReverseManager<R> {
    /// The manager of `parent`'s rows.
    pub fn of(parent: &R::Target) -> Self {
        ReverseManager {
            parent: R::target_value(parent).clone(),
            bulk: true,
        }
    }

    /// With `bulk(false)`, `add`, `remove`, `clear` and `set` save each object with
    /// [`Model::save`] (one statement each, and its save hooks run) instead of one `UPDATE` for
    /// all (the default).
    pub fn bulk(mut self, bulk: bool) -> Self {
        self.bulk = bulk;
        self
    }

    /// A query set of the related rows, to refine further.
    pub fn query(&self) -> QuerySet<R::Source> {
        R::Source::query().filter(self.is_related())
    }

    fn is_related(&self) -> Filter<R::Source> {
        R::pointing_at(&self.parent)
    }

    /// The related rows matching `filter`, as a query set.
    pub fn filter(&self, filter: Filter<R::Source>) -> QuerySet<R::Source> {
        self.query().filter(filter)
    }

    /// Points every object at this parent, moving it from the parent it had. The objects are
    /// updated in memory too.
    ///
    /// Bulk (the default): one `UPDATE ... WHERE pk IN (...)`; every object must have a row,
    /// else [`Error::Unsaved`] and nothing is written. `bulk(false)`: one `save` per object.
    pub fn add<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> Result<()> {
        let mut objs: Vec<&mut R::Source> = objs.into_iter().collect();
        let value = R::wrap(self.parent.clone());
        self.write(conn, |conn| self.point(conn, &mut objs, &value))
    }

    /// Runs a write in one transaction, retried after a deadlock when the transaction is its
    /// own and no save hook would run twice (`bulk(false)` saves each row:
    /// [`Connection::atomic`]); a foreign-key failure caused by a parent without a row becomes
    /// [`Error::Unsaved`].
    fn write<T>(
        &self,
        conn: &mut Connection,
        f: impl FnMut(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let res = if self.bulk {
            conn.atomic(f)
        } else {
            conn.transaction(f)
        };
        explain_unsaved::<R::Target, T>(conn, R::TARGET_COLUMN, &self.parent, res)
    }

    /// Locks the parent's row for the rest of the transaction, so writes that read its rows
    /// before they write (`set`) take turns instead of mixing their changes.
    fn lock_parent(&self, conn: &mut Connection) -> Result<()> {
        lock_rows::<R::Target>(conn, R::TARGET_COLUMN, self.parent.to_value())
    }

    /// Detaches the objects from this parent (sets their key to NULL); only on a nullable
    /// foreign key. Every object must belong to this parent, else [`Error::NotRelated`] and
    /// nothing is written. Bulk: one `UPDATE`; `bulk(false)`: one `save` per object.
    pub fn remove<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> Result<()>
    where
        R: NullableForeignKey,
    {
        let mut objs: Vec<&mut R::Source> = objs.into_iter().collect();
        let parent = R::wrap(self.parent.clone()).to_value();
        if let Some(stray) = objs.iter().find(|o| R::get(o).to_value() != parent) {
            return Err(Error::NotRelated {
                model: R::Source::NAME,
                key: stray.key().to_value().to_string(),
                parent: R::Target::NAME,
                parent_key: self.parent.to_value().to_string(),
            });
        }
        self.write(conn, |conn| self.detach(conn, &mut objs))
    }

    /// Detaches every related row (sets its key to NULL; the rows stay); only on a nullable
    /// foreign key. Bulk: one `UPDATE`; `bulk(false)`: one `SELECT`, then one `save` per row.
    pub fn clear(&self, conn: &mut Connection) -> Result<()>
    where
        R: NullableForeignKey,
    {
        self.write(conn, |conn| self.clear_in(conn))
    }

    /// Makes `objs` the related set.
    ///
    /// On a nullable key: one `SELECT` of the current rows, then the rows that are not in
    /// `objs` are removed and the objects not related yet are added (bulk: at most one `UPDATE`
    /// each). On a non-nullable key rows cannot leave their parent, so `set` adds (as Django).
    /// One transaction.
    pub fn set<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> Result<()> {
        let mut objs: Vec<&mut R::Source> = objs.into_iter().collect();
        let value = R::wrap(self.parent.clone());
        self.write(conn, |conn| {
            let Some(null) = R::null() else {
                return self.point(conn, &mut objs, &value);
            };
            self.lock_parent(conn)?;
            let mut current = self.all(conn)?;
            let wanted: HashSet<&<R::Source as Model>::Key> =
                objs.iter().map(|o| o.key()).collect();
            let mut stale: Vec<&mut R::Source> = current
                .iter_mut()
                .filter(|row| !wanted.contains(row.key()))
                .collect();
            self.write_key(conn, &mut stale, &null, true)?;
            let present: HashSet<<R::Source as Model>::Key> =
                current.iter().map(|r| r.key().clone()).collect();
            let (mut fresh, mut kept): (Vec<_>, Vec<_>) = objs
                .iter_mut()
                .map(|o| &mut **o)
                .partition(|o| !present.contains(o.key()));
            self.point(conn, &mut fresh, &value)?;
            // Already related: only the in-memory copy may be stale.
            for obj in kept.iter_mut() {
                R::set(obj, value.clone());
            }
            Ok(())
        })
    }

    /// Clears, then adds `objs`: Django's `set(objs, clear=True)`. One transaction.
    pub fn set_with_clear<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o mut R::Source>,
    ) -> Result<()>
    where
        R: NullableForeignKey,
    {
        let mut objs: Vec<&mut R::Source> = objs.into_iter().collect();
        let value = R::wrap(self.parent.clone());
        self.write(conn, |conn| {
            self.lock_parent(conn)?;
            self.clear_in(conn)?;
            self.point(conn, &mut objs, &value)
        })
    }

    fn point(
        &self,
        conn: &mut Connection,
        objs: &mut [&mut R::Source],
        value: &R::Value,
    ) -> Result<()> {
        self.write_key(conn, objs, value, false)
    }

    fn detach(&self, conn: &mut Connection, objs: &mut [&mut R::Source]) -> Result<()>
    where
        R: NullableForeignKey,
    {
        self.write_key(conn, objs, &R::null_value(), true)
    }

    fn clear_in(&self, conn: &mut Connection) -> Result<()>
    where
        R: NullableForeignKey,
    {
        if self.bulk {
            let mut w = SqlWriter::new(conn.backend());
            w.push("UPDATE ").ident(R::Source::TABLE).push(" SET ");
            w.ident(R::COLUMN)
                .push(" = ")
                .bind(R::null_value().to_value());
            w.push(" WHERE ");
            self.is_related().expr.write(&mut w);
            conn.execute(&w.finish())?;
            return Ok(());
        }
        let mut rows = self.all(conn)?;
        let mut rows: Vec<&mut R::Source> = rows.iter_mut().collect();
        self.detach(conn, &mut rows)
    }

    /// Sets the key of `objs` to `value`, in the database and then in memory. `only_related`
    /// limits the write to rows still pointing here (for removals).
    fn write_key(
        &self,
        conn: &mut Connection,
        objs: &mut [&mut R::Source],
        value: &R::Value,
        only_related: bool,
    ) -> Result<()> {
        if objs.is_empty() {
            return Ok(());
        }
        if !self.bulk {
            return save_each::<R>(conn, objs, value);
        }
        let mut keys: Vec<Value> = Vec::with_capacity(objs.len());
        let mut seen = HashSet::with_capacity(objs.len());
        for obj in objs.iter() {
            if seen.insert(obj.key()) {
                keys.push(obj.key().to_value());
            }
        }
        let pk = R::Source::FIELDS[R::Source::PK].column;
        let count = keys.len();
        let mut w = SqlWriter::new(conn.backend());
        w.push("UPDATE ").ident(R::Source::TABLE).push(" SET ");
        w.ident(R::COLUMN).push(" = ").bind(value.to_value());
        w.push(" WHERE ");
        Expr::In(pk, keys).write(&mut w);
        if only_related {
            w.push(" AND ");
            self.is_related().expr.write(&mut w);
        }
        let matched = conn.execute(&w.finish())?;
        if !only_related && matched < count {
            return Err(first_unsaved::<R::Source>(conn, objs));
        }
        for obj in objs.iter_mut() {
            R::set(obj, value.clone());
        }
        Ok(())
    }
}

/// `bulk(false)`: sets the key in memory and saves each object; on failure every object gets
/// its old key back (the transaction undoes the rows).
fn save_each<R: ForeignKey>(
    conn: &mut Connection,
    objs: &mut [&mut R::Source],
    value: &R::Value,
) -> Result<()> {
    let mut old = Vec::with_capacity(objs.len());
    for obj in objs.iter_mut() {
        old.push(R::get(obj).clone());
        R::set(obj, value.clone());
        if let Err(err) = obj.save_or_insert(conn) {
            for (obj, key) in objs.iter_mut().zip(old) {
                R::set(obj, key);
            }
            return Err(err);
        }
    }
    Ok(())
}

/// The error for an `UPDATE` that matched fewer rows than objects: names the first object
/// without a row (one more statement, on the error path only).
pub(crate) fn first_unsaved<M: Model>(conn: &mut Connection, objs: &[&mut M]) -> Error {
    let pk = M::FIELDS[M::PK].column;
    let keys: Vec<Value> = objs.iter().map(|o| o.key().to_value()).collect();
    let found: HashSet<M::Key> = match M::query()
        .filter(Filter::new(Expr::In(pk, keys)))
        .keys(conn)
    {
        Ok(found) => found.into_iter().collect(),
        Err(err) => return err,
    };
    match objs.iter().find(|o| !found.contains(o.key())) {
        Some(obj) => Error::Unsaved {
            model: M::NAME,
            key: obj.key().to_value().to_string(),
        },
        None => Error::InvalidInput(format!("{} rows changed while being updated", M::NAME)),
    }
}

impl<R: ForeignKey> RelatedManager for ReverseManager<R> {
    type Row = R::Source;

    fn related(&self, _: &mut Connection) -> Result<QuerySet<R::Source>> {
        Ok(self.query())
    }
}

impl<R, F> CreateRelated<F> for ReverseManager<R>
where
    R: ForeignKey,
    F: FnOnce(R::Value) -> <R::Source as Model>::New,
{
    /// Inserts a row pointing at this parent and returns it. `new` gets the key field's value
    /// and builds the insert form; whatever it puts in the key field, the row points here. One
    /// statement (two on MySQL).
    ///
    /// ```
    /// # use orm_core::prelude::*;
    /// # #[derive(Model, Clone)]
    /// # pub struct Blog { pub id: i64 }
    /// # #[derive(Model, Clone)]
    /// # pub struct Entry { pub id: i64, #[foreign_key(Blog)] pub blog_id: i64, pub headline: String }
    /// # fn run(conn: &mut Connection, blog: &Blog) -> orm_core::Result<()> {
    /// let entry = blog.entry_set().create(conn, |blog_id| NewEntry { blog_id, headline: "Hi".into() })?;
    /// assert_eq!(entry.blog_id, blog.id);
    /// # Ok(())
    /// # }
    /// ```
    fn create(&self, conn: &mut Connection, new: F) -> Result<R::Source> {
        let mut form = new(R::wrap(self.parent.clone()));
        R::set_new(&mut form, R::wrap(self.parent.clone()));
        self.write(conn, |conn| insert_one::<R::Source>(conn, &form))
    }
}
