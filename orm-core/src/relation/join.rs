//! Joins (`select_related`): foreign keys, and reverses of one-to-ones, loaded in the same
//! statement as the rows they belong to, nested as deep as written. A query's own joins and a
//! prefetch level's are the same types.

use std::any::TypeId;
use std::marker::PhantomData;

use crate::db::connection::Connection;
use crate::db::decode::{Opt, ReadPartAll};
use crate::error::Result;
use crate::model::Model;
use crate::query::QuerySet;

use super::fetch::{select_joined, JoinSpec};
use super::loaded::{Loaded, Slot};
use super::path::{Arity, Relation, StartsAt};
use super::slots::Seen;

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

/// How a relation with at most one row per source row is joined: a foreign key forwards
/// ([`ForwardKey`]), or a one-to-one backwards ([`ReverseKey`] of a [`OneToOne`]).
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

/// The join kind of the relation `R`.
type JoinOf<R> = <R as Relation>::Kind;

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

impl<T: Model, R: StartsAt<T>, N: JoinMode<R::Target>> JoinOne<T> for Select<R, N>
where
    R::Kind: JoinKind<R::Source, R::Target>,
{
    type Part = (Opt<R::Target>, N::Part);
    type Slot = Slot<
        R,
        <<JoinOf<R> as JoinKind<R::Source, R::Target>>::Arity as Arity>::Of<
            Loaded<R::Target, N::Slots>,
        >,
    >;
    fn joins(out: &mut Vec<JoinSpec>, from: Option<usize>) {
        out.push(<JoinOf<R> as JoinKind<R::Source, R::Target>>::spec(from));
        N::joins(out, Some(out.len() - 1));
    }
    fn attach((head, nested): Self::Part) -> Result<Self::Slot> {
        // Without the head row, the joins under it found nothing either.
        let objects = match head.0 {
            Some(target) => vec![Loaded::with(target, N::attach(nested)?)],
            None => Vec::new(),
        };
        let value = <JoinOf<R> as JoinKind<R::Source, R::Target>>::Arity::collect(
            objects,
            <R::Target as Model>::NAME,
        )?;
        Ok(Slot::new(value))
    }
    fn seen(seen: &mut Vec<Seen<'_>>, at: &[TypeId]) {
        let mut here = at.to_vec();
        here.push(TypeId::of::<R>());
        N::seen(seen, &here);
        seen.push(Seen::joined::<R>(here));
    }
}

impl<T: Model> JoinMode<T> for () {
    type Part = ();
    type Slots = ();
    fn joins(_: &mut Vec<JoinSpec>, _: Option<usize>) {}
    fn attach(_: ()) -> Result<()> {
        Ok(())
    }
    fn seen(_: &mut Vec<Seen<'_>>, _: &[TypeId]) {}
    fn load(conn: &mut Connection, query: &QuerySet<T>) -> Result<Vec<Loaded<T>>> {
        Ok(query.all(conn)?.into_iter().map(Loaded::new).collect())
    }
}

impl<T: Model, S: JoinOne<T>, Rest: JoinMode<T>> JoinMode<T> for (S, Rest) {
    type Part = (S::Part, Rest::Part);
    type Slots = (S::Slot, Rest::Slots);
    fn joins(out: &mut Vec<JoinSpec>, from: Option<usize>) {
        S::joins(out, from);
        Rest::joins(out, from);
    }
    fn attach((head, rest): Self::Part) -> Result<Self::Slots> {
        Ok((S::attach(head)?, Rest::attach(rest)?))
    }
    fn seen(seen: &mut Vec<Seen<'_>>, at: &[TypeId]) {
        S::seen(seen, at);
        Rest::seen(seen, at);
    }
    fn load(conn: &mut Connection, query: &QuerySet<T>) -> Result<Vec<Loaded<T, Self::Slots>>> {
        let mut joins = Vec::new();
        Self::joins(&mut joins, None);
        select_joined::<T, Self::Part>(conn, query, &joins)?
            .into_iter()
            .map(|(model, part)| Ok(Loaded::with(model, Self::attach(part)?)))
            .collect()
    }
}
