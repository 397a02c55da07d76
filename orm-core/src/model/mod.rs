//! The model layer: the `Model` trait the derive implements, its fields, writing its rows and
//! deleting them with what points at them. With the query layer it is the crate's one
//! documented circle: a model starts queries (`Model::query`), and a query set reads, writes and
//! deletes models.

mod asynchronous;
pub(crate) mod definition;
pub(crate) mod delete;
pub(crate) mod field;
pub(crate) mod registry;
pub(crate) mod write;

pub use asynchronous::AsyncModel;
pub(crate) use definition::{explain_unsaved, load_models, pk_filter};
pub use definition::{Deleted, Insert, Model, SaveHooks};
pub(crate) use field::check_rows;
pub use field::FieldDef;
pub(crate) use write::{insert_one, insert_one_if, lock_rows, Needs};
