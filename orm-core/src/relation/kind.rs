//! The contract a relation kind implements, and what it hands the engine: how a level's rows
//! are fetched ([`RelationKind`]), how many related objects a parent gets ([`Arity`]), ordering across it
//! ([`OrderAcross`]), joining it (`select_related`, [`JoinKind`]).

use crate::db::connection::Connection;
use crate::db::decode::{Opt, ReadPartAll, Req};
use crate::error::{Error, Result};
use crate::model::{FieldDef, Model};
use crate::query::{Filter, Order, QuerySet};

/// How many related objects a parent has.
pub trait Arity: 'static {
    /// The collection for items `X`.
    type Of<X>;
    /// The arity when the path's query may drop related rows ([`SomeRows`]): what would be one
    /// object may be none.
    type Filtered: Arity;
    /// What a query that may drop related rows makes of a path ([`Rows`]): [`SomeRows`] where
    /// that changes its value (one object becomes an `Option`), else [`AllRows`], so a to-many
    /// path keeps its type whatever its query.
    type Dropping: Rows;
    /// Builds the collection from one parent's items.
    fn collect<X>(items: Vec<X>, model: &'static str) -> Result<Self::Of<X>>;
}

/// To-many: a `Vec`, empty when the parent has none.
#[derive(Debug, Clone, Copy)]
pub struct Many;

/// A non-nullable foreign key: the object itself.
#[derive(Debug, Clone, Copy)]
pub struct One;

/// A nullable foreign key: an `Option`.
#[derive(Debug, Clone, Copy)]
pub struct MaybeOne;

impl Arity for Many {
    type Of<X> = Vec<X>;
    type Filtered = Many;
    type Dropping = AllRows;
    fn collect<X>(items: Vec<X>, _: &'static str) -> Result<Vec<X>> {
        Ok(items)
    }
}

impl Arity for One {
    type Of<X> = X;
    type Filtered = MaybeOne;
    type Dropping = SomeRows;
    fn collect<X>(items: Vec<X>, model: &'static str) -> Result<X> {
        items.into_iter().next().ok_or(Error::NotFound { model })
    }
}

impl Arity for MaybeOne {
    type Of<X> = Option<X>;
    type Filtered = MaybeOne;
    type Dropping = AllRows;
    fn collect<X>(items: Vec<X>, _: &'static str) -> Result<Option<X>> {
        Ok(items.into_iter().next())
    }
}

/// Whether a path's query keeps every related row ([`AllRows`]: the relation's rows as they
/// are, or only ordered) or may drop some ([`SomeRows`]: a filter, a custom query, a limit or an
/// offset). Under [`SomeRows`] a parent's one related object (a foreign key's target) may be
/// missing, so it reads as an `Option` ([`Arity::Filtered`]), as Django gives `None`.
pub trait Rows: 'static {
    /// The arity of a relation of arity `A` under this query.
    type Arity<A: Arity>: Arity;
}

/// Every related row: see [`Rows`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AllRows;

/// Some related rows: see [`Rows`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SomeRows;

impl Rows for AllRows {
    type Arity<A: Arity> = A;
}

impl Rows for SomeRows {
    type Arity<A: Arity> = A::Filtered;
}

/// Which rows the parents of a prefetch level are, for the statement that loads their related
/// rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Some rows of their table: the statement binds their keys (an IN list, or one array on
    /// PostgreSQL).
    Keys,
    /// Every row of their table (a query without a filter, a limit or an offset returned
    /// them): the statement sends no keys and reads the related rows whole, and rows whose
    /// parent was not loaded (inserted meanwhile) are dropped. Costs the same statements.
    Table,
}

impl Scope {
    /// The scope of the rows `query` returns from a table whose rows are in `scope`.
    pub(crate) fn narrowed<M>(self, query: &QuerySet<M>) -> Scope {
        let whole = query.filters.is_empty() && query.limit.is_none() && query.offset.is_none();
        if self == Scope::Table && whole {
            Scope::Table
        } else {
            Scope::Keys
        }
    }
}

