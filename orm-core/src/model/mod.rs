//! The `Model` trait: what the derive implements, and the everyday API on top of it.

mod asynchronous;
pub(crate) mod delete;

pub use asynchronous::AsyncModel;

use std::fmt;
use std::hash::Hash;

use crate::db::backend::Backend;
use crate::db::connection::Connection;
use crate::db::decode::{BuildAll, DecodeAll, LoadRow, Positional};
use crate::db::sql::SqlWriter;
use crate::db::sql::Stmt;
use crate::db::value::{Field, Kind, Value};
use crate::error::{Error, Result};
use crate::query::{write_columns, CmpOp, Expr, Filter, QuerySet};

/// Facts about one field, emitted by the derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The Rust field name.
    pub name: &'static str,
    /// The column name.
    pub column: &'static str,
    pub kind: Kind,
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
            || (backend != Backend::Postgres && matches!(self.kind, Kind::Float | Kind::Double))
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

/// Code that runs around [`Model::save`] (Django's `pre_save` / `post_save`). The derive
/// implements it with no-ops; write `#[orm(hooks)]` on the struct and implement it yourself to
/// run code. The related managers' `bulk(false)` paths save through it.
pub trait SaveHooks {
    /// Before the `UPDATE`; an error cancels the save.
    fn before_save(&self, conn: &mut Connection) -> Result<()> {
        let _ = conn;
        Ok(())
    }

    /// After the `UPDATE`.
    fn after_save(&self, conn: &mut Connection) -> Result<()> {
        let _ = conn;
        Ok(())
    }
}

/// A table-backed struct. Implement it with `#[derive(Model)]`; see the crate docs for the
/// attributes and what the derive generates.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model",
    label = "expected a `#[derive(Model)]` struct",
    note = "add `#[derive(Model)]` to `{Self}`, or name a model here"
)]
pub trait Model: LoadRow + BuildAll + SaveHooks + Sized + 'static {
    /// The primary key's type.
    type Key: Field + DecodeAll + Eq + Hash + fmt::Debug;
    /// The insert form, `New<Model>`.
    type New: Insert<Model = Self>;
    /// The struct's name, for messages.
    const NAME: &'static str;
    /// The table.
    const TABLE: &'static str;
    /// Every field, in declaration order.
    const FIELDS: &'static [FieldDef];
    /// Index of the primary key in [`Model::FIELDS`].
    const PK: usize;

    /// The primary key of this instance.
    fn key(&self) -> &Self::Key;

    /// Every column's value, in [`Model::FIELDS`] order.
    fn values(&self) -> Vec<Value>;

    /// A query over every row: `Entry::query().filter(Entry::rating.gt(3)).all(&mut conn)`.
    fn query() -> QuerySet<Self> {
        QuerySet::default()
    }

    /// The row with this primary key, or [`Error::NotFound`]. One statement.
    fn get(conn: &mut Connection, key: impl Into<Self::Key>) -> Result<Self> {
        Self::query()
            .filter(pk_filter::<Self>(&key.into()))
            .get(conn)
    }

    /// Inserts one row and returns it with its key. One statement on SQLite, PostgreSQL and
    /// MariaDB (`RETURNING`); two on MySQL.
    fn create(conn: &mut Connection, new: Self::New) -> Result<Self> {
        insert_one::<Self>(conn, &new)
    }

    /// Inserts many rows in one statement (split only where the backend's bind limit forces it)
    /// and returns them, in order, with their keys. On MySQL, which lacks `RETURNING`, two
    /// statements per row.
    fn bulk_create(
        conn: &mut Connection,
        rows: impl IntoIterator<Item = Self::New>,
    ) -> Result<Vec<Self>> {
        let rows: Vec<Self::New> = rows.into_iter().collect();
        conn.atomic(|conn| insert::<Self>(conn, &rows))
    }

    /// Writes every field to the row with this key. One statement, plus what the
    /// [`SaveHooks`] run. [`Error::Unsaved`] when the row does not exist.
    fn save(&self, conn: &mut Connection) -> Result<()> {
        let values = self.values();
        let backend = conn.backend();
        for (field, value) in Self::FIELDS.iter().zip(&values) {
            field.check(Self::NAME, backend, value)?;
        }
        self.before_save(conn)?;
        let mut w = SqlWriter::new(backend);
        w.push("UPDATE ").ident(Self::TABLE).push(" SET ");
        let fields = Self::FIELDS
            .iter()
            .zip(values)
            .filter(|(f, _)| !f.primary_key);
        w.list(fields, ", ", |w, (f, v)| {
            w.ident(f.column).push(" = ").bind(v);
        });
        if Self::FIELDS.len() == 1 {
            // Nothing but the key: touch the key itself so the row count still tells.
            let pk = Self::FIELDS[Self::PK].column;
            w.ident(pk).push(" = ").ident(pk);
        }
        w.push(" WHERE ");
        pk_filter::<Self>(self.key()).expr.write(&mut w);
        match conn.execute(&w.finish())? {
            0 => Err(Error::Unsaved {
                model: Self::NAME,
                key: self.key().to_value().to_string(),
            }),
            _ => self.after_save(conn),
        }
    }

    /// Deletes this row, honouring every foreign key's `on_delete`, in one transaction.
    fn delete(&self, conn: &mut Connection) -> Result<Deleted> {
        let key = self.key().to_value();
        conn.atomic(|conn| crate::model::delete::delete_keys::<Self>(conn, vec![key.clone()]))
    }

    /// This row as it is now in the database (Django's `refresh_from_db`). One statement.
    fn refresh(&self, conn: &mut Connection) -> Result<Self> {
        Self::query()
            .filter(pk_filter::<Self>(self.key()))
            .get(conn)
    }
}

