//! A table of 20,000 rows and the two forms of a filter on many of its keys: `id IN (?, ?, ..)`,
//! one bind a key, and the keys bound as one value (PostgreSQL `= ANY($1)`, SQLite
//! `json_each`, MySQL `JSON_TABLE`), as `orm_core` writes a list past
//! `Backend::max_inline_values`. Half the keys asked for exist.

use orm_core::{Backend, Connection, Result, SqlWriter, Stmt, Value};

/// Rows in the table.
pub const ROWS: i64 = 40_000;

/// A connection to a fresh table `item (id, label)` of [`ROWS`] rows.
pub fn setup(url: &str) -> Result<Connection> {
    let mut conn = Connection::open(url)?;
    let backend = conn.backend();
    let mut w = SqlWriter::new(backend);
    w.push("DROP TABLE IF EXISTS ").ident("item");
    conn.execute(&w.finish())?;
    let mut w = SqlWriter::new(backend);
    w.push("CREATE TABLE ").ident("item").push(" (").ident("id");
    w.push(" BIGINT NOT NULL PRIMARY KEY, ")
        .ident("label")
        .push(" VARCHAR(64) NOT NULL)");
    conn.execute(&w.finish())?;
    for chunk in (0..ROWS).collect::<Vec<_>>().chunks(5_000) {
        let mut w = SqlWriter::new(backend);
        w.push("INSERT INTO ").ident("item").push(" VALUES ");
        w.list(chunk, ", ", |w, id| {
            w.push("(").bind(Value::BigInt(*id)).push(", ");
            w.bind(Value::Text(format!("item {id}"))).push(")");
        });
        conn.execute(&w.finish())?;
    }
    Ok(conn)
}

/// `n` keys (at most [`ROWS`]), every other one in the table: from `ROWS - n`, in steps of 2.
pub fn keys(n: usize) -> Vec<i64> {
    let n = n as i64;
    (0..n).map(|i| ROWS - n + 2 * i).collect()
}

/// How the keys are bound.
#[derive(Debug, Clone, Copy)]
pub enum Form {
    /// `IN (?, ?, ..)`.
    Inline,
    /// One value.
    OneValue,
}

/// The `SELECT` of the rows with these keys, in `form`.
pub fn statement(backend: Backend, form: Form, keys: &[i64]) -> Stmt {
    let mut w = SqlWriter::new(backend);
    w.push("SELECT ")
        .ident("id")
        .push(", ")
        .ident("label")
        .push(" FROM ")
        .ident("item");
    w.push(" WHERE ").ident("id");
    match (form, backend) {
        (Form::Inline, _) => {
            w.push(" IN (");
            w.list(keys, ", ", |w, k| {
                w.bind(Value::BigInt(*k));
            });
            w.push(")");
        }
        (Form::OneValue, Backend::Postgres) => {
            let list = orm_core::KeyList::BigInt(keys.to_vec());
            w.push(" = ANY(").bind(Value::Keys(list)).push(")");
        }
        (Form::OneValue, Backend::Sqlite) => {
            w.push(" IN (SELECT value FROM json_each(")
                .bind(Value::Text(json(keys)))
                .push("))");
        }
        (Form::OneValue, Backend::Mysql) => {
            w.push(" IN (SELECT v FROM JSON_TABLE(")
                .bind(Value::Text(json(keys)));
            w.push(", '$[*]' COLUMNS (v BIGINT PATH '$')) AS orm_values)");
        }
    }
    w.finish()
}

fn json(keys: &[i64]) -> String {
    format!(
        "[{}]",
        keys.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// One row of the result.
#[derive(diesel::QueryableByName)]
pub struct Item {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub label: String,
}

/// Runs the statement and checks it found the half of the keys that exist.
pub fn run(conn: &mut Connection, stmt: &Stmt, keys: usize) -> usize {
    let rows: Vec<Item> = conn.load(stmt).expect("the statement runs");
    let want = keys.div_ceil(2);
    assert_eq!(rows.len(), want, "rows found");
    rows.len()
}
