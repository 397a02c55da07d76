//! The query layer: typed columns, conditions, ordering, and the query set with its SQL and its
//! execution. It reads and writes rows of one model; relations are built on it.

mod asynchronous;
mod column;
mod execute;
mod filter;
mod order;
mod query_set;

pub use column::{Assignment, Column, TextColumn};
pub use filter::Filter;
pub use filter::CONTENT_TYPE_TABLE;
pub(crate) use filter::{CmpOp, Expr, InSelect, Link};
pub(crate) use order::Across;
pub use order::Order;
pub(crate) use query_set::write_columns;
pub use query_set::QuerySet;
