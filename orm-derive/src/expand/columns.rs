//! Typed column handles: `Entry::headline` is a `Column<Entry, String>`.

use proc_macro2::TokenStream;
use quote::quote;

use orm_codegen::model::Model;

pub fn columns(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let vis = model.vis;
    let consts = model.fields.iter().map(|f| {
        let (name, ty, column) = (f.ident, f.ty, &f.column);
        let doc = format!("Column `{column}`, for filters, ordering and updates.");
        quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            #vis const #name: _orm::Column<#ident, #ty> = _orm::Column::new(#column);
        }
    });
    quote! {
        impl #ident {
            #(#consts)*
        }
    }
}
