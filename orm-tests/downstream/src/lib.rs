//! Models in a crate of their own whose relations point at [`orm_tests`]' models, as an
//! application's crate points at a shared one (Django's apps pointing at `auth.User`). The build
//! step reads orm-tests' model file with `Build::extern_file`; each reverse accessor on a model
//! of orm-tests is a method of a trait named by `related_trait`.

pub mod models;

orm_core::include_schema!();
