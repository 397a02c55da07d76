//! Running paths: a query with its paths, paths onto objects in hand, and stitching the related
//! rows onto their parents.

use std::fmt;
use std::marker::PhantomData;

use crate::db::connection::Connection;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::{Filter, Order, QuerySet};

use super::kind::{AllRows, Arity, Fetched, RelationKind, Rows, Scope};
use super::loaded::{Loaded, SlotName};
use super::path::{
    IntoSelect, JoinMode, Paths, Plain, Prefetch, PrefetchPath, Relation, StartsAt, ThroughMode,
};
use super::slots::{AddPath, AddPaths};

/// The value a path stores per parent.
type ValueOf<R, N, E, J, Q> = <ArityOf<R, Q> as Arity>::Of<ItemOf<R, N, E, J>>;

/// How many related objects a parent gets through `R` under the path's query `Q`.
type ArityOf<R, Q> = <Q as Rows>::Arity<
    <<R as Relation>::Kind as RelationKind<<R as Relation>::Source, <R as Relation>::Target>>::Arity,
>;

/// One related item of a path: the object, with its through row if the path asks for it.
type ItemOf<R, N, E, J> = <E as ThroughMode<<R as Relation>::Kind>>::Item<ObjectOf<R, N, J>>;

/// One related object of a path, with the joined slot and the nested paths' slots.
type ObjectOf<R, N, J> =
    Loaded<<R as Relation>::Target, <N as AddPaths<<R as Relation>::Target, JoinSlots<R, J>>>::Out>;

/// The slots a related object starts with: the joined foreign key's, if any.
type JoinSlots<R, J> = <J as JoinMode<<R as Relation>::Target>>::Slots;

impl<M: Model, R: StartsAt<M>> Prefetch<M> for R
where
    R::Target: Clone,
{
    type Key = R;
    type Value = ValueOf<R, (), Plain, (), AllRows>;
    type Target = R::Target;
    type Nested = ();
    type Shape = (R, Plain, ());
    fn load(
        &self,
        conn: &mut Connection,
        parents: &[&M],
        scope: Scope,
    ) -> Result<Vec<Self::Value>> {
        PrefetchPath::<R>::default().load(conn, R::parents(parents), scope)
    }
    fn nested(&self) -> &() {
        &()
    }
    fn custom(&self) -> Option<&QuerySet<R::Target>> {
        None
    }
}

impl<R, N, A, E, J, Q> Prefetch<R::Source> for PrefetchPath<R, N, A, E, J, Q>
where
    R: Relation,
    Q: Rows,
    N: Paths<R::Target> + AddPaths<R::Target, JoinSlots<R, J>>,
    A: SlotName,
    E: ThroughMode<R::Kind>,
    J: JoinMode<R::Target>,
    ObjectOf<R, N, J>: Clone,
    ItemOf<R, N, E, J>: Clone,
{
    type Key = A;
    type Value = ValueOf<R, N, E, J, Q>;
    type Target = R::Target;
    type Nested = N;
    type Shape = (R, E, J);

    fn load(
        &self,
        conn: &mut Connection,
        parents: &[&R::Source],
        scope: Scope,
    ) -> Result<Vec<Self::Value>> {
        let mut joins = Vec::new();
        J::joins(&mut joins, None);
        let Fetched {
            targets,
            extras,
            objects,
            links,
        } = R::Kind::fetch::<E::Part, J::Part>(conn, parents, scope, &self.query, &joins)?;
        let nested = if <R::Kind as RelationKind<R::Source, R::Target>>::covers_table() {
            scope.narrowed(&self.query)
        } else {
            Scope::Keys
        };
        let mut loaded = Vec::with_capacity(targets.len());
        for (target, joined) in targets {
            loaded.push(Loaded::with(target, J::attach(joined)?));
        }
        // Each distinct object is loaded once, nested paths included, then handed to its rows.
        let targets = self.nested.add_all(conn, loaded, nested)?;
        let items = match objects {
            None => targets
                .into_iter()
                .zip(extras)
                .map(|(target, extra)| Some(E::item(target, extra)))
                .collect(),
            Some(objects) => {
                let targets = targets.into_iter().map(Some).collect();
                let mut targets = HandOut::new(targets, objects.iter().copied())?;
                objects
                    .into_iter()
                    .zip(extras)
                    .map(|(at, extra)| Ok(Some(E::item(targets.next(at)?, extra))))
                    .collect::<Result<_>>()?
            }
        };
        let groups = distribute(items, &links, parents.len())?;
        groups
            .into_iter()
            .map(|g| ArityOf::<R, Q>::collect(g, <R::Target as Model>::NAME))
            .collect()
    }

    fn nested(&self) -> &N {
        &self.nested
    }

    fn custom(&self) -> Option<&QuerySet<R::Target>> {
        (self.query != QuerySet::default()).then_some(&self.query)
    }
}

