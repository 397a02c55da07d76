//! Reading one column of a row into a Rust value, on every backend.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::row::{NamedRow, Row};
use diesel::sql_types::{self as st, Nullable};

/// A column of a row: by name, or by position. Statements the runtime writes itself read by
/// position, which skips diesel's lookup of every column by name.
#[derive(Debug, Clone, Copy)]
pub enum Column<'n> {
    /// The column with this name.
    Name(&'n str),
    /// The column at this position, from 0.
    Index(usize),
}

/// Reads `column` as SQL type `ST`.
#[inline]
fn get<'a, DB: Backend, ST, T: FromSql<ST, DB>>(
    row: &impl NamedRow<'a, DB>,
    column: Column<'_>,
) -> deserialize::Result<T> {
    match column {
        Column::Name(name) => NamedRow::get::<ST, T>(row, name),
        Column::Index(i) => Row::get_value::<ST, T, usize>(row, i),
    }
}

/// A column type that can be read from a row of backend `DB`.
pub trait Decode<DB: Backend>: Sized {
    /// Reads `column`.
    fn decode<'a>(row: &impl NamedRow<'a, DB>, column: Column<'_>) -> deserialize::Result<Self>;
}

macro_rules! decode {
    ($($ty:ty => $sql:ty;)*) => {$(
        impl<DB: Backend> Decode<DB> for $ty
        where
            $ty: FromSql<$sql, DB>,
        {
            #[inline]
            fn decode<'a>(row: &impl NamedRow<'a, DB>, column: Column<'_>) -> deserialize::Result<Self> {
                get::<DB, $sql, $ty>(row, column)
            }
        }
        impl<DB: Backend> Decode<DB> for Option<$ty>
        where
            Option<$ty>: FromSql<Nullable<$sql>, DB>,
        {
            #[inline]
            fn decode<'a>(row: &impl NamedRow<'a, DB>, column: Column<'_>) -> deserialize::Result<Self> {
                get::<DB, Nullable<$sql>, Option<$ty>>(row, column)
            }
        }
    )*};
}

decode! {
    String => st::Text;
    Vec<u8> => st::Binary;
}
#[cfg(feature = "chrono")]
decode! {
    chrono::NaiveDateTime => st::Timestamp;
    chrono::NaiveDate => st::Date;
}

/// Numbers: read as they are on PostgreSQL and MySQL, whose columns hold only their type; on
/// SQLite only when the value is such a number ([`Checked`]).
macro_rules! decode_number {
    ($($ty:ty => $sql:ty;)*) => {$(
        impl Decode<diesel::sqlite::Sqlite> for $ty {
            #[inline]
            fn decode<'a>(
                row: &impl NamedRow<'a, diesel::sqlite::Sqlite>,
                column: Column<'_>,
            ) -> deserialize::Result<Self> {
                get::<diesel::sqlite::Sqlite, $sql, Checked<$ty>>(row, column).map(|c| c.0)
            }
        }
        impl Decode<diesel::sqlite::Sqlite> for Option<$ty> {
            #[inline]
            fn decode<'a>(
                row: &impl NamedRow<'a, diesel::sqlite::Sqlite>,
                column: Column<'_>,
            ) -> deserialize::Result<Self> {
                get::<diesel::sqlite::Sqlite, Nullable<$sql>, Option<Checked<$ty>>>(row, column)
                    .map(|c| c.map(|c| c.0))
            }
        }
        #[cfg(feature = "postgres")]
        decode_as_is!(diesel::pg::Pg, $ty => $sql);
        #[cfg(feature = "mysql")]
        decode_as_is!(diesel::mysql::Mysql, $ty => $sql);
    )*};
}

/// `$ty` read as diesel reads it on backend `$db`.
#[allow(unused_macros)]
macro_rules! decode_as_is {
    ($db:ty, $ty:ty => $sql:ty) => {
        impl Decode<$db> for $ty {
            #[inline]
            fn decode<'a>(
                row: &impl NamedRow<'a, $db>,
                column: Column<'_>,
            ) -> deserialize::Result<Self> {
                get::<$db, $sql, $ty>(row, column)
            }
        }
        impl Decode<$db> for Option<$ty> {
            #[inline]
            fn decode<'a>(
                row: &impl NamedRow<'a, $db>,
                column: Column<'_>,
            ) -> deserialize::Result<Self> {
                get::<$db, Nullable<$sql>, Option<$ty>>(row, column)
            }
        }
    };
}

decode_number! {
    i16 => st::SmallInt;
    i32 => st::Integer;
    i64 => st::BigInt;
    f32 => st::Float;
    f64 => st::Double;
    bool => st::Bool;
}

/// A number read from SQLite only when the value is one that fits: SQLite's own conversions
/// read text as 0 and cut an integer too wide for the field, which would make a value up. A
/// column of any declared type can hold any value there (written behind the ORM's back).
struct Checked<T>(T);

