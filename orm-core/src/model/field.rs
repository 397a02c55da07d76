//! What the derive says of each field, and the check of a row's values against it before a
//! write (lengths, NaN and infinities where a backend cannot hold them).

use crate::db::backend::Backend;
use crate::db::value::{ColumnType, Value};
use crate::error::{Error, Result};

/// Facts about one field, emitted by the derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The Rust field name.
    pub name: &'static str,
    /// The column name.
    pub column: &'static str,
    pub kind: ColumnType,
    pub nullable: bool,
    pub primary_key: bool,
    pub auto_increment: bool,
    /// The primary key, or `#[orm(unique)]`, or a one-to-one's column.
    pub unique: bool,
    /// The most characters (bytes, for binary) a value may hold: `#[orm(max_length = N)]`, or
    /// 255 for an indexed text or binary column without one; `None` for any length. A longer
    /// value is refused before it is written.
    pub max_length: Option<u32>,
}

impl FieldDef {
    /// Refuses a value this column cannot hold on `backend`, before anything is written:
    /// longer than `max_length`, or a float SQLite or MySQL would not store as given (SQLite
    /// stores NaN as NULL; MySQL and MariaDB refuse NaN and infinities). `model` names it.
    pub(crate) fn check(&self, model: &str, backend: Backend, value: &Value) -> Result<()> {
        if !self.checked(backend) {
            return Ok(());
        }
        let refuse = |what: String| {
            Err(Error::InvalidInput(format!(
                "`{model}.{}` {what}; nothing was written",
                self.name
            )))
        };
        let float = match value {
            Value::Float(v) => Some(f64::from(*v)),
            Value::Double(v) => Some(*v),
            _ => None,
        };
        if let Some(v) = float {
            return match backend {
                Backend::Sqlite if v.is_nan() => {
                    refuse("is NaN, which SQLite cannot store (it would read back as NULL)".into())
                }
                Backend::Mysql if !v.is_finite() => refuse(format!(
                    "is {v}, which MySQL and MariaDB cannot store (a column holds finite numbers only)"
                )),
                _ => Ok(()),
            };
        }
        let (Some(most), length, unit) = (match value {
            Value::Text(t) => (self.max_length, t.chars().count(), "characters"),
            Value::Binary(b) => (self.max_length, b.len(), "bytes"),
            _ => (None, 0, ""),
        }) else {
            return Ok(());
        };
        if length > most as usize {
            return refuse(format!(
                "holds at most {most} {unit} (`max_length`), and this value has {length}"
            ));
        }
        Ok(())
    }

    /// Whether [`FieldDef::check`] can refuse anything on `backend`.
    fn checked(&self, backend: Backend) -> bool {
        self.max_length.is_some()
            || (backend != Backend::Postgres
                && matches!(self.kind, ColumnType::Float | ColumnType::Double))
    }
}

/// Refuses, before anything is written, a row of `rows` (values for `columns`) that a column of
/// `fields` cannot hold on `backend` ([`FieldDef::check`]). Columns not among `fields` pass.
pub(crate) fn check_rows<'v>(
    model: &str,
    fields: &[FieldDef],
    backend: Backend,
    columns: &[&str],
    rows: impl IntoIterator<Item = &'v [Value]>,
) -> Result<()> {
    let checked: Vec<(usize, &FieldDef)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, column)| {
            let field = fields.iter().find(|f| f.column == *column)?;
            field.checked(backend).then_some((i, field))
        })
        .collect();
    if checked.is_empty() {
        return Ok(());
    }
    for row in rows {
        for (i, field) in &checked {
            if let Some(value) = row.get(*i) {
                field.check(model, backend, value)?;
            }
        }
    }
    Ok(())
}