/// Gives each parent its items, in row order. An item shared by several parents (a foreign key
/// target, a nested many-to-many) is cloned for all but its last use.
fn distribute<X: Clone>(
    mut items: Vec<Option<X>>,
    links: &[(usize, usize)],
    parents: usize,
) -> Result<Vec<Vec<X>>> {
    let mut uses = vec![0u32; items.len()];
    let mut sizes = vec![0usize; parents];
    for &(parent, row) in links {
        uses[row] += 1;
        sizes[parent] += 1;
    }
    let mut groups: Vec<Vec<X>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for &(parent, row) in links {
        uses[row] -= 1;
        let item = if uses[row] == 0 {
            items[row].take()
        } else {
            items[row].clone()
        };
        // Taken only at its last use, so always there; an error rather than a panic if not.
        let item = item.ok_or_else(|| internal("a prefetched row was handed out twice"))?;
        groups[parent].push(item);
    }
    Ok(groups)
}

/// Hands out items by index: an item used several times (a foreign key target shared by
/// several parents, a tag of several posts) is cloned for all but its last use, and taken there.
struct HandOut<X> {
    items: Vec<Option<X>>,
    left: Vec<u32>,
}

impl<X: Clone> HandOut<X> {
    /// `items`, to be handed out once for each index of `uses`.
    fn new(items: Vec<Option<X>>, uses: impl Iterator<Item = usize>) -> Result<Self> {
        let mut left = vec![0u32; items.len()];
        for i in uses {
            *left
                .get_mut(i)
                .ok_or_else(|| internal("a prefetched row is out of range"))? += 1;
        }
        Ok(HandOut { items, left })
    }

    /// Item `i`, at one of its uses.
    fn next(&mut self, i: usize) -> Result<X> {
        let (Some(left), Some(item)) = (self.left.get_mut(i), self.items.get_mut(i)) else {
            return Err(internal("a prefetched row is out of range"));
        };
        *left = left.saturating_sub(1);
        let item = if *left == 0 {
            item.take()
        } else {
            item.clone()
        };
        // Taken only at its last use, so always there; an error rather than a panic if not.
        item.ok_or_else(|| internal("a prefetched row was handed out twice"))
    }
}

fn internal(what: &str) -> Error {
    Error::InvalidInput(format!("internal: {what}"))
}

/// The slots of each value a query with paths `Ps` and joins `J` returns.
pub type SlotsOf<M, Ps, J = ()> = <Ps as AddPaths<M, <J as JoinMode<M>>::Slots>>::Out;

/// Each value a query with paths `Ps` and joins `J` returns.
pub type LoadedRow<M, Ps, J = ()> = Loaded<M, SlotsOf<M, Ps, J>>;

/// A query with prefetch paths and joined foreign keys:
/// `Author::query().prefetch(AuthorBooks)`, `Book::query().select_related(BookAuthor)`. Nothing
/// runs until [`Prefetching::all`]; then one statement for the query with its joins, and one per
/// relation level.
pub struct Prefetching<M: Model, P, J = ()> {
    query: QuerySet<M>,
    paths: P,
    joins: PhantomData<fn() -> J>,
}