/// The insert form of a model, generated as `New<Model>`.
pub trait Insert {
    /// The model this form creates.
    type Model: Model;
    /// The columns the form provides.
    const COLUMNS: &'static [&'static str];
    /// The values, in [`Insert::COLUMNS`] order.
    fn values(&self) -> Vec<Value>;
}

/// What a delete removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Rows deleted in all.
    pub total: u64,
    /// Rows deleted per model, in the order they were deleted.
    pub per_model: Vec<(&'static str, u64)>,
}

impl Deleted {
    pub(crate) fn add(&mut self, model: &'static str, n: u64) {
        if n == 0 {
            return;
        }
        self.total += n;
        match self.per_model.iter_mut().find(|(m, _)| *m == model) {
            Some((_, count)) => *count += n,
            None => self.per_model.push((model, n)),
        }
    }
}

/// After a write failed on a foreign key: when `key` has no row of `M` (the manager's own
/// instance was never saved, or was deleted), says so instead. Runs after the rollback, one
/// statement, on the error path only.
pub(crate) fn explain_unsaved<M: Model, T>(
    conn: &mut Connection,
    column: &'static str,
    key: &impl Field,
    res: Result<T>,
) -> Result<T> {
    let has_row = |conn: &mut Connection| {
        let is_key = Filter::new(Expr::Cmp(column, CmpOp::Eq, key.to_value()));
        M::query().filter(is_key).exists(conn)
    };
    match res {
        Err(Error::Integrity {
            kind: crate::error::IntegrityKind::ForeignKey,
            ..
        }) if !has_row(conn)? => Err(Error::Unsaved {
            model: M::NAME,
            key: key.to_value().to_string(),
        }),
        other => other,
    }
}

/// Runs a statement the runtime wrote with `write_columns`, reading each model by position.
pub(crate) fn load_models<M: Model>(conn: &mut Connection, stmt: &Stmt) -> Result<Vec<M>> {
    let rows: Vec<Positional<M>> = conn.load(stmt)?;
    Ok(rows.into_iter().map(|Positional(m)| m).collect())
}

