//! Related managers. The reverse side of a foreign key: `blog.entry_set()`.

use std::marker::PhantomData;

use crate::connection::Connection;
use crate::error::Result;
use crate::model::Model;
use crate::query::{CmpOp, Expr, Filter, QuerySet};
use crate::value::Value;

/// The rows of `C` whose foreign key points at one parent row. Returned by the reverse accessor
/// the derive puts on the target model (`blog.entry_set()`, or the `related_name`).
#[derive(Debug, Clone)]
pub struct ReverseManager<C> {
    column: &'static str,
    parent_key: Value,
    _marker: PhantomData<fn() -> C>,
}

impl<C: Model> ReverseManager<C> {
    #[doc(hidden)]
    pub fn new(column: &'static str, parent_key: Value) -> Self {
        ReverseManager {
            column,
            parent_key,
            _marker: PhantomData,
        }
    }

    /// A query set of the related rows, to refine further.
    pub fn query(&self) -> QuerySet<C> {
        C::query().filter(Filter::new(Expr::Cmp(
            self.column,
            CmpOp::Eq,
            self.parent_key.clone(),
        )))
    }

    /// Every related row. One statement.
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<C>> {
        self.query().all(conn)
    }

    /// The related rows matching `filter`, as a query set.
    pub fn filter(&self, filter: Filter<C>) -> QuerySet<C> {
        self.query().filter(filter)
    }

    /// How many related rows there are. One statement.
    pub fn count(&self, conn: &mut Connection) -> Result<i64> {
        self.query().count(conn)
    }

    /// Whether there is any related row. One statement.
    pub fn exists(&self, conn: &mut Connection) -> Result<bool> {
        self.query().exists(conn)
    }
}
