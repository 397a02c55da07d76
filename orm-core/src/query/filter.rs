//! Conditions: the untyped expression tree, its SQL, and [`Filter`], which gives it a model.

use std::fmt;
use std::marker::PhantomData;

use crate::db::backend::Backend;
use crate::db::sql::SqlWriter;
use crate::db::value::{json_array, ColumnType, KeyList, Value};

/// A `LIKE` condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Like {
    pub(super) column: &'static str,
    pub(super) pattern: String,
    /// Whether `!` escapes the wildcards.
    pub(super) escaped: bool,
    pub(super) case: Case,
}

/// Whether a `LIKE` tells case apart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Case {
    /// As the backend's `LIKE` does.
    Backend,
    /// Never: both sides are upper-cased.
    Ignored,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => " = ",
            CmpOp::Ne => " <> ",
            CmpOp::Lt => " < ",
            CmpOp::Le => " <= ",
            CmpOp::Gt => " > ",
            CmpOp::Ge => " >= ",
        }
    }
}

/// The content-type table: one row per model, created by the build step with every schema. A
/// condition on a generic foreign key reads the id of a model's row from it.
pub const CONTENT_TYPE_TABLE: &str = "orm_content_type";

/// A condition, untyped; [`Filter`] gives it a model.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Cmp(&'static str, CmpOp, Value),
    In(&'static str, Vec<Value>),
    /// `true`: IS NULL, `false`: IS NOT NULL.
    IsNull(&'static str, bool),
    Like(Box<Like>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `column IN (SELECT select FROM table WHERE owner_column = owner)`: the rows linked to one
    /// owner through a join table.
    Linked(Box<Link>),
    /// `left IN (SELECT select FROM table WHERE filters)`: a condition across a relation.
    InSelect(Box<InSelect>),
    /// `column = (SELECT id FROM orm_content_type WHERE model = table)`: the content type of the
    /// model with this table, found by the database, so no connection is needed to build it.
    ContentType(&'static str, &'static str),
}

/// The subquery of [`Expr::InSelect`]. Either side may be a key read as text, to meet a generic
/// foreign key's object id.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InSelect {
    pub left: &'static str,
    /// Read `left` as the text of a key of this kind.
    pub left_as_text: Option<ColumnType>,
    pub table: &'static str,
    pub select: &'static str,
    /// Read `select` as the text of a key of this kind.
    pub select_as_text: Option<ColumnType>,
    pub filters: Vec<Expr>,
}

/// The join-table lookup of [`Expr::Linked`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Link {
    pub column: &'static str,
    pub table: &'static str,
    pub select: &'static str,
    pub owner_column: &'static str,
    pub owner: Value,
}

impl Expr {
    /// Whether the SQL of this condition changes with its values, not only its shape: an IN
    /// list, whose length varies. A statement with one is not worth caching.
    pub(crate) fn has_list(&self) -> bool {
        match self {
            Expr::In(..) => true,
            Expr::And(all) | Expr::Or(all) => all.iter().any(Expr::has_list),
            Expr::Not(inner) => inner.has_list(),
            Expr::InSelect(select) => select.filters.iter().any(Expr::has_list),
            _ => false,
        }
    }

    /// Whether a subquery of this condition reads `table`, at any depth.
    fn reads(&self, table: &str) -> bool {
        match self {
            Expr::Linked(link) => link.table == table,
            Expr::InSelect(sub) => sub.table == table || sub.filters.iter().any(|e| e.reads(table)),
            Expr::And(all) | Expr::Or(all) => all.iter().any(|e| e.reads(table)),
            Expr::Not(inner) => inner.reads(table),
            Expr::ContentType(..) => table == crate::query::CONTENT_TYPE_TABLE,
            Expr::Cmp(..) | Expr::In(..) | Expr::IsNull(..) | Expr::Like(..) => false,
        }
    }

