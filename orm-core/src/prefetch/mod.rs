//! `prefetch_related`, typed: paths are relation types, results record what was loaded.
//!
//! `Model::query().prefetch(path)` loads a relation for every row at once, one statement per
//! relation level, and returns [`Loaded`] values; `loaded.get(path)` reads what was prefetched at
//! no cost, and does not compile for anything else. [`prefetch_related_objects`] does the same
//! for objects already in hand. The Django mapping, call by call, is `docs/PREFETCH.md`.
//!
//! Files:
//! - `path.rs`: the relation types' trait ([`Relation`]) and what a path can say;
//! - `fetch.rs`: the one statement per relation level;
//! - `load.rs`: running paths and stitching rows onto their parents;
//! - `slots.rs`: a path's result onto loaded values, merged into a slot already there;
//! - `key.rs`: slot keys the trait solver compares;
//! - `loaded.rs`: [`Loaded`], the typed result;
//! - `track.rs`: writes through a prefetched relation that keep it in step;
//! - `serde.rs`: nested JSON (feature `serde`).

mod count;
mod fetch;
mod join;
pub mod key;
mod load;
mod loaded;
mod path;
mod rows;
#[cfg(feature = "serde")]
mod serde;
mod slots;
mod track;

#[cfg(feature = "serde")]
pub use self::serde::SerializeSlots;
pub use count::{CountJoin, WithCount};
pub use fetch::{Fetched, JoinSpec};
pub use join::{IntoSelect, JoinKind, JoinMode, JoinOne, Select};
pub use load::{
    prefetch_related_objects, IntoLoaded, LoadedRow, Paths, Prefetching, SlotsOf, WithSlot,
};
pub use loaded::{Has, HasAt, Loaded, Prefetched, Slot};
pub use path::{
    AllRows, Arity, Dropping, ForwardKey, GenericForward, GenericReverse, Kind, Linked, Many,
    MaybeOne, One, OrderAcross, Part, Plain, Prefetch, PrefetchPath, Relation, ReverseKey, Rows,
    Scope, SlotName, SomeRows, StartsAt, ThroughMode, ToAttr, WithThrough,
};
pub use slots::{AddPath, AddPaths, AddWhen, Holds, Item, MergeAt, Seen, SlotValue};
pub use track::{TrackKind, TrackedItems, TrackedLinks, TrackedRows};
