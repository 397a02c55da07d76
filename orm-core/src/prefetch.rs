//! `prefetch_related`, typed: paths are relation types, results record what was loaded.
//!
//! `Model::query().prefetch(path)` loads a relation for every row at once, one statement per
//! relation level, and returns [`Loaded`] values; `loaded.get(path)` reads what was prefetched at
//! no cost, and does not compile for anything else. [`prefetch_related_objects`] does the same
//! for objects already in hand. The Django mapping, call by call, is `docs/PREFETCH.md`.
//!
//! The engine is the crate's `relation` layer; each relation kind implements its part beside
//! its manager (`foreign_key`, `many_to_many`, `generic`). This module gathers the names a
//! path's user, and the derive, reach.

pub use crate::foreign_key::{ForwardKey, ReverseKey, TrackedRows};
pub use crate::generic::{GenericForward, GenericReverse, TrackedItems};
pub use crate::many_to_many::{Linked, TrackedLinks};
pub use crate::relation::key;
#[cfg(feature = "serde")]
pub use crate::relation::SerializeSlots;
pub use crate::relation::{
    aprefetch_related_objects, prefetch_related_objects, AddPath, AddPaths, AddWhen, AllRows,
    Arity, CountJoin, Dropping, Fetched, Has, HasAt, Holds, IntoLoaded, IntoSelect, Item, JoinKind,
    JoinMode, JoinOne, JoinSpec, Loaded, LoadedRow, Many, MaybeOne, MergeAt, One, OrderAcross,
    Part, Paths, Plain, Prefetch, PrefetchPath, Prefetched, Prefetching, Relation, RelationKind,
    Rows, Scope, Seen, Select, Slot, SlotName, SlotValue, SlotsOf, SomeRows, StartsAt, ThroughMode,
    ToAttr, TrackKind, WithCount, WithSlot, WithThrough,
};

/// The old name of [`RelationKind`], kept for one release.
#[doc(hidden)]
pub use crate::relation::RelationKind as Kind;