    pub(crate) fn write(&self, w: &mut SqlWriter) {
        match self {
            Expr::Cmp(col, op, value) => {
                w.column(col).push(op.sql()).bind(value.clone());
            }
            Expr::In(_, values) if values.is_empty() => {
                w.push("1 = 0");
            }
            Expr::In(col, values) if values.len() > w.backend().max_inline_values() => {
                write_value_set(w, col, values);
            }
            Expr::In(col, values) => {
                w.column(col).push(" IN (");
                w.list(values, ", ", |w, v| {
                    w.bind(v.clone());
                });
                w.push(")");
            }
            Expr::IsNull(col, null) => {
                w.column(col)
                    .push(if *null { " IS NULL" } else { " IS NOT NULL" });
            }
            Expr::Like(like) => {
                let pattern = Value::Text(like.pattern.clone());
                match like.case {
                    Case::Backend => {
                        w.column(like.column).push(" LIKE ").bind(pattern);
                    }
                    Case::Ignored => {
                        w.push("UPPER(")
                            .column(like.column)
                            .push(") LIKE UPPER(")
                            .bind(pattern)
                            .push(")");
                    }
                }
                if like.escaped {
                    w.push(" ESCAPE '!'");
                }
            }
            Expr::And(items) | Expr::Or(items) if items.is_empty() => {
                w.push(if matches!(self, Expr::And(_)) {
                    "1 = 1"
                } else {
                    "1 = 0"
                });
            }
            Expr::And(items) | Expr::Or(items) => {
                let sep = if matches!(self, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                w.push("(");
                w.list(items, sep, |w, e| e.write(w));
                w.push(")");
            }
            Expr::Linked(link) => {
                let derived = w.modified_table().is_some_and(|t| self.reads(t));
                w.column(link.column).push(" IN ");
                w.subquery(
                    derived,
                    |w| {
                        w.ident(link.select);
                    },
                    |w| {
                        w.push(" FROM ").ident(link.table);
                        w.push(" WHERE ").ident(link.owner_column).push(" = ");
                        w.bind(link.owner.clone());
                    },
                );
            }
            Expr::InSelect(sub) => {
                let derived = w.modified_table().is_some_and(|t| self.reads(t));
                match sub.left_as_text {
                    Some(kind) => w.column_as_text(sub.left, kind),
                    None => w.column(sub.left),
                };
                w.push(" IN ");
                w.unqualified(|w| {
                    w.subquery(
                        derived,
                        |w| {
                            match sub.select_as_text {
                                Some(kind) => w.column_as_text(sub.select, kind),
                                None => w.column(sub.select),
                            };
                        },
                        |w| {
                            w.push(" FROM ").ident(sub.table);
                            if !sub.filters.is_empty() {
                                w.push(" WHERE ");
                                w.list(&sub.filters, " AND ", |w, e| e.write(w));
                            }
                        },
                    );
                });
            }
            Expr::ContentType(column, table) => {
                let derived = w.modified_table().is_some_and(|t| self.reads(t));
                w.column(column).push(" = ");
                w.subquery(
                    derived,
                    |w| {
                        w.ident("id");
                    },
                    |w| {
                        w.push(" FROM ").ident(crate::query::CONTENT_TYPE_TABLE);
                        w.push(" WHERE ").ident("model").push(" = ");
                        w.bind(Value::Text((*table).to_owned()));
                    },
                );
            }
            Expr::Not(inner) => {
                w.push("NOT (");
                inner.write(w);
                w.push(")");
            }
        }
    }
}

/// `column IN <values>` for a list too long to bind value by value, bound as one value however
/// long: ` = ANY($1)` with an array on PostgreSQL, and on SQLite and MySQL a JSON array read as a
/// table (`json_each`, `JSON_TABLE`), bytes and UUIDs as hexadecimal. A NULL among the values
/// matches nothing, as in a list, but makes the condition NULL where no value matches (what
/// `NOT` and `exclude` see): `(column IN (..) OR NULL)`.
fn write_value_set(w: &mut SqlWriter, column: &str, values: &[Value]) {
    let Some(kind) = values.iter().find_map(Value::kind) else {
        // Only NULLs.
        w.column(column).push(" IN (NULL)");
        return;
    };
    let null = values.iter().any(Value::is_null);
    if null {
        w.push("(");
    }
    w.column(column);
    let hex = matches!(kind, ColumnType::Binary | ColumnType::Uuid);
    let backend = w.backend();
    match backend {
        Backend::Postgres => {
            w.push(" = ANY(")
                .bind(Value::Keys(KeyList::new(kind, values)))
                .push(")");
        }
        Backend::Sqlite => {
            w.push(if hex {
                " IN (SELECT unhex(value) FROM json_each("
            } else {
                " IN (SELECT value FROM json_each("
            });
            w.bind(Value::Text(json_array(values, true))).push("))");
        }
        Backend::Mysql => {
            w.push(if hex {
                " IN (SELECT UNHEX(v) FROM JSON_TABLE("
            } else {
                " IN (SELECT v FROM JSON_TABLE("
            });
            w.bind(Value::Text(json_array(values, false)));
            w.push(", '$[*]' COLUMNS (v ");
            w.push(match kind {
                ColumnType::SmallInt
                | ColumnType::Integer
                | ColumnType::BigInt
                | ColumnType::Bool => "BIGINT",
                ColumnType::Float | ColumnType::Double => "DOUBLE",
                ColumnType::Timestamp => "DATETIME(6)",
                ColumnType::Date => "DATE",
                ColumnType::Text | ColumnType::Binary | ColumnType::Uuid => "LONGTEXT",
            });
            w.push(" PATH '$')) AS orm_values)");
        }
    }
    if null {
        w.push(" OR NULL)");
    }
}

/// A condition on rows of `M`. Combine with `&`, `|` and `!`.
pub struct Filter<M> {
    pub(crate) expr: Expr,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Filter<M> {
    pub(crate) fn new(expr: Expr) -> Self {
        Filter {
            expr,
            _marker: PhantomData,
        }
    }
}

impl<M> Clone for Filter<M> {
    fn clone(&self) -> Self {
        Filter::new(self.expr.clone())
    }
}

impl<M> fmt::Debug for Filter<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl<M> std::ops::BitAnd for Filter<M> {
    type Output = Filter<M>;
    fn bitand(self, rhs: Self) -> Filter<M> {
        Filter::new(Expr::And(vec![self.expr, rhs.expr]))
    }
}

impl<M> std::ops::BitOr for Filter<M> {
    type Output = Filter<M>;
    fn bitor(self, rhs: Self) -> Filter<M> {
        Filter::new(Expr::Or(vec![self.expr, rhs.expr]))
    }
}

impl<M> std::ops::Not for Filter<M> {
    type Output = Filter<M>;
    fn not(self) -> Filter<M> {
        Filter::new(Expr::Not(Box::new(self.expr)))
    }
}
