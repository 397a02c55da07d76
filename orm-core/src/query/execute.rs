//! Running a query set: reading rows, counting, updating and deleting.

use std::hash::Hash;

use super::column::{Assignment, Column};
use super::filter::{Expr, Filter};
use super::order::Order;
use super::query_set::QuerySet;
use crate::db::connection::Connection;
use crate::db::decode::One;
use crate::db::sql::SqlWriter;
use crate::db::value::{Bound, Field, Value};
use crate::error::{Error, Result};
use crate::model::{Deleted, Model};

impl<M: Model> QuerySet<M> {
    /// Every matching row. One statement.
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<M>> {
        crate::model::load_models(conn, &self.to_stmt(conn.backend()))
    }

    /// The first matching row (by the ordering given, else the primary key). One statement.
    pub fn first(&self, conn: &mut Connection) -> Result<Option<M>> {
        Ok(self.first_only().all(conn)?.into_iter().next())
    }

    /// This query cut to the two rows that tell one match from several, within its own slice.
    pub(crate) fn get_only(&self) -> Self {
        let mut qs = self.clone();
        qs.limit = Some(self.limit.map_or(2, |n| n.min(2)));
        qs
    }

    /// This query cut to its first row: ordered by the primary key when it has no ordering.
    pub(crate) fn first_only(&self) -> Self {
        let mut qs = self.clone();
        if qs.order.is_empty() {
            qs.order.push(Order::new(M::FIELDS[M::PK].column, false));
        }
        qs.limit(1)
    }

