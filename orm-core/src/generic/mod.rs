//! Generic foreign keys: a content-type column and an object-id column, read as one relation to
//! any model (`#[generic_foreign_key(content_object)]`, Django's `GenericForeignKey`).
//!
//! The object id is stored as text, so integer, text and UUID keys all fit. Reading is a typed
//! downcast: `item.content_object::<Book>(&mut conn)` is `Some(book)` when the item points at a
//! book that exists, `None` when it points at another model or at a row that was deleted. The
//! stored ids are never touched by a read.

mod asynchronous;
mod content_type;
mod definition;
mod delete;
pub(crate) mod manager;
pub(crate) mod prefetch;
mod tracked;

pub(crate) use definition::ItemsKey;
pub use definition::{point, read, GenericForeignKey, GenericItems, GenericRelation, ObjectId};
pub use delete::delete_info;
pub use manager::{GenericInsert, GenericManager};
pub use prefetch::{
    GenericForeignKeyExt, GenericForward, GenericOf, GenericReverse, GenericTarget,
};
pub use tracked::TrackedItems;
