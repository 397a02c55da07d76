//! Running paths: a query with its paths, paths onto objects in hand, and stitching the related
//! rows onto their parents.

use std::fmt;

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::{Filter, Order, QuerySet};

use super::fetch::Fetched;
use super::loaded::{Loaded, Slot};
use super::path::{Arity, JoinMode, Kind, Prefetch, PrefetchPath, Relation, StartsAt, ThroughMode};

/// The value a path stores per parent.
type ValueOf<R, N, E, J> = <<<R as Relation>::Kind as Kind<
    <R as Relation>::Source,
    <R as Relation>::Target,
>>::Arity as Arity>::Of<ItemOf<R, N, E, J>>;

/// One related item of a path.
type ItemOf<R, N, E, J> = <E as ThroughMode<<R as Relation>::Kind>>::Item<
    Loaded<
        <R as Relation>::Target,
        <J as JoinMode<<R as Relation>::Target>>::Slots<
            <N as Paths<<R as Relation>::Target>>::Slots,
        >,
    >,
>;

impl<M: Model, R: StartsAt<M>> Prefetch<M> for R
where
    R::Target: Clone,
{
    type Key = R;
    type Value = ValueOf<R, (), super::path::Plain, ()>;
    fn load(&self, conn: &mut Connection, parents: &[&M]) -> Result<Vec<Self::Value>> {
        PrefetchPath::<R>::default().load(conn, R::parents(parents))
    }
}

impl<R, N, A, E, J> Prefetch<R::Source> for PrefetchPath<R, N, A, E, J>
where
    R: Relation,
    N: Paths<R::Target>,
    A: 'static,
    E: ThroughMode<R::Kind>,
    J: JoinMode<R::Target>,
    ItemOf<R, N, E, J>: Clone,
{
    type Key = A;
    type Value = ValueOf<R, N, E, J>;

    fn load(&self, conn: &mut Connection, parents: &[&R::Source]) -> Result<Vec<Self::Value>> {
        let Fetched { rows, links } =
            R::Kind::fetch::<E::Part, J::Part>(conn, parents, &self.query, J::JOIN)?;
        let nested = {
            let targets: Vec<&R::Target> = rows.iter().map(|(t, _, _)| t).collect();
            self.nested.load(conn, &targets)?
        };
        let mut items = Vec::with_capacity(rows.len());
        for ((target, extra, joined), slots) in rows.into_iter().zip(nested) {
            let related = J::attach(joined, slots)?;
            items.push(Some(E::item(Loaded::with(target, related), extra)));
        }
        let groups = distribute(items, &links, parents.len())?;
        groups
            .into_iter()
            .map(|g| {
                <R::Kind as Kind<R::Source, R::Target>>::Arity::collect(
                    g,
                    <R::Target as Model>::NAME,
                )
            })
            .collect()
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
        let item = item.ok_or_else(|| {
            Error::InvalidInput("internal: a prefetched row was handed out twice".into())
        })?;
        groups[parent].push(item);
    }
    Ok(groups)
}

/// A list of paths on `M` (`(P1, (P2, ()))`), run level by level.
pub trait Paths<M: Model> {
    /// The slots each parent gets.
    type Slots;
    /// Runs every path; one slot list per parent, in order.
    fn load(&self, conn: &mut Connection, parents: &[&M]) -> Result<Vec<Self::Slots>>;
}

impl<M: Model> Paths<M> for () {
    type Slots = ();
    fn load(&self, _: &mut Connection, parents: &[&M]) -> Result<Vec<()>> {
        Ok(vec![(); parents.len()])
    }
}

impl<M: Model, P: Prefetch<M>, Rest: Paths<M>> Paths<M> for (P, Rest) {
    type Slots = (Slot<P::Key, P::Value>, Rest::Slots);
    fn load(&self, conn: &mut Connection, parents: &[&M]) -> Result<Vec<Self::Slots>> {
        // The list is built by prepending: run the tail first, so statements go in the order
        // the paths were written.
        let rest = self.1.load(conn, parents)?;
        let mine = self.0.load(conn, parents)?;
        Ok(mine
            .into_iter()
            .zip(rest)
            .map(|(v, r)| (Slot::new(v), r))
            .collect())
    }
}

