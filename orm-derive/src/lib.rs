//! `#[derive(Model)]`. The derive only parses and expands; the grammar and IR live in
//! `orm-codegen` (shared with the schema build step) and the logic lives in `orm-core`.
//! See `orm_core::Model` for the attributes and everything the derive generates.

mod expand;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Derives `orm_core::Model`. Documented on the re-export in `orm-core`.
#[proc_macro_derive(
    Model,
    attributes(
        orm,
        foreign_key,
        one_to_one,
        many_to_many,
        generic_foreign_key,
        generic_relation
    )
)]
pub fn derive_model(input: TokenStream) -> TokenStream {
    expand::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
