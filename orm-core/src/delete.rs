//! Deleting rows while honouring `on_delete`: every foreign key registers itself (through
//! `inventory`) so deleting a row can find the rows that point at it, wherever they are declared.

use std::collections::HashSet;

use crate::connection::Connection;
use crate::decode::One;
use crate::error::{Error, Result};
use crate::model::{Deleted, Model};
use crate::query::{Expr, Filter};
use crate::sql::SqlWriter;
use crate::value::{Field, Value};

/// What happens to rows pointing at a deleted row (Django's `on_delete`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OnDelete {
    /// Delete them too (the default).
    Cascade,
    /// Set their key to NULL; the key field must be an `Option`.
    SetNull,
    /// Refuse the delete with [`Error::Protected`].
    Protect,
    /// Refuse the delete with [`Error::Protected`]; the DDL says `ON DELETE RESTRICT`.
    Restrict,
    /// Leave them; the database's own constraint decides.
    DoNothing,
}

/// One foreign key, as registered by the derive.
#[doc(hidden)]
#[derive(Debug)]
pub struct ForeignKeyInfo {
    pub target_table: &'static str,
    pub source: &'static str,
    pub source_table: &'static str,
    pub column: &'static str,
    /// The key column's kind, to bind NULL for `SetNull`.
    pub kind: crate::Kind,
    pub on_delete: OnDelete,
    /// Deletes the source rows whose `column` is among the keys (for `Cascade`).
    pub collect: fn(&mut Connection, &'static str, &[Value], &mut Visited) -> Result<Deleted>,
}

inventory::collect!(ForeignKeyInfo);

/// One reverse generic relation (`#[generic_relation]`), as registered by the derive: deleting
/// an owner deletes the rows that point at it.
#[doc(hidden)]
#[derive(Debug)]
pub struct GenericRelationInfo {
    pub owner_table: &'static str,
    /// Deletes the rows pointing at the owners with these keys.
    pub collect: fn(&mut Connection, &[Value], &mut Visited) -> Result<Deleted>,
}

inventory::collect!(GenericRelationInfo);

/// Rows already being deleted, so cycles of cascades end.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Visited(HashSet<(&'static str, String)>);

pub(crate) fn delete_keys<M: Model>(conn: &mut Connection, keys: Vec<Value>) -> Result<Deleted> {
    delete_visited::<M>(conn, keys, &mut Visited::default())
}

pub(crate) fn delete_visited<M: Model>(
    conn: &mut Connection,
    keys: Vec<Value>,
    visited: &mut Visited,
) -> Result<Deleted> {
    let keys: Vec<Value> = keys
        .into_iter()
        .filter(|k| visited.0.insert((M::TABLE, format!("{k:?}"))))
        .collect();
    let mut deleted = Deleted::default();
    if keys.is_empty() {
        return Ok(deleted);
    }
    let dependents: Vec<&ForeignKeyInfo> = inventory::iter::<ForeignKeyInfo>
        .into_iter()
        .filter(|fk| fk.target_table == M::TABLE)
        .collect();
    // Refusals first, so a refused delete has touched nothing.
    for fk in &dependents {
        if matches!(fk.on_delete, OnDelete::Protect | OnDelete::Restrict) {
            let count = count_referencing(conn, fk, &keys)?;
            if count > 0 {
                return Err(Error::Protected {
                    model: M::NAME,
                    referencing: fk.source,
                    column: fk.column,
                    count,
                    on_delete: fk.on_delete,
                });
            }
        }
    }
    for fk in &dependents {
        match fk.on_delete {
            OnDelete::Cascade => deleted.merge((fk.collect)(conn, fk.column, &keys, visited)?),
            OnDelete::SetNull => set_null(conn, fk, &keys)?,
            OnDelete::Protect | OnDelete::Restrict | OnDelete::DoNothing => {}
        }
    }
    for generic in inventory::iter::<GenericRelationInfo> {
        if generic.owner_table == M::TABLE {
            deleted.merge((generic.collect)(conn, &keys, visited)?);
        }
    }
    let pk = M::FIELDS[M::PK].column;
    for chunk in keys.chunks(conn.backend().max_binds()) {
        let mut w = SqlWriter::new(conn.backend());
        w.push("DELETE FROM ").ident(M::TABLE).push(" WHERE ");
        Expr::In(pk, chunk.to_vec()).write(&mut w);
        let n = conn.execute(&w.finish())?;
        deleted.add(M::NAME, n as u64);
    }
    Ok(deleted)
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

fn set_null(conn: &mut Connection, fk: &ForeignKeyInfo, keys: &[Value]) -> Result<()> {
    for chunk in keys.chunks(conn.backend().max_binds() - 1) {
        let mut w = SqlWriter::new(conn.backend());
        w.push("UPDATE ")
            .ident(fk.source_table)
            .push(" SET ")
            .ident(fk.column)
            .push(" = ");
        w.bind(Value::Null(fk.kind)).push(" WHERE ");
        Expr::In(fk.column, chunk.to_vec()).write(&mut w);
        conn.execute(&w.finish())?;
    }
    Ok(())
}

/// `Cascade` for source model `S`: loads the rows pointing at `keys`, then deletes them (and
/// whatever points at them).
#[doc(hidden)]
pub fn collect_dependents<S: Model>(
    conn: &mut Connection,
    column: &'static str,
    keys: &[Value],
    visited: &mut Visited,
) -> Result<Deleted> {
    let mut found = Vec::new();
    for chunk in keys.chunks(conn.backend().max_binds()) {
        let rows = S::query()
            .filter(Filter::new(Expr::In(column, chunk.to_vec())))
            .all(conn)?;
        found.extend(rows.iter().map(|r| r.key().to_value()));
    }
    delete_visited::<S>(conn, found, visited)
}
