//! `prefetch_related`, typed: paths are relation types, results record what was loaded.
//!
//! - `path.rs`: the relation types' trait ([`Relation`]) and what a path can say;
//! - `fetch.rs`: the one statement per relation level;
//! - `load.rs`: running paths and stitching rows onto their parents;
//! - `loaded.rs`: [`Loaded`], the typed result.

mod fetch;
mod load;
mod loaded;
mod path;
#[cfg(feature = "serde")]
mod serde;
mod track;

#[cfg(feature = "serde")]
pub use self::serde::SerializeSlots;
pub use fetch::{Fetched, JoinSpec};
pub use load::{prefetch_related_objects, IntoLoaded, Paths, Prefetching};
pub use loaded::{Has, Here, Loaded, Prefetched, Slot, There};
pub use path::{
    Arity, ForwardKey, JoinMode, Kind, Linked, Many, MaybeOne, One, Part, Plain, Prefetch,
    PrefetchPath, Relation, ReverseKey, Select, SlotName, StartsAt, ThroughMode, ToAttr,
    WithThrough,
};
pub use track::{TrackKind, TrackedLinks, TrackedRows};