pub(crate) fn pk_filter<M: Model>(key: &M::Key) -> Filter<M> {
    Filter::new(Expr::Cmp(
        M::FIELDS[M::PK].column,
        CmpOp::Eq,
        key.to_value(),
    ))
}

/// Inserts `rows` and returns them with their keys, in order.
fn insert<M: Model>(conn: &mut Connection, rows: &[M::New]) -> Result<Vec<M>> {
    let columns = <M::New as Insert>::COLUMNS;
    let pk = &M::FIELDS[M::PK];
    let batched = if conn.supports_returning() {
        !columns.is_empty()
    } else {
        !columns.is_empty() && (!pk.auto_increment || conn.consecutive_keys())
    };
    if !batched {
        return rows.iter().map(|row| insert_one::<M>(conn, row)).collect();
    }
    let mut out = Vec::with_capacity(rows.len());
    let per_chunk = (conn.backend().max_binds() / columns.len()).max(1);
    for chunk in rows.chunks(per_chunk) {
        out.extend(run_insert::<M>(conn, chunk, None)?);
    }
    Ok(out)
}

/// Inserts one row and returns it with its key: [`Model::create`], for a caller that may run it
/// again (a transaction retried).
pub(crate) fn insert_one<M: Model>(conn: &mut Connection, row: &M::New) -> Result<M> {
    run_insert::<M>(conn, std::slice::from_ref(row), None)?
        .pop()
        .ok_or(Error::NotFound { model: M::NAME })
}

/// A row an insert needs: the statement inserts nothing unless `table` has a row whose
/// `column` holds `value` (for a row that points at it where no foreign key would refuse a
/// missing one: a generic foreign key).
#[derive(Debug, Clone)]
pub(crate) struct Needs {
    pub table: &'static str,
    pub column: &'static str,
    pub value: Value,
}

impl Needs {
    /// `EXISTS (SELECT 1 FROM table WHERE column = ?)`; in the `WHERE` of an `UPDATE` of that
    /// same table on MySQL, through a derived table (its error 1093).
    pub(crate) fn write(self, w: &mut SqlWriter) {
        let derived = w.modified_table() == Some(self.table);
        w.push("EXISTS ");
        w.subquery(
            derived,
            |w| {
                w.push("1");
            },
            |w| {
                w.push(" FROM ").ident(self.table).push(" WHERE ");
                w.ident(self.column).push(" = ").bind(self.value);
            },
        );
    }
}

/// Inserts one row only if the row it `needs` exists, in the same statement; `None` when it
/// does not, and nothing was written.
pub(crate) fn insert_one_if<M: Model>(
    conn: &mut Connection,
    row: &M::New,
    needs: Needs,
) -> Result<Option<M>> {
    Ok(run_insert::<M>(conn, std::slice::from_ref(row), Some(needs))?.pop())
}

/// One `INSERT` of `rows` (all of them, or with `needs` the one, if that row exists) and the
/// rows it wrote, read back with `RETURNING`, or by a second statement on MySQL.
fn run_insert<M: Model>(
    conn: &mut Connection,
    rows: &[M::New],
    needs: Option<Needs>,
) -> Result<Vec<M>> {
    let mut w = insert_stmt::<M>(conn, rows, needs)?;
    if conn.supports_returning() {
        w.push(" RETURNING ");
        write_columns::<M>(&mut w);
        return load_models::<M>(conn, &w.finish()).map_err(|e| out_of_keys::<M>(conn, e));
    }
    let written = conn
        .execute(&w.finish())
        .map_err(|e| out_of_keys::<M>(conn, e))?;
    if written == 0 {
        return Ok(Vec::new());
    }
    read_back::<M>(conn, rows)
}

