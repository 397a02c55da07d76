//! Writing rows: inserts and reading back the keys the database gave them (`RETURNING`, or
//! MySQL's exact range), a key range that ran out, and locking rows before a change.

use crate::db::backend::Backend;
use crate::db::connection::Connection;
use crate::db::decode::One;
use crate::db::sql::SqlWriter;
use crate::db::value::{ColumnType, Field, Value};
use crate::error::{Error, Result};
use crate::model::definition::{load_models, Insert, Model};
use crate::model::field::check_rows;
use crate::query::{write_columns, CmpOp, Expr};

/// Inserts `rows` and returns them with their keys, in order.
pub(crate) fn insert<M: Model>(conn: &mut Connection, rows: &[M::New]) -> Result<Vec<M>> {
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
        ColumnType::SmallInt => i64::from(i16::MAX),
        ColumnType::Integer => i64::from(i32::MAX),
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

/// Inserts `row` with every field, its key included (`Model::save_or_insert`). On PostgreSQL an
/// auto-increment key's sequence then moves past the largest key, so later inserts do not take
/// the one given here; MySQL and SQLite move theirs themselves.
pub(crate) fn insert_whole<M: Model>(conn: &mut Connection, row: &M) -> Result<()> {
    let backend = conn.backend();
    let mut w = SqlWriter::new(backend);
    w.push("INSERT INTO ").ident(M::TABLE).push(" (");
    w.list(M::FIELDS, ", ", |w, f| {
        w.ident(f.column);
    });
    w.push(") VALUES (");
    w.list(row.values(), ", ", |w, v| {
        w.bind(v);
    });
    w.push(")");
    conn.execute(&w.finish())?;
    let pk = &M::FIELDS[M::PK];
    if pk.auto_increment && backend == Backend::Postgres {
        let mut w = SqlWriter::new(backend);
        // Never backwards: a sequence already past the largest key stays where it is.
        w.push("SELECT setval(s::regclass, GREATEST((SELECT MAX(");
        w.ident(pk.column).push(") FROM ").ident(M::TABLE);
        w.push("), COALESCE(pg_sequence_last_value(s::regclass), 0))) AS v FROM pg_get_serial_sequence(");
        w.bind(Value::Text(format!(
            "\"{}\"",
            M::TABLE.replace('"', "\"\"")
        )));
        w.push(", ")
            .bind(Value::Text(pk.column.to_owned()))
            .push(") AS s");
        let _: Vec<One<i64>> = conn.load(&w.finish())?;
    }
    Ok(())
}
