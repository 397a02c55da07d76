//! Prefetch paths: the relation types the derive emits, and what can be said about them
//! (a custom query, nested paths, `to_attr`, through rows, `select_related`).

use std::any::{Any, TypeId};
use std::fmt;
use std::marker::PhantomData;

use crate::db::connection::Connection;
use crate::db::decode::ReadPartAll;
use crate::error::Result;
use crate::model::Model;
use crate::query::{Filter, Order, QuerySet};

use super::kind::{AllRows, Arity, JoinKind, JoinSpec, OrderAcross, Part, RelationKind, Scope};
use super::loaded::{Loaded, SlotName};

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
    type Kind: RelationKind<Self::Source, Self::Target>;

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

/// What a query that may drop related rows makes of a path through `R` ([`Arity::Dropping`]).
pub type Dropping<R> = <<<R as Relation>::Kind as RelationKind<
    <R as Relation>::Source,
    <R as Relation>::Target,
>>::Arity as Arity>::Dropping;

/// A `to_attr` name declared on model `M` with `#[orm(to_attr(name))]`, which emits the type
/// `{M}{Name}`. The derive refuses a name that is a field or a relation of `M`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `to_attr` name of `{M}`",
    label = "not declared on `{M}`",
    note = "declare it on the model: `#[orm(to_attr(name))]` on `{M}` emits the type `{M}Name`"
)]
pub trait ToAttr<M>: SlotName + Copy + 'static {}

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
/// `J`, and whether its query may drop related rows `Q` ([`Rows`](super::Rows)). Built with the methods of
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
    /// an `Option` ([`Rows`](super::Rows)).
    pub fn query(mut self, query: QuerySet<R::Target>) -> PrefetchPath<R, N, A, E, J, Dropping<R>> {
        self.query = query;
        self.retype()
    }
    /// Keeps related rows matching `filter` (ANDed with earlier filters). A parent's one
    /// related object then reads as an `Option`, `None` when the filter drops it ([`Rows`](super::Rows)).
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

/// A list of paths on `M` (`(P1, (P2, ()))`, written last first). [`AddPaths`](super::AddPaths) runs it.
pub trait Paths<M: Model> {
    /// Checks the paths, in the order written, against each other (see `slots::check`).
    fn check<'a>(&'a self, at: &mut Vec<TypeId>, seen: &mut Vec<Seen<'a>>) -> Result<()>;
}

/// What a path joins into its statement: nothing (`()`), or foreign keys of the related rows,
/// one LEFT JOIN each (`(Select<F2>, (Select<F1>, ()))`, the last one first), each with the
/// joins of its own target (`Select<F, N>`).
pub trait JoinMode<T: Model>: 'static {
    /// The row part: the joined objects, in join order.
    type Part: ReadPartAll;
    /// The slots each related object starts with: one per join.
    type Slots;
    /// Appends the joins, in the order `Part` reads them; `from` is the join whose table holds
    /// their key columns (`None`: the related rows themselves).
    fn joins(out: &mut Vec<JoinSpec>, from: Option<usize>);
    /// The joined objects as slots.
    fn attach(part: Self::Part) -> Result<Self::Slots>;
    /// Marks the joined keys, under `at`, as loaded plainly, so a path listed after them is
    /// checked against them (see `slots::check`).
    fn seen(seen: &mut Vec<Seen<'_>>, at: &[TypeId]);
    /// The rows of `query`, each with its joined objects: one statement.
    fn load(conn: &mut Connection, query: &QuerySet<T>) -> Result<Vec<Loaded<T, Self::Slots>>>;
}

/// One join of rows of `T`, with the joins under it: an element of a [`JoinMode`] list.
pub trait JoinOne<T: Model>: 'static {
    /// Its part of the row.
    type Part: ReadPartAll;
    /// Its slot.
    type Slot;
    /// See [`JoinMode::joins`].
    fn joins(out: &mut Vec<JoinSpec>, from: Option<usize>);
    /// See [`JoinMode::attach`].
    fn attach(part: Self::Part) -> Result<Self::Slot>;
    /// See [`JoinMode::seen`].
    fn seen(seen: &mut Vec<Seen<'_>>, at: &[TypeId]);
}

/// `select_related(F)`: joins the target of the relation `F` (a foreign key, or the reverse of
/// a one-to-one), and the joins `N` of that target (`EntryBlog.then(BlogOwner)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Select<F, N = ()>(pub(crate) PhantomData<(F, N)>);

impl<F, N> Select<F, N> {
    /// Joins `next`, another foreign key of this one's target, after it: see [`Relation::then`].
    pub fn then<G>(self, next: G) -> Select<F, (G::Select, N)>
    where
        F: Relation,
        G: IntoSelect<F::Target>,
    {
        let _ = next;
        Select(PhantomData)
    }
}

/// Something `select_related` takes on rows of `T`: a foreign key of `T` (`EntryBlog`), the
/// reverse of a one-to-one (`PlaceRestaurant`), or one with joins of its own
/// (`EntryBlog.then(BlogOwner)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be joined into rows of `{T}`",
    label = "expected a foreign key of `{T}` (such as `EntryBlog` for `Entry.blog_id`), or the reverse of a one-to-one",
    note = "`select_related` joins a foreign key of the rows (the type named after the model and the key field without `_id`); the reverse of a foreign key and a many-to-many are loaded with `.prefetch(..)`"
)]
pub trait IntoSelect<T: Model> {
    /// The join.
    type Select: JoinOne<T>;
}

// Through `StartsAt`, not `R::Source`, so a relation of another model fails with its message
// rather than as a type mismatch.
impl<T: Model, R: StartsAt<T>> IntoSelect<T> for R
where
    R::Kind: JoinKind<R::Source, R::Target>,
{
    type Select = Select<R, ()>;
}

impl<T: Model, R: StartsAt<T>, N: JoinMode<R::Target>> IntoSelect<T> for Select<R, N>
where
    R::Kind: JoinKind<R::Source, R::Target>,
{
    type Select = Self;
}

/// A path seen while checking a list of paths: where it stores, its shape, its custom query.
#[derive(Debug)]
pub struct Seen<'a> {
    pub(super) at: Vec<TypeId>,
    pub(super) shape: TypeId,
    pub(super) query: Option<&'a dyn Any>,
}

impl Seen<'_> {
    /// The foreign key `F`, joined at `at` (`select_related`): as if prefetched plainly.
    pub(crate) fn joined<F: 'static>(at: Vec<TypeId>) -> Self {
        Seen {
            at,
            shape: TypeId::of::<(F, Plain, ())>(),
            query: None,
        }
    }
}