    /// The matching rows with these primary keys, by key (Django's `in_bulk`). Keys without a
    /// matching row are left out. One statement, however many keys (past a thousand they are
    /// bound as one value); none for no keys. [`Error::InvalidInput`] after a limit or an offset.
    pub fn in_bulk(
        &self,
        conn: &mut Connection,
        keys: impl IntoIterator<Item = M::Key>,
    ) -> Result<std::collections::HashMap<M::Key, M>> {
        let keys: Vec<M::Key> = keys.into_iter().collect();
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        let keys: Vec<Value> = keys
            .iter()
            .filter(|k| seen.insert(*k))
            .map(|k| k.to_value())
            .collect();
        let rows = self.rows_in(conn, M::FIELDS[M::PK].column, "in_bulk", keys)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.key().clone(), row))
            .collect())
    }

    /// The matching rows whose unique field `column` holds one of `values`, by that value
    /// (Django's `in_bulk(values, field_name=..)`): `Country::query().in_bulk_by(conn,
    /// Country::code, ["FR", "NZ"])`. Values without a matching row are left out. Statements
    /// as [`QuerySet::in_bulk`]. [`Error::InvalidInput`] for a field that is not unique (one
    /// value could match several rows), or after a limit or an offset.
    pub fn in_bulk_by<T: Field + Eq + Hash, V: Into<T>>(
        &self,
        conn: &mut Connection,
        column: Column<M, T>,
        values: impl IntoIterator<Item = V>,
    ) -> Result<std::collections::HashMap<T, M>> {
        let at = M::FIELDS
            .iter()
            .position(|f| f.column == column.name() && f.unique)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "`in_bulk_by` on `{}.{}`, which is not a unique field: one value could match several rows; mark it `#[orm(unique)]`, or filter with `is_in`",
                    M::NAME,
                    column.name()
                ))
            })?;
        // Each row's value read back as the value bound for it, to find which `T` asked.
        let mut wanted: std::collections::HashMap<Bound, T> = std::collections::HashMap::new();
        for value in values {
            let value: T = value.into();
            wanted.entry(Bound(value.to_value())).or_insert(value);
        }
        let keys = wanted.keys().map(|k| k.0.clone()).collect();
        let rows = self.rows_in(conn, column.name(), "in_bulk_by", keys)?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in rows {
            let value = row.values().swap_remove(at);
            if let Some(asked) = wanted.get(&Bound(value)) {
                found.insert(asked.clone(), row);
            }
        }
        Ok(found)
    }

    /// The matching rows whose `column` holds one of `keys` (distinct): one statement, however
    /// many keys; none for no keys.
    fn rows_in(
        &self,
        conn: &mut Connection,
        column: &'static str,
        method: &str,
        keys: Vec<Value>,
    ) -> Result<Vec<M>> {
        if self.limit.is_some() || self.offset.is_some() {
            return Err(Error::InvalidInput(format!(
                "`{method}` on a query of {} with a limit or an offset: filter by key instead",
                M::NAME
            )));
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.clone()
            .filter(Filter::new(Expr::In(column, keys)))
            .all(conn)
    }

    /// The last matching row (Django's `last()`): the first one in the reversed ordering, NULLs
    /// included, else the one with the highest primary key. One statement.
    /// [`Error::InvalidInput`] after a limit or an offset, where the reversed order would pick
    /// from other rows (order the other way and call `first`).
    pub fn last(&self, conn: &mut Connection) -> Result<Option<M>> {
        Ok(self.last_only()?.all(conn)?.into_iter().next())
    }

    /// This query reversed and cut to its first row.
    pub(crate) fn last_only(&self) -> Result<Self> {
        if self.limit.is_some() || self.offset.is_some() {
            return Err(Error::InvalidInput(format!(
                "`last` on a query of {} with a limit or an offset would pick from other rows; order it the other way and call `first`",
                M::NAME
            )));
        }
        let mut qs = self.clone();
        if qs.order.is_empty() {
            qs.order.push(Order::new(M::FIELDS[M::PK].column, false));
        }
        qs.order = qs.order.into_iter().map(Order::reversed).collect();
        Ok(qs.limit(1))
    }

    /// Exactly one matching row: [`Error::NotFound`] when none,
    /// [`Error::MultipleObjectsReturned`] when more. One statement. On a sliced query, the one
    /// row of the slice (Django's `qs[0:1].get()`).
    pub fn get(&self, conn: &mut Connection) -> Result<M> {
        let mut rows = self.get_only().all(conn)?;
        match rows.len() {
            0 => Err(Error::NotFound { model: M::NAME }),
            1 => Ok(rows.remove(0)),
            _ => Err(Error::MultipleObjectsReturned { model: M::NAME }),
        }
    }

    /// The one matching row, or a new row from `create` when none matches: Django's
    /// `get_or_create`. Returns the row and whether it was created. One statement when a row
    /// matches; else the insert follows (in a savepoint). When the insert breaks a unique
    /// constraint because another connection inserted a matching row meanwhile, that row is read
    /// and returned instead; any other failure is the error. Several matching rows:
    /// [`Error::MultipleObjectsReturned`], nothing inserted.
    ///
    /// `create` should build a row this query matches, as Django's lookups do: nothing checks it.
    pub fn get_or_create(
        &self,
        conn: &mut Connection,
        create: impl FnOnce() -> M::New,
    ) -> Result<(M, bool)> {
        self.get_or_insert(conn, |conn| M::create(conn, create()))
    }

    /// [`QuerySet::get_or_create`] with the insert given as a closure on the connection (a
    /// manager's `create`).
    pub(crate) fn get_or_insert(
        &self,
        conn: &mut Connection,
        insert: impl FnOnce(&mut Connection) -> Result<M>,
    ) -> Result<(M, bool)> {
        match self.get(conn) {
            Err(Error::NotFound { .. }) => {}
            found => return found.map(|row| (row, false)),
        }
        match conn.transaction(insert) {
            Ok(row) => Ok((row, true)),
            Err(
                err @ Error::Integrity {
                    kind: crate::error::IntegrityKind::Unique,
                    ..
                },
            ) => match self.get(conn) {
                Ok(row) => Ok((row, false)),
                Err(_) => Err(err),
            },
            Err(err) => Err(err),
        }
    }

    /// Sets `defaults` on the one matching row, or inserts a row from `create` when none
    /// matches: Django's `update_or_create`. Returns the row as it is now and whether it was
    /// created. A matching row costs three statements (read, then `UPDATE` and read back in one
    /// transaction); none, the read and the insert. A matching row another connection inserts
    /// meanwhile is read back and updated, as with [`QuerySet::get_or_create`]; inside a
    /// transaction of yours on MySQL it is not (its snapshot predates that row), as in Django.
    /// Several matching rows: [`Error::MultipleObjectsReturned`], nothing written.
    pub fn update_or_create(
        &self,
        conn: &mut Connection,
        defaults: impl IntoIterator<Item = Assignment<M>>,
        create: impl FnOnce() -> M::New,
    ) -> Result<(M, bool)> {
        self.update_or_insert(conn, defaults, |conn| M::create(conn, create()))
    }

    /// [`QuerySet::update_or_create`] with the insert given as a closure on the connection.
    pub(crate) fn update_or_insert(
        &self,
        conn: &mut Connection,
        defaults: impl IntoIterator<Item = Assignment<M>>,
        insert: impl FnOnce(&mut Connection) -> Result<M>,
    ) -> Result<(M, bool)> {
        let defaults: Vec<Assignment<M>> = defaults.into_iter().collect();
        // Not in one transaction: on MySQL (REPEATABLE READ) a read after a lost insert race
        // would still see the snapshot from before the winner's row, and miss it.
        let (row, created) = self.get_or_insert(conn, insert)?;
        if created || defaults.is_empty() {
            return Ok((row, created));
        }
        let this = QuerySet::<M>::default().filter(crate::model::pk_filter::<M>(row.key()));
        conn.atomic(|conn| {
            this.update(conn, defaults.iter().cloned())?;
            Ok((this.get(conn)?, false))
        })
    }

    /// The number of matching rows (after limit and offset). One statement.
    pub fn count(&self, conn: &mut Connection) -> Result<i64> {
        let mut w = SqlWriter::new(conn.backend());
        if self.limit.is_some() || self.offset.is_some() {
            w.push("SELECT COUNT(*) AS v FROM (SELECT 1 AS x FROM ")
                .ident(M::TABLE);
            self.write_where(&mut w);
            self.write_tail(&mut w);
            w.push(") AS sub");
        } else {
            w.push("SELECT COUNT(*) AS v FROM ").ident(M::TABLE);
            self.write_where(&mut w);
        }
        let rows: Vec<One<i64>> = conn.load(&w.finish())?;
        Ok(rows.first().map_or(0, |r| r.0))
    }

    /// Whether any row matches. One statement.
    pub fn exists(&self, conn: &mut Connection) -> Result<bool> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT 1 AS v FROM ").ident(M::TABLE);
        self.write_where(&mut w);
        let mut qs = self.clone();
        qs.limit = Some(1);
        qs.write_tail(&mut w);
        let rows: Vec<One<i32>> = conn.load(&w.finish())?;
        Ok(!rows.is_empty())
    }

    /// Sets columns on every matching row; returns the number of rows matched. One statement.
    /// Limit, offset and ordering do not apply. A filter may read `M`'s table again (the rows
    /// whose parent, of the same model, matches): MySQL refuses such a subquery in an `UPDATE`
    /// or `DELETE` (error 1093), so there it is read into a derived table first.
    pub fn update(
        &self,
        conn: &mut Connection,
        assignments: impl IntoIterator<Item = Assignment<M>>,
    ) -> Result<u64> {
        let assignments: Vec<Assignment<M>> = assignments.into_iter().collect();
        if assignments.is_empty() {
            return Err(Error::InvalidInput(
                "update() needs at least one column to set".into(),
            ));
        }
        if self.limit.is_some() || self.offset.is_some() {
            return Err(Error::InvalidInput(format!(
                "update() on a query of {} with a limit or an offset would write every matching row, not the slice; select the rows by key instead (`in_bulk`, or a filter with `is_in`)",
                M::NAME
            )));
        }
        let backend = conn.backend();
        for a in &assignments {
            if let Some(field) = M::FIELDS.iter().find(|f| f.column == a.column) {
                field.check(M::NAME, backend, &a.value)?;
            }
        }
        let mut w = SqlWriter::new(backend);
        w.push("UPDATE ").ident(M::TABLE).push(" SET ");
        w.list(assignments, ", ", |w, a| {
            w.ident(a.column).push(" = ").bind(a.value);
        });
        w.modifying(M::TABLE, |w| self.write_where(w));
        Ok(conn.execute(&w.finish())? as u64)
    }

    /// Deletes every matching row (with a limit or an offset, the rows [`QuerySet::all`] would
    /// return), honouring each foreign key's `on_delete`, in one transaction: either everything
    /// goes, or nothing does. When nothing points at `M`, one `DELETE` with the query's
    /// conditions (Django's fast delete); otherwise the keys are read first (one statement),
    /// then each level as [`Model::delete`].
    pub fn delete(&self, conn: &mut Connection) -> Result<Deleted> {
        conn.atomic(|conn| {
            if self.limit.is_none()
                && self.offset.is_none()
                && crate::model::registry::is_leaf(M::TABLE)
            {
                let mut deleted = Deleted::default();
                deleted.add(M::NAME, self.delete_rows(conn)?);
                return Ok(deleted);
            }
            let keys = self.keys(conn)?.iter().map(Field::to_value).collect();
            crate::model::delete::delete_keys::<M>(conn, keys)
        })
    }

    /// The primary keys of the matching rows, reading nothing else. One statement.
    pub(crate) fn keys(&self, conn: &mut Connection) -> Result<Vec<M::Key>> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT ")
            .ident(M::FIELDS[M::PK].column)
            .push(" AS v FROM ")
            .ident(M::TABLE);
        self.write_where(&mut w);
        self.write_tail(&mut w);
        let keys: Vec<One<M::Key>> = conn.load(&w.finish())?;
        Ok(keys.into_iter().map(|k| k.0).collect())
    }

    /// `DELETE` of the matching rows, and nothing else: for rows nothing points at. Ignores a
    /// limit or an offset. One statement; returns how many rows went.
    pub(crate) fn delete_rows(&self, conn: &mut Connection) -> Result<u64> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("DELETE FROM ").ident(M::TABLE);
        w.modifying(M::TABLE, |w| self.write_where(w));
        Ok(conn.execute(&w.finish())? as u64)
    }
}
