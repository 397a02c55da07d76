//! Foreign keys and one-to-ones: the traits the derive implements on a foreign key's type
//! (`EntryBlog` for `Entry.blog_id`), its reverse manager, its prefetch paths both ways, the
//! tracked manager and the async twins.

mod asynchronous;
mod definition;
pub(crate) mod manager;
pub(crate) mod prefetch;
mod tracked;

pub use definition::{ForeignKey, ForeignKeyTarget, NullableForeignKey, OneToOne};
pub use manager::ReverseManager;
pub use prefetch::{ForwardKey, ReverseKey};
pub use tracked::TrackedRows;
