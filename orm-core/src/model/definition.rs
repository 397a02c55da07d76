//! The `Model` trait: what the derive implements, and the everyday API on top of it (Django's
//! `Model.objects` and an instance's `save`, `delete`, `refresh_from_db`).

use std::fmt;
use std::hash::Hash;

use crate::db::connection::Connection;
use crate::db::decode::{BuildAll, DecodeAll, LoadRow, Positional};
use crate::db::sql::SqlWriter;
use crate::db::sql::Stmt;
use crate::db::value::{Field, Value};
use crate::error::{Error, Result};
use crate::model::field::FieldDef;
use crate::model::write::{insert, insert_one, insert_whole};
use crate::query::{CmpOp, Expr, Filter, QuerySet};

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
    /// [`SaveHooks`] run. [`Error::Unsaved`] when the row does not exist; [`Model::save_or_insert`]
    /// inserts it then, as Django's `save()` does.
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

    /// Django's `save()`: writes every field to the row with this key, or, when there is no such
    /// row, inserts one with every field, key included. One statement when the row exists; else
    /// the `UPDATE`, the `INSERT` and, on PostgreSQL for an auto-increment key, one statement
    /// that moves the key's sequence past the inserted key (so a later `create` does not take
    /// it), in one transaction. The [`SaveHooks`] run once. The related managers' `bulk(false)`
    /// writes save each object this way, as Django's do.
    fn save_or_insert(&self, conn: &mut Connection) -> Result<()> {
        conn.transaction(|conn| match self.save(conn) {
            Err(Error::Unsaved { .. }) => {
                insert_whole(conn, self)?;
                self.after_save(conn)
            }
            saved => saved,
        })
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
