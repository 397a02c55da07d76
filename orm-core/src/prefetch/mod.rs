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
mod track;

pub use fetch::{Fetched, JoinSpec};
pub use load::{prefetch_related_objects, IntoLoaded, Paths, Prefetching};
pub use loaded::{Has, Here, Loaded, Prefetched, Slot, There};
pub use track::{TrackKind, TrackedLinks, TrackedRows};
pub use path::{
    Arity, ForwardKey, JoinMode, Kind, Linked, Many, MaybeOne, One, Part, Plain, Prefetch,
    PrefetchPath, Relation, ReverseKey, Select, StartsAt, ThroughMode, ToAttr, WithThrough,
};
