//! Models shared by the examples.

pub mod blog;

orm_core::include_schema!();
