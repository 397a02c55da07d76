//! What the derive registers for deletes, through `inventory`: every foreign key (and both
//! columns of each auto-created join table) and every generic relation, found by the table they
//! point at, so deleting a row finds the rows that point at it wherever they are declared.

use crate::db::connection::Connection;
use crate::db::value::{ColumnType, Value};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::on_delete::OnDelete;

/// A table a delete reaches: a model's, or a many-to-many's auto-created join table.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// The name its rows are counted under in [`Deleted`].
    pub name: &'static str,
    pub table: &'static str,
    /// The primary key's column and kind; `None` for a join table, whose rows are only ever
    /// deleted by the key they hold, unread.
    pub key: Option<(&'static str, ColumnType)>,
}

impl Table {
    /// The table of model `M`.
    pub const fn of<M: Model>() -> Table {
        let pk = &M::FIELDS[M::PK];
        Table {
            name: M::NAME,
            table: M::TABLE,
            key: Some((pk.column, pk.kind)),
        }
    }

    /// A join table, counted under `name` (Django's `Pizza_toppings`).
    pub const fn links(name: &'static str, table: &'static str) -> Table {
        Table {
            name,
            table,
            key: None,
        }
    }

    /// The primary key's column and kind.
    pub(super) fn key(&self) -> Result<(&'static str, ColumnType)> {
        self.key.ok_or_else(|| {
            Error::InvalidInput(format!(
                "internal: the rows of the join table `{}` have no key to read",
                self.table
            ))
        })
    }
}

/// One foreign key, as registered by the derive: a model's, or one of the two columns of a
/// many-to-many's join table.
#[doc(hidden)]
#[derive(Debug)]
pub struct ForeignKeyInfo {
    /// The table that holds the key.
    pub source: Table,
    pub column: &'static str,
    /// The key column's kind, to bind NULL for `SetNull`.
    pub kind: ColumnType,
    pub target_table: &'static str,
    /// The target column the key holds: the primary key's, or a `to_field`'s.
    pub target_column: &'static str,
    pub on_delete: OnDelete,
    /// The field's default key, for `SetDefault`.
    pub default: Option<fn() -> Value>,
}

inventory::collect!(ForeignKeyInfo);

impl ForeignKeyInfo {
    /// The `column` of the join table `table` (counted as `name`), which holds a `T` key: its
    /// links go with the `T` row, in the delete's own statement, so they are counted.
    pub const fn link<T: Model>(
        name: &'static str,
        table: &'static str,
        column: &'static str,
    ) -> Self {
        let pk = &T::FIELDS[T::PK];
        ForeignKeyInfo {
            source: Table::links(name, table),
            column,
            kind: pk.kind,
            target_table: T::TABLE,
            target_column: pk.column,
            on_delete: OnDelete::Cascade,
            default: None,
        }
    }
}

/// One reverse generic relation (`#[generic_relation]`), as registered by the derive: deleting
/// an owner deletes the rows that point at it.
#[doc(hidden)]
#[derive(Debug)]
pub struct GenericRelationInfo {
    pub owner_table: &'static str,
    /// The items' table.
    pub items: Table,
    /// The keys of the items pointing at the owners with these keys.
    pub find: fn(&mut Connection, &[Value]) -> Result<Vec<Value>>,
    /// Deletes the items pointing at the owners with these keys, unread (when nothing points
    /// at the items); returns how many.
    pub delete_unread: fn(&mut Connection, &[Value]) -> Result<u64>,
}

inventory::collect!(GenericRelationInfo);

/// The foreign keys pointing at `table`, in a fixed order (by source table and column), so a
/// delete runs the same statements in every build.
pub(super) fn dependents(table: &str) -> Vec<&'static ForeignKeyInfo> {
    let mut found: Vec<&'static ForeignKeyInfo> = inventory::iter::<ForeignKeyInfo>
        .into_iter()
        .filter(|fk| fk.target_table == table)
        .collect();
    found.sort_by_key(|fk| (fk.source.table, fk.column));
    found
}

/// The generic relations whose owners are rows of `table`.
pub(super) fn generic_items(
    table: &str,
) -> impl Iterator<Item = &'static GenericRelationInfo> + '_ {
    inventory::iter::<GenericRelationInfo>
        .into_iter()
        .filter(move |g| g.owner_table == table)
}

/// Whether no foreign key and no generic relation points at `table`'s rows, so deleting them
/// touches nothing else.
pub(crate) fn is_leaf(table: &str) -> bool {
    dependents(table).is_empty() && generic_items(table).next().is_none()
}
