//! The query set: a lazy query over one model, and the SQL it writes.

use std::fmt;

use super::filter::{Expr, Filter};
use super::order::Order;
use crate::db::sql::{SqlWriter, Stmt};
use crate::db::value::Value;
use crate::model::Model;

/// A lazy query over `M`: nothing runs until a method that takes the connection.
pub struct QuerySet<M> {
    pub(crate) filters: Vec<Expr>,
    pub(crate) order: Vec<Order<M>>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
}

impl<M> Clone for QuerySet<M> {
    fn clone(&self) -> Self {
        QuerySet {
            filters: self.filters.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
        }
    }
}

impl<M> PartialEq for QuerySet<M> {
    fn eq(&self, other: &Self) -> bool {
        self.filters == other.filters
            && self.order == other.order
            && self.limit == other.limit
            && self.offset == other.offset
    }
}

impl<M> fmt::Debug for QuerySet<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuerySet")
            .field("filters", &self.filters)
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .finish()
    }
}

impl<M: Model> Default for QuerySet<M> {
    fn default() -> Self {
        QuerySet {
            filters: Vec::new(),
            order: Vec::new(),
            limit: None,
            offset: None,
        }
    }
}

impl<M: Model> QuerySet<M> {
    /// Keeps rows matching `filter` (ANDed with earlier filters).
    pub fn filter(mut self, filter: Filter<M>) -> Self {
        self.filters.push(filter.expr);
        self
    }

    /// Drops rows matching `filter`.
    pub fn exclude(self, filter: Filter<M>) -> Self {
        self.filter(!filter)
    }

    /// Adds an ordering term; terms apply in the order they were added.
    pub fn order_by(mut self, order: Order<M>) -> Self {
        self.order.push(order);
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(n);
        self
    }

    pub(crate) fn write_where(&self, w: &mut SqlWriter) {
        if !self.filters.is_empty() {
            w.push(" WHERE ");
            w.list(&self.filters, " AND ", |w, e| e.write(w));
        }
    }

    pub(crate) fn write_tail(&self, w: &mut SqlWriter) {
        if !self.order.is_empty() {
            w.push(" ORDER BY ");
            w.list(&self.order, ", ", |w, o| o.write(w, M::TABLE));
        }
        self.write_limit(w);
    }

    /// ` LIMIT .. OFFSET ..`, when the query has either.
    pub(crate) fn write_limit(&self, w: &mut SqlWriter) {
        let backend = w.backend();
        match (self.limit, self.offset) {
            (None, None) => {}
            (limit, offset) => {
                w.push(" LIMIT ");
                match limit {
                    Some(n) => {
                        w.bind(Value::BigInt(clamp(n)));
                    }
                    // Offset without limit: each backend spells "no limit" differently.
                    None => {
                        w.push(match backend {
                            crate::db::backend::Backend::Sqlite => "-1",
                            crate::db::backend::Backend::Mysql => "18446744073709551615",
                            crate::db::backend::Backend::Postgres => "ALL",
                        });
                    }
                }
                if let Some(n) = offset {
                    w.push(" OFFSET ").bind(Value::BigInt(clamp(n)));
                }
            }
        }
    }

    /// The `SELECT` this query set runs.
    pub fn to_stmt(&self, backend: crate::db::backend::Backend) -> Stmt {
        let mut w = SqlWriter::new(backend);
        w.push("SELECT ");
        write_columns::<M>(&mut w);
        w.push(" FROM ").ident(M::TABLE);
        self.write_where(&mut w);
        self.write_tail(&mut w);
        w.finish()
    }
}

pub(crate) fn write_columns<M: Model>(w: &mut SqlWriter) {
    w.list(M::FIELDS, ", ", |w, f| {
        w.ident(f.column);
    });
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