/// `INSERT INTO t (columns) VALUES (...), (...)`, or with `needs`, `INSERT INTO t (columns)
/// SELECT ... WHERE EXISTS (..)`; [`Error::InvalidInput`] for a value a column cannot hold,
/// before anything is written.
fn insert_stmt<M: Model>(
    conn: &Connection,
    rows: &[M::New],
    needs: Option<Needs>,
) -> Result<SqlWriter> {
    let backend = conn.backend();
    let mut w = SqlWriter::new(backend);
    w.push("INSERT INTO ").ident(M::TABLE);
    let columns = <M::New as Insert>::COLUMNS;
    if columns.is_empty() {
        if needs.is_some() {
            return Err(Error::InvalidInput(format!(
                "internal: an insert of {} that needs another row, with no column to insert",
                M::NAME
            )));
        }
        w.push(match backend {
            Backend::Mysql => " () VALUES ()",
            _ => " DEFAULT VALUES",
        });
        return Ok(w);
    }
    let rows: Vec<Vec<Value>> = rows.iter().map(Insert::values).collect();
    check_rows(
        M::NAME,
        M::FIELDS,
        backend,
        columns,
        rows.iter().map(Vec::as_slice),
    )?;
    w.push(" (");
    w.list(columns, ", ", |w, c| {
        w.ident(c);
    });
    w.push(")");
    let Some(needs) = needs else {
        w.push(" VALUES ");
        w.list(rows, ", ", |w, row| {
            w.push("(");
            w.list(row, ", ", |w, v| {
                w.bind(v);
            });
            w.push(")");
        });
        return Ok(w);
    };
    w.push(" SELECT ");
    w.list(rows.into_iter().flatten(), ", ", |w, v| {
        w.bind(v);
    });
    if backend == Backend::Mysql {
        w.push(" FROM DUAL");
    }
    w.push(" WHERE ");
    needs.write(&mut w);
    Ok(w)
}

/// An insert that failed because `M`'s auto-increment key has no value left says so, as
/// [`Error::OutOfKeys`]. Each backend says it its own way: SQLite "database or disk is full" for
/// a 64-bit key (then the largest key tells it from a full disk, one statement) and the DDL's
/// range check for a narrower one; PostgreSQL "reached maximum value of sequence"; MySQL "Out
/// of range value" for a 64-bit key, or a duplicate of the largest value for a narrower one.
fn out_of_keys<M: Model>(conn: &mut Connection, err: Error) -> Error {
    let pk = &M::FIELDS[M::PK];
    if !pk.auto_increment {
        return err;
    }
    let largest = match pk.kind {
        Kind::SmallInt => i64::from(i16::MAX),
        Kind::Integer => i64::from(i32::MAX),
        _ => i64::MAX,
    };
    let exhausted = match (&err, conn.backend()) {
        (Error::Database(db), Backend::Sqlite) => {
            db.to_string().contains("database or disk is full") && largest_key_is_max::<M>(conn)
        }
        (Error::Database(db), Backend::Postgres) => {
            db.to_string().contains("reached maximum value of sequence")
        }
        (Error::Database(db), Backend::Mysql) => {
            let message = db.to_string();
            message.contains("Failed to read auto-increment value")
                || message.contains(&format!("Out of range value for column '{}'", pk.column))
        }
        // The key column's own check (SQLite names the column).
        (
            Error::Integrity {
                kind: crate::error::IntegrityKind::Check,
                constraint,
                ..
            },
            Backend::Sqlite,
        ) => largest < i64::MAX && constraint.as_deref() == Some(pk.column),
        (
            Error::Integrity {
                kind: crate::error::IntegrityKind::Unique,
                message,
                ..
            },
            Backend::Mysql,
        ) => {
            message.contains(&format!("Duplicate entry '{largest}'")) && message.contains("PRIMARY")
        }
        _ => false,
    };
    if exhausted {
        Error::OutOfKeys { model: M::NAME }
    } else {
        err
    }
}

