//! Many-to-many relations: the traits the derive implements on a relation's type
//! (`PizzaToppings`), its two ends and its link rows, the manager of both sides, the change
//! hooks, the prefetch paths, the tracked manager and the async twins.

mod asynchronous;
mod definition;
pub mod hooks;
pub(crate) mod manager;
pub(crate) mod prefetch;
pub(crate) mod through;
mod tracked;

pub use definition::{
    EndKey, Forward, Held, KeyOf, LinkEnd, ManyToMany, ManyToManyThrough, OptionalExtra,
    PrimaryKey, Reverse, Side, Through,
};
pub use manager::ManyToManyManager;
pub use prefetch::Linked;
pub use through::{Defaults, DefaultsWith, ExtraSource, NoDefaults, ThroughQuery};
pub use tracked::TrackedLinks;
