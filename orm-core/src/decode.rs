//! Reading one column of a row into a Rust value, on every backend.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::row::NamedRow;
use diesel::sql_types::{self as st, Nullable};

/// A column type that can be read from a row of backend `DB`.
pub trait Decode<DB: Backend>: Sized {
    /// Reads the column named `column`.
    fn decode<'a>(row: &impl NamedRow<'a, DB>, column: &str) -> deserialize::Result<Self>;
}

macro_rules! decode {
    ($($ty:ty => $sql:ty;)*) => {$(
        impl<DB: Backend> Decode<DB> for $ty
        where
            $ty: FromSql<$sql, DB>,
        {
            fn decode<'a>(row: &impl NamedRow<'a, DB>, column: &str) -> deserialize::Result<Self> {
                NamedRow::get::<$sql, $ty>(row, column)
            }
        }
        impl<DB: Backend> Decode<DB> for Option<$ty>
        where
            Option<$ty>: FromSql<Nullable<$sql>, DB>,
        {
            fn decode<'a>(row: &impl NamedRow<'a, DB>, column: &str) -> deserialize::Result<Self> {
                NamedRow::get::<Nullable<$sql>, Option<$ty>>(row, column)
            }
        }
    )*};
}

decode! {
    i16 => st::SmallInt;
    i32 => st::Integer;
    i64 => st::BigInt;
    f32 => st::Float;
    f64 => st::Double;
    bool => st::Bool;
    String => st::Text;
    Vec<u8> => st::Binary;
}
#[cfg(feature = "chrono")]
decode! {
    chrono::NaiveDateTime => st::Timestamp;
    chrono::NaiveDate => st::Date;
}

/// UUIDs are native on PostgreSQL and 16 bytes on SQLite and MySQL.
#[cfg(feature = "uuid")]
mod uuid_decode {
    use super::*;

    fn from_bytes(bytes: Vec<u8>) -> deserialize::Result<uuid::Uuid> {
        Ok(uuid::Uuid::from_slice(&bytes)?)
    }

    macro_rules! uuid_as_bytes {
        ($($db:ty),*) => {$(
            impl Decode<$db> for uuid::Uuid {
                fn decode<'a>(row: &impl NamedRow<'a, $db>, column: &str) -> deserialize::Result<Self> {
                    from_bytes(NamedRow::get::<st::Binary, Vec<u8>>(row, column)?)
                }
            }
            impl Decode<$db> for Option<uuid::Uuid> {
                fn decode<'a>(row: &impl NamedRow<'a, $db>, column: &str) -> deserialize::Result<Self> {
                    NamedRow::get::<Nullable<st::Binary>, Option<Vec<u8>>>(row, column)?
                        .map(from_bytes)
                        .transpose()
                }
            }
        )*};
    }
    uuid_as_bytes!(diesel::sqlite::Sqlite);
    #[cfg(feature = "mysql")]
    uuid_as_bytes!(diesel::mysql::Mysql);

    #[cfg(feature = "postgres")]
    impl Decode<diesel::pg::Pg> for uuid::Uuid {
        fn decode<'a>(
            row: &impl NamedRow<'a, diesel::pg::Pg>,
            column: &str,
        ) -> deserialize::Result<Self> {
            NamedRow::get::<st::Uuid, uuid::Uuid>(row, column)
        }
    }
    #[cfg(feature = "postgres")]
    impl Decode<diesel::pg::Pg> for Option<uuid::Uuid> {
        fn decode<'a>(
            row: &impl NamedRow<'a, diesel::pg::Pg>,
            column: &str,
        ) -> deserialize::Result<Self> {
            NamedRow::get::<Nullable<st::Uuid>, Option<uuid::Uuid>>(row, column)
        }
    }
}

/// A row of one column named `v`, for counts and key lists.
#[derive(Debug)]
pub(crate) struct One<T>(pub T);

impl<DB: Backend, T: Decode<DB>> QueryableByName<DB> for One<T> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        T::decode(row, "v").map(One)
    }
}

/// A type loadable from a row on every enabled backend.
pub trait LoadRow: QueryableByName<diesel::sqlite::Sqlite> + PgRow + MysqlRow + 'static {}
impl<T: QueryableByName<diesel::sqlite::Sqlite> + PgRow + MysqlRow + 'static> LoadRow for T {}

#[cfg(feature = "postgres")]
#[doc(hidden)]
pub trait PgRow: QueryableByName<diesel::pg::Pg> {}
#[cfg(feature = "postgres")]
impl<T: QueryableByName<diesel::pg::Pg>> PgRow for T {}
#[cfg(not(feature = "postgres"))]
#[doc(hidden)]
pub trait PgRow {}
#[cfg(not(feature = "postgres"))]
impl<T> PgRow for T {}

#[cfg(feature = "mysql")]
#[doc(hidden)]
pub trait MysqlRow: QueryableByName<diesel::mysql::Mysql> {}
#[cfg(feature = "mysql")]
impl<T: QueryableByName<diesel::mysql::Mysql>> MysqlRow for T {}
#[cfg(not(feature = "mysql"))]
#[doc(hidden)]
pub trait MysqlRow {}
#[cfg(not(feature = "mysql"))]
impl<T> MysqlRow for T {}

/// Decodes one column; called by the derive's `QueryableByName` impl.
pub fn decode<'a, DB: Backend, T: Decode<DB>>(
    row: &impl NamedRow<'a, DB>,
    column: &str,
) -> deserialize::Result<T> {
    T::decode(row, column)
}
