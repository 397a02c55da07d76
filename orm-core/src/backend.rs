//! What differs between SQLite, PostgreSQL and MySQL: quoting, placeholders, bind limits, and
//! how a [`Value`] is bound.

use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::*;

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

    /// Quotes an identifier.
    pub fn quote(self, ident: &str, out: &mut String) {
        let q = if self == Backend::Mysql { '`' } else { '"' };
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

pub(crate) type Query<'f, DB> = BoxedSqlQuery<'f, DB, SqlQuery>;

/// Binds every value, in order, to a raw statement of backend `DB`.
pub(crate) trait BindValues: diesel::backend::Backend + Sized {
    fn bind_value(q: Query<'_, Self>, v: Value) -> Query<'_, Self>;

    fn bind_all(sql: &str, values: Vec<Value>) -> Query<'static, Self> {
        let mut q = diesel::sql_query(sql.to_owned()).into_boxed::<Self>();
        for v in values {
            q = Self::bind_value(q, v);
        }
        q
    }
}

/// The arms every backend shares; `$uuid` and `$null_uuid` say how UUIDs are stored.
macro_rules! bind_match {
    ($q:ident, $v:ident, |$u:ident| $uuid:expr, $null_uuid:expr, $keys:expr) => {
        match $v {
            Value::Null(kind) => match kind {
                Kind::SmallInt => $q.bind::<Nullable<SmallInt>, Option<i16>>(None),
                Kind::Integer => $q.bind::<Nullable<Integer>, Option<i32>>(None),
                Kind::BigInt => $q.bind::<Nullable<BigInt>, Option<i64>>(None),
                Kind::Float => $q.bind::<Nullable<Float>, Option<f32>>(None),
                Kind::Double => $q.bind::<Nullable<Double>, Option<f64>>(None),
                Kind::Bool => $q.bind::<Nullable<Bool>, Option<bool>>(None),
                Kind::Text => $q.bind::<Nullable<Text>, Option<String>>(None),
                Kind::Binary => $q.bind::<Nullable<Binary>, Option<Vec<u8>>>(None),
                #[cfg(feature = "chrono")]
                Kind::Timestamp => {
                    $q.bind::<Nullable<Timestamp>, Option<chrono::NaiveDateTime>>(None)
                }
                #[cfg(feature = "chrono")]
                Kind::Date => $q.bind::<Nullable<Date>, Option<chrono::NaiveDate>>(None),
                #[cfg(not(feature = "chrono"))]
                Kind::Timestamp | Kind::Date => $q.bind::<Nullable<Text>, Option<String>>(None),
                Kind::Uuid => $null_uuid,
            },
            Value::SmallInt(x) => $q.bind::<SmallInt, _>(x),
            Value::Integer(x) => $q.bind::<Integer, _>(x),
            Value::BigInt(x) => $q.bind::<BigInt, _>(x),
            Value::Float(x) => $q.bind::<Float, _>(x),
            Value::Double(x) => $q.bind::<Double, _>(x),
            Value::Bool(x) => $q.bind::<Bool, _>(x),
            Value::Text(x) => $q.bind::<Text, _>(x),
            Value::Binary(x) => $q.bind::<Binary, _>(x),
            #[cfg(feature = "chrono")]
            Value::Timestamp(x) => $q.bind::<Timestamp, _>(x),
            #[cfg(feature = "chrono")]
            Value::Date(x) => $q.bind::<Date, _>(x),
            #[cfg(feature = "uuid")]
            Value::Uuid($u) => $uuid,
            Value::Keys(kind, keys) => $keys(kind, keys),
        }
    };
}

impl BindValues for diesel::sqlite::Sqlite {
    fn bind_value(q: Query<'_, Self>, v: Value) -> Query<'_, Self> {
        bind_match!(
            q,
            v,
            |u| q.bind::<Binary, _>(u.as_bytes().to_vec()),
            q.bind::<Nullable<Binary>, Option<Vec<u8>>>(None),
            // Never written for this backend (`binds_key_arrays` is false): bind NULL, which
            // matches no key, rather than fail.
            |_, _| q.bind::<Nullable<Text>, Option<String>>(None)
        )
    }
}

#[cfg(feature = "mysql")]
impl BindValues for diesel::mysql::Mysql {
    fn bind_value(q: Query<'_, Self>, v: Value) -> Query<'_, Self> {
        bind_match!(
            q,
            v,
            |u| q.bind::<Binary, _>(u.as_bytes().to_vec()),
            q.bind::<Nullable<Binary>, Option<Vec<u8>>>(None),
            // Never written for this backend (`binds_key_arrays` is false): bind NULL, which
            // matches no key, rather than fail.
            |_, _| q.bind::<Nullable<Text>, Option<String>>(None)
        )
    }
}

#[cfg(feature = "postgres")]
impl BindValues for diesel::pg::Pg {
    fn bind_value(q: Query<'_, Self>, v: Value) -> Query<'_, Self> {
        #[cfg(feature = "uuid")]
        fn null_uuid(q: Query<'_, diesel::pg::Pg>) -> Query<'_, diesel::pg::Pg> {
            q.bind::<Nullable<Uuid>, Option<uuid::Uuid>>(None)
        }
        #[cfg(not(feature = "uuid"))]
        fn null_uuid(q: Query<'_, diesel::pg::Pg>) -> Query<'_, diesel::pg::Pg> {
            q.bind::<Nullable<Binary>, Option<Vec<u8>>>(None)
        }
        bind_match!(
            q,
            v,
            |u| q.bind::<Uuid, _>(u),
            null_uuid(q),
            |kind, keys| pg_keys(q, kind, keys)
        )
    }
}

/// Binds a key list as one PostgreSQL array of the keys' type.
#[cfg(feature = "postgres")]
fn pg_keys(
    q: Query<'_, diesel::pg::Pg>,
    kind: Kind,
    keys: Vec<Value>,
) -> Query<'_, diesel::pg::Pg> {
    macro_rules! array {
        ($sql:ty, $variant:ident) => {
            q.bind::<Array<$sql>, _>(
                keys.into_iter()
                    .filter_map(|v| match v {
                        Value::$variant(x) => Some(x),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            )
        };
    }
    match kind {
        Kind::SmallInt => array!(SmallInt, SmallInt),
        Kind::Integer => array!(Integer, Integer),
        Kind::BigInt => array!(BigInt, BigInt),
        Kind::Binary => array!(Binary, Binary),
        #[cfg(feature = "uuid")]
        Kind::Uuid => array!(Uuid, Uuid),
        _ => array!(Text, Text),
    }
}
