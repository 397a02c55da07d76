//! Values bound to statements, and the Rust types that are columns.

use std::fmt;

/// The type of a column, independent of backend.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnType {
    SmallInt,
    Integer,
    BigInt,
    Float,
    Double,
    Bool,
    Text,
    Binary,
    Timestamp,
    Date,
    Uuid,
}

/// A value bound to a statement. NULL carries its kind, because PostgreSQL types every parameter.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value {
    Null(ColumnType),
    SmallInt(i16),
    Integer(i32),
    BigInt(i64),
    Float(f32),
    Double(f64),
    Bool(bool),
    Text(String),
    Binary(Vec<u8>),
    #[cfg(feature = "chrono")]
    Timestamp(chrono::NaiveDateTime),
    #[cfg(feature = "chrono")]
    Date(chrono::NaiveDate),
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
    /// A list of keys bound as one array (PostgreSQL `= ANY($1)`); written only where
    /// `Backend::binds_key_arrays` says so.
    #[doc(hidden)]
    Keys(KeyList),
}

impl Value {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null(_))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null(_) => f.write_str("NULL"),
            Value::SmallInt(v) => write!(f, "{v}"),
            Value::Integer(v) => write!(f, "{v}"),
            Value::BigInt(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Double(v) => write!(f, "{v}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Text(v) => write!(f, "{v:?}"),
            Value::Binary(v) => write!(f, "<{} bytes>", v.len()),
            #[cfg(feature = "chrono")]
            Value::Timestamp(v) => write!(f, "{v}"),
            #[cfg(feature = "chrono")]
            Value::Date(v) => write!(f, "{v}"),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => write!(f, "{v}"),
            Value::Keys(k) => write!(f, "<{} keys>", k.len()),
        }
    }
}

