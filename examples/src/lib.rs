//! Models shared by the examples.

pub mod blog;
pub mod links;
pub mod tagging;

orm_core::include_schema!();
