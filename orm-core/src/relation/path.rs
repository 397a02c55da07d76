//! Prefetch paths: the relation types the derive emits, and what can be said about them
//! (a custom query, nested paths, `to_attr`, through rows, `select_related`).

use std::fmt;
use std::marker::PhantomData;

use crate::db::connection::Connection;
use crate::db::decode::{Opt, ReadPartAll, Req};
use crate::error::{Error, Result};
use crate::model::{FieldDef, Model};
use crate::query::{Filter, Order, QuerySet};

use super::fetch::{Fetched, JoinSpec};
use super::join::{IntoSelect, JoinKind, Select};
use super::key::Id;
use super::load::Paths;

/// A relation that can be prefetched from `Source`: implemented by the derive on every relation
/// type — `EntryBlog` (a foreign key), `BlogEntries` (its reverse), `PizzaToppings` and
/// `ToppingPizzas` (a many-to-many, both ways).
///
/// Its provided methods start a customised path: `BlogEntries.filter(..)`, `.with(..)`, ...
pub trait Relation: SlotName + Copy + Default + 'static {
    /// The model the path starts from.
    type Source: Model;
    /// The model it loads.
    type Target: Model;
    /// How it is stored, which decides the statement.
    type Kind: Kind<Self::Source, Self::Target>;

    /// A condition on the source rows: some related row matches `filter` (Django's
    /// `filter(relation__field=...)`), as a subquery. Nest it to follow several relations:
    /// `TaggedItemBooks.any(BookAuthor.any(Writer::name.eq("E L James")))`.
    fn any(self, filter: Filter<Self::Target>) -> Filter<Self::Source> {
        Self::Kind::any(filter)
    }

    /// An ordering of the source rows by a column of the related row (Django's
    /// `order_by('author__name')`), for a relation with at most one related row: a foreign key,
    /// or a generic foreign key to one type. Nest it to go further:
    /// `TaggedItemBooks.by(BookAuthor.by(Writer::name.asc()))`. Rows with no related row sort as
    /// NULL does on the backend.
    fn by(self, order: Order<Self::Target>) -> Order<Self::Source>
    where
        Self::Kind: OrderAcross<Self::Source, Self::Target>,
    {
        Self::Kind::by(order)
    }

    /// The path with a custom query on the related rows: filters, ordering, and with
    /// `limit`/`offset` the top N per parent (one statement, `ROW_NUMBER()`). A parent's one
    /// related object (a foreign key's target) may then be missing: it reads as an `Option`.
    fn query(
        self,
        query: QuerySet<Self::Target>,
    ) -> PrefetchPath<Self, (), Self, Plain, (), Dropping<Self>> {
        PrefetchPath::default().query(query)
    }
    /// Keeps related rows matching `filter`. A parent's one related object (a foreign key's
    /// target) reads as an `Option`: `None` when the filter drops it (as Django's `None`).
    fn filter(
        self,
        filter: Filter<Self::Target>,
    ) -> PrefetchPath<Self, (), Self, Plain, (), Dropping<Self>> {
        PrefetchPath::default().filter(filter)
    }
    /// Orders each parent's related rows.
    fn order_by(self, order: Order<Self::Target>) -> PrefetchPath<Self> {
        PrefetchPath::default().order_by(order)
    }
    /// At most `n` related rows per parent.
    fn limit(self, n: u64) -> PrefetchPath<Self, (), Self, Plain, (), Dropping<Self>> {
        PrefetchPath::default().limit(n)
    }
    /// Skips the first `n` related rows of each parent.
    fn offset(self, n: u64) -> PrefetchPath<Self, (), Self, Plain, (), Dropping<Self>> {
        PrefetchPath::default().offset(n)
    }
    /// Prefetches `path` on the related rows too (Django's `books__readers`).
    fn with<P: Prefetch<Self::Target>>(self, path: P) -> PrefetchPath<Self, (P, ())> {
        PrefetchPath::default().with(path)
    }
    /// Stores the result under `name` instead of the relation (Django's `to_attr`).
    fn to<A: ToAttr<Self::Source>>(self, name: A) -> PrefetchPath<Self, (), A> {
        PrefetchPath::default().to(name)
    }
    /// Each related row together with its through row: `Vec<(Loaded<T>, Through)>`.
    fn with_through(self) -> PrefetchPath<Self, (), Self, WithThrough>
    where
        WithThrough: ThroughMode<Self::Kind>,
    {
        PrefetchPath::default().with_through()
    }
    /// Loads the foreign key `fk` of the related rows in the same statement (a JOIN: Django's
    /// `select_related` inside `Prefetch`). Read it as if it were prefetched: `entry.get(fk)`.
    /// `fk` may carry joins of its own: `EntryBlog.then(BlogOwner)`.
    fn select_related<S>(self, fk: S) -> PrefetchPath<Self, (), Self, Plain, (S::Select, ())>
    where
        S: IntoSelect<Self::Target>,
    {
        PrefetchPath::default().select_related(fk)
    }
    /// On a foreign key (or the reverse of a one-to-one): joins `next`, a foreign key of its
    /// target, after it, in the same statement (Django's `select_related('blog__owner')`):
    /// `EntryBlog.then(BlogOwner)`, read as `entry.get(EntryBlog).get(BlogOwner)`. Several
    /// `.then` join several keys of the target; nest them for deeper ones:
    /// `EntryBlog.then(BlogOwner.then(OwnerAgent))`.
    fn then<G>(self, next: G) -> Select<Self, (G::Select, ())>
    where
        Self::Kind: JoinKind<Self::Source, Self::Target>,
        G: IntoSelect<Self::Target>,
    {
        let _ = next;
        Select(PhantomData)
    }
}

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