mod checked {
    use diesel::deserialize::{self, FromSql};
    use diesel::sql_types as st;
    use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};

    use super::Checked;

    /// What the value is, for the message.
    fn found(value: &SqliteValue<'_, '_, '_>) -> &'static str {
        match value.value_type() {
            Some(SqliteType::Text) => "text",
            Some(SqliteType::Binary) => "a blob",
            Some(SqliteType::Double | SqliteType::Float) => "a real number",
            Some(_) => "an integer",
            None => "NULL",
        }
    }

    /// The value as an integer, when it is one; else an error saying it is not `wanted`.
    fn integer(value: SqliteValue<'_, '_, '_>, wanted: &str) -> deserialize::Result<i64> {
        match value.value_type() {
            Some(SqliteType::Long | SqliteType::Integer | SqliteType::SmallInt) => {
                <i64 as FromSql<st::BigInt, Sqlite>>::from_sql(value)
            }
            _ => Err(format!("the column holds {} where {wanted} was read", found(&value)).into()),
        }
    }

    /// The value as a number, when it is one (an integer is one too).
    fn number(value: SqliteValue<'_, '_, '_>, wanted: &str) -> deserialize::Result<f64> {
        match value.value_type() {
            Some(
                SqliteType::Long
                | SqliteType::Integer
                | SqliteType::SmallInt
                | SqliteType::Double
                | SqliteType::Float,
            ) => <f64 as FromSql<st::Double, Sqlite>>::from_sql(value),
            _ => Err(format!("the column holds {} where {wanted} was read", found(&value)).into()),
        }
    }

    macro_rules! narrow {
        ($($ty:ty => $sql:ty;)*) => {$(
            impl FromSql<$sql, Sqlite> for Checked<$ty> {
                fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                    let wanted = concat!("an `", stringify!($ty), "`");
                    let wide = integer(value, wanted)?;
                    <$ty>::try_from(wide).map(Checked).map_err(|_| {
                        format!("the column holds {wide}, which does not fit {wanted}").into()
                    })
                }
            }
        )*};
    }
    narrow! {
        i16 => st::SmallInt;
        i32 => st::Integer;
        i64 => st::BigInt;
    }

    impl FromSql<st::Double, Sqlite> for Checked<f64> {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            number(value, "an `f64`").map(Checked)
        }
    }

    impl FromSql<st::Float, Sqlite> for Checked<f32> {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let n = number(value, "an `f32`")?;
            if n.is_finite() && n.abs() > f64::from(f32::MAX) {
                return Err(format!("the column holds {n}, which does not fit an `f32`").into());
            }
            Ok(Checked(n as f32))
        }
    }

    impl FromSql<st::Bool, Sqlite> for Checked<bool> {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            integer(value, "a `bool`").map(|n| Checked(n != 0))
        }
    }
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
                #[inline]
                fn decode<'a>(row: &impl NamedRow<'a, $db>, column: Column<'_>) -> deserialize::Result<Self> {
                    from_bytes(get::<$db, st::Binary, Vec<u8>>(row, column)?)
                }
            }
            impl Decode<$db> for Option<uuid::Uuid> {
                #[inline]
                fn decode<'a>(row: &impl NamedRow<'a, $db>, column: Column<'_>) -> deserialize::Result<Self> {
                    get::<$db, Nullable<st::Binary>, Option<Vec<u8>>>(row, column)?
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
        #[inline]
        fn decode<'a>(
            row: &impl NamedRow<'a, diesel::pg::Pg>,
            column: Column<'_>,
        ) -> deserialize::Result<Self> {
            get::<diesel::pg::Pg, st::Uuid, uuid::Uuid>(row, column)
        }
    }
    #[cfg(feature = "postgres")]
    impl Decode<diesel::pg::Pg> for Option<uuid::Uuid> {
        #[inline]
        fn decode<'a>(
            row: &impl NamedRow<'a, diesel::pg::Pg>,
            column: Column<'_>,
        ) -> deserialize::Result<Self> {
            get::<diesel::pg::Pg, Nullable<st::Uuid>, Option<uuid::Uuid>>(row, column)
        }
    }
}

/// Where a model's columns are in a row, in `FIELDS` order.
#[derive(Debug, Clone, Copy)]
pub enum Columns<'n> {
    /// Under these names (the real column names, or aliases when two models share a row).
    Named(&'n [&'n str]),
    /// One after the other from this position: statements the runtime writes, whose select
    /// list it knows.
    At(usize),
}

/// A model built from a row, from the columns given, so two models can share one row. The
/// derive implements it; `QueryableByName` calls it with the real column names.
pub trait BuildAt<DB: Backend>: Sized {
    /// The number of columns (the model's fields).
    const WIDTH: usize;
    /// Builds the value from `columns`.
    fn build_at<'a>(row: &impl NamedRow<'a, DB>, columns: Columns<'_>)
        -> deserialize::Result<Self>;
}

