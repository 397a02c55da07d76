//! What differs between SQLite, PostgreSQL and MySQL: quoting, placeholders, bind limits, and
//! how a [`Value`] is bound.

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::*;
use diesel::{QueryResult, RunQueryDsl};

use crate::sql::Stmt;
#[cfg(feature = "postgres")]
use crate::value::KeyList;
use crate::value::{Kind, Value};

/// A database backend.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    /// `"sqlite"`, `"postgres"` or `"mysql"`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// The most parameters one statement may bind.
    pub fn max_binds(self) -> usize {
        match self {
            Backend::Sqlite => 32_766,
            Backend::Postgres | Backend::Mysql => 65_535,
        }
    }

    /// Whether a key list of `kind` is bound as one array (`= ANY($1)`), which needs no
    /// splitting and keeps one cached statement whatever the number of keys: PostgreSQL, for
    /// integer, text, binary and UUID keys.
    pub fn binds_key_arrays(self, kind: Kind) -> bool {
        self == Backend::Postgres
            && matches!(
                kind,
                Kind::SmallInt
                    | Kind::Integer
                    | Kind::BigInt
                    | Kind::Text
                    | Kind::Binary
                    | Kind::Uuid
            )
    }

    /// Up to how many values an `IN` list binds one by one (`IN (?, ?, ..)`); a longer one is
    /// bound as one value, whatever its length (`= ANY($1)` on PostgreSQL, a JSON array read
    /// by `json_each` on SQLite and `JSON_TABLE` on MySQL), so a filter on any number of keys
    /// is one statement on every backend.
    pub fn max_inline_values(self) -> usize {
        INLINE_VALUES
    }

    /// Quotes an identifier: `"name"` on PostgreSQL, `` `name` `` on MySQL and SQLite. SQLite
    /// takes a double-quoted name that matches no column for a string (its "double-quoted
    /// string" misfeature), so a column dropped behind the ORM's back would read as its own name
    /// on every row; a name in backticks is always a name, and such a column is "no such
    /// column".
    pub fn quote(self, ident: &str, out: &mut String) {
        let q = if self == Backend::Postgres { '"' } else { '`' };
        out.push(q);
        for c in ident.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
    }
}

/// See [`Backend::max_inline_values`]: past this, a list of values costs less bound as one
/// value than as many (BENCHMARKS.md, "IN lists").
const INLINE_VALUES: usize = 1_000;

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
                Kind::SmallInt => $out.push_bind_param_value_only::<Nullable<SmallInt>, Option<i16>>(&None),
                Kind::Integer => $out.push_bind_param_value_only::<Nullable<Integer>, Option<i32>>(&None),
                Kind::BigInt => $out.push_bind_param_value_only::<Nullable<BigInt>, Option<i64>>(&None),
                Kind::Float => $out.push_bind_param_value_only::<Nullable<Float>, Option<f32>>(&None),
                Kind::Double => $out.push_bind_param_value_only::<Nullable<Double>, Option<f64>>(&None),
                Kind::Bool => $out.push_bind_param_value_only::<Nullable<Bool>, Option<bool>>(&None),
                Kind::Text => $out.push_bind_param_value_only::<Nullable<Text>, Option<String>>(&None),
                Kind::Binary => $out.push_bind_param_value_only::<Nullable<Binary>, Option<Vec<u8>>>(&None),
                #[cfg(feature = "chrono")]
                Kind::Timestamp => $out
                    .push_bind_param_value_only::<Nullable<Timestamp>, Option<chrono::NaiveDateTime>>(&None),
                #[cfg(feature = "chrono")]
                Kind::Date => $out.push_bind_param_value_only::<Nullable<Date>, Option<chrono::NaiveDate>>(&None),
                #[cfg(not(feature = "chrono"))]
                Kind::Timestamp | Kind::Date => {
                    $out.push_bind_param_value_only::<Nullable<Text>, Option<String>>(&None)
                }
                Kind::Uuid => $null_uuid,
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

impl BindValues for diesel::sqlite::Sqlite {
    fn bind<'b>(out: &mut AstPass<'_, 'b, Self>, v: &'b Value) -> QueryResult<()> {
        bind_match!(
            out,
            v,
            |u| out.push_bind_param_value_only::<Binary, [u8]>(u.as_bytes()),
            out.push_bind_param_value_only::<Nullable<Binary>, Option<Vec<u8>>>(&None),
            // Never written for this backend (`binds_key_arrays` is false): bind NULL, which
            // matches no key, rather than fail.
            |_keys| out.push_bind_param_value_only::<Nullable<Text>, Option<String>>(&None)
        )
    }
}

#[cfg(feature = "mysql")]
impl BindValues for diesel::mysql::Mysql {
    fn bind<'b>(out: &mut AstPass<'_, 'b, Self>, v: &'b Value) -> QueryResult<()> {
        bind_match!(
            out,
            v,
            |u| out.push_bind_param_value_only::<Binary, [u8]>(u.as_bytes()),
            out.push_bind_param_value_only::<Nullable<Binary>, Option<Vec<u8>>>(&None),
            // Never written for this backend (`binds_key_arrays` is false): bind NULL, which
            // matches no key, rather than fail.
            |_keys| out.push_bind_param_value_only::<Nullable<Text>, Option<String>>(&None)
        )
    }
}

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