/// What a query that may drop related rows makes of a path through `R` ([`Arity::Dropping`]).
pub type Dropping<R> = <<<R as Relation>::Kind as Kind<
    <R as Relation>::Source,
    <R as Relation>::Target,
>>::Arity as Arity>::Dropping;

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

/// How a relation is stored: [`ForwardKey`], [`ReverseKey`] or [`Linked`]. Each writes the
/// one statement per level (see `fetch.rs`).
pub trait Kind<S: Model, T: Model>: 'static {
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

/// A `to_attr` name declared on model `M` with `#[orm(to_attr(name))]`, which emits the type
/// `{M}{Name}`. The derive refuses a name that is a field or a relation of `M`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `to_attr` name of `{M}`",
    label = "not declared on `{M}`",
    note = "declare it on the model: `#[orm(to_attr(name))]` on `{M}` emits the type `{M}Name`"
)]
pub trait ToAttr<M>: SlotName + Copy + 'static {}

/// The name a slot goes by: a relation's accessor (`entries`) or a `to_attr` name, as written.
/// The key in serialized output. The derive implements it.
pub trait SlotName: 'static {
    /// The name.
    const NAME: &'static str;
    /// The key's identity, which slot lists compare (see [`super::key`]): a hash of the type's
    /// crate and name.
    type Id: Id;
}

/// What a path puts beside each related object: nothing, or the through row.
pub trait ThroughMode<K>: 'static {
    /// The row part.
    type Part: Part;
    /// One related item: the object, or the object and its through row.
    type Item<X>;
    /// Builds one item.
    fn item<X>(object: X, part: Self::Part) -> Self::Item<X>;
}

/// The related objects alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;
/// Each related object with its through row.
#[derive(Debug, Clone, Copy, Default)]
pub struct WithThrough;

impl<K> ThroughMode<K> for Plain {
    type Part = ();
    type Item<X> = X;
    fn item<X>(object: X, _: ()) -> X {
        object
    }
}

/// The relation starts at `M`: the bound that fails, with this message, when a path is used on
/// the wrong model. The derive implements it for each relation type and its own source (a
/// blanket impl over `Relation::Source` would fail as a type mismatch instead, without this
/// message).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a relation of `{M}`, so it cannot be loaded from it",
    label = "a relation of another model, or not a relation",
    note = "a prefetch path or a `select_related` key starts at the model being loaded: `{M}` + the accessor (`BlogEntries` for `blog.entries()`); nested steps go in `.with(..)` (prefetch) or `.then(..)` (select_related) on the step before"
)]
pub trait StartsAt<M>: Relation {
    /// The parents, as the relation's source (they are).
    fn parents<'a, 'm>(parents: &'a [&'m M]) -> &'a [&'m Self::Source];
}

/// Something `.prefetch(..)` takes on a query of `M`: a relation type whose source is `M`, or a
/// [`PrefetchPath`] built from one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a relation of `{M}`, so it cannot be prefetched from it",
    label = "not a prefetch path from `{M}`",
    note = "a prefetch path is a relation type starting at `{M}` (a foreign key such as `EntryBlog`, its reverse such as `BlogEntries`, or a many-to-many such as `PizzaToppings`), optionally customised with `.filter(..)`, `.with(..)`, `.to(..)`; a column is not a relation"
)]
pub trait Prefetch<M: Model> {
    /// The key the values are stored under: the relation type, or a `to_attr` name.
    type Key: SlotName;
    /// What each parent gets.
    type Value;
    /// The model it loads.
    type Target: Model;
    /// The paths nested under it.
    type Nested: Paths<Self::Target>;
    /// The relation and the through and join modes: a second path to the same key must agree.
    type Shape: 'static;
    /// Loads the values of every parent, in order: one statement per level (more only where a
    /// backend's bind limit forces it), none when there are no parents.
    fn load(&self, conn: &mut Connection, parents: &[&M], scope: Scope)
        -> Result<Vec<Self::Value>>;
    /// The paths nested under it.
    fn nested(&self) -> &Self::Nested;
    /// The custom query on the related rows; `None` for the relation's rows as they are.
    fn custom(&self) -> Option<&QuerySet<Self::Target>>;
}