/// Decodes field `i` of a [`BuildAt`] impl. Inlined: it runs once per column of every row read
/// by position, and where it stood alone it cost a call per column.
#[inline(always)]
pub fn decode_at<'a, DB: Backend, T: Decode<DB>>(
    row: &impl NamedRow<'a, DB>,
    columns: Columns<'_>,
    i: usize,
) -> deserialize::Result<T> {
    let column = match columns {
        Columns::Named(names) => Column::Name(
            names
                .get(i)
                .ok_or_else(|| format!("no column name for field {i}"))?,
        ),
        Columns::At(start) => Column::Index(start + i),
    };
    T::decode(row, column)
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
/// `r0, r1, ...` (see [`crate::many_to_many::through::write_aliased`]).
#[derive(Debug)]
pub(crate) struct Pair<A, B>(pub A, pub B);

impl<DB: Backend, A: BuildAt<DB>, B: BuildAt<DB>> QueryableByName<DB> for Pair<A, B> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        Ok(Pair(
            A::build_at(row, Columns::Named(LEFT))?,
            B::build_at(row, Columns::Named(RIGHT))?,
        ))
    }
}

/// One part of a prefetched row beside the object itself, read by position: nothing (`()`),
/// the key of the parent it belongs to ([`KeyCol`]), a model ([`Req`]), or a model from a LEFT
/// JOIN that may be missing ([`Opt`]).
pub trait ReadPart<DB: Backend>: Sized {
    /// The number of columns.
    const WIDTH: usize;
    /// Reads the part from the columns from position `start` on.
    fn read<'a>(row: &impl NamedRow<'a, DB>, start: usize) -> deserialize::Result<Self>;
}

impl<DB: Backend> ReadPart<DB> for () {
    const WIDTH: usize = 0;
    fn read<'a>(_: &impl NamedRow<'a, DB>, _: usize) -> deserialize::Result<Self> {
        Ok(())
    }
}

/// The parent's key (the column `orm_k`).
#[derive(Debug)]
pub struct KeyCol<K>(pub K);

impl<DB: Backend, K: Decode<DB>> ReadPart<DB> for KeyCol<K> {
    const WIDTH: usize = 1;
    fn read<'a>(row: &impl NamedRow<'a, DB>, start: usize) -> deserialize::Result<Self> {
        K::decode(row, Column::Index(start)).map(KeyCol)
    }
}

/// A model.
#[derive(Debug)]
pub struct Req<M>(pub M);

impl<DB: Backend, M: BuildAt<DB>> ReadPart<DB> for Req<M> {
    const WIDTH: usize = M::WIDTH;
    fn read<'a>(row: &impl NamedRow<'a, DB>, start: usize) -> deserialize::Result<Self> {
        M::build_at(row, Columns::At(start)).map(Req)
    }
}

/// A model from a LEFT JOIN, after a column (`orm_j`) that is 0 when there is none.
#[derive(Debug)]
pub struct Opt<M>(pub Option<M>);

impl<DB: Backend, M: BuildAt<DB>> ReadPart<DB> for Opt<M>
where
    i64: Decode<DB>,
{
    const WIDTH: usize = 1 + M::WIDTH;
    fn read<'a>(row: &impl NamedRow<'a, DB>, start: usize) -> deserialize::Result<Self> {
        match i64::decode(row, Column::Index(start))? {
            0 => Ok(Opt(None)),
            _ => M::build_at(row, Columns::At(start + 1)).map(|m| Opt(Some(m))),
        }
    }
}

/// Two parts side by side: the objects of several `select_related` joins, in join order.
impl<DB: Backend, A: ReadPart<DB>, B: ReadPart<DB>> ReadPart<DB> for (A, B) {
    const WIDTH: usize = A::WIDTH + B::WIDTH;
    fn read<'a>(row: &impl NamedRow<'a, DB>, start: usize) -> deserialize::Result<Self> {
        Ok((A::read(row, start)?, B::read(row, start + A::WIDTH)?))
    }
}

/// Takes the rows of a statement one at a time, as they come (see
/// [`crate::Connection::load_into`]): for a reader that keeps state across rows.
pub trait SinkAt<DB: Backend> {
    /// Reads one row.
    fn row<'a>(&mut self, row: &impl NamedRow<'a, DB>) -> deserialize::Result<()>;
}

/// A model read by position, from a statement whose select list the runtime wrote in `FIELDS`
/// order (`write_columns`). The model's own `QueryableByName` reads by name, so a statement
/// written by hand may list the columns in any order.
#[derive(Debug)]
pub(crate) struct Positional<M>(pub M);

impl<DB: Backend, M: BuildAt<DB>> QueryableByName<DB> for Positional<M> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        M::build_at(row, Columns::At(0)).map(Positional)
    }
}

/// A row of one column named `v`, for counts and key lists.
#[derive(Debug)]
pub(crate) struct One<T>(pub T);

impl<DB: Backend, T: Decode<DB>> QueryableByName<DB> for One<T> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        T::decode(row, Column::Name("v")).map(One)
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
every_backend! {
    /// A reader of rows one at a time, on every enabled backend.
    RowSink: SinkAt, PgSink, MysqlSink
}