/// Whether `M`'s largest key is the largest a SQLite key can be.
fn largest_key_is_max<M: Model>(conn: &mut Connection) -> bool {
    let pk = M::FIELDS[M::PK].column;
    let mut w = SqlWriter::new(conn.backend());
    w.push("SELECT MAX(")
        .ident(pk)
        .push(") AS v FROM ")
        .ident(M::TABLE);
    let rows: Result<Vec<crate::db::decode::One<Option<i64>>>> = conn.load(&w.finish());
    matches!(
        rows.as_deref(),
        Ok([crate::db::decode::One(Some(i64::MAX))])
    )
}

/// Locks the rows of `M` whose `column` holds `value` until the transaction ends, so writes that
/// read before they write, to the rows related to one owner, take turns. One statement on
/// PostgreSQL (`FOR NO KEY UPDATE`: rows that other transactions insert pointing at the owner
/// need not wait for it, and waiting there would deadlock with their links) and MySQL (`FOR
/// UPDATE`); none on SQLite, where a transaction holds the write lock from its start (`BEGIN
/// IMMEDIATE`).
pub(crate) fn lock_rows<M: Model>(
    conn: &mut Connection,
    column: &'static str,
    value: Value,
) -> Result<()> {
    if conn.backend() == Backend::Sqlite {
        return Ok(());
    }
    let mut w = SqlWriter::new(conn.backend());
    w.push("SELECT 1 AS v FROM ")
        .ident(M::TABLE)
        .push(" WHERE ");
    Expr::Cmp(column, CmpOp::Eq, value).write(&mut w);
    w.push(match conn.backend() {
        Backend::Postgres => " FOR NO KEY UPDATE",
        _ => " FOR UPDATE",
    });
    conn.load::<crate::db::decode::One<i32>>(&w.finish())?;
    Ok(())
}

/// Without `RETURNING` (MySQL): reads the rows just inserted, in insertion order. Auto keys are
/// the ones this connection's insert took: `LAST_INSERT_ID()`, and for a multi-row insert every
/// `@@auto_increment_increment`-th key after it, one per row (with an increment above 1, as
/// multi-primary setups run, other servers' rows sit between them; Galera also runs InnoDB's
/// interleaved lock mode, so there every row is its own insert, read back by its one key).
/// Given keys are looked up.
fn read_back<M: Model>(conn: &mut Connection, rows: &[M::New]) -> Result<Vec<M>> {
    let pk = &M::FIELDS[M::PK];
    let mut w = SqlWriter::new(conn.backend());
    w.push("SELECT ");
    write_columns::<M>(&mut w);
    w.push(" FROM ").ident(M::TABLE).push(" WHERE ");
    if pk.auto_increment {
        if rows.len() == 1 {
            w.ident(pk.column).push(" = LAST_INSERT_ID()");
            return load_models::<M>(conn, &w.finish());
        }
        w.ident(pk.column)
            .push(" >= LAST_INSERT_ID() AND ")
            .ident(pk.column);
        w.push(" < LAST_INSERT_ID() + ")
            .bind(Value::BigInt(rows.len() as i64));
        w.push(" * @@auto_increment_increment AND MOD(")
            .ident(pk.column);
        w.push(", @@auto_increment_increment) = MOD(LAST_INSERT_ID(), @@auto_increment_increment)");
        w.push(" ORDER BY ").ident(pk.column);
        return load_models::<M>(conn, &w.finish());
    }
    let i = <M::New as Insert>::COLUMNS
        .iter()
        .position(|c| *c == pk.column)
        .ok_or_else(|| {
            Error::InvalidInput(format!("the insert form of {} has no primary key", M::NAME))
        })?;
    let keys: Vec<Value> = rows
        .iter()
        .filter_map(|r| r.values().into_iter().nth(i))
        .collect();
    Expr::In(pk.column, keys.clone()).write(&mut w);
    let mut found = load_models::<M>(conn, &w.finish())?;
    let mut out = Vec::with_capacity(keys.len());
    for key in &keys {
        if let Some(pos) = found.iter().position(|m| &m.key().to_value() == key) {
            out.push(found.swap_remove(pos));
        }
    }
    Ok(out)
}
