//! Putting a path's result onto loaded values: a new slot in front, or, when the key is there
//! already, the path's nested paths run on what that slot holds. So a relation listed twice is
//! loaded once, and what was prefetched earlier costs nothing again.
//!
//! Which case applies is decided by the types: [`Holds`] compares the path's key with each
//! slot's (see [`super::key`]).

use std::any::{Any, TypeId};

use crate::db::connection::Connection;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::QuerySet;

use super::key::{Bit, Same, B0, B1};
use super::kind::Scope;
use super::loaded::{Loaded, Slot, SlotName};
use super::path::{Paths, Prefetch, Seen};

/// Whether the slot list `Self` holds the key `K`.
pub trait Holds<K> {
    /// [`B1`] when it does.
    type Found: Bit;
}

impl<K> Holds<K> for () {
    type Found = B0;
}

impl<K: SlotName, Q: SlotName, V, T: Holds<Q>> Holds<Q> for (Slot<K, V>, T) {
    type Found = <Same<K, Q> as Bit>::Or<T::Found>;
}

/// The slot list `Self`, on model `M`, after the path `P`: `P`'s slot in front when it is new,
/// else the same list with `P`'s nested paths run on the slot there.
pub trait AddPath<M: Model, P: Prefetch<M>>: Sized {
    /// The slot list after.
    type Out;
    /// Runs `path` for `objects`: one statement per level it adds.
    fn add(
        conn: &mut Connection,
        objects: Vec<Loaded<M, Self>>,
        path: &P,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>>;
}

impl<M: Model, P: Prefetch<M>, S: Holds<P::Key> + AddWhen<M, P, S::Found>> AddPath<M, P> for S {
    type Out = <S as AddWhen<M, P, S::Found>>::Out;
    fn add(
        conn: &mut Connection,
        objects: Vec<Loaded<M, S>>,
        path: &P,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>> {
        <S as AddWhen<M, P, S::Found>>::add_when(conn, objects, path, scope)
    }
}

/// [`AddPath`], given whether the key is in the list.
pub trait AddWhen<M: Model, P: Prefetch<M>, Found>: Sized {
    /// The slot list after.
    type Out;
    /// Runs `path` for `objects`.
    fn add_when(
        conn: &mut Connection,
        objects: Vec<Loaded<M, Self>>,
        path: &P,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>>;
}

/// A new key: load it, and put its slot in front.
impl<M: Model, P: Prefetch<M>, S> AddWhen<M, P, B0> for S {
    type Out = (Slot<P::Key, P::Value>, S);
    fn add_when(
        conn: &mut Connection,
        objects: Vec<Loaded<M, S>>,
        path: &P,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>> {
        let values = {
            let parents: Vec<&M> = objects.iter().map(|o| o.model()).collect();
            path.load(conn, &parents, scope)?
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
}

/// A key already there: find its slot.
impl<M: Model, P: Prefetch<M>, K: SlotName, V, T> AddWhen<M, P, B1> for (Slot<K, V>, T)
where
    Self: MergeAt<M, P, Same<K, P::Key>>,
{
    type Out = <Self as MergeAt<M, P, Same<K, P::Key>>>::Out;
    fn add_when(
        conn: &mut Connection,
        objects: Vec<Loaded<M, Self>>,
        path: &P,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>> {
        <Self as MergeAt<M, P, Same<K, P::Key>>>::merge(conn, objects, path, scope)
    }
}

/// Merging `P` into a list whose first slot has `P`'s key ([`B1`]) or not ([`B0`]).
pub trait MergeAt<M: Model, P: Prefetch<M>, Here>: Sized {
    /// The slot list after.
    type Out;
    /// Runs `path`'s nested paths on the slot with its key.
    fn merge(
        conn: &mut Connection,
        objects: Vec<Loaded<M, Self>>,
        path: &P,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>>;
}

/// Not this slot: set it aside and look further.
impl<M: Model, P: Prefetch<M>, K, V, T: AddPath<M, P>> MergeAt<M, P, B0> for (Slot<K, V>, T) {
    type Out = (Slot<K, V>, T::Out);
    fn merge(
        conn: &mut Connection,
        objects: Vec<Loaded<M, Self>>,
        path: &P,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>> {
        let mut heads = Vec::with_capacity(objects.len());
        let tails = objects
            .into_iter()
            .map(|o| {
                let (model, (head, tail)) = o.into_parts();
                heads.push(head);
                Loaded::with(model, tail)
            })
            .collect();
        Ok(T::add(conn, tails, path, scope)?
            .into_iter()
            .zip(heads)
            .map(|(o, head)| {
                let (model, tail) = o.into_parts();
                Loaded::with(model, (head, tail))
            })
            .collect())
    }
}

/// This slot: run the nested paths on every object it holds, all parents at once.
impl<M, P, K, V, T> MergeAt<M, P, B1> for (Slot<K, V>, T)
where
    M: Model,
    P: Prefetch<M>,
    V: SlotValue<P::Target>,
    P::Nested: AddPaths<P::Target, V::Slots>,
{
    type Out = (
        Slot<K, V::With<<P::Nested as AddPaths<P::Target, V::Slots>>::Out>>,
        T,
    );
    fn merge(
        conn: &mut Connection,
        objects: Vec<Loaded<M, Self>>,
        path: &P,
        _: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>> {
        let mut items = Vec::new();
        let mut rest = Vec::with_capacity(objects.len());
        for o in objects {
            let (model, (slot, tail)) = o.into_parts();
            rest.push((model, slot.into_value().take(&mut items), tail));
        }
        // The objects held are not known to be a whole table: their keys are bound.
        let mut items = path.nested().add_all(conn, items, Scope::Keys)?.into_iter();
        rest.into_iter()
            .map(|(model, hole, tail)| {
                let value = V::put(hole, &mut items)?;
                Ok(Loaded::with(model, (Slot::new(value), tail)))
            })
            .collect()
    }
}

/// The list of paths `Self` (`(P1, (P2, ()))`, written last first), added to values of model
/// `M` with slots `S`. Implemented on the list, not the slots, so a list the compiler does not
/// know yet is an open question rather than an endless search.
pub trait AddPaths<M: Model, S>: Sized {
    /// The slot list after.
    type Out;
    /// Runs every path, in the order written.
    fn add_all(
        &self,
        conn: &mut Connection,
        objects: Vec<Loaded<M, S>>,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>>;
}

impl<M: Model, S> AddPaths<M, S> for () {
    type Out = S;
    fn add_all(
        &self,
        _: &mut Connection,
        objects: Vec<Loaded<M, S>>,
        _: Scope,
    ) -> Result<Vec<Loaded<M, S>>> {
        Ok(objects)
    }
}

impl<M: Model, P: Prefetch<M>, Rest, S> AddPaths<M, S> for (P, Rest)
where
    Rest: AddPaths<M, S>,
    Rest::Out: AddPath<M, P>,
{
    type Out = <Rest::Out as AddPath<M, P>>::Out;
    fn add_all(
        &self,
        conn: &mut Connection,
        objects: Vec<Loaded<M, S>>,
        scope: Scope,
    ) -> Result<Vec<Loaded<M, Self::Out>>> {
        // The list is built by prepending: run the tail first, so statements go in the order
        // the paths were written.
        let objects = self.1.add_all(conn, objects, scope)?;
        <Rest::Out as AddPath<M, P>>::add(conn, objects, &self.0, scope)
    }
}

/// A slot's value seen as the objects it holds, to run more paths on them: the object of a
/// foreign key, an `Option` of it, or a `Vec` of objects (with through rows or not).
pub trait SlotValue<T: Model>: Sized {
    /// The slots of the objects held.
    type Slots;
    /// The same value with objects of slots `S`.
    type With<S>;
    /// What is left when the objects are taken out.
    type Hole;
    /// Moves the objects out, in order, into `items`.
    fn take(self, items: &mut Vec<Loaded<T, Self::Slots>>) -> Self::Hole;
    /// Puts objects back, in the order taken.
    fn put<S>(
        hole: Self::Hole,
        items: &mut impl Iterator<Item = Loaded<T, S>>,
    ) -> Result<Self::With<S>>;
}

/// One object of a slot: `Loaded<T, S>`, or with its through row `(Loaded<T, S>, X)`.
pub trait Item<T: Model>: Sized {
    /// The object's slots.
    type Slots;
    /// The item with an object of slots `S`.
    type With<S>;
    /// What goes beside the object.
    type Rest;
    /// The object and what goes beside it.
    fn split(self) -> (Loaded<T, Self::Slots>, Self::Rest);
    /// Puts them together again.
    fn join<S>(object: Loaded<T, S>, rest: Self::Rest) -> Self::With<S>;
}

impl<T: Model, S> Item<T> for Loaded<T, S> {
    type Slots = S;
    type With<S2> = Loaded<T, S2>;
    type Rest = ();
    fn split(self) -> (Self, ()) {
        (self, ())
    }
    fn join<S2>(object: Loaded<T, S2>, _: ()) -> Loaded<T, S2> {
        object
    }
}

impl<T: Model, S, X> Item<T> for (Loaded<T, S>, X) {
    type Slots = S;
    type With<S2> = (Loaded<T, S2>, X);
    type Rest = X;
    fn split(self) -> (Loaded<T, S>, X) {
        self
    }
    fn join<S2>(object: Loaded<T, S2>, rest: X) -> (Loaded<T, S2>, X) {
        (object, rest)
    }
}

/// The next object put back: always there, since as many were taken; an error, not a panic, if
/// not.
fn next<X>(items: &mut impl Iterator<Item = X>) -> Result<X> {
    items
        .next()
        .ok_or_else(|| Error::InvalidInput("internal: a prefetched slot lost an object".into()))
}

impl<T: Model, S> SlotValue<T> for Loaded<T, S> {
    type Slots = S;
    type With<S2> = Loaded<T, S2>;
    type Hole = ();
    fn take(self, items: &mut Vec<Loaded<T, S>>) {
        items.push(self);
    }
    fn put<S2>(_: (), items: &mut impl Iterator<Item = Loaded<T, S2>>) -> Result<Loaded<T, S2>> {
        next(items)
    }
}

impl<T: Model, I: Item<T>> SlotValue<T> for Option<I> {
    type Slots = I::Slots;
    type With<S> = Option<I::With<S>>;
    type Hole = Option<I::Rest>;
    fn take(self, items: &mut Vec<Loaded<T, I::Slots>>) -> Option<I::Rest> {
        self.map(|item| {
            let (object, rest) = item.split();
            items.push(object);
            rest
        })
    }
    fn put<S>(
        hole: Option<I::Rest>,
        items: &mut impl Iterator<Item = Loaded<T, S>>,
    ) -> Result<Option<I::With<S>>> {
        hole.map(|rest| Ok(I::join(next(items)?, rest))).transpose()
    }
}

impl<T: Model, I: Item<T>> SlotValue<T> for Vec<I> {
    type Slots = I::Slots;
    type With<S> = Vec<I::With<S>>;
    type Hole = Vec<I::Rest>;
    fn take(self, items: &mut Vec<Loaded<T, I::Slots>>) -> Vec<I::Rest> {
        self.into_iter()
            .map(|item| {
                let (object, rest) = item.split();
                items.push(object);
                rest
            })
            .collect()
    }
    fn put<S>(
        hole: Vec<I::Rest>,
        items: &mut impl Iterator<Item = Loaded<T, S>>,
    ) -> Result<Vec<I::With<S>>> {
        hole.into_iter()
            .map(|rest| Ok(I::join(next(items)?, rest)))
            .collect()
    }
}

/// Checks `path`, stored at `at` (the keys from the root), against the paths seen before it,
/// as Django does: a later path to the same key adds its nested paths, and may repeat the first
/// one's query or have none, but not bring another query or shape (it would be ignored).
pub fn check<'a, M: Model, P: Prefetch<M>>(
    path: &'a P,
    at: &mut Vec<TypeId>,
    seen: &mut Vec<Seen<'a>>,
) -> Result<()> {
    at.push(TypeId::of::<P::Key>());
    let query = path.custom();
    let shape = TypeId::of::<P::Shape>();
    match seen.iter().find(|s| s.at == *at) {
        None => seen.push(Seen {
            at: at.clone(),
            shape,
            query: query.map(|q| q as &dyn Any),
        }),
        Some(first) => {
            let first_query = first
                .query
                .and_then(|q| q.downcast_ref::<QuerySet<P::Target>>());
            if first.shape != shape || query.is_some_and(|q| Some(q) != first_query) {
                return Err(Error::InvalidInput(format!(
                    "`{}` is prefetched twice with different {}: a later path to the same \
                     relation may only add nested paths; store the other under a to_attr name \
                     (`.to(..)`)",
                    P::Key::NAME,
                    if first.shape == shape {
                        "queries"
                    } else {
                        "shapes"
                    },
                )));
            }
        }
    }
    path.nested().check(at, seen)?;
    at.pop();
    Ok(())
}

impl<M: Model> Paths<M> for () {
    fn check<'a>(&'a self, _: &mut Vec<TypeId>, _: &mut Vec<Seen<'a>>) -> Result<()> {
        Ok(())
    }
}

impl<M: Model, P: Prefetch<M>, Rest: Paths<M>> Paths<M> for (P, Rest) {
    fn check<'a>(&'a self, at: &mut Vec<TypeId>, seen: &mut Vec<Seen<'a>>) -> Result<()> {
        self.1.check(at, seen)?;
        check(&self.0, at, seen)
    }
}
