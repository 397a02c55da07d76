//! Models shared by the examples.

pub mod blog;
pub mod links;

orm_core::include_schema!();
