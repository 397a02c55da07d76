//! `ORDER BY` terms, on the model's own columns or across a relation to one row.

use std::fmt;
use std::marker::PhantomData;

use crate::db::sql::SqlWriter;
use crate::db::value::{ColumnType, Value};

/// One `ORDER BY` term.
pub struct Order<M> {
    pub(crate) column: &'static str,
    pub(crate) desc: bool,
    /// The relations to follow to reach the column, outermost first; empty for the row's own.
    pub(crate) across: Vec<Across>,
    /// Where NULLs go: first (`Some(true)`), last, or where the backend puts them (`None`).
    nulls_first: Option<bool>,
    _marker: PhantomData<fn() -> M>,
}

/// How an ordering column of another model is reached: `(SELECT x.column FROM table x WHERE
/// x.key = outer)`, one row at most (a foreign key, or a generic foreign key to one type).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Across {
    pub table: &'static str,
    pub key: &'static str,
    pub outer: &'static str,
    /// For a generic foreign key: the key is compared as text of this kind, and the outer
    /// content-type column must name `table`'s model.
    pub generic: Option<(ColumnType, &'static str)>,
}

impl<M> Order<M> {
    /// The other way round, NULLs too: what `last` orders by.
    pub(super) fn reversed(mut self) -> Self {
        self.desc = !self.desc;
        self.nulls_first = self.nulls_first.map(|first| !first);
        self
    }

    pub(super) fn new(column: &'static str, desc: bool) -> Self {
        Order {
            column,
            desc,
            across: Vec::new(),
            nulls_first: None,
            _marker: PhantomData,
        }
    }

    /// NULLs before every value, on every backend (Django's `asc(nulls_first=True)`). Without
    /// it, PostgreSQL puts them last in ascending order and SQLite and MySQL first.
    pub fn nulls_first(mut self) -> Self {
        self.nulls_first = Some(true);
        self
    }

    /// NULLs after every value, on every backend (Django's `asc(nulls_last=True)`): rows without
    /// a related row, when ordering across a nullable key, come last.
    pub fn nulls_last(mut self) -> Self {
        self.nulls_first = Some(false);
        self
    }

    /// The same term for rows of another model `S`, with the relations `hop`, if any, in front.
    fn retarget<S>(self, hop: Option<Across>) -> Order<S> {
        let mut across = self.across;
        if let Some(hop) = hop {
            across.insert(0, hop);
        }
        Order {
            column: self.column,
            desc: self.desc,
            across,
            nulls_first: self.nulls_first,
            _marker: PhantomData,
        }
    }

    /// The same term with the model forgotten, to keep terms of several models in one list.
    pub(crate) fn erase(self) -> Order<()> {
        self.retarget(None)
    }

    /// The same term for the rows of a model that reaches this one through `hop`.
    pub(crate) fn across<S>(self, hop: Across) -> Order<S> {
        self.retarget(Some(hop))
    }

    /// Writes the term. Columns of the row being ordered are qualified by the writer's alias,
    /// or by `table` when it has none (a subquery must not take them for its own). NULLs placed
    /// first or last are a leading `CASE` term, which every backend understands.
    pub(crate) fn write(&self, w: &mut SqlWriter, table: &'static str) {
        if let Some(first) = self.nulls_first {
            w.push("CASE WHEN ");
            self.write_value(w, table);
            w.push(if first {
                " IS NULL THEN 0 ELSE 1 END, "
            } else {
                " IS NULL THEN 1 ELSE 0 END, "
            });
        }
        self.write_value(w, table);
        w.push(if self.desc { " DESC" } else { " ASC" });
    }

    /// The value ordered by: the column, or the subquery that reaches it.
    fn write_value(&self, w: &mut SqlWriter, table: &'static str) {
        if self.across.is_empty() {
            w.column(self.column);
        } else {
            let outer = w.qualifier().unwrap_or(table);
            self.write_across(w, &self.across, 0, outer);
        }
    }

    /// `(SELECT <the rest> FROM table x<depth> WHERE x<depth>.key = outer.column)`.
    fn write_across(&self, w: &mut SqlWriter, hops: &[Across], depth: usize, outer: &'static str) {
        const ALIASES: [&str; 8] = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];
        let Some((hop, rest)) = hops.split_first() else {
            w.qualified(outer, self.column);
            return;
        };
        let x = ALIASES[depth.min(ALIASES.len() - 1)];
        w.push("(SELECT ");
        self.write_across(w, rest, depth + 1, x);
        w.push(" FROM ")
            .ident(hop.table)
            .push(" ")
            .ident(x)
            .push(" WHERE ");
        match hop.generic {
            None => {
                w.qualified(x, hop.key);
            }
            Some((kind, _)) => {
                w.qualify(x, |w| {
                    w.column_as_text(hop.key, kind);
                });
            }
        }
        w.push(" = ").qualified(outer, hop.outer);
        if let Some((_, content_type)) = hop.generic {
            w.push(" AND ")
                .qualified(outer, content_type)
                .push(" = (SELECT ");
            w.ident("id")
                .push(" FROM ")
                .ident(crate::query::CONTENT_TYPE_TABLE);
            w.push(" WHERE ").ident("model").push(" = ");
            w.bind(Value::Text(hop.table.to_owned())).push(")");
        }
        w.push(")");
    }
}

impl<M> PartialEq for Order<M> {
    fn eq(&self, other: &Self) -> bool {
        (self.column, self.desc, &self.across, self.nulls_first)
            == (other.column, other.desc, &other.across, other.nulls_first)
    }
}

impl<M> Clone for Order<M> {
    fn clone(&self) -> Self {
        Order {
            column: self.column,
            desc: self.desc,
            across: self.across.clone(),
            nulls_first: self.nulls_first,
            _marker: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Order<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for hop in &self.across {
            write!(f, "{}.", hop.table)?;
        }
        write!(
            f,
            "{} {}",
            self.column,
            if self.desc { "DESC" } else { "ASC" }
        )?;
        match self.nulls_first {
            Some(true) => write!(f, " NULLS FIRST"),
            Some(false) => write!(f, " NULLS LAST"),
            None => Ok(()),
        }
    }
}