/// Values bound as one PostgreSQL array, typed so they bind as they are.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq)]
pub enum KeyList {
    SmallInt(Vec<i16>),
    Integer(Vec<i32>),
    BigInt(Vec<i64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    Bool(Vec<bool>),
    Text(Vec<String>),
    Binary(Vec<Vec<u8>>),
    #[cfg(feature = "chrono")]
    Timestamp(Vec<chrono::NaiveDateTime>),
    #[cfg(feature = "chrono")]
    Date(Vec<chrono::NaiveDate>),
    #[cfg(feature = "uuid")]
    Uuid(Vec<uuid::Uuid>),
}

impl KeyList {
    /// The values of `kind` among `keys` (the ones of another kind, which a list of one
    /// column's values never holds, and NULLs, which match nothing, are left out). Text, and a
    /// kind whose feature is off (no value of it exists), bind as text.
    pub(crate) fn new(kind: ColumnType, keys: &[Value]) -> Self {
        macro_rules! list {
            ($variant:ident) => {
                KeyList::$variant(
                    keys.iter()
                        .filter_map(|v| match v {
                            Value::$variant(x) => Some(x.clone()),
                            _ => None,
                        })
                        .collect(),
                )
            };
        }
        match kind {
            ColumnType::SmallInt => list!(SmallInt),
            ColumnType::Integer => list!(Integer),
            ColumnType::BigInt => list!(BigInt),
            ColumnType::Float => list!(Float),
            ColumnType::Double => list!(Double),
            ColumnType::Bool => list!(Bool),
            ColumnType::Binary => list!(Binary),
            #[cfg(feature = "chrono")]
            ColumnType::Timestamp => list!(Timestamp),
            #[cfg(feature = "chrono")]
            ColumnType::Date => list!(Date),
            #[cfg(feature = "uuid")]
            ColumnType::Uuid => list!(Uuid),
            _ => list!(Text),
        }
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        match self {
            KeyList::SmallInt(k) => k.len(),
            KeyList::Integer(k) => k.len(),
            KeyList::BigInt(k) => k.len(),
            KeyList::Float(k) => k.len(),
            KeyList::Double(k) => k.len(),
            KeyList::Bool(k) => k.len(),
            KeyList::Text(k) => k.len(),
            KeyList::Binary(k) => k.len(),
            #[cfg(feature = "chrono")]
            KeyList::Timestamp(k) => k.len(),
            #[cfg(feature = "chrono")]
            KeyList::Date(k) => k.len(),
            #[cfg(feature = "uuid")]
            KeyList::Uuid(k) => k.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Value {
    /// The kind of column this value is for; `None` for NULL (whose kind is the column's too,
    /// but a list of values takes its kind from a value) and for a key list.
    pub(crate) fn kind(&self) -> Option<ColumnType> {
        Some(match self {
            Value::Null(_) | Value::Keys(_) => return None,
            Value::SmallInt(_) => ColumnType::SmallInt,
            Value::Integer(_) => ColumnType::Integer,
            Value::BigInt(_) => ColumnType::BigInt,
            Value::Float(_) => ColumnType::Float,
            Value::Double(_) => ColumnType::Double,
            Value::Bool(_) => ColumnType::Bool,
            Value::Text(_) => ColumnType::Text,
            Value::Binary(_) => ColumnType::Binary,
            #[cfg(feature = "chrono")]
            Value::Timestamp(_) => ColumnType::Timestamp,
            #[cfg(feature = "chrono")]
            Value::Date(_) => ColumnType::Date,
            #[cfg(feature = "uuid")]
            Value::Uuid(_) => ColumnType::Uuid,
        })
    }
}

/// `values` as one JSON array, for a statement that reads them as a table (SQLite's
/// `json_each`, MySQL's `JSON_TABLE`): numbers as numbers (booleans as 1 and 0), text as
/// strings, bytes and UUIDs as hexadecimal strings, times as the text SQLite and MySQL read
/// them from. NULLs and NaNs, which match nothing, are left out; infinities are too unless
/// `infinities` (SQLite), where they are written as numbers too large for a double, which
/// SQLite reads as infinite (MySQL stores none).
pub(crate) fn json_array(values: &[Value], infinities: bool) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(values.len() * 8 + 2);
    out.push('[');
    let mut first = true;
    for value in values {
        let mark = out.len();
        if !first {
            out.push(',');
        }
        let written = match value {
            Value::Null(_) | Value::Keys(_) => false,
            Value::SmallInt(v) => write!(out, "{v}").is_ok(),
            Value::Integer(v) => write!(out, "{v}").is_ok(),
            Value::BigInt(v) => write!(out, "{v}").is_ok(),
            Value::Float(v) => json_number(&mut out, f64::from(*v), infinities),
            Value::Double(v) => json_number(&mut out, *v, infinities),
            Value::Bool(v) => {
                out.push(if *v { '1' } else { '0' });
                true
            }
            Value::Text(v) => {
                json_string(&mut out, v);
                true
            }
            Value::Binary(v) => {
                json_hex(&mut out, v);
                true
            }
            #[cfg(feature = "chrono")]
            Value::Timestamp(v) => write!(out, "\"{}\"", v.format("%F %T%.f")).is_ok(),
            #[cfg(feature = "chrono")]
            Value::Date(v) => write!(out, "\"{}\"", v.format("%F")).is_ok(),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => {
                json_hex(&mut out, v.as_bytes());
                true
            }
        };
        if written {
            first = false;
        } else {
            out.truncate(mark);
        }
    }
    out.push(']');
    out
}

/// Writes a finite number, or with `infinities` an infinity as `±1e999`; `false` for what it
/// leaves out.
fn json_number(out: &mut String, v: f64, infinities: bool) -> bool {
    use fmt::Write as _;
    if v.is_nan() || (v.is_infinite() && !infinities) {
        false
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "1e999" } else { "-1e999" });
        true
    } else {
        write!(out, "{v:?}").is_ok()
    }
}

/// Writes a JSON string.
fn json_string(out: &mut String, text: &str) {
    use fmt::Write as _;
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes bytes as a JSON string of hexadecimal digits.
fn json_hex(out: &mut String, bytes: &[u8]) {
    use fmt::Write as _;
    out.push('"');
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out.push('"');
}

/// A Rust type that can be a column. Implemented for the supported types and `Option` of them;
/// `#[derive(Model)]` asserts it for every field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column type",
    label = "unsupported column type",
    note = "a column is one of i16, i32, i64, f32, f64, bool, String, Vec<u8>, chrono::NaiveDateTime, chrono::NaiveDate, uuid::Uuid (with the `chrono` / `uuid` features), or Option<_> of one of them"
)]
pub trait Field: Clone {
    /// The column's kind.
    const KIND: ColumnType;
    /// Whether the column accepts NULL (the type is an `Option`).
    const NULLABLE: bool;
    /// The value to bind.
    fn to_value(&self) -> Value;
}

