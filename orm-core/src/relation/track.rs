//! Writes through a prefetched relation that keep the prefetched rows in step: a manager
//! borrowed from a [`Loaded`] value (`blog.track(BlogEntries).create(..)`).
//!
//! After each write the slot holds what a plain prefetch of the relation would load now, with
//! no extra statement: added and created rows are appended, removed ones dropped, `clear`
//! empties it, `set` replaces it. A slot loaded with a custom query (a filter, top N) is a view
//! the write may not respect: prefetch again for those.

use std::collections::HashSet;

use crate::model::Model;

use super::loaded::{Has, Loaded};
use super::path::Relation;

/// The kinds of relation whose prefetched rows a manager can keep in step (reverse foreign keys
/// and many-to-many), and the manager for each.
#[diagnostic::on_unimplemented(
    message = "writes through `{Self}` cannot keep its prefetched rows in step",
    label = "only a reverse foreign key or a many-to-many prefetched as is can be tracked",
    note = "use the model's own manager and prefetch again"
)]
pub trait TrackKind<M, V> {
    /// The manager.
    type Tracked<'a>
    where
        M: 'a,
        V: 'a;
    /// The manager for `owner`, updating `slot`.
    fn track<'a>(owner: &'a M, slot: &'a mut V) -> Self::Tracked<'a>;
}

impl<M, R> Loaded<M, R> {
    /// A manager for the prefetched relation `key` that also updates what was prefetched:
    /// `blog.track(BlogEntries).create(&mut conn, |blog_id| NewEntry { .. })` appends the new
    /// entry to `blog.get(BlogEntries)`. Costs what the manager's method costs, nothing more.
    pub fn track<K>(
        &mut self,
        key: K,
    ) -> <K::Kind as TrackKind<M, <R as Has<K>>::Value>>::Tracked<'_>
    where
        K: Relation,
        R: Has<K>,
        K::Kind: TrackKind<M, <R as Has<K>>::Value>,
    {
        let _ = key;
        let (model, related) = self.parts_mut();
        <K::Kind as TrackKind<M, _>>::track(model, related.slot_mut())
    }
}

/// Appends the objects the rows do not hold yet.
pub(crate) fn append<T: Model + Clone, O: std::ops::Deref<Target = T>>(
    rows: &mut Vec<Loaded<T>>,
    objs: &[O],
) {
    let mut have: HashSet<_> = rows.iter().map(|r| r.key().clone()).collect();
    for obj in objs {
        if have.insert(obj.key().clone()) {
            rows.push(Loaded::new((**obj).clone()));
        }
    }
}

/// Drops the rows of the objects.
pub(crate) fn drop_rows<T: Model, O: std::ops::Deref<Target = T>>(
    rows: &mut Vec<Loaded<T>>,
    objs: &[O],
) {
    let gone: HashSet<_> = objs.iter().map(|o| o.key()).collect();
    rows.retain(|r| !gone.contains(r.key()));
}
