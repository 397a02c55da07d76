//! The model grammar and IR shared by `orm-derive` and the schema build step.
//!
//! One definition of what a model means, read from the same attributes by the derive (which
//! generates the typed API) and by [`Build`] (which generates the diesel schema and the DDL).
//! Stages, one per file: [`attr`] (grammar) -> [`model`] (IR) -> [`check`] (cross-field rules);
//! then [`ddl`] and [`schema`] for the build step.

pub mod attr;
pub mod build;
pub mod check;
pub mod ctxt;
pub mod ddl;
pub mod model;
pub mod schema;
pub mod symbol;
pub mod types;

pub use build::{Build, BuildError};
