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

pub use fetch::{Fetched, JoinSpec};
pub use load::{prefetch_related_objects, IntoLoaded, Paths, Prefetching};
pub use loaded::{Has, Here, Loaded, Slot, There};
pub use path::{
    Arity, ForwardKey, JoinMode, Kind, Linked, Many, MaybeOne, One, Part, Plain, Prefetch,
    PrefetchPath, Relation, ReverseKey, Select, ThroughMode, ToAttr, WithThrough,
};
