//! `Loaded<M, R>`: a model with the relations prefetched for it, and a type that says which.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use super::key::{Id, Same, B0, B1};

/// A model `M` with prefetched relations `R`.
///
/// It derefs to `M` for reading, but not mutably: changing a key column would leave what was
/// prefetched for it stale, so a `Loaded` value is a consistent snapshot. Take the model out with
/// [`Loaded::into_model`] to change it, or write through [`Loaded::track`] to change a relation
/// and its prefetched rows together.
///
/// `R` is a list of [`Slot`]s, one per prefetched relation, built by the query that loaded the
/// value: `(Slot<AuthorBooks, Vec<Loaded<Book>>>, ())`. It derefs to `M`, and
/// [`Loaded::get`] reads a relation by its type (`author.get(AuthorBooks)`): reading one that
/// was not prefetched does not compile, so a loop over prefetched data never sends a statement.
pub struct Loaded<M, R = ()> {
    model: M,
    related: R,
}

/// One prefetched relation: the values for key `K` (a relation type such as `AuthorBooks`, or a
/// `to_attr` name).
pub struct Slot<K, V> {
    value: V,
    _key: PhantomData<fn() -> K>,
}

impl<K, V> Slot<K, V> {
    pub(crate) fn new(value: V) -> Self {
        Slot {
            value,
            _key: PhantomData,
        }
    }

    /// The prefetched value.
    pub fn value(&self) -> &V {
        &self.value
    }

    /// The prefetched value, taken out.
    pub fn into_value(self) -> V {
        self.value
    }
}

impl<K, V: Clone> Clone for Slot<K, V> {
    fn clone(&self) -> Self {
        Slot::new(self.value.clone())
    }
}

impl<K, V: PartialEq> PartialEq for Slot<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<K, V: fmt::Debug> fmt::Debug for Slot<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple(
            std::any::type_name::<K>()
                .rsplit("::")
                .next()
                .unwrap_or("Slot"),
        )
        .field(&self.value)
        .finish()
    }
}

/// The slot list `Self` holds the key `K`: found by comparing key identities (see
/// [`super::key`]), so a key is found once however the list was built.
pub trait Has<K> {
    /// What was prefetched: a `Vec` for a to-many relation, the object (or an `Option` of it)
    /// for a foreign key.
    type Value;
    /// The prefetched value.
    fn slot(&self) -> &Self::Value;
    /// The prefetched value, to change in memory.
    fn slot_mut(&mut self) -> &mut Self::Value;
}

impl<K: SlotName, Q: SlotName, V, T> Has<Q> for (Slot<K, V>, T)
where
    Self: HasAt<Q, Same<K, Q>>,
{
    type Value = <Self as HasAt<Q, Same<K, Q>>>::Value;
    fn slot(&self) -> &Self::Value {
        self.slot_at()
    }
    fn slot_mut(&mut self) -> &mut Self::Value {
        self.slot_at_mut()
    }
}

/// Reached the end of the list without finding `K`: this impl exists only to fail on
/// [`Prefetched`], so the error names the relation rather than the list.
impl<K: Prefetched> Has<K> for () {
    type Value = ();
    fn slot(&self) -> &() {
        self
    }
    fn slot_mut(&mut self) -> &mut () {
        self
    }
}

/// Never implemented: the bound that fails when a relation is read without being prefetched.
#[diagnostic::on_unimplemented(
    message = "`{Self}` was not prefetched for this value",
    label = "reading `{Self}` here would need a statement per row",
    note = "add `.prefetch({Self})` to the query that loaded it (`.with({Self})` under another path), or prefetch it onto the values with `prefetch_related_objects`"
)]
pub trait Prefetched {}

/// [`Has`] for the first slot of a list, given whether its key is `K` ([`B1`]) or not ([`B0`]).
pub trait HasAt<K, B> {
    /// The value.
    type Value;
    /// The value.
    fn slot_at(&self) -> &Self::Value;
    /// The value, to change.
    fn slot_at_mut(&mut self) -> &mut Self::Value;
}

impl<K, V, T> HasAt<K, B1> for (Slot<K, V>, T) {
    type Value = V;
    fn slot_at(&self) -> &V {
        &self.0.value
    }
    fn slot_at_mut(&mut self) -> &mut V {
        &mut self.0.value
    }
}

impl<K, V, T: Has<Q>, Q> HasAt<Q, B0> for (Slot<K, V>, T) {
    type Value = T::Value;
    fn slot_at(&self) -> &T::Value {
        self.1.slot()
    }
    fn slot_at_mut(&mut self) -> &mut T::Value {
        self.1.slot_mut()
    }
}

impl<M> Loaded<M> {
    /// A model with nothing prefetched yet.
    pub fn new(model: M) -> Self {
        Loaded { model, related: () }
    }
}

impl<M> From<M> for Loaded<M> {
    fn from(model: M) -> Self {
        Loaded::new(model)
    }
}

impl<M, R> Loaded<M, R> {
    pub(crate) fn with(model: M, related: R) -> Self {
        Loaded { model, related }
    }

    /// The prefetched relation `key`: `author.get(AuthorBooks)`. Costs no statement. Compiles
    /// only when `key` was prefetched.
    pub fn get<K>(&self, key: K) -> &<R as Has<K>>::Value
    where
        R: Has<K>,
    {
        let _ = key;
        self.related.slot()
    }

    /// The prefetched relation `key`, to change in memory.
    pub fn get_mut<K>(&mut self, key: K) -> &mut <R as Has<K>>::Value
    where
        R: Has<K>,
    {
        let _ = key;
        self.related.slot_mut()
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Every prefetched slot, most recently added first.
    pub fn related(&self) -> &R {
        &self.related
    }

    pub(crate) fn parts_mut(&mut self) -> (&M, &mut R) {
        (&self.model, &mut self.related)
    }

    /// The model, dropping what was prefetched.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The model and its slots.
    pub fn into_parts(self) -> (M, R) {
        (self.model, self.related)
    }
}

impl<M, R> Deref for Loaded<M, R> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.model
    }
}

impl<M: Clone, R: Clone> Clone for Loaded<M, R> {
    fn clone(&self) -> Self {
        Loaded::with(self.model.clone(), self.related.clone())
    }
}

impl<M: PartialEq, R: PartialEq> PartialEq for Loaded<M, R> {
    fn eq(&self, other: &Self) -> bool {
        self.model == other.model && self.related == other.related
    }
}

impl<M: fmt::Debug, R: fmt::Debug> fmt::Debug for Loaded<M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loaded")
            .field("model", &self.model)
            .field("related", &self.related)
            .finish()
    }
}

/// The name a slot goes by: a relation's accessor (`entries`) or a `to_attr` name, as written.
/// The key in serialized output. The derive implements it.
pub trait SlotName: 'static {
    /// The name.
    const NAME: &'static str;
    /// The key's identity, which slot lists compare (see [`super::key`]): a hash of the type's
    /// crate and name.
    type Id: Id;
}
