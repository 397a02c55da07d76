//! Deleting rows while honouring `on_delete`: the registry (`registry.rs`) finds the rows that
//! point at a deleted row, wherever their foreign keys are declared.
//!
//! A delete runs in three steps, as Django's `Collector`: it first finds every row it reaches
//! (level by level, in a loop, so a tree of any depth needs no deeper stack), then takes every
//! `Protect` and `Restrict` decision on that whole set, and only then writes: the rows nothing
//! points at, the keys set to NULL or a default, then the rows it read, each table after the
//! tables whose rows point at it.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::db::connection::Connection;
use crate::db::decode::{LoadRow, One};
use crate::db::sql::{SqlWriter, Stmt};
use crate::db::value::{Bound, ColumnType, Field, Value};
use crate::error::{Blocking, Error, Result};
use crate::model::{Deleted, Model};
use crate::on_delete::OnDelete;
use crate::query::Expr;

use super::registry::{
    dependents, generic_items, is_leaf, ForeignKeyInfo, GenericRelationInfo, Table,
};

/// Deletes the `M` rows with these keys and everything their `on_delete` rules reach. The
/// caller holds the transaction.
pub(crate) fn delete_keys<M: Model>(conn: &mut Connection, keys: Vec<Value>) -> Result<Deleted> {
    let mut plan = Plan::default();
    plan.collect(conn, Table::of::<M>(), keys)?;
    plan.check_restricted(conn)?;
    plan.run(conn)
}

