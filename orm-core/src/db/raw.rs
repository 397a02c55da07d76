//! A [`Stmt`] as diesel runs it, each value bound with its SQL type on every backend.

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::*;
use diesel::{QueryResult, RunQueryDsl};

use crate::db::sql::Stmt;
#[cfg(feature = "postgres")]
use crate::db::value::KeyList;
use crate::db::value::{ColumnType, Value};

/// A [`Stmt`] as diesel runs it: our SQL, placeholders included, and each value bound in place.
/// Diesel keeps the prepared statement, keyed by its SQL, only when `cache` says so: statements
/// whose SQL takes a bounded number of forms (prefetch levels, whose key lists are padded).
pub(crate) struct Raw<'s> {
    stmt: &'s Stmt,
    cache: bool,
}

impl<'s> Raw<'s> {
    /// Prepared afresh each time.
    pub(crate) fn once(stmt: &'s Stmt) -> Self {
        Raw { stmt, cache: false }
    }

    /// Prepared once per connection and reused.
    pub(crate) fn cached(stmt: &'s Stmt) -> Self {
        Raw { stmt, cache: true }
    }
}

impl QueryId for Raw<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Raw<'_> {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for Raw<'_> {}

impl<DB: BindValues> QueryFragment<DB> for Raw<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if !self.cache {
            out.unsafe_to_cache_prepared();
        }
        out.push_sql(&self.stmt.sql);
        for value in &self.stmt.binds {
            DB::bind(&mut out, value)?;
        }
        Ok(())
    }
}

/// Binds one value, whose placeholder the SQL already holds, on backend `DB`.
pub(crate) trait BindValues: diesel::backend::Backend + Sized {
    fn bind<'b>(out: &mut AstPass<'_, 'b, Self>, v: &'b Value) -> QueryResult<()>;
}

/// The arms every backend shares; `$uuid` and `$null_uuid` say how UUIDs are stored, `$keys` how
/// a key list is.
macro_rules! bind_match {
    ($out:ident, $v:ident, |$u:ident| $uuid:expr, $null_uuid:expr, |$k:ident| $keys:expr) => {
        match $v {
            Value::Null(kind) => match kind {
                ColumnType::SmallInt => $out.push_bind_param_value_only::<Nullable<SmallInt>, Option<i16>>(&None),
                ColumnType::Integer => $out.push_bind_param_value_only::<Nullable<Integer>, Option<i32>>(&None),
                ColumnType::BigInt => $out.push_bind_param_value_only::<Nullable<BigInt>, Option<i64>>(&None),
                ColumnType::Float => $out.push_bind_param_value_only::<Nullable<Float>, Option<f32>>(&None),
                ColumnType::Double => $out.push_bind_param_value_only::<Nullable<Double>, Option<f64>>(&None),
                ColumnType::Bool => $out.push_bind_param_value_only::<Nullable<Bool>, Option<bool>>(&None),
                ColumnType::Text => $out.push_bind_param_value_only::<Nullable<Text>, Option<String>>(&None),
                ColumnType::Binary => $out.push_bind_param_value_only::<Nullable<Binary>, Option<Vec<u8>>>(&None),
                #[cfg(feature = "chrono")]
                ColumnType::Timestamp => $out
                    .push_bind_param_value_only::<Nullable<Timestamp>, Option<chrono::NaiveDateTime>>(&None),
                #[cfg(feature = "chrono")]
                ColumnType::Date => $out.push_bind_param_value_only::<Nullable<Date>, Option<chrono::NaiveDate>>(&None),
                #[cfg(not(feature = "chrono"))]
                ColumnType::Timestamp | ColumnType::Date => {
                    $out.push_bind_param_value_only::<Nullable<Text>, Option<String>>(&None)
                }
                ColumnType::Uuid => $null_uuid,
            },
            Value::SmallInt(x) => $out.push_bind_param_value_only::<SmallInt, _>(x),
            Value::Integer(x) => $out.push_bind_param_value_only::<Integer, _>(x),
            Value::BigInt(x) => $out.push_bind_param_value_only::<BigInt, _>(x),
            Value::Float(x) => $out.push_bind_param_value_only::<Float, _>(x),
            Value::Double(x) => $out.push_bind_param_value_only::<Double, _>(x),
            Value::Bool(x) => $out.push_bind_param_value_only::<Bool, _>(x),
            Value::Text(x) => $out.push_bind_param_value_only::<Text, String>(x),
            Value::Binary(x) => $out.push_bind_param_value_only::<Binary, Vec<u8>>(x),
            #[cfg(feature = "chrono")]
            Value::Timestamp(x) => $out.push_bind_param_value_only::<Timestamp, _>(x),
            #[cfg(feature = "chrono")]
            Value::Date(x) => $out.push_bind_param_value_only::<Date, _>(x),
            #[cfg(feature = "uuid")]
            Value::Uuid($u) => $uuid,
            Value::Keys($k) => $keys,
        }
    };
}

