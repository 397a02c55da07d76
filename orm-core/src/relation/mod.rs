//! The relation engine, which names no relation kind: prefetch paths and what they can say,
//! the statement per level and its rows, stitching rows onto their parents, the typed loaded
//! values and their slots, `select_related` joins, counts per row, and tracking writes through
//! a prefetched relation. Each kind (`foreign_key`, `many_to_many`, `generic`) implements its
//! traits ([`RelationKind`], [`JoinKind`], [`CountJoin`], [`OrderAcross`], [`TrackKind`]).
//!
//! Files, from the bottom up:
//! - `kind.rs`: the contract a kind implements ([`RelationKind`], [`Arity`], [`JoinKind`],
//!   [`OrderAcross`]) and what it hands back ([`Fetched`], [`JoinSpec`]);
//! - `key.rs`: slot keys the trait solver compares;
//! - `loaded.rs`: [`Loaded`], the typed result, and its slots;
//! - `path.rs`: the relation types' trait ([`Relation`]) and what a path can say (a custom
//!   query, nested paths, `to_attr`, through rows, `select_related`);
//! - `rows.rs`: reading a level's rows;
//! - `fetch.rs`: the one statement per relation level, and grouping its rows by parent;
//! - `load.rs`: running paths and stitching rows onto their parents;
//! - `slots.rs`: a path's result onto loaded values, merged into a slot already there;
//! - `join.rs`: `select_related`, joined into the level's statement;
//! - `count.rs`: `with_count`, a count per row;
//! - `related_manager.rs`: what every related manager shares (`all`, `count`, `get_or_create`,
//!   ..., and their async twins);
//! - `track.rs`: what a tracked manager shares;
//! - `asynchronous.rs`: prefetching on an async connection;
//! - `serde.rs`: nested JSON (feature `serde`).

mod asynchronous;
pub(crate) mod count;
pub(crate) mod fetch;
pub(crate) mod join;
pub mod key;
pub(crate) mod kind;
pub(crate) mod load;
pub(crate) mod loaded;
pub(crate) mod path;
pub(crate) mod related_manager;
pub(crate) mod rows;
#[cfg(feature = "serde")]
mod serde;
pub(crate) mod slots;
pub(crate) mod track;

#[cfg(feature = "serde")]
pub use self::serde::SerializeSlots;
pub use asynchronous::aprefetch_related_objects;
pub use count::{CountJoin, WithCount};

pub use kind::{
    AllRows, Arity, Fetched, JoinKind, JoinSpec, Many, MaybeOne, One, OrderAcross, Part,
    RelationKind, Rows, Scope, SomeRows,
};
pub use load::{prefetch_related_objects, IntoLoaded, LoadedRow, Prefetching, SlotsOf, WithSlot};
pub use loaded::{Has, HasAt, Loaded, Prefetched, Slot, SlotName};
pub use path::{
    Dropping, IntoSelect, JoinMode, JoinOne, Paths, Plain, Prefetch, PrefetchPath, Relation, Seen,
    Select, StartsAt, ThroughMode, ToAttr, WithThrough,
};
pub use related_manager::{AsyncRelatedManager, CreateRelated, RelatedManager};
pub use slots::{AddPath, AddPaths, AddWhen, Holds, Item, MergeAt, SlotValue};
pub use track::TrackKind;