/// A prefetch path from `R::Source` through the relation `R`: a custom query on the related
/// rows, nested paths `N`, the key `A` it is stored under, the through mode `E`, the join mode
/// `J`, and whether its query may drop related rows `Q` ([`Rows`]). Built with the methods of
/// [`Relation`].
pub struct PrefetchPath<R: Relation, N = (), A = R, E = Plain, J = (), Q = AllRows> {
    pub(crate) query: QuerySet<R::Target>,
    pub(crate) nested: N,
    _marker: Markers<R, A, E, J, Q>,
}

/// The marker types of a [`PrefetchPath`].
type Markers<R, A, E, J, Q> = PhantomData<fn() -> (R, A, E, J, Q)>;

impl<R: Relation> Default for PrefetchPath<R> {
    fn default() -> Self {
        PrefetchPath {
            query: QuerySet::default(),
            nested: (),
            _marker: PhantomData,
        }
    }
}

impl<R: Relation, N: fmt::Debug, A, E, J, Q> fmt::Debug for PrefetchPath<R, N, A, E, J, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrefetchPath")
            .field("relation", &std::any::type_name::<R>())
            .field("query", &self.query)
            .field("nested", &self.nested)
            .finish()
    }
}

impl<R: Relation, N, A, E, J, Q> PrefetchPath<R, N, A, E, J, Q> {
    /// The same path under other marker types.
    fn retype<A2, E2, J2, Q2>(self) -> PrefetchPath<R, N, A2, E2, J2, Q2> {
        PrefetchPath {
            query: self.query,
            nested: self.nested,
            _marker: PhantomData,
        }
    }

    /// Replaces the query on the related rows. A parent's one related object then reads as
    /// an `Option` ([`Rows`]).
    pub fn query(mut self, query: QuerySet<R::Target>) -> PrefetchPath<R, N, A, E, J, Dropping<R>> {
        self.query = query;
        self.retype()
    }
    /// Keeps related rows matching `filter` (ANDed with earlier filters). A parent's one
    /// related object then reads as an `Option`, `None` when the filter drops it ([`Rows`]).
    pub fn filter(mut self, filter: Filter<R::Target>) -> PrefetchPath<R, N, A, E, J, Dropping<R>> {
        self.query = self.query.filter(filter);
        self.retype()
    }
    /// Orders each parent's related rows.
    pub fn order_by(mut self, order: Order<R::Target>) -> Self {
        self.query = self.query.order_by(order);
        self
    }
    /// At most `n` related rows per parent (top N, in one statement).
    pub fn limit(mut self, n: u64) -> PrefetchPath<R, N, A, E, J, Dropping<R>> {
        self.query = self.query.limit(n);
        self.retype()
    }
    /// Skips the first `n` related rows of each parent.
    pub fn offset(mut self, n: u64) -> PrefetchPath<R, N, A, E, J, Dropping<R>> {
        self.query = self.query.offset(n);
        self.retype()
    }
    /// Prefetches `path` on the related rows too. Several `.with` share this level: it is
    /// loaded once.
    pub fn with<P: Prefetch<R::Target>>(self, path: P) -> PrefetchPath<R, (P, N), A, E, J, Q> {
        let PrefetchPath { query, nested, .. } = self;
        PrefetchPath {
            query,
            nested: (path, nested),
            _marker: PhantomData,
        }
    }
    /// Stores the result under `name` (Django's `to_attr`): `author.get(name)`.
    pub fn to<B: ToAttr<R::Source>>(self, name: B) -> PrefetchPath<R, N, B, E, J, Q> {
        let _ = name;
        self.retype()
    }
    /// Each related row together with its through row.
    pub fn with_through(self) -> PrefetchPath<R, N, A, WithThrough, J, Q>
    where
        WithThrough: ThroughMode<R::Kind>,
    {
        self.retype()
    }
    /// Loads the foreign key `fk` of the related rows in the same statement. Call it again for
    /// more foreign keys: one LEFT JOIN each, still one statement.
    pub fn select_related<S>(self, fk: S) -> PrefetchPath<R, N, A, E, (S::Select, J), Q>
    where
        S: IntoSelect<R::Target>,
    {
        let _ = fk;
        self.retype()
    }
}
