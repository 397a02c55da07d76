//! Typed columns and their lookups: comparisons, `IN`, `LIKE` and its case-insensitive forms.

use std::fmt;
use std::marker::PhantomData;

use super::filter::{Case, CmpOp, Expr, Filter, Like};
use super::order::Order;
use crate::db::value::{Field, Value};
use crate::model::Model;

/// A typed column of model `M` holding `T`. The derive emits one per field: `Entry::headline`.
pub struct Column<M, T> {
    name: &'static str,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T> Copy for Column<M, T> {}

impl<M, T> fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Column({})", self.name)
    }
}

impl<M, T> Column<M, T> {
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        Column {
            name,
            _marker: PhantomData,
        }
    }

    /// The column's name in the database.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<M: Model, T: Field> Column<M, T> {
    fn cmp(self, op: CmpOp, value: impl Into<T>) -> Filter<M> {
        let value = value.into().to_value();
        Filter::new(match (op, value.is_null()) {
            (CmpOp::Eq, true) => Expr::IsNull(self.name, true),
            (CmpOp::Ne, true) => Expr::IsNull(self.name, false),
            (_, _) => Expr::Cmp(self.name, op, value),
        })
    }

    /// `column = value`; `eq(None)` on a nullable column is `IS NULL`, as Django's `exact=None`.
    pub fn eq(self, value: impl Into<T>) -> Filter<M> {
        self.cmp(CmpOp::Eq, value)
    }
    /// `column <> value`; `ne(None)` is `IS NOT NULL`.
    pub fn ne(self, value: impl Into<T>) -> Filter<M> {
        self.cmp(CmpOp::Ne, value)
    }
    /// `column < value`.
    pub fn lt(self, value: impl Into<T>) -> Filter<M> {
        self.cmp(CmpOp::Lt, value)
    }
    /// `column <= value`.
    pub fn le(self, value: impl Into<T>) -> Filter<M> {
        self.cmp(CmpOp::Le, value)
    }
    /// `column > value`.
    pub fn gt(self, value: impl Into<T>) -> Filter<M> {
        self.cmp(CmpOp::Gt, value)
    }
    /// `column >= value`.
    pub fn ge(self, value: impl Into<T>) -> Filter<M> {
        self.cmp(CmpOp::Ge, value)
    }
    /// `column IN (...)`; an empty list matches nothing. Any number of values is one
    /// statement: past a thousand ([`crate::db::backend::Backend::max_inline_values`]) they are bound as one
    /// value (an array on PostgreSQL, a JSON array on SQLite and MySQL).
    pub fn is_in<V: Into<T>>(self, values: impl IntoIterator<Item = V>) -> Filter<M> {
        let values = values.into_iter().map(|v| v.into().to_value()).collect();
        Filter::new(Expr::In(self.name, values))
    }
    /// `column IS NULL`.
    pub fn is_null(self) -> Filter<M> {
        Filter::new(Expr::IsNull(self.name, true))
    }
    /// `column IS NOT NULL`.
    pub fn is_not_null(self) -> Filter<M> {
        Filter::new(Expr::IsNull(self.name, false))
    }
    /// Ascending order.
    pub fn asc(self) -> Order<M> {
        Order::new(self.name, false)
    }
    /// Descending order.
    pub fn desc(self) -> Order<M> {
        Order::new(self.name, true)
    }
    /// `SET column = value`, for [`QuerySet::update`](crate::QuerySet::update).
    pub fn set(self, value: impl Into<T>) -> Assignment<M> {
        Assignment {
            column: self.name,
            value: value.into().to_value(),
            _marker: PhantomData,
        }
    }
}

/// Text matching, for `String` and `Option<String>` columns.
pub trait TextColumn<M> {
    /// `column LIKE pattern` with the caller's `%` and `_` wildcards. Case sensitivity follows
    /// the backend (SQLite and MySQL's default collations ignore ASCII case; PostgreSQL does not).
    fn like(self, pattern: impl Into<String>) -> Filter<M>;
    /// The column contains `text` (wildcards in `text` are matched literally).
    fn contains(self, text: &str) -> Filter<M>;
    /// The column starts with `text`.
    fn starts_with(self, text: &str) -> Filter<M>;
    /// The column ends with `text`.
    fn ends_with(self, text: &str) -> Filter<M>;
    /// The column equals `text`, ignoring case on every backend (Django's `iexact`):
    /// `UPPER(column) LIKE UPPER(?)`. SQLite's `UPPER` folds ASCII letters only.
    fn iexact(self, text: &str) -> Filter<M>;
    /// The column contains `text`, ignoring case on every backend (Django's `icontains`).
    fn icontains(self, text: &str) -> Filter<M>;
    /// The column starts with `text`, ignoring case on every backend (`istartswith`).
    fn istarts_with(self, text: &str) -> Filter<M>;
    /// The column ends with `text`, ignoring case on every backend (`iendswith`).
    fn iends_with(self, text: &str) -> Filter<M>;
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// `column LIKE before text after`, the text's wildcards escaped.
fn matching<M>(
    column: &'static str,
    before: &str,
    text: &str,
    after: &str,
    case: Case,
) -> Filter<M> {
    let pattern = format!("{before}{}{after}", escape_like(text));
    Filter::new(Expr::Like(Box::new(Like {
        column,
        pattern,
        escaped: true,
        case,
    })))
}

macro_rules! text_column {
    ($($ty:ty),*) => {$(
        impl<M: Model> TextColumn<M> for Column<M, $ty> {
            fn like(self, pattern: impl Into<String>) -> Filter<M> {
                Filter::new(Expr::Like(Box::new(Like {
                    column: self.name,
                    pattern: pattern.into(),
                    escaped: false,
                    case: Case::Backend,
                })))
            }
            fn contains(self, text: &str) -> Filter<M> {
                matching(self.name, "%", text, "%", Case::Backend)
            }
            fn starts_with(self, text: &str) -> Filter<M> {
                matching(self.name, "", text, "%", Case::Backend)
            }
            fn ends_with(self, text: &str) -> Filter<M> {
                matching(self.name, "%", text, "", Case::Backend)
            }
            fn iexact(self, text: &str) -> Filter<M> {
                matching(self.name, "", text, "", Case::Ignored)
            }
            fn icontains(self, text: &str) -> Filter<M> {
                matching(self.name, "%", text, "%", Case::Ignored)
            }
            fn istarts_with(self, text: &str) -> Filter<M> {
                matching(self.name, "", text, "%", Case::Ignored)
            }
            fn iends_with(self, text: &str) -> Filter<M> {
                matching(self.name, "%", text, "", Case::Ignored)
            }
        }
    )*};
}

/// One `SET column = value` of [`QuerySet::update`](crate::QuerySet::update).
#[derive(Debug)]
pub struct Assignment<M> {
    pub(crate) column: &'static str,
    pub(crate) value: Value,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Assignment<M> {
    fn clone(&self) -> Self {
        Assignment {
            column: self.column,
            value: self.value.clone(),
            _marker: PhantomData,
        }
    }
}

text_column!(String, Option<String>);
