//! Statements: SQL text with bound values. Identifiers come only from the derive and are quoted
//! per backend; every value is a bound parameter.

use std::fmt::Write;

use crate::db::backend::Backend;
use crate::db::value::{ColumnType, Value};

/// One statement ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub sql: String,
    pub binds: Vec<Value>,
}

/// Builds a [`Stmt`] for one backend.
#[derive(Debug)]
pub struct SqlWriter {
    backend: Backend,
    sql: String,
    binds: Vec<Value>,
    /// The table alias that [`SqlWriter::column`] puts before column names, in joins.
    qualifier: Option<&'static str>,
    /// The table an `UPDATE` or `DELETE` writes, while its `WHERE` is written: MySQL refuses a
    /// subquery that reads it (error 1093), so such a subquery is read into a derived table.
    modifying: Option<&'static str>,
}

impl SqlWriter {
    pub fn new(backend: Backend) -> Self {
        SqlWriter {
            backend,
            sql: String::with_capacity(128),
            binds: Vec::new(),
            qualifier: None,
            modifying: None,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a quoted identifier.
    pub fn ident(&mut self, name: &str) -> &mut Self {
        self.backend.quote(name, &mut self.sql);
        self
    }

    /// Appends a column of the current table: `"column"`, or `"alias"."column"` inside
    /// [`SqlWriter::qualify`].
    pub fn column(&mut self, name: &str) -> &mut Self {
        if let Some(q) = self.qualifier {
            self.ident(q).push(".");
        }
        self.ident(name)
    }

    /// Writes with `f` while [`SqlWriter::column`] qualifies columns with `alias`.
    pub fn qualify(&mut self, alias: &'static str, f: impl FnOnce(&mut Self)) -> &mut Self {
        let outer = self.qualifier.replace(alias);
        f(self);
        self.qualifier = outer;
        self
    }

    /// The alias [`SqlWriter::column`] puts before column names now, if any.
    pub(crate) fn qualifier(&self) -> Option<&'static str> {
        self.qualifier
    }

    /// Writes the `WHERE` of an `UPDATE` or `DELETE` of `table` with `f`.
    pub(crate) fn modifying(
        &mut self,
        table: &'static str,
        f: impl FnOnce(&mut Self),
    ) -> &mut Self {
        let outer = self.modifying.replace(table);
        f(self);
        self.modifying = outer;
        self
    }

    /// The table being written, when a subquery that reads it must go through a derived table
    /// (MySQL's error 1093: "You can't specify target table for update in FROM clause"; MariaDB
    /// and the other backends allow the subquery).
    pub(crate) fn modified_table(&self) -> Option<&'static str> {
        self.modifying.filter(|_| self.backend == Backend::Mysql)
    }

    /// Writes a parenthesized subquery: `select` writes its one selected column, `rest` its
    /// `FROM ..` and `WHERE ..`. When `derived`, the subquery is read into a derived table
    /// (`(SELECT orm_v FROM (SELECT DISTINCT .. AS orm_v ..) AS orm_sub)`): DISTINCT keeps MySQL
    /// from merging it back into the statement, which would bring error 1093 back.
    pub(crate) fn subquery(
        &mut self,
        derived: bool,
        select: impl FnOnce(&mut Self),
        rest: impl FnOnce(&mut Self),
    ) -> &mut Self {
        let outer = self.modifying.take();
        self.push("(SELECT ");
        if derived {
            self.ident("orm_v").push(" FROM (SELECT DISTINCT ");
            select(self);
            self.push(" AS ").ident("orm_v");
            rest(self);
            self.push(") AS ").ident("orm_sub");
        } else {
            select(self);
            rest(self);
        }
        self.push(")");
        self.modifying = outer;
        self
    }

    /// Writes with `f` while [`SqlWriter::column`] qualifies nothing (inside a subquery).
    pub fn unqualified(&mut self, f: impl FnOnce(&mut Self)) -> &mut Self {
        let outer = self.qualifier.take();
        f(self);
        self.qualifier = outer;
        self
    }

    /// Appends a key column as the text a generic foreign key stores for it: `CAST(col AS TEXT)`
    /// (`CHAR` on MySQL), and for a UUID kept as 16 bytes (SQLite, MySQL) its hyphenated
    /// lowercase form.
    pub fn column_as_text(&mut self, name: &str, kind: ColumnType) -> &mut Self {
        match (kind, self.backend) {
            (ColumnType::Uuid, Backend::Sqlite | Backend::Mysql) => {
                let concat = self.backend == Backend::Mysql;
                self.push(if concat { "LOWER(CONCAT(" } else { "lower(" });
                for (i, (from, len)) in [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
                    .into_iter()
                    .enumerate()
                {
                    if i > 0 {
                        self.push(if concat { ", '-', " } else { " || '-' || " });
                    }
                    self.push("SUBSTR(HEX(").column(name);
                    let _ = write!(self.sql, "), {from}, {len})");
                }
                self.push(if concat { "))" } else { ")" })
            }
            (_, Backend::Mysql) => self.push("CAST(").column(name).push(" AS CHAR)"),
            _ => self.push("CAST(").column(name).push(" AS TEXT)"),
        }
    }

    /// Appends `"table"."column"`.
    pub fn qualified(&mut self, table: &str, column: &str) -> &mut Self {
        self.ident(table).push(".").ident(column)
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.binds.push(value);
        match self.backend {
            Backend::Postgres => {
                let _ = write!(self.sql, "${}", self.binds.len());
            }
            _ => self.sql.push('?'),
        }
        self
    }

    /// Appends `items` separated by `sep`, each written by `f`.
    pub fn list<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        sep: &str,
        mut f: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(sep);
            }
            f(self, item);
        }
        self
    }

    /// The number of values bound so far.
    pub fn bind_count(&self) -> usize {
        self.binds.len()
    }

    pub fn finish(self) -> Stmt {
        Stmt {
            sql: self.sql,
            binds: self.binds,
        }
    }
}
