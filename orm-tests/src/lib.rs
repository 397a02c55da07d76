//! Behaviour tests of orm-core on every backend. The models are in [`models`]; the schema the
//! build step generated from them is [`schema`] and [`MIGRATION`].

pub mod fixtures;
pub mod harness;
pub mod models;

orm_core::include_schema!();