/// A query with prefetch paths: `Author::query().prefetch(AuthorBooks)`. Nothing runs until
/// [`Prefetching::all`]; then one statement for the query and one per relation level.
pub struct Prefetching<M: Model, P> {
    query: QuerySet<M>,
    paths: P,
}

impl<M: Model, P: fmt::Debug> fmt::Debug for Prefetching<M, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prefetching")
            .field("query", &self.query)
            .field("paths", &self.paths)
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
        }
    }
}

impl<M: Model, Ps: Paths<M>> Prefetching<M, Ps> {
    /// Prefetches another path. Paths that share a first step should share it:
    /// `AuthorBooks.with(BookReaders).with(BookPublisher)` loads the books once.
    pub fn prefetch<P: Prefetch<M>>(self, path: P) -> Prefetching<M, (P, Ps)> {
        Prefetching {
            query: self.query,
            paths: (path, self.paths),
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
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<Loaded<M, Ps::Slots>>> {
        let rows = self.query.all(conn)?;
        attach(conn, rows, &self.paths)
    }

    /// The first matching row (by the ordering given, else the key) with its relations.
    pub fn first(&self, conn: &mut Connection) -> Result<Option<Loaded<M, Ps::Slots>>> {
        let row = self.query.first(conn)?;
        Ok(attach(conn, row.into_iter().collect(), &self.paths)?.pop())
    }

    /// Exactly one matching row with its relations ([`Error::NotFound`] when none).
    pub fn get(&self, conn: &mut Connection) -> Result<Loaded<M, Ps::Slots>> {
        let row = self.query.get(conn)?;
        attach(conn, vec![row], &self.paths)?
            .pop()
            .ok_or(Error::NotFound { model: M::NAME })
    }
}

/// Runs `paths` for `rows`.
fn attach<M: Model, Ps: Paths<M>>(
    conn: &mut Connection,
    rows: Vec<M>,
    paths: &Ps,
) -> Result<Vec<Loaded<M, Ps::Slots>>> {
    let slots = {
        let parents: Vec<&M> = rows.iter().collect();
        paths.load(conn, &parents)?
    };
    Ok(rows
        .into_iter()
        .zip(slots)
        .map(|(m, s)| Loaded::with(m, s))
        .collect())
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

/// `O` as a [`Loaded`] value with the slot of `P` in front of the ones it had.
pub type WithSlot<O, P> = Loaded<
    <O as IntoLoaded>::Model,
    (
        Slot<
            <P as Prefetch<<O as IntoLoaded>::Model>>::Key,
            <P as Prefetch<<O as IntoLoaded>::Model>>::Value,
        >,
        <O as IntoLoaded>::Related,
    ),
>;

/// Prefetches `path` onto objects already in hand (Django's `prefetch_related_objects`): a
/// `Vec` of models, one page of a query, or [`Loaded`] values, which keep what they hold. One
/// statement per relation level.
pub fn prefetch_related_objects<O, P>(
    conn: &mut Connection,
    objects: impl IntoIterator<Item = O>,
    path: P,
) -> Result<Vec<WithSlot<O, P>>>
where
    O: IntoLoaded,
    P: Prefetch<O::Model>,
{
    let objects: Vec<Loaded<O::Model, O::Related>> =
        objects.into_iter().map(IntoLoaded::into_loaded).collect();
    let values = {
        let parents: Vec<&O::Model> = objects.iter().map(|o| o.model()).collect();
        path.load(conn, &parents)?
    };
    Ok(objects
        .into_iter()
        .zip(values)
        .map(|(o, v)| {
            let (model, related) = o.into_parts();
            Loaded::with(model, (Slot::new(v), related))
        })
        .collect())
}