/// How a relation is stored: [`ForwardKey`](crate::prefetch::ForwardKey), [`ReverseKey`](crate::prefetch::ReverseKey) or [`Linked`](crate::prefetch::Linked). Each writes the
/// one statement per level (see `fetch.rs`).
pub trait RelationKind<S: Model, T: Model>: 'static {
    /// How many objects a parent gets.
    type Arity: Arity;
    /// Loads the related rows of every parent, with the through part `E` and the joined part
    /// `J`, and which parent each row belongs to. With [`Scope::Table`] the parents are every
    /// row of their table, so the statement may read the related rows without their keys.
    fn fetch<E: Part, J: ReadPartAll>(
        conn: &mut Connection,
        parents: &[&S],
        scope: Scope,
        query: &QuerySet<T>,
        joins: &[JoinSpec],
    ) -> Result<Fetched<T, E, J>>;

    /// Whether the related rows of every row of `S` are (nearly) every row of `T`: true for
    /// the reverse of a non-nullable foreign key, so the next level may skip its keys too.
    fn covers_table() -> bool {
        false
    }

    /// The condition on `S` rows: some related `T` row matches `filter` (a subquery).
    fn any(filter: Filter<T>) -> Filter<S>;
}

/// Kinds of relation with at most one related row, so the source rows can be ordered by one of
/// its columns.
#[diagnostic::on_unimplemented(
    message = "rows cannot be ordered by a column of a to-many relation",
    label = "each row has any number of these",
    note = "order across a foreign key (`EntryBlog`), the reverse of a one-to-one (`#[one_to_one(..)]`), or a generic foreign key to one type (`TaggedItemBooks`); to order by a to-many relation, count it with `with_count`"
)]
pub trait OrderAcross<S, T> {
    /// The ordering of `S` rows by `order` on their `T`.
    fn by(order: Order<T>) -> Order<S>;
}

/// A part of a prefetched row besides the object: its columns, and how to read them.
pub trait Part: ReadPartAll {
    /// The columns, aliased when selected.
    const FIELDS: &'static [FieldDef];
}

impl Part for () {
    const FIELDS: &'static [FieldDef] = &[];
}

impl<M: Model> Part for Req<M> {
    const FIELDS: &'static [FieldDef] = M::FIELDS;
}

impl<M: Model> Part for Opt<M> {
    const FIELDS: &'static [FieldDef] = M::FIELDS;
}

/// The related rows of one level, and which parent each belongs to.
#[derive(Debug)]
pub struct Fetched<T, E, J> {
    /// Each distinct related object, with its joined part.
    pub(crate) targets: Vec<(T, J)>,
    /// Each related row's through part.
    pub(crate) extras: Vec<E>,
    /// Each related row's object in `targets`, where objects repeat; otherwise row `i` has
    /// object `i`.
    pub(crate) objects: Option<Vec<usize>>,
    /// `(parent, row)` pairs, in row order.
    pub(crate) links: Vec<(usize, usize)>,
}

/// A foreign key of the related rows joined into the statement (`select_related`).
#[derive(Debug, Clone, Copy)]
pub struct JoinSpec {
    /// The joined table.
    pub table: &'static str,
    /// Its columns.
    pub fields: &'static [FieldDef],
    /// Its primary key.
    pub key: &'static str,
    /// The key column on the related rows, or on the join `from`.
    pub column: &'static str,
    /// The join whose table holds `column` (`None`: the related rows).
    pub from: Option<usize>,
}

/// How a relation with at most one row per source row is joined: a foreign key forwards
/// ([`ForwardKey`](crate::prefetch::ForwardKey)), or a one-to-one backwards ([`ReverseKey`](crate::prefetch::ReverseKey) of a [`OneToOne`](crate::OneToOne)).
#[diagnostic::on_unimplemented(
    message = "`{Self}` gives any number of rows, so it cannot be joined into one row",
    label = "not a foreign key, nor the reverse of a one-to-one",
    note = "`select_related` joins a foreign key (`EntryBlog` for `Entry.blog_id`) or the reverse of a one-to-one; the reverse of a foreign key and a many-to-many are loaded with `.prefetch(..)`"
)]
pub trait JoinKind<S: Model, T: Model>: 'static {
    /// What each source row gets: the row, or an `Option` of it.
    type Arity: Arity;
    /// The join of `T`'s table onto the rows (or onto the join `from`).
    fn spec(from: Option<usize>) -> JoinSpec;
}