/// `BindValues` for a backend that stores a UUID as its 16 bytes and never has a key list bound
/// as one value (`binds_key_arrays` is false: such a list binds NULL, which matches no key,
/// rather than fail).
macro_rules! bind_values_uuid_as_bytes {
    ($db:ty) => {
        impl BindValues for $db {
            fn bind<'b>(out: &mut AstPass<'_, 'b, Self>, v: &'b Value) -> QueryResult<()> {
                bind_match!(
                    out,
                    v,
                    |u| out.push_bind_param_value_only::<Binary, [u8]>(u.as_bytes()),
                    out.push_bind_param_value_only::<Nullable<Binary>, Option<Vec<u8>>>(&None),
                    |_keys| out.push_bind_param_value_only::<Nullable<Text>, Option<String>>(&None)
                )
            }
        }
    };
}

bind_values_uuid_as_bytes!(diesel::sqlite::Sqlite);
#[cfg(feature = "mysql")]
bind_values_uuid_as_bytes!(diesel::mysql::Mysql);

#[cfg(feature = "postgres")]
impl BindValues for diesel::pg::Pg {
    fn bind<'b>(out: &mut AstPass<'_, 'b, Self>, v: &'b Value) -> QueryResult<()> {
        #[cfg(feature = "uuid")]
        let null_uuid = |out: &mut AstPass<'_, 'b, Self>| {
            out.push_bind_param_value_only::<Nullable<Uuid>, Option<uuid::Uuid>>(&None)
        };
        #[cfg(not(feature = "uuid"))]
        let null_uuid = |out: &mut AstPass<'_, 'b, Self>| {
            out.push_bind_param_value_only::<Nullable<Binary>, Option<Vec<u8>>>(&None)
        };
        bind_match!(
            out,
            v,
            |u| out.push_bind_param_value_only::<Uuid, _>(u),
            null_uuid(out),
            |keys| pg_keys(out, keys)
        )
    }
}

/// Binds a key list as one PostgreSQL array of the keys' type.
#[cfg(feature = "postgres")]
fn pg_keys<'b>(out: &mut AstPass<'_, 'b, diesel::pg::Pg>, keys: &'b KeyList) -> QueryResult<()> {
    match keys {
        KeyList::SmallInt(k) => out.push_bind_param_value_only::<Array<SmallInt>, _>(k),
        KeyList::Integer(k) => out.push_bind_param_value_only::<Array<Integer>, _>(k),
        KeyList::BigInt(k) => out.push_bind_param_value_only::<Array<BigInt>, _>(k),
        KeyList::Float(k) => out.push_bind_param_value_only::<Array<Float>, _>(k),
        KeyList::Double(k) => out.push_bind_param_value_only::<Array<Double>, _>(k),
        KeyList::Bool(k) => out.push_bind_param_value_only::<Array<Bool>, _>(k),
        KeyList::Text(k) => out.push_bind_param_value_only::<Array<Text>, _>(k),
        KeyList::Binary(k) => out.push_bind_param_value_only::<Array<Binary>, _>(k),
        #[cfg(feature = "chrono")]
        KeyList::Timestamp(k) => out.push_bind_param_value_only::<Array<Timestamp>, _>(k),
        #[cfg(feature = "chrono")]
        KeyList::Date(k) => out.push_bind_param_value_only::<Array<Date>, _>(k),
        #[cfg(feature = "uuid")]
        KeyList::Uuid(k) => out.push_bind_param_value_only::<Array<Uuid>, _>(k),
    }
}
