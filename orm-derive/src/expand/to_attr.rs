//! `#[orm(to_attr(name, ...))]`: a type per name, to store a prefetch under.

use proc_macro2::TokenStream;
use quote::quote;

use orm_codegen::model::Model;

use super::relations::{relation_type, slot_name};

pub fn to_attrs(model: &Model<'_>) -> TokenStream {
    let source = model.ident;
    let vis = model.vis;
    model
        .to_attrs
        .iter()
        .map(|name| {
            let ty = relation_type(model, name);
            let text = name.to_string();
            let slot_name = slot_name(&ty, &text);
            let doc = format!(
                "The `to_attr` name `{text}` of [`{source}`]: store a prefetch under it with `.to({ty})`, read it with `.get({ty})`."
            );
            quote! {
                #[doc = #doc]
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
                #vis struct #ty;

                #[automatically_derived]
                impl _orm::prefetch::ToAttr<#source> for #ty {}

                #slot_name
            }
        })
        .collect()
}