macro_rules! field {
    ($($ty:ty => $kind:ident, $variant:ident;)*) => {$(
        impl Field for $ty {
            const KIND: ColumnType = ColumnType::$kind;
            const NULLABLE: bool = false;
            fn to_value(&self) -> Value {
                Value::$variant(self.clone())
            }
        }
    )*};
}

field! {
    i16 => SmallInt, SmallInt;
    i32 => Integer, Integer;
    i64 => BigInt, BigInt;
    f32 => Float, Float;
    f64 => Double, Double;
    bool => Bool, Bool;
    String => Text, Text;
    Vec<u8> => Binary, Binary;
}
#[cfg(feature = "chrono")]
field! {
    chrono::NaiveDateTime => Timestamp, Timestamp;
    chrono::NaiveDate => Date, Date;
}
#[cfg(feature = "uuid")]
field! {
    uuid::Uuid => Uuid, Uuid;
}

impl<T: Field> Field for Option<T> {
    const KIND: ColumnType = T::KIND;
    const NULLABLE: bool = true;
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null(T::KIND),
        }
    }
}

/// A bound value as a hash key: equal when the database would bind the same value (floats by
/// their bits, which a unique key never holds anyway).
#[derive(Debug, Clone)]
pub(crate) struct Bound(pub Value);

impl PartialEq for Bound {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        }
    }
}

impl Eq for Bound {}

impl std::hash::Hash for Bound {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(&self.0).hash(state);
        match &self.0 {
            Value::Null(_) | Value::Keys(_) => {}
            Value::SmallInt(v) => v.hash(state),
            Value::Integer(v) => v.hash(state),
            Value::BigInt(v) => v.hash(state),
            Value::Float(v) => v.to_bits().hash(state),
            Value::Double(v) => v.to_bits().hash(state),
            Value::Bool(v) => v.hash(state),
            Value::Text(v) => v.hash(state),
            Value::Binary(v) => v.hash(state),
            #[cfg(feature = "chrono")]
            Value::Timestamp(v) => v.hash(state),
            #[cfg(feature = "chrono")]
            Value::Date(v) => v.hash(state),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => v.hash(state),
        }
    }
}

/// A total order on values, for writing rows in one order whatever order they came in (two
/// writes of the same rows then lock them in the same order): by kind, then by value (floats
/// by `total_cmp`).
pub(crate) fn total_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null(_) => 0,
            Value::SmallInt(_) => 1,
            Value::Integer(_) => 2,
            Value::BigInt(_) => 3,
            Value::Float(_) => 4,
            Value::Double(_) => 5,
            Value::Bool(_) => 6,
            Value::Text(_) => 7,
            Value::Binary(_) => 8,
            #[cfg(feature = "chrono")]
            Value::Timestamp(_) => 9,
            #[cfg(feature = "chrono")]
            Value::Date(_) => 10,
            #[cfg(feature = "uuid")]
            Value::Uuid(_) => 11,
            Value::Keys(_) => 12,
        }
    }
    match (a, b) {
        (Value::SmallInt(x), Value::SmallInt(y)) => x.cmp(y),
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::BigInt(x), Value::BigInt(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y),
        (Value::Double(x), Value::Double(y)) => x.total_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Binary(x), Value::Binary(y)) => x.cmp(y),
        #[cfg(feature = "chrono")]
        (Value::Timestamp(x), Value::Timestamp(y)) => x.cmp(y),
        #[cfg(feature = "chrono")]
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        #[cfg(feature = "uuid")]
        (Value::Uuid(x), Value::Uuid(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// [`total_order`] on rows of values, column by column.
pub(crate) fn row_order(a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| total_order(x, y))
        .find(|o| o.is_ne())
        .unwrap_or(a.len().cmp(&b.len()))
}
