//! Deleting an owner deletes the generic relation's items that point at it: what the delete
//! collector needs of each generic relation.

use crate::db::connection::Connection;
use crate::db::value::{Field, Value};
use crate::error::Result;
use crate::generic::ItemsKey;
use crate::generic::{GenericForeignKey, GenericRelation};
use crate::model::registry::{GenericRelationInfo, Table};
use crate::model::Model;
use crate::query::{CmpOp, Expr, Filter, QuerySet};

/// What a delete needs to know of the generic relation `R` (registered by the derive): deleting
/// an owner deletes the items pointing at it.
#[doc(hidden)]
pub const fn delete_info<R: GenericRelation>() -> GenericRelationInfo {
    GenericRelationInfo {
        owner_table: <R::Owner as Model>::TABLE,
        items: Table::of::<R::Items>(),
        find: find_generic::<R>,
        delete_unread: delete_generic::<R>,
    }
}

/// The keys of the items of `R` that point at these owners.
fn find_generic<R: GenericRelation>(conn: &mut Connection, owners: &[Value]) -> Result<Vec<Value>> {
    match items_of::<R>(conn, owners)? {
        Some(items) => Ok(items.keys(conn)?.iter().map(Field::to_value).collect()),
        None => Ok(Vec::new()),
    }
}

/// Deletes the items of `R` that point at these owners, unread: for items nothing points at.
/// Returns how many went.
fn delete_generic<R: GenericRelation>(conn: &mut Connection, owners: &[Value]) -> Result<u64> {
    match items_of::<R>(conn, owners)? {
        Some(items) => items.delete_rows(conn),
        None => Ok(0),
    }
}

/// The items of `R` that point at these owners, as one query; `None` for no owner.
fn items_of<R: GenericRelation>(
    conn: &mut Connection,
    owners: &[Value],
) -> Result<Option<QuerySet<R::Items>>> {
    let ids: Vec<Value> = owners
        .iter()
        .filter_map(value_object_id)
        .map(Value::Text)
        .collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let content_type = conn.content_type::<R::Owner>()?;
    Ok(Some(
        R::Items::query()
            .filter(Filter::new(Expr::Cmp(
                ItemsKey::<R>::CONTENT_TYPE_COLUMN,
                CmpOp::Eq,
                Value::BigInt(content_type),
            )))
            .filter(Filter::new(Expr::In(ItemsKey::<R>::OBJECT_ID_COLUMN, ids))),
    ))
}

/// The object id a key [`Value`] is stored as, for deletes that only have values.
fn value_object_id(value: &Value) -> Option<String> {
    match value {
        Value::SmallInt(v) => Some(v.to_string()),
        Value::Integer(v) => Some(v.to_string()),
        Value::BigInt(v) => Some(v.to_string()),
        Value::Text(v) => Some(v.clone()),
        #[cfg(feature = "uuid")]
        Value::Uuid(v) => Some(v.to_string()),
        _ => None,
    }
}