impl<M: Model, P: fmt::Debug, J> fmt::Debug for Prefetching<M, P, J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prefetching")
            .field("query", &self.query)
            .field("paths", &self.paths)
            .field("joins", &std::any::type_name::<J>())
            .finish()
    }
}

impl<M: Model> QuerySet<M> {
    /// Prefetches `path` for every row this query returns: `Author::query().prefetch(AuthorBooks)`.
    /// The rows come back as [`Loaded`] values that hold the related objects.
    pub fn prefetch<P: Prefetch<M>>(self, path: P) -> Prefetching<M, (P, ())> {
        Prefetching {
            query: self,
            paths: (path, ()),
            joins: PhantomData,
        }
    }

    /// Loads the row the foreign key `fk` points at in the same statement, with a LEFT JOIN
    /// (Django's `select_related`): `Entry::query().select_related(EntryBlog)`. Read it as if it
    /// were prefetched, at no cost: `entry.get(EntryBlog)`.
    pub fn select_related<S>(self, fk: S) -> Prefetching<M, (), (S::Select, ())>
    where
        S: IntoSelect<M>,
    {
        let _ = fk;
        Prefetching {
            query: self,
            paths: (),
            joins: PhantomData,
        }
    }
}

impl<M, Ps, J> Prefetching<M, Ps, J>
where
    M: Model,
    Ps: Paths<M> + AddPaths<M, J::Slots>,
    J: JoinMode<M>,
{
    /// Prefetches another path. A path to a relation already listed adds only its nested paths:
    /// `.prefetch(AuthorBooks.with(BookReaders)).prefetch(AuthorBooks.with(BookPublisher))`
    /// loads the books once, as `AuthorBooks.with(BookReaders).with(BookPublisher)` does. So
    /// does a path to a joined foreign key: `.select_related(BookAuthor).prefetch(BookAuthor
    /// .with(AuthorEditedBooks))` runs only the nested path.
    pub fn prefetch<P: Prefetch<M>>(self, path: P) -> Prefetching<M, (P, Ps), J> {
        Prefetching {
            query: self.query,
            paths: (path, self.paths),
            joins: PhantomData,
        }
    }

    /// Joins another foreign key into the query's statement (see [`QuerySet::select_related`]).
    pub fn select_related<S>(self, fk: S) -> Prefetching<M, Ps, (S::Select, J)>
    where
        S: IntoSelect<M>,
    {
        let _ = fk;
        Prefetching {
            query: self.query,
            paths: self.paths,
            joins: PhantomData,
        }
    }

    /// Keeps rows matching `filter`.
    pub fn filter(mut self, filter: Filter<M>) -> Self {
        self.query = self.query.filter(filter);
        self
    }

    /// Drops rows matching `filter`.
    pub fn exclude(mut self, filter: Filter<M>) -> Self {
        self.query = self.query.exclude(filter);
        self
    }

    /// Adds an ordering term.
    pub fn order_by(mut self, order: Order<M>) -> Self {
        self.query = self.query.order_by(order);
        self
    }

    /// At most `n` rows (a page: the paths load for this page only).
    pub fn limit(mut self, n: u64) -> Self {
        self.query = self.query.limit(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.query = self.query.offset(n);
        self
    }

    /// Every matching row with its prefetched relations: one statement for the rows, then one
    /// per relation level.
    ///
    /// Paths listed twice are checked first, before any statement: a later path to the same
    /// relation may repeat the first one's query or have none, else [`Error::InvalidInput`].
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<LoadedRow<M, Ps, J>>> {
        self.load(conn, &self.query)
    }

    /// The first matching row (by the ordering given, else the key) with its relations.
    pub fn first(&self, conn: &mut Connection) -> Result<Option<LoadedRow<M, Ps, J>>> {
        Ok(self.load(conn, &self.query.first_only())?.pop())
    }

    /// The last matching row with its relations ([`QuerySet::last`]).
    pub fn last(&self, conn: &mut Connection) -> Result<Option<LoadedRow<M, Ps, J>>> {
        Ok(self.load(conn, &self.query.last_only()?)?.pop())
    }

    /// Exactly one matching row with its relations: [`Error::NotFound`] when none,
    /// [`Error::MultipleObjectsReturned`] when more.
    pub fn get(&self, conn: &mut Connection) -> Result<LoadedRow<M, Ps, J>> {
        self.check()?;
        let rows = J::load(conn, &self.query.get_only())?;
        match rows.len() {
            0 => Err(Error::NotFound { model: M::NAME }),
            1 => self
                .paths
                .add_all(conn, rows, Scope::Keys)?
                .pop()
                .ok_or(Error::NotFound { model: M::NAME }),
            _ => Err(Error::MultipleObjectsReturned { model: M::NAME }),
        }
    }

    /// The rows of `query` with their joins, then the paths.
    fn load(&self, conn: &mut Connection, query: &QuerySet<M>) -> Result<Vec<LoadedRow<M, Ps, J>>> {
        self.check()?;
        let rows = J::load(conn, query)?;
        self.paths.add_all(conn, rows, Scope::Table.narrowed(query))
    }

    /// The number of matching rows: one statement, nothing prefetched (as Django's `count()`
    /// on a query with `prefetch_related`).
    pub fn count(&self, conn: &mut Connection) -> Result<i64> {
        self.query.count(conn)
    }

    /// Whether any row matches: one statement, nothing prefetched.
    pub fn exists(&self, conn: &mut Connection) -> Result<bool> {
        self.query.exists(conn)
    }

    /// Checks the paths against each other and against the joins, before any statement.
    fn check(&self) -> Result<()> {
        let mut seen = Vec::new();
        J::seen(&mut seen, &[]);
        self.paths.check(&mut Vec::new(), &mut seen)
    }
}

/// Objects a prefetch can start from: models, or [`Loaded`] values that already hold relations.
pub trait IntoLoaded {
    /// The model.
    type Model: Model;
    /// The slots it already has.
    type Related;
    /// As a [`Loaded`] value.
    fn into_loaded(self) -> Loaded<Self::Model, Self::Related>;
}

impl<M: Model> IntoLoaded for M {
    type Model = M;
    type Related = ();
    fn into_loaded(self) -> Loaded<M> {
        Loaded::new(self)
    }
}

impl<M: Model, R> IntoLoaded for Loaded<M, R> {
    type Model = M;
    type Related = R;
    fn into_loaded(self) -> Loaded<M, R> {
        self
    }
}

/// `O` as a [`Loaded`] value after the path `P`: with `P`'s slot in front of the ones it had,
/// or, when it had that slot, with `P`'s nested paths loaded on it.
pub type WithSlot<O, P> = Loaded<
    <O as IntoLoaded>::Model,
    <<O as IntoLoaded>::Related as AddPath<<O as IntoLoaded>::Model, P>>::Out,
>;

/// Prefetches `path` onto objects already in hand (Django's `prefetch_related_objects`): a
/// `Vec` of models, one page of a query, or [`Loaded`] values, which keep what they hold. One
/// statement per relation level not loaded yet: a relation the values hold already costs
/// nothing again, and only `path`'s nested paths run on it (its query is not run again).
pub fn prefetch_related_objects<O, P>(
    conn: &mut Connection,
    objects: impl IntoIterator<Item = O>,
    path: P,
) -> Result<Vec<WithSlot<O, P>>>
where
    O: IntoLoaded,
    P: Prefetch<O::Model>,
    O::Related: AddPath<O::Model, P>,
{
    super::slots::check(&path, &mut Vec::new(), &mut Vec::new())?;
    let objects = objects.into_iter().map(IntoLoaded::into_loaded).collect();
    <O::Related as AddPath<O::Model, P>>::add(conn, objects, &path, Scope::Keys)
}
