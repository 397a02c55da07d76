//! Typed columns, filters, ordering, and the query set.

use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;

use crate::connection::Connection;
use crate::decode::One;
use crate::error::{Error, Result};
use crate::model::{Deleted, Model};
use crate::sql::{SqlWriter, Stmt};
use crate::value::{Bound, Field, Kind, Value};

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
    /// statement: past a thousand ([`crate::Backend::max_inline_values`]) they are bound as one
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
    /// `SET column = value`, for [`QuerySet::update`].
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

/// A `LIKE` condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Like {
    column: &'static str,
    pattern: String,
    /// Whether `!` escapes the wildcards.
    escaped: bool,
    case: Case,
}

/// Whether a `LIKE` tells case apart.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Case {
    /// As the backend's `LIKE` does.
    Backend,
    /// Never: both sides are upper-cased.
    Ignored,
}
text_column!(String, Option<String>);

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
    pub left_as_text: Option<Kind>,
    pub table: &'static str,
    pub select: &'static str,
    /// Read `select` as the text of a key of this kind.
    pub select_as_text: Option<Kind>,
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
            Expr::ContentType(..) => table == crate::CONTENT_TYPE_TABLE,
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
                        w.push(" FROM ").ident(crate::CONTENT_TYPE_TABLE);
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
    let hex = matches!(kind, Kind::Binary | Kind::Uuid);
    let backend = w.backend();
    match backend {
        crate::Backend::Postgres => {
            w.push(" = ANY(")
                .bind(Value::Keys(crate::value::KeyList::new(kind, values)))
                .push(")");
        }
        crate::Backend::Sqlite => {
            w.push(if hex {
                " IN (SELECT unhex(value) FROM json_each("
            } else {
                " IN (SELECT value FROM json_each("
            });
            w.bind(Value::Text(crate::value::json_array(values, backend)))
                .push("))");
        }
        crate::Backend::Mysql => {
            w.push(if hex {
                " IN (SELECT UNHEX(v) FROM JSON_TABLE("
            } else {
                " IN (SELECT v FROM JSON_TABLE("
            });
            w.bind(Value::Text(crate::value::json_array(values, backend)));
            w.push(", '$[*]' COLUMNS (v ");
            w.push(match kind {
                Kind::SmallInt | Kind::Integer | Kind::BigInt | Kind::Bool => "BIGINT",
                Kind::Float | Kind::Double => "DOUBLE",
                Kind::Timestamp => "DATETIME(6)",
                Kind::Date => "DATE",
                Kind::Text | Kind::Binary | Kind::Uuid => "LONGTEXT",
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
    pub generic: Option<(Kind, &'static str)>,
}

impl<M> Order<M> {
    /// The other way round, NULLs too: what `last` orders by.
    fn reversed(mut self) -> Self {
        self.desc = !self.desc;
        self.nulls_first = self.nulls_first.map(|first| !first);
        self
    }

    fn new(column: &'static str, desc: bool) -> Self {
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
                .ident(crate::CONTENT_TYPE_TABLE);
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

/// One `SET column = value` of [`QuerySet::update`].
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
                            crate::Backend::Sqlite => "-1",
                            crate::Backend::Mysql => "18446744073709551615",
                            crate::Backend::Postgres => "ALL",
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
    pub fn to_stmt(&self, backend: crate::Backend) -> Stmt {
        let mut w = SqlWriter::new(backend);
        w.push("SELECT ");
        write_columns::<M>(&mut w);
        w.push(" FROM ").ident(M::TABLE);
        self.write_where(&mut w);
        self.write_tail(&mut w);
        w.finish()
    }

    /// Every matching row. One statement.
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<M>> {
        conn.load_models(&self.to_stmt(conn.backend()))
    }

    /// The first matching row (by the ordering given, else the primary key). One statement.
    pub fn first(&self, conn: &mut Connection) -> Result<Option<M>> {
        Ok(self.first_only().all(conn)?.into_iter().next())
    }

    /// This query cut to the two rows that tell one match from several, within its own slice.
    pub(crate) fn get_only(&self) -> Self {
        let mut qs = self.clone();
        qs.limit = Some(self.limit.map_or(2, |n| n.min(2)));
        qs
    }

    /// This query cut to its first row: ordered by the primary key when it has no ordering.
    pub(crate) fn first_only(&self) -> Self {
        let mut qs = self.clone();
        if qs.order.is_empty() {
            qs.order.push(Order::new(M::FIELDS[M::PK].column, false));
        }
        qs.limit(1)
    }

    /// The matching rows with these primary keys, by key (Django's `in_bulk`). Keys without a
    /// matching row are left out. One statement, however many keys (past a thousand they are
    /// bound as one value); none for no keys. [`Error::InvalidInput`] after a limit or an offset.
    pub fn in_bulk(
        &self,
        conn: &mut Connection,
        keys: impl IntoIterator<Item = M::Key>,
    ) -> Result<std::collections::HashMap<M::Key, M>> {
        let keys: Vec<M::Key> = keys.into_iter().collect();
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        let keys: Vec<Value> = keys
            .iter()
            .filter(|k| seen.insert(*k))
            .map(|k| k.to_value())
            .collect();
        let rows = self.rows_in(conn, M::FIELDS[M::PK].column, "in_bulk", keys)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.key().clone(), row))
            .collect())
    }

    /// The matching rows whose unique field `column` holds one of `values`, by that value
    /// (Django's `in_bulk(values, field_name=..)`): `Country::query().in_bulk_by(conn,
    /// Country::code, ["FR", "NZ"])`. Values without a matching row are left out. Statements
    /// as [`QuerySet::in_bulk`]. [`Error::InvalidInput`] for a field that is not unique (one
    /// value could match several rows), or after a limit or an offset.
    pub fn in_bulk_by<T: Field + Eq + Hash, V: Into<T>>(
        &self,
        conn: &mut Connection,
        column: Column<M, T>,
        values: impl IntoIterator<Item = V>,
    ) -> Result<std::collections::HashMap<T, M>> {
        let at = M::FIELDS
            .iter()
            .position(|f| f.column == column.name() && f.unique)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "`in_bulk_by` on `{}.{}`, which is not a unique field: one value could match several rows; mark it `#[orm(unique)]`, or filter with `is_in`",
                    M::NAME,
                    column.name()
                ))
            })?;
        // Each row's value read back as the value bound for it, to find which `T` asked.
        let mut wanted: std::collections::HashMap<Bound, T> = std::collections::HashMap::new();
        for value in values {
            let value: T = value.into();
            wanted.entry(Bound(value.to_value())).or_insert(value);
        }
        let keys = wanted.keys().map(|k| k.0.clone()).collect();
        let rows = self.rows_in(conn, column.name(), "in_bulk_by", keys)?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in rows {
            let value = row.values().swap_remove(at);
            if let Some(asked) = wanted.get(&Bound(value)) {
                found.insert(asked.clone(), row);
            }
        }
        Ok(found)
    }

    /// The matching rows whose `column` holds one of `keys` (distinct): one statement, however
    /// many keys; none for no keys.
    fn rows_in(
        &self,
        conn: &mut Connection,
        column: &'static str,
        method: &str,
        keys: Vec<Value>,
    ) -> Result<Vec<M>> {
        if self.limit.is_some() || self.offset.is_some() {
            return Err(Error::InvalidInput(format!(
                "`{method}` on a query of {} with a limit or an offset: filter by key instead",
                M::NAME
            )));
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.clone()
            .filter(Filter::new(Expr::In(column, keys)))
            .all(conn)
    }

    /// The last matching row (Django's `last()`): the first one in the reversed ordering, NULLs
    /// included, else the one with the highest primary key. One statement.
    /// [`Error::InvalidInput`] after a limit or an offset, where the reversed order would pick
    /// from other rows (order the other way and call `first`).
    pub fn last(&self, conn: &mut Connection) -> Result<Option<M>> {
        Ok(self.last_only()?.all(conn)?.into_iter().next())
    }

    /// This query reversed and cut to its first row.
    pub(crate) fn last_only(&self) -> Result<Self> {
        if self.limit.is_some() || self.offset.is_some() {
            return Err(Error::InvalidInput(format!(
                "`last` on a query of {} with a limit or an offset would pick from other rows; order it the other way and call `first`",
                M::NAME
            )));
        }
        let mut qs = self.clone();
        if qs.order.is_empty() {
            qs.order.push(Order::new(M::FIELDS[M::PK].column, false));
        }
        qs.order = qs.order.into_iter().map(Order::reversed).collect();
        Ok(qs.limit(1))
    }

    /// Exactly one matching row: [`Error::NotFound`] when none,
    /// [`Error::MultipleObjectsReturned`] when more. One statement. On a sliced query, the one
    /// row of the slice (Django's `qs[0:1].get()`).
    pub fn get(&self, conn: &mut Connection) -> Result<M> {
        let mut rows = self.get_only().all(conn)?;
        match rows.len() {
            0 => Err(Error::NotFound { model: M::NAME }),
            1 => Ok(rows.remove(0)),
            _ => Err(Error::MultipleObjectsReturned { model: M::NAME }),
        }
    }

    /// The one matching row, or a new row from `create` when none matches: Django's
    /// `get_or_create`. Returns the row and whether it was created. One statement when a row
    /// matches; else the insert follows (in a savepoint). When the insert breaks a unique
    /// constraint because another connection inserted a matching row meanwhile, that row is read
    /// and returned instead; any other failure is the error. Several matching rows:
    /// [`Error::MultipleObjectsReturned`], nothing inserted.
    ///
    /// `create` should build a row this query matches, as Django's lookups do: nothing checks it.
    pub fn get_or_create(
        &self,
        conn: &mut Connection,
        create: impl FnOnce() -> M::New,
    ) -> Result<(M, bool)> {
        self.get_or_insert(conn, |conn| M::create(conn, create()))
    }

    /// [`QuerySet::get_or_create`] with the insert given as a closure on the connection (a
    /// manager's `create`).
    pub(crate) fn get_or_insert(
        &self,
        conn: &mut Connection,
        insert: impl FnOnce(&mut Connection) -> Result<M>,
    ) -> Result<(M, bool)> {
        match self.get(conn) {
            Err(Error::NotFound { .. }) => {}
            found => return found.map(|row| (row, false)),
        }
        match conn.transaction(insert) {
            Ok(row) => Ok((row, true)),
            Err(
                err @ Error::Integrity {
                    kind: crate::IntegrityKind::Unique,
                    ..
                },
            ) => match self.get(conn) {
                Ok(row) => Ok((row, false)),
                Err(_) => Err(err),
            },
            Err(err) => Err(err),
        }
    }

    /// Sets `defaults` on the one matching row, or inserts a row from `create` when none
    /// matches: Django's `update_or_create`. Returns the row as it is now and whether it was
    /// created. A matching row costs three statements (read, then `UPDATE` and read back in one
    /// transaction); none, the read and the insert. A matching row another connection inserts
    /// meanwhile is read back and updated, as with [`QuerySet::get_or_create`]; inside a
    /// transaction of yours on MySQL it is not (its snapshot predates that row), as in Django.
    /// Several matching rows: [`Error::MultipleObjectsReturned`], nothing written.
    pub fn update_or_create(
        &self,
        conn: &mut Connection,
        defaults: impl IntoIterator<Item = Assignment<M>>,
        create: impl FnOnce() -> M::New,
    ) -> Result<(M, bool)> {
        self.update_or_insert(conn, defaults, |conn| M::create(conn, create()))
    }

    /// [`QuerySet::update_or_create`] with the insert given as a closure on the connection.
    pub(crate) fn update_or_insert(
        &self,
        conn: &mut Connection,
        defaults: impl IntoIterator<Item = Assignment<M>>,
        insert: impl FnOnce(&mut Connection) -> Result<M>,
    ) -> Result<(M, bool)> {
        let defaults: Vec<Assignment<M>> = defaults.into_iter().collect();
        // Not in one transaction: on MySQL (REPEATABLE READ) a read after a lost insert race
        // would still see the snapshot from before the winner's row, and miss it.
        let (row, created) = self.get_or_insert(conn, insert)?;
        if created || defaults.is_empty() {
            return Ok((row, created));
        }
        let this = QuerySet::<M>::default().filter(crate::model::pk_filter::<M>(row.key()));
        conn.atomic(|conn| {
            this.update(conn, defaults.iter().cloned())?;
            Ok((this.get(conn)?, false))
        })
    }

    /// The number of matching rows (after limit and offset). One statement.
    pub fn count(&self, conn: &mut Connection) -> Result<i64> {
        let mut w = SqlWriter::new(conn.backend());
        if self.limit.is_some() || self.offset.is_some() {
            w.push("SELECT COUNT(*) AS v FROM (SELECT 1 AS x FROM ")
                .ident(M::TABLE);
            self.write_where(&mut w);
            self.write_tail(&mut w);
            w.push(") AS sub");
        } else {
            w.push("SELECT COUNT(*) AS v FROM ").ident(M::TABLE);
            self.write_where(&mut w);
        }
        let rows: Vec<One<i64>> = conn.load(&w.finish())?;
        Ok(rows.first().map_or(0, |r| r.0))
    }

    /// Whether any row matches. One statement.
    pub fn exists(&self, conn: &mut Connection) -> Result<bool> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT 1 AS v FROM ").ident(M::TABLE);
        self.write_where(&mut w);
        let mut qs = self.clone();
        qs.limit = Some(1);
        qs.write_tail(&mut w);
        let rows: Vec<One<i32>> = conn.load(&w.finish())?;
        Ok(!rows.is_empty())
    }

    /// Sets columns on every matching row; returns the number of rows matched. One statement.
    /// Limit, offset and ordering do not apply. A filter may read `M`'s table again (the rows
    /// whose parent, of the same model, matches): MySQL refuses such a subquery in an `UPDATE`
    /// or `DELETE` (error 1093), so there it is read into a derived table first.
    pub fn update(
        &self,
        conn: &mut Connection,
        assignments: impl IntoIterator<Item = Assignment<M>>,
    ) -> Result<u64> {
        let assignments: Vec<Assignment<M>> = assignments.into_iter().collect();
        if assignments.is_empty() {
            return Err(Error::InvalidInput(
                "update() needs at least one column to set".into(),
            ));
        }
        if self.limit.is_some() || self.offset.is_some() {
            return Err(Error::InvalidInput(format!(
                "update() on a query of {} with a limit or an offset would write every matching row, not the slice; select the rows by key instead (`in_bulk`, or a filter with `is_in`)",
                M::NAME
            )));
        }
        let backend = conn.backend();
        for a in &assignments {
            if let Some(field) = M::FIELDS.iter().find(|f| f.column == a.column) {
                field.check(M::NAME, backend, &a.value)?;
            }
        }
        let mut w = SqlWriter::new(backend);
        w.push("UPDATE ").ident(M::TABLE).push(" SET ");
        w.list(assignments, ", ", |w, a| {
            w.ident(a.column).push(" = ").bind(a.value);
        });
        w.modifying(M::TABLE, |w| self.write_where(w));
        Ok(conn.execute(&w.finish())? as u64)
    }

    /// Deletes every matching row (with a limit or an offset, the rows [`QuerySet::all`] would
    /// return), honouring each foreign key's `on_delete`, in one transaction: either everything
    /// goes, or nothing does. When nothing points at `M`, one `DELETE` with the query's
    /// conditions (Django's fast delete); otherwise the keys are read first (one statement),
    /// then each level as [`Model::delete`].
    pub fn delete(&self, conn: &mut Connection) -> Result<Deleted> {
        conn.atomic(|conn| {
            if self.limit.is_none() && self.offset.is_none() && crate::delete::is_leaf(M::TABLE) {
                let mut deleted = Deleted::default();
                deleted.add(M::NAME, self.delete_rows(conn)?);
                return Ok(deleted);
            }
            let keys = self.keys(conn)?.iter().map(Field::to_value).collect();
            crate::delete::delete_keys::<M>(conn, keys)
        })
    }

    /// The primary keys of the matching rows, reading nothing else. One statement.
    pub(crate) fn keys(&self, conn: &mut Connection) -> Result<Vec<M::Key>> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT ")
            .ident(M::FIELDS[M::PK].column)
            .push(" AS v FROM ")
            .ident(M::TABLE);
        self.write_where(&mut w);
        self.write_tail(&mut w);
        let keys: Vec<One<M::Key>> = conn.load(&w.finish())?;
        Ok(keys.into_iter().map(|k| k.0).collect())
    }

    /// `DELETE` of the matching rows, and nothing else: for rows nothing points at. Ignores a
    /// limit or an offset. One statement; returns how many rows went.
    pub(crate) fn delete_rows(&self, conn: &mut Connection) -> Result<u64> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("DELETE FROM ").ident(M::TABLE);
        w.modifying(M::TABLE, |w| self.write_where(w));
        Ok(conn.execute(&w.finish())? as u64)
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
