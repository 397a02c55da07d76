//! A model with exactly two non-nullable foreign keys, or with the two named by
//! `#[orm(through_fields(a, b))]`, can be the through model of a many-to-many between their
//! targets: `<Model>Extra` (its other fields) and the `Through` impls that build one link row.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use orm_codegen::model::{Field, Model};

use super::model::insert_form_ident;
use super::relations::relation_type;

pub fn through(model: &Model<'_>) -> TokenStream {
    let Some([(a, fa), (b, fb)]) = model.link_keys() else {
        return TokenStream::new();
    };
    let (ta, tb) = (fa.target, fb.target);
    let unique_links = model.duplicate_links.then(|| {
        quote!(
            const UNIQUE_LINKS: bool = false;
        )
    });
    let ident = model.ident;
    let vis = model.vis;
    let extra = format_ident!("{}Extra", ident);
    let form = insert_form_ident(model);
    let fields: Vec<&Field<'_>> = model
        .fields
        .iter()
        .filter(|f| !f.auto_increment && f.ident != a.ident && f.ident != b.ident)
        .collect();
    let decls = fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        let doc = format!("Column `{}`.", f.column);
        quote!(#[doc = #doc] pub #name: #ty,)
    });
    let names: Vec<&syn::Ident> = fields.iter().map(|f| f.ident).collect();
    let optional = fields.iter().all(|f| f.nullable).then(|| {
        quote! {
            #[automatically_derived]
            impl _orm::OptionalExtra for #extra {
                fn empty() -> Self {
                    #extra { #(#names: ::std::option::Option::None,)* }
                }
            }
        }
    });
    let doc = format!(
        "The fields of [`{ident}`] beyond its two foreign keys: the `through_defaults` of a many-to-many through `{ident}`."
    );
    let link = |(s, ts): (&Field<'_>, &syn::Path), (t, tt): (&Field<'_>, &syn::Path)| {
        let (s_name, t_name) = (s.ident, t.ident);
        let (s_col, t_col) = (&s.column, &t.column);
        // Each end is what the key holds: the target's primary key or its `to_field`.
        let s_end = relation_type(model, &s.accessor());
        let t_end = relation_type(model, &t.accessor());
        quote! {
            #[automatically_derived]
            impl _orm::Through<#ts, #tt> for #ident {
                type Extra = #extra;
                type SourceEnd = _orm::Held<#s_end>;
                type TargetEnd = _orm::Held<#t_end>;
                const SOURCE_COLUMN: &'static str = #s_col;
                const TARGET_COLUMN: &'static str = #t_col;
                #unique_links
                fn link(
                    source: &_orm::EndKey<Self::SourceEnd>,
                    target: &_orm::EndKey<Self::TargetEnd>,
                    extra: &#extra,
                ) -> #form {
                    #form {
                        #s_name: ::std::clone::Clone::clone(source),
                        #t_name: ::std::clone::Clone::clone(target),
                        #(#names: ::std::clone::Clone::clone(&extra.#names),)*
                    }
                }
            }
        }
    };
    let forward = link((a, ta), (b, tb));
    // Two keys to the same model (a self-referential through model) give one impl.
    let same = quote!(#ta).to_string() == quote!(#tb).to_string();
    let backward = (!same).then(|| link((b, tb), (a, ta)));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[allow(dead_code)]
        #vis struct #extra { #(#decls)* }
        #optional
        #forward
        #backward
    }
}
