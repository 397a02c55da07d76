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

/// A model built from a row whose columns carry the names given (in `FIELDS` order), so two
/// models can share one row under aliases. The derive implements it; `QueryableByName` calls it
/// with the real column names.
pub trait BuildAt<DB: Backend>: Sized {
    /// Builds the value from the columns named `names`.
    fn build_at<'a>(row: &impl NamedRow<'a, DB>, names: &[&str]) -> deserialize::Result<Self>;
}

/// Decodes field `i` of a [`BuildAt`] impl from the column `names[i]`.
pub fn decode_at<'a, DB: Backend, T: Decode<DB>>(
    row: &impl NamedRow<'a, DB>,
    names: &[&str],
    i: usize,
) -> deserialize::Result<T> {
    let name = names
        .get(i)
        .ok_or_else(|| format!("no column name for field {i}"))?;
    T::decode(row, name)
}

macro_rules! aliases {
    ($name:ident, $prefix:literal, $($n:literal)*) => {
        /// Column aliases for one side of a joined row.
        pub(crate) const $name: &[&str] = &[$(concat!($prefix, $n)),*];
    };
}
aliases!(LEFT, "l", 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127);
aliases!(JOINED, "j", 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127);
aliases!(RIGHT, "r", 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127);

/// Two models read from one row: the left one's columns aliased `l0, l1, ...`, the right one's
/// `r0, r1, ...` (see [`crate::m2m::write_aliased`]).
#[derive(Debug)]
pub(crate) struct Pair<A, B>(pub A, pub B);

impl<DB: Backend, A: BuildAt<DB>, B: BuildAt<DB>> QueryableByName<DB> for Pair<A, B> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        Ok(Pair(A::build_at(row, LEFT)?, B::build_at(row, RIGHT)?))
    }
}

/// One part of a prefetched row beside the object itself: nothing (`()`), the key of the
/// parent it belongs to ([`KeyCol`]), a model read under aliases ([`Req`]), or a model from a
/// LEFT JOIN that may be missing ([`Opt`]).
pub trait ReadPart<DB: Backend>: Sized {
    /// Reads the part from the columns `names`.
    fn read<'a>(row: &impl NamedRow<'a, DB>, names: &[&str]) -> deserialize::Result<Self>;
}

impl<DB: Backend> ReadPart<DB> for () {
    fn read<'a>(_: &impl NamedRow<'a, DB>, _: &[&str]) -> deserialize::Result<Self> {
        Ok(())
    }
}

/// The parent's key, read from the column `orm_k`.
#[derive(Debug)]
pub struct KeyCol<K>(pub K);

impl<DB: Backend, K: Decode<DB>> ReadPart<DB> for KeyCol<K> {
    fn read<'a>(row: &impl NamedRow<'a, DB>, _: &[&str]) -> deserialize::Result<Self> {
        K::decode(row, "orm_k").map(KeyCol)
    }
}

/// A model read under aliases.
#[derive(Debug)]
pub struct Req<M>(pub M);

impl<DB: Backend, M: BuildAt<DB>> ReadPart<DB> for Req<M> {
    fn read<'a>(row: &impl NamedRow<'a, DB>, names: &[&str]) -> deserialize::Result<Self> {
        M::build_at(row, names).map(Req)
    }
}

/// A model from a LEFT JOIN: `None` when the column `orm_j` is 0.
#[derive(Debug)]
pub struct Opt<M>(pub Option<M>);

impl<DB: Backend, M: BuildAt<DB>> ReadPart<DB> for Opt<M>
where
    i64: Decode<DB>,
{
    fn read<'a>(row: &impl NamedRow<'a, DB>, names: &[&str]) -> deserialize::Result<Self> {
        match i64::decode(row, "orm_j")? {
            0 => Ok(Opt(None)),
            _ => M::build_at(row, names).map(|m| Opt(Some(m))),
        }
    }
}

/// A prefetched row: the parent key (many-to-many), the object (aliases `l*`), the through row
/// (`r*`) and the object a `select_related` joined (`j*`).
#[derive(Debug)]
pub(crate) struct FetchRow<K, T, E, J> {
    pub key: K,
    pub target: T,
    pub extra: E,
    pub joined: J,
}

impl<DB: Backend, K: ReadPart<DB>, T: BuildAt<DB>, E: ReadPart<DB>, J: ReadPart<DB>>
    QueryableByName<DB> for FetchRow<K, T, E, J>
{
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        Ok(FetchRow {
            key: K::read(row, &[])?,
            target: T::build_at(row, LEFT)?,
            extra: E::read(row, RIGHT)?,
            joined: J::read(row, JOINED)?,
        })
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

/// Defines `$all`: `$tr<DB>` for every enabled backend, with hidden per-backend helpers so the
/// bound reads the same whatever the features.
macro_rules! every_backend {
    ($(#[$doc:meta])* $all:ident: $tr:ident, $pg:ident, $my:ident) => {
        $(#[$doc])*
        pub trait $all: $tr<diesel::sqlite::Sqlite> + $pg + $my + 'static {}
        impl<T: $tr<diesel::sqlite::Sqlite> + $pg + $my + 'static> $all for T {}

        #[cfg(feature = "postgres")]
        #[doc(hidden)]
        pub trait $pg: $tr<diesel::pg::Pg> {}
        #[cfg(feature = "postgres")]
        impl<T: $tr<diesel::pg::Pg>> $pg for T {}
        #[cfg(not(feature = "postgres"))]
        #[doc(hidden)]
        pub trait $pg {}
        #[cfg(not(feature = "postgres"))]
        impl<T> $pg for T {}

        #[cfg(feature = "mysql")]
        #[doc(hidden)]
        pub trait $my: $tr<diesel::mysql::Mysql> {}
        #[cfg(feature = "mysql")]
        impl<T: $tr<diesel::mysql::Mysql>> $my for T {}
        #[cfg(not(feature = "mysql"))]
        #[doc(hidden)]
        pub trait $my {}
        #[cfg(not(feature = "mysql"))]
        impl<T> $my for T {}
    };
}

every_backend! {
    /// A type loadable from a row on every enabled backend.
    LoadRow: QueryableByName, PgRow, MysqlRow
}
every_backend! {
    /// A column type readable on every enabled backend: what a primary key needs so key lists
    /// can be read back.
    DecodeAll: Decode, PgDecode, MysqlDecode
}
every_backend! {
    /// A part of a prefetched row, readable on every enabled backend.
    ReadPartAll: ReadPart, PgReadPart, MysqlReadPart
}
every_backend! {
    /// A model readable under column aliases on every enabled backend (for joins).
    BuildAll: BuildAt, PgBuild, MysqlBuild
}
