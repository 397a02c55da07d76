//! Deleting rows while honouring `on_delete`: every foreign key registers itself (through
//! `inventory`) so deleting a row can find the rows that point at it, wherever they are declared.

use std::collections::HashSet;

use crate::connection::Connection;
use crate::decode::{LoadRow, One};
use crate::error::{Error, Result};
use crate::model::{Deleted, Model};
use crate::query::{Expr, Filter};
use crate::sql::{SqlWriter, Stmt};
use crate::value::{Field, Kind, Value};

/// What happens to rows pointing at a deleted row (Django's `on_delete`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OnDelete {
    /// Delete them too (the default).
    Cascade,
    /// Set their key to NULL; the key field must be an `Option`.
    SetNull,
    /// Set their key to the field's `#[orm(default = ..)]` (Django's `SET_DEFAULT`), done by
    /// the delete itself, so the DDL's constraint has no action of its own.
    SetDefault,
    /// Refuse the delete with [`Error::Protected`].
    Protect,
    /// Refuse the delete with [`Error::Protected`], unless every referencing row is being
    /// deleted by the same call through a `Cascade` (Django's `RESTRICT`); the DDL says
    /// `ON DELETE RESTRICT`.
    Restrict,
    /// Leave them; the database's own constraint decides.
    DoNothing,
}

