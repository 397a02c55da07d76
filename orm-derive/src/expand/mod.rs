//! IR -> tokens, one file per concern.

mod columns;
mod generic;
mod many_to_many;
mod model;
mod relations;
mod through;
mod to_attr;

use proc_macro2::TokenStream;
use quote::quote;

use orm_codegen::ctxt::Ctxt;
use orm_codegen::model::{Attrs, Model};

/// Parses a `#[derive(Model)]` input and expands it, reporting every error at once.
pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: syn::DeriveInput = syn::parse2(input)?;
    let cx = Ctxt::new();
    let attrs = Attrs::from_ast(&cx, &input);
    let model = Model::from_ast(&cx, &input, &attrs);
    cx.check()?;
    let Some(model) = model else {
        return Err(syn::Error::new_spanned(&input.ident, "invalid model"));
    };

    let model_impl = model::model_impl(&model);
    let insert_form = model::insert_form(&model);
    let columns = columns::columns(&model);
    let relations = relations::relations(&model);
    let many_to_many = many_to_many::many_to_many(&model);
    let through = through::through(&model);
    let to_attrs = to_attr::to_attrs(&model);
    let generic = generic::generic(&model);
    Ok(quote! {
        #insert_form
        #columns
        #relations
        #many_to_many
        #through
        #to_attrs
        #generic
        #[doc(hidden)]
        const _: () = {
            #model_impl
        };
    })
}
