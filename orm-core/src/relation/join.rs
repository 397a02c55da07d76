//! Joins (`select_related`): foreign keys, and reverses of one-to-ones, loaded in the same
//! statement as the rows they belong to, nested as deep as written. A query's own joins and a
//! prefetch level's are the same types.

use std::any::TypeId;

use crate::db::connection::Connection;
use crate::db::decode::Opt;
use crate::error::Result;
use crate::model::Model;
use crate::query::QuerySet;

use super::fetch::select_joined;
use super::kind::{Arity, JoinKind, JoinSpec};
use super::loaded::{Loaded, Slot};
use super::path::{JoinMode, JoinOne, Relation, Seen, Select, StartsAt};

/// The join kind of the relation `R`.
type JoinOf<R> = <R as Relation>::Kind;

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