/// One foreign key, as registered by the derive.
#[doc(hidden)]
#[derive(Debug)]
pub struct ForeignKeyInfo {
    pub target_table: &'static str,
    /// The target column the key holds: the primary key's, or a `to_field`'s.
    pub target_column: &'static str,
    pub source: &'static str,
    pub source_table: &'static str,
    pub column: &'static str,
    /// The key column's kind, to bind NULL for `SetNull`.
    pub kind: crate::Kind,
    pub on_delete: OnDelete,
    /// The field's default key, for `SetDefault`.
    pub default: Option<fn() -> Value>,
    /// The keys of the source rows whose `column` is among the keys.
    pub find: fn(&mut Connection, &'static str, &[Value]) -> Result<Vec<Value>>,
    /// Deletes source rows by key, and what depends on them.
    pub delete: fn(&mut Connection, Vec<Value>, &mut Visited) -> Result<Deleted>,
}

inventory::collect!(ForeignKeyInfo);

/// One reverse generic relation (`#[generic_relation]`), as registered by the derive: deleting
/// an owner deletes the rows that point at it.
#[doc(hidden)]
#[derive(Debug)]
pub struct GenericRelationInfo {
    pub owner_table: &'static str,
    /// The items' table.
    pub items_table: &'static str,
    /// The items' model name, for the count of what went.
    pub items: &'static str,
    /// The keys of the items pointing at the owners with these keys.
    pub find: fn(&mut Connection, &[Value]) -> Result<Vec<Value>>,
    /// Deletes the items pointing at the owners with these keys, unread (when nothing points
    /// at the items); returns how many.
    pub delete_unread: fn(&mut Connection, &[Value]) -> Result<u64>,
    /// Deletes items by key, and what depends on them.
    pub delete: fn(&mut Connection, Vec<Value>, &mut Visited) -> Result<Deleted>,
}

inventory::collect!(GenericRelationInfo);

/// A row, as the delete tracks it: its table and its key.
type RowId = (&'static str, String);

fn row_id(table: &'static str, key: &Value) -> RowId {
    (table, format!("{key:?}"))
}

/// What one delete call has seen: the rows already being deleted, so cycles of cascades end, and
/// the rows its cascades reach, worked out when a `Restrict` needs them.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Visited {
    rows: HashSet<RowId>,
    root: Option<(&'static str, Vec<Value>)>,
    cascaded: Option<HashSet<RowId>>,
}

impl Visited {
    /// The rows that deleting the root reaches through `Cascade` keys and generic relations,
    /// read once per delete, the first time a `Restrict` key is found in use.
    fn cascaded(&mut self, conn: &mut Connection) -> Result<&HashSet<RowId>> {
        if self.cascaded.is_none() {
            let mut reached = HashSet::new();
            let mut queue = Vec::new();
            if let Some((table, keys)) = &self.root {
                queue.push((*table, keys.clone()));
            }
            while let Some((table, keys)) = queue.pop() {
                let keys: Vec<Value> = keys
                    .into_iter()
                    .filter(|k| reached.insert(row_id(table, k)))
                    .collect();
                if keys.is_empty() {
                    continue;
                }
                for fk in dependents(table) {
                    if fk.on_delete == OnDelete::Cascade {
                        queue.push((fk.source_table, (fk.find)(conn, fk.column, &keys)?));
                    }
                }
                for generic in inventory::iter::<GenericRelationInfo> {
                    if generic.owner_table == table {
                        queue.push((generic.items_table, (generic.find)(conn, &keys)?));
                    }
                }
            }
            self.cascaded = Some(reached);
        }
        Ok(self.cascaded.get_or_insert_with(HashSet::new))
    }
}

/// The foreign keys pointing at `table`, in a fixed order (by source table and column), so a
/// delete runs the same statements in every build.
fn dependents(table: &str) -> Vec<&'static ForeignKeyInfo> {
    let mut found: Vec<&'static ForeignKeyInfo> = inventory::iter::<ForeignKeyInfo>
        .into_iter()
        .filter(|fk| fk.target_table == table)
        .collect();
    found.sort_by_key(|fk| (fk.source_table, fk.column));
    found
}

pub(crate) fn delete_keys<M: Model>(conn: &mut Connection, keys: Vec<Value>) -> Result<Deleted> {
    let mut visited = Visited {
        root: Some((M::TABLE, keys.clone())),
        ..Visited::default()
    };
    delete_visited::<M>(conn, keys, &mut visited)
}

#[doc(hidden)]
pub fn delete_visited<M: Model>(
    conn: &mut Connection,
    keys: Vec<Value>,
    visited: &mut Visited,
) -> Result<Deleted> {
    let keys: Vec<Value> = keys
        .into_iter()
        .filter(|k| visited.rows.insert(row_id(M::TABLE, k)))
        .collect();
    let mut deleted = Deleted::default();
    if keys.is_empty() {
        return Ok(deleted);
    }
    let dependents = dependents(M::TABLE);
    // What the dependents' key columns hold of the deleted rows: their primary keys, or for a
    // `to_field` key that field's values, read once per column before anything changes.
    let pk = M::FIELDS[M::PK].column;
    let mut held: Vec<(&str, Vec<Value>)> = vec![(pk, keys.clone())];
    for fk in &dependents {
        if held.iter().all(|(column, _)| *column != fk.target_column) {
            let values = column_values::<M>(conn, fk, &keys)?;
            held.push((fk.target_column, values));
        }
    }
    let held = |fk: &ForeignKeyInfo| -> &[Value] {
        held.iter()
            .find(|(column, _)| *column == fk.target_column)
            .map_or(&[], |(_, values)| values)
    };
    // Refusals first, so a refused delete has touched nothing of this level (and the caller's
    // transaction undoes the levels before it).
    let mut restricted = Vec::new();
    for fk in &dependents {
        let refuse = |count: i64| Error::Protected {
            model: M::NAME,
            referencing: fk.source,
            column: fk.column,
            count,
            on_delete: fk.on_delete,
        };
        match fk.on_delete {
            OnDelete::Protect => {
                let count = count_referencing(conn, fk, held(fk))?;
                if count > 0 {
                    return Err(refuse(count));
                }
            }
            OnDelete::Restrict => {
                let rows = (fk.find)(conn, fk.column, held(fk))?;
                if rows.is_empty() {
                    continue;
                }
                // Allowed when this call deletes every one of them anyway, through a cascade:
                // then they go first, here, so the database's own RESTRICT holds too.
                let cascaded = visited.cascaded(conn)?;
                let kept = rows
                    .iter()
                    .filter(|k| !cascaded.contains(&row_id(fk.source_table, k)))
                    .count();
                if kept > 0 {
                    return Err(refuse(i64::try_from(kept).unwrap_or(i64::MAX)));
                }
                restricted.push((*fk, rows));
            }
            OnDelete::Cascade | OnDelete::SetNull | OnDelete::SetDefault | OnDelete::DoNothing => {}
        }
    }
    for (fk, rows) in restricted {
        deleted.merge((fk.delete)(conn, rows, visited)?);
    }
    for fk in &dependents {
        match fk.on_delete {
            // Nothing points at the rows to delete: one DELETE, without reading them first
            // (Django's fast delete).
            OnDelete::Cascade if is_leaf(fk.source_table) => {
                let n = delete_where(conn, fk.source_table, fk.column, held(fk))?;
                deleted.add(fk.source, n);
            }
            OnDelete::Cascade => {
                let rows = (fk.find)(conn, fk.column, held(fk))?;
                deleted.merge((fk.delete)(conn, rows, visited)?);
            }
            OnDelete::SetNull => set_key(conn, fk, Value::Null(fk.kind), held(fk))?,
            OnDelete::SetDefault => {
                // The derive refuses `SetDefault` without a default; an error, not a panic.
                let default = fk.default.ok_or_else(|| {
                    Error::InvalidInput(format!("`{}.{}` has no default", fk.source, fk.column))
                })?;
                set_key(conn, fk, default(), held(fk))?
            }
            OnDelete::Protect | OnDelete::Restrict | OnDelete::DoNothing => {}
        }
    }
    for generic in inventory::iter::<GenericRelationInfo> {
        if generic.owner_table != M::TABLE {
            continue;
        }
        if is_leaf(generic.items_table) {
            deleted.add(generic.items, (generic.delete_unread)(conn, &keys)?);
        } else {
            let items = (generic.find)(conn, &keys)?;
            deleted.merge((generic.delete)(conn, items, visited)?);
        }
    }
    let n = delete_where(conn, M::TABLE, pk, &keys)?;
    deleted.add(M::NAME, n);
    Ok(deleted)
}

/// Whether no foreign key and no generic relation points at `table`'s rows, so deleting them
/// touches nothing else.
pub(crate) fn is_leaf(table: &str) -> bool {
    dependents(table).is_empty()
        && !inventory::iter::<GenericRelationInfo>
            .into_iter()
            .any(|g| g.owner_table == table)
}

/// Deletes the rows of `table` whose `column` is among `keys`; returns how many.
fn delete_where(
    conn: &mut Connection,
    table: &'static str,
    column: &'static str,
    keys: &[Value],
) -> Result<u64> {
    let mut total = 0;
    for chunk in keys.chunks(conn.backend().max_binds()) {
        let mut w = SqlWriter::new(conn.backend());
        w.push("DELETE FROM ").ident(table).push(" WHERE ");
        Expr::In(column, chunk.to_vec()).write(&mut w);
        total += conn.execute(&w.finish())? as u64;
    }
    Ok(total)
}

/// What `fk`'s target column holds in the `M` rows with these primary keys, NULLs left out
/// (they point at nothing). The column alone is read, one statement per chunk of keys.
fn column_values<M: Model>(
    conn: &mut Connection,
    fk: &ForeignKeyInfo,
    keys: &[Value],
) -> Result<Vec<Value>> {
    let pk = M::FIELDS[M::PK].column;
    let mut values = Vec::new();
    for chunk in keys.chunks(conn.backend().max_binds()) {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT ")
            .ident(fk.target_column)
            .push(" AS v FROM ")
            .ident(M::TABLE)
            .push(" WHERE ");
        Expr::In(pk, chunk.to_vec()).write(&mut w);
        read_values(conn, &w.finish(), fk.kind, &mut values)?;
    }
    Ok(values)
}

/// Reads column `v` of every row as a value of `kind`, leaving NULLs out.
fn read_values(conn: &mut Connection, stmt: &Stmt, kind: Kind, out: &mut Vec<Value>) -> Result<()> {
    fn read<T: Field>(conn: &mut Connection, stmt: &Stmt, out: &mut Vec<Value>) -> Result<()>
    where
        One<Option<T>>: LoadRow,
    {
        let rows: Vec<One<Option<T>>> = conn.load(stmt)?;
        out.extend(
            rows.into_iter()
                .filter_map(|One(v)| v.map(|v| v.to_value())),
        );
        Ok(())
    }
    match kind {
        Kind::SmallInt => read::<i16>(conn, stmt, out),
        Kind::Integer => read::<i32>(conn, stmt, out),
        Kind::BigInt => read::<i64>(conn, stmt, out),
        Kind::Float => read::<f32>(conn, stmt, out),
        Kind::Double => read::<f64>(conn, stmt, out),
        Kind::Bool => read::<bool>(conn, stmt, out),
        Kind::Text => read::<String>(conn, stmt, out),
        Kind::Binary => read::<Vec<u8>>(conn, stmt, out),
        #[cfg(feature = "chrono")]
        Kind::Timestamp => read::<chrono::NaiveDateTime>(conn, stmt, out),
        #[cfg(feature = "chrono")]
        Kind::Date => read::<chrono::NaiveDate>(conn, stmt, out),
        #[cfg(feature = "uuid")]
        Kind::Uuid => read::<uuid::Uuid>(conn, stmt, out),
        // A field of this kind needs the feature that is off, so no model has one.
        #[allow(unreachable_patterns)]
        other => Err(Error::InvalidInput(format!(
            "internal: a key of kind {other:?} without the feature that reads it"
        ))),
    }
}

fn count_referencing(conn: &mut Connection, fk: &ForeignKeyInfo, keys: &[Value]) -> Result<i64> {
    let mut total = 0;
    for chunk in keys.chunks(conn.backend().max_binds()) {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT COUNT(*) AS v FROM ")
            .ident(fk.source_table)
            .push(" WHERE ");
        Expr::In(fk.column, chunk.to_vec()).write(&mut w);
        let rows: Vec<One<i64>> = conn.load(&w.finish())?;
        total += rows.first().map_or(0, |r| r.0);
    }
    Ok(total)
}

/// Points the rows referencing `keys` at `value` (NULL, or the key field's default).
fn set_key(conn: &mut Connection, fk: &ForeignKeyInfo, value: Value, keys: &[Value]) -> Result<()> {
    for chunk in keys.chunks(conn.backend().max_binds() - 1) {
        let mut w = SqlWriter::new(conn.backend());
        w.push("UPDATE ")
            .ident(fk.source_table)
            .push(" SET ")
            .ident(fk.column)
            .push(" = ");
        w.bind(value.clone()).push(" WHERE ");
        Expr::In(fk.column, chunk.to_vec()).write(&mut w);
        conn.execute(&w.finish())?;
    }
    Ok(())
}

/// The keys of the `S` rows whose `column` is among `keys` (only the key column is read).
#[doc(hidden)]
pub fn find_referencing<S: Model>(
    conn: &mut Connection,
    column: &'static str,
    keys: &[Value],
) -> Result<Vec<Value>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(conn.backend().max_binds()) {
        let rows = S::query().filter(Filter::new(Expr::In(column, chunk.to_vec())));
        found.extend(rows.keys(conn)?.iter().map(Field::to_value));
    }
    Ok(found)
}
