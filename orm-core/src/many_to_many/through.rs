//! The through rows of a many-to-many: where a new link's extra values come from
//! (`through_defaults`), and the query of the related rows with their through rows.

use std::fmt;
use std::marker::PhantomData;

use crate::db::backend::Backend;
use crate::db::connection::Connection;
use crate::db::decode::{Pair, LEFT, RIGHT};
use crate::db::sql::SqlWriter;
use crate::db::value::Value;
use crate::error::Result;
use crate::many_to_many::{LinkEnd, ManyToManyThrough, OptionalExtra, Side};
use crate::model::Model;
use crate::query::{Expr, Filter, Order};

/// Where the through model's extra values come from: nothing (every extra field is optional),
/// a value, or a closure evaluated once per call.
pub trait ExtraSource<E> {
    /// The values for one call.
    fn extra(&self) -> E;
}

/// No `through_defaults`: only possible when the through model has no required field.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDefaults;

impl<E: OptionalExtra> ExtraSource<E> for NoDefaults {
    fn extra(&self) -> E {
        E::empty()
    }
}

/// `through_defaults(value)`.
#[derive(Debug, Clone)]
pub struct Defaults<E>(pub(super) E);

impl<E: Clone> ExtraSource<E> for Defaults<E> {
    fn extra(&self) -> E {
        self.0.clone()
    }
}

/// `through_defaults_with(closure)`.
#[derive(Clone)]
pub struct DefaultsWith<F>(pub(super) F);

impl<F> fmt::Debug for DefaultsWith<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DefaultsWith(..)")
    }
}

impl<E, F: Fn() -> E> ExtraSource<E> for DefaultsWith<F> {
    fn extra(&self) -> E {
        (self.0)()
    }
}

const OTHER: &str = "o";
const THROUGH: &str = "t";

/// Rows of `O` with their through rows `T`, from [`ManyToManyManager::with_through`](crate::ManyToManyManager::with_through). One
/// statement: `SELECT ... FROM o JOIN through t ON ... WHERE t.owner = ?`.
pub struct ThroughQuery<O, T> {
    table: &'static str,
    other_column: &'static str,
    /// The column of `O` that `other_column` holds.
    other_key: &'static str,
    owner: (&'static str, Value),
    filters: Vec<(&'static str, Expr)>,
    order: Vec<(&'static str, Order<()>)>,
    _marker: PhantomData<fn() -> (O, T)>,
}

impl<O, T> ThroughQuery<O, T> {
    /// The rows linked to the owner whose `owner_column` value is `owner`, through `R`.
    pub(super) fn new<R: ManyToManyThrough, S: Side<R>>(owner: Value) -> Self {
        ThroughQuery {
            table: R::TABLE,
            other_column: S::OTHER_COLUMN,
            other_key: S::OtherEnd::COLUMN,
            owner: (S::OWNER_COLUMN, owner),
            filters: Vec::new(),
            order: Vec::new(),
            _marker: PhantomData,
        }
    }
}

impl<O, T> fmt::Debug for ThroughQuery<O, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThroughQuery")
            .field("table", &self.table)
            .field("filters", &self.filters)
            .field("order", &self.order)
            .finish()
    }
}

impl<O: Model, T: Model> ThroughQuery<O, T> {
    /// Keeps the rows matching `filter` on the related model.
    pub fn filter(mut self, filter: Filter<O>) -> Self {
        self.filters.push((OTHER, filter.expr));
        self
    }

    /// Keeps the rows whose through row matches `filter`.
    pub fn filter_through(mut self, filter: Filter<T>) -> Self {
        self.filters.push((THROUGH, filter.expr));
        self
    }

    /// Orders by a column of the related model.
    pub fn order_by(mut self, order: Order<O>) -> Self {
        self.order.push((OTHER, order.erase()));
        self
    }

    /// Orders by a column of the through model.
    pub fn order_by_through(mut self, order: Order<T>) -> Self {
        self.order.push((THROUGH, order.erase()));
        self
    }

    /// The statement this query runs.
    pub fn to_stmt(&self, backend: Backend) -> crate::db::sql::Stmt {
        let mut w = SqlWriter::new(backend);
        w.push("SELECT ");
        write_aliased::<O>(&mut w, OTHER, LEFT);
        w.push(", ");
        write_aliased::<T>(&mut w, THROUGH, RIGHT);
        w.push(" FROM ").ident(O::TABLE).push(" ").ident(OTHER);
        w.push(" INNER JOIN ")
            .ident(self.table)
            .push(" ")
            .ident(THROUGH);
        w.push(" ON ")
            .qualified(THROUGH, self.other_column)
            .push(" = ");
        w.qualified(OTHER, self.other_key);
        w.push(" WHERE ")
            .qualified(THROUGH, self.owner.0)
            .push(" = ");
        w.bind(self.owner.1.clone());
        for (alias, expr) in &self.filters {
            w.push(" AND ").qualify(alias, |w| expr.write(w));
        }
        if !self.order.is_empty() {
            w.push(" ORDER BY ");
            w.list(&self.order, ", ", |w, (alias, order)| {
                w.qualify(alias, |w| order.write(w, alias));
            });
        }
        w.finish()
    }

    /// Every matching pair. One statement.
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<(O, T)>> {
        let rows: Vec<Pair<O, T>> = conn.load(&self.to_stmt(conn.backend()))?;
        Ok(rows.into_iter().map(|Pair(o, t)| (o, t)).collect())
    }
}

/// `alias.col0 AS l0, alias.col1 AS l1, ...`: `M`'s columns under the names [`Pair`] reads.
pub(crate) fn write_aliased<M: Model>(w: &mut SqlWriter, alias: &str, names: &[&str]) {
    w.list(M::FIELDS.iter().zip(names), ", ", |w, (f, name)| {
        w.qualified(alias, f.column).push(" AS ").push(name);
    });
}