/// Rows deleted unread: they are in a table nothing points at.
#[derive(Debug)]
enum Unread {
    /// The rows whose key `fk` holds one of the values.
    Referencing(&'static ForeignKeyInfo, Vec<Value>),
    /// The items of a generic relation that point at these owners.
    Generic(&'static GenericRelationInfo, Vec<Value>),
}

impl Unread {
    fn table(&self) -> &'static str {
        match self {
            Unread::Referencing(fk, _) => fk.source.table,
            Unread::Generic(g, _) => g.items.table,
        }
    }
}

/// Everything one delete does, found before anything is written.
#[derive(Debug, Default)]
struct Plan {
    /// The rows read and to be deleted, level by level, in the order they were found.
    levels: Vec<(Table, Vec<Value>)>,
    /// Every row in `levels`, so a row reached twice (a cycle, two paths) is deleted once.
    seen: HashSet<(&'static str, Bound)>,
    /// Rows deleted without being read.
    unread: Vec<Unread>,
    /// Keys set to NULL or to their default: the key, the value, the target values it held.
    updates: Vec<(&'static ForeignKeyInfo, Value, Vec<Value>)>,
    /// Rows that a `Restrict` key points from at a row being deleted, with that row's model:
    /// allowed only if the delete reaches them too.
    restricted: Vec<(&'static str, &'static ForeignKeyInfo, Vec<Value>)>,
    /// Rows that a `Protect` key points from at a row being deleted: the delete is refused.
    protected: Vec<Blocking>,
}

impl Plan {
    /// Finds every row that deleting `keys` of `root` reaches, level by level. Refuses with
    /// [`Error::Protected`], listing every row a `Protect` key points from, when there is any;
    /// nothing is written.
    fn collect(&mut self, conn: &mut Connection, root: Table, keys: Vec<Value>) -> Result<()> {
        let mut queue = VecDeque::from([(root, keys)]);
        while let Some((table, keys)) = queue.pop_front() {
            let keys: Vec<Value> = keys
                .into_iter()
                .filter(|k| self.seen.insert((table.table, Bound(k.clone()))))
                .collect();
            if keys.is_empty() {
                continue;
            }
            let dependents = dependents(table.table);
            let held = Held::read(conn, table, &dependents, &keys)?;
            for fk in dependents {
                let values = held.of(fk);
                if values.is_empty() {
                    continue;
                }
                match fk.on_delete {
                    OnDelete::Protect => {
                        let rows = find_referencing(conn, fk, values)?;
                        if !rows.is_empty() {
                            self.protected.push(blocking(table.name, fk, &rows));
                        }
                    }
                    OnDelete::Restrict => {
                        let rows = find_referencing(conn, fk, values)?;
                        if !rows.is_empty() {
                            self.restricted.push((table.name, fk, rows));
                        }
                    }
                    OnDelete::Cascade if is_leaf(fk.source.table) => {
                        self.unread.push(Unread::Referencing(fk, values.to_vec()));
                    }
                    OnDelete::Cascade => {
                        queue.push_back((fk.source, find_referencing(conn, fk, values)?));
                    }
                    OnDelete::SetNull => {
                        self.updates
                            .push((fk, Value::Null(fk.kind), values.to_vec()));
                    }
                    OnDelete::SetDefault | OnDelete::Set => {
                        // The derive refuses `SetDefault` without a default; an error, not a
                        // panic.
                        let default = fk.default.ok_or_else(|| {
                            Error::InvalidInput(format!(
                                "`{}.{}` has no default",
                                fk.source.name, fk.column
                            ))
                        })?;
                        self.updates.push((fk, default(), values.to_vec()));
                    }
                    OnDelete::DoNothing => {}
                }
            }
            for generic in generic_items(table.table) {
                if is_leaf(generic.items.table) {
                    self.unread.push(Unread::Generic(generic, keys.clone()));
                } else {
                    queue.push_back((generic.items, (generic.find)(conn, &keys)?));
                }
            }
            self.levels.push((table, keys));
        }
        match self.protected.is_empty() {
            true => Ok(()),
            false => Err(Error::Protected {
                blocking: std::mem::take(&mut self.protected),
            }),
        }
    }

    /// Refuses the delete unless every row a `Restrict` key points from is deleted by it too.
    /// Rows deleted unread are read here, for the tables that need it, the first time.
    fn check_restricted(&self, conn: &mut Connection) -> Result<()> {
        let mut reached: HashMap<&'static str, HashSet<Bound>> = HashMap::new();
        let mut restricted = Vec::new();
        for (model, fk, rows) in &self.restricted {
            let table = fk.source.table;
            let mut kept: Vec<&Value> = rows
                .iter()
                .filter(|k| !self.seen.contains(&(table, Bound((*k).clone()))))
                .collect();
            if kept.is_empty() {
                continue;
            }
            if !reached.contains_key(table) {
                let rows = self.read_unread(conn, table)?;
                reached.insert(table, rows.into_iter().map(Bound).collect());
            }
            let unread = &reached[table];
            kept.retain(|k| !unread.contains(&Bound((*k).clone())));
            if !kept.is_empty() {
                let kept: Vec<Value> = kept.into_iter().cloned().collect();
                restricted.push(blocking(model, fk, &kept));
            }
        }
        match restricted.is_empty() {
            true => Ok(()),
            false => Err(Error::Protected {
                blocking: restricted,
            }),
        }
    }

    /// The keys of the rows of `table` that this delete removes unread.
    fn read_unread(&self, conn: &mut Connection, table: &str) -> Result<Vec<Value>> {
        let mut keys = Vec::new();
        for unread in self.unread.iter().filter(|u| u.table() == table) {
            keys.extend(match unread {
                Unread::Referencing(fk, values) => find_referencing(conn, fk, values)?,
                Unread::Generic(g, owners) => (g.find)(conn, owners)?,
            });
        }
        Ok(keys)
    }

    /// Writes the plan: the rows deleted unread, the keys set, then the rows read, each table
    /// after the tables whose rows point at it, and within a table the deepest level first.
    fn run(self, conn: &mut Connection) -> Result<Deleted> {
        let mut deleted = Deleted::default();
        for unread in &self.unread {
            match unread {
                Unread::Referencing(fk, values) => {
                    let n = delete_where(conn, fk.source.table, fk.column, values)?;
                    deleted.add(fk.source.name, n);
                }
                Unread::Generic(g, owners) => {
                    deleted.add(g.items.name, (g.delete_unread)(conn, owners)?)
                }
            }
        }
        for (fk, value, values) in &self.updates {
            set_key(conn, fk, value, values)?;
        }
        for (table, keys) in self.in_delete_order() {
            let (key, _) = table.key()?;
            deleted.add(table.name, delete_where(conn, table.table, key, keys)?);
        }
        Ok(deleted)
    }

    /// The levels in the order they can be deleted: a table once no other table still to go
    /// points at it (the one found last first, when several can go), and its levels deepest
    /// first, so a tree's leaves go before their parents. Tables that point at each other in a
    /// cycle go the one found last first; the database's own `ON DELETE` covers the rest.
    fn in_delete_order(&self) -> Vec<(&Table, &[Value])> {
        let mut tables: Vec<&'static str> = Vec::new();
        for (table, _) in &self.levels {
            if !tables.contains(&table.table) {
                tables.push(table.table);
            }
        }
        // The keys that make a table wait for another: those whose rows are still there when
        // the rows they point at go (set NULL or to a default before; a generic key has no
        // constraint), and that the database checks.
        let pointing: HashMap<&str, Vec<&str>> = tables
            .iter()
            .map(|&target| {
                let sources = dependents(target)
                    .into_iter()
                    .filter(|fk| matches!(fk.on_delete, OnDelete::Cascade | OnDelete::Restrict))
                    .map(|fk| fk.source.table)
                    .filter(|&source| source != target)
                    .collect();
                (target, sources)
            })
            .collect();
        let points_at = |source: &str, target: &str| {
            pointing
                .get(target)
                .is_some_and(|sources| sources.contains(&source))
        };
        let mut order = Vec::new();
        while !tables.is_empty() {
            let free = tables
                .iter()
                .rposition(|&t| !tables.iter().any(|&s| points_at(s, t)))
                .unwrap_or(tables.len() - 1);
            let table = tables.remove(free);
            order.extend(
                self.levels
                    .iter()
                    .rev()
                    .filter(|(t, _)| t.table == table)
                    .map(|(t, keys)| (t, keys.as_slice())),
            );
        }
        order
    }
}

/// The rows with these `keys` that `fk` makes point at a `model` row being deleted.
fn blocking(model: &'static str, fk: &ForeignKeyInfo, keys: &[Value]) -> Blocking {
    Blocking {
        model,
        referencing: fk.source.name,
        column: fk.column,
        on_delete: fk.on_delete,
        keys: keys.iter().map(Value::to_string).collect(),
    }
}

/// What the key columns pointing at one level's rows hold of them: their primary keys, or for
/// a `to_field` key that field's values, read once per column before anything changes.
struct Held {
    values: Vec<(&'static str, Vec<Value>)>,
}

impl Held {
    fn read(
        conn: &mut Connection,
        table: Table,
        dependents: &[&'static ForeignKeyInfo],
        keys: &[Value],
    ) -> Result<Self> {
        let (pk, _) = table.key()?;
        let mut values = vec![(pk, keys.to_vec())];
        for fk in dependents {
            if values.iter().all(|(column, _)| *column != fk.target_column) {
                let held = column_values(conn, table, fk, keys)?;
                values.push((fk.target_column, held));
            }
        }
        Ok(Held { values })
    }

    fn of(&self, fk: &ForeignKeyInfo) -> &[Value] {
        self.values
            .iter()
            .find(|(column, _)| *column == fk.target_column)
            .map_or(&[], |(_, values)| values)
    }
}

/// Deletes the rows of `table` whose `column` is among `keys`; returns how many. One statement,
/// however many keys.
fn delete_where(
    conn: &mut Connection,
    table: &'static str,
    column: &'static str,
    keys: &[Value],
) -> Result<u64> {
    let mut w = SqlWriter::new(conn.backend());
    w.push("DELETE FROM ").ident(table).push(" WHERE ");
    Expr::In(column, keys.to_vec()).write(&mut w);
    Ok(conn.execute(&w.finish())? as u64)
}

/// What `fk`'s target column holds in the rows of `table` with these primary keys, NULLs left
/// out (they point at nothing). The column alone is read, in one statement.
fn column_values(
    conn: &mut Connection,
    table: Table,
    fk: &ForeignKeyInfo,
    keys: &[Value],
) -> Result<Vec<Value>> {
    let (pk, _) = table.key()?;
    let mut w = SqlWriter::new(conn.backend());
    w.push("SELECT ")
        .ident(fk.target_column)
        .push(" AS v FROM ")
        .ident(table.table)
        .push(" WHERE ");
    Expr::In(pk, keys.to_vec()).write(&mut w);
    read_values(conn, &w.finish(), fk.kind)
}

/// The keys of the rows of `fk`'s table whose key column holds one of `values` (only the key
/// column is read), in one statement.
fn find_referencing(
    conn: &mut Connection,
    fk: &ForeignKeyInfo,
    values: &[Value],
) -> Result<Vec<Value>> {
    let (pk, kind) = fk.source.key()?;
    let mut w = SqlWriter::new(conn.backend());
    w.push("SELECT ")
        .ident(pk)
        .push(" AS v FROM ")
        .ident(fk.source.table)
        .push(" WHERE ");
    Expr::In(fk.column, values.to_vec()).write(&mut w);
    read_values(conn, &w.finish(), kind)
}

/// Reads column `v` of every row as a value of `kind`, leaving NULLs out.
fn read_values(conn: &mut Connection, stmt: &Stmt, kind: ColumnType) -> Result<Vec<Value>> {
    fn read<T: Field>(conn: &mut Connection, stmt: &Stmt) -> Result<Vec<Value>>
    where
        One<Option<T>>: LoadRow,
    {
        let rows: Vec<One<Option<T>>> = conn.load(stmt)?;
        Ok(rows
            .into_iter()
            .filter_map(|One(v)| v.map(|v| v.to_value()))
            .collect())
    }
    match kind {
        ColumnType::SmallInt => read::<i16>(conn, stmt),
        ColumnType::Integer => read::<i32>(conn, stmt),
        ColumnType::BigInt => read::<i64>(conn, stmt),
        ColumnType::Float => read::<f32>(conn, stmt),
        ColumnType::Double => read::<f64>(conn, stmt),
        ColumnType::Bool => read::<bool>(conn, stmt),
        ColumnType::Text => read::<String>(conn, stmt),
        ColumnType::Binary => read::<Vec<u8>>(conn, stmt),
        #[cfg(feature = "chrono")]
        ColumnType::Timestamp => read::<chrono::NaiveDateTime>(conn, stmt),
        #[cfg(feature = "chrono")]
        ColumnType::Date => read::<chrono::NaiveDate>(conn, stmt),
        #[cfg(feature = "uuid")]
        ColumnType::Uuid => read::<uuid::Uuid>(conn, stmt),
        // A field of this kind needs the feature that is off, so no model has one.
        #[allow(unreachable_patterns)]
        other => Err(Error::InvalidInput(format!(
            "internal: a key of kind {other:?} without the feature that reads it"
        ))),
    }
}

/// Points the rows referencing `keys` at `value` (NULL, or the key field's default). One
/// statement.
fn set_key(
    conn: &mut Connection,
    fk: &ForeignKeyInfo,
    value: &Value,
    keys: &[Value],
) -> Result<()> {
    let mut w = SqlWriter::new(conn.backend());
    w.push("UPDATE ")
        .ident(fk.source.table)
        .push(" SET ")
        .ident(fk.column)
        .push(" = ");
    w.bind(value.clone()).push(" WHERE ");
    Expr::In(fk.column, keys.to_vec()).write(&mut w);
    conn.execute(&w.finish())?;
    Ok(())
}
