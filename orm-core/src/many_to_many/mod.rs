//! Many-to-many relations: the traits the derive implements on a relation's type
//! (`PizzaToppings`), its two ends and its link rows, the manager of both sides, the change
//! hooks, the prefetch paths, the tracked manager and the async twins.

mod asynchronous;
mod definition;
pub mod hooks;
pub(crate) mod manager;
pub(crate) mod prefetch;
mod tracked;

pub use definition::{
    EndKey, Forward, Held, KeyOf, LinkEnd, ManyToMany, ManyToManyThrough, OptionalExtra,
    PrimaryKey, Reverse, Side, Through,
};
pub use manager::{
    Defaults, DefaultsWith, ExtraSource, ManyToManyManager, NoDefaults, ThroughQuery,
};
pub use prefetch::Linked;
pub use tracked::TrackedLinks;
