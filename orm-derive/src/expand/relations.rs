//! Foreign keys: the forward accessor, the reverse manager on the target, the compile-time
//! checks against the target, and the `on_delete` registration.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use orm_codegen::model::{Field, ForeignKey, Model};
use orm_codegen::types::generic_arg;

pub fn relations(model: &Model<'_>) -> TokenStream {
    model
        .foreign_keys()
        .map(|(field, fk)| foreign_key(model, field, fk))
        .collect()
}

/// `blog_id` -> `blog`; a field without the `_id` suffix gets `<field>_object`.
pub fn forward_name(field: &Field<'_>) -> syn::Ident {
    let name = field.ident.to_string();
    match name.strip_suffix("_id") {
        Some(stem) if !stem.is_empty() => format_ident!("{}", stem, span = field.ident.span()),
        _ => format_ident!("{}_object", name, span = field.ident.span()),
    }
}

fn foreign_key(model: &Model<'_>, field: &Field<'_>, fk: &ForeignKey<'_>) -> TokenStream {
    let source = model.ident;
    let vis = model.vis;
    let target = fk.target;
    let span = target.span();
    let target = quote_spanned!(span=> #target);
    let name = field.ident;
    let column = &field.column;
    let key_ty = if field.nullable {
        generic_arg(field.ty, "Option").unwrap_or(field.ty)
    } else {
        field.ty
    };
    let key_ty = quote_spanned!(key_ty.span()=> #key_ty);
    // Every use of the target goes through this one bound, so a wrong target or key type is one
    // error, in our words, at the attribute.
    let fk_target =
        quote_spanned!(span=> <#target as ::orm_core::__private::ForeignKeyTarget<#key_ty>>);
    let accessor = forward_name(field);
    let reverse = &fk.related_name;
    let on_delete = format_ident!("{}", fk.on_delete.name());

    let forward_doc =
        format!("The row that `{name}` points at. Runs one statement: `SELECT ... WHERE pk = ?`.");
    let forward = if field.nullable {
        quote! {
            #[doc = #forward_doc]
            #[doc = "`None` when the key is NULL."]
            #vis fn #accessor(
                &self,
                conn: &mut ::orm_core::Connection,
            ) -> ::orm_core::Result<::std::option::Option<#target>> {
                match &self.#name {
                    ::std::option::Option::Some(key) => {
                        #fk_target::fetch(conn, key).map(::std::option::Option::Some)
                    }
                    ::std::option::Option::None => ::std::result::Result::Ok(::std::option::Option::None),
                }
            }
        }
    } else {
        quote! {
            #[doc = #forward_doc]
            #vis fn #accessor(&self, conn: &mut ::orm_core::Connection) -> ::orm_core::Result<#target> {
                #fk_target::fetch(conn, &self.#name)
            }
        }
    };
    let reverse_doc =
        format!("The [`{source}`] rows whose `{name}` points at this row, as a manager.");

    quote! {
        #[automatically_derived]
        impl #source {
            #forward
        }

        #[automatically_derived]
        impl #target {
            #[doc = #reverse_doc]
            pub fn #reverse(&self) -> ::orm_core::ReverseManager<#source> {
                ::orm_core::ReverseManager::new(#column, #fk_target::key_value(self))
            }
        }

        #[doc(hidden)]
        const _: () = {
            ::orm_core::__private::inventory::submit! {
                ::orm_core::__private::ForeignKeyInfo {
                    target_table: #fk_target::TABLE,
                    source: <#source as ::orm_core::Model>::NAME,
                    source_table: <#source as ::orm_core::Model>::TABLE,
                    kind: <#key_ty as ::orm_core::__private::Field>::KIND,
                    column: #column,
                    on_delete: ::orm_core::OnDelete::#on_delete,
                    collect: ::orm_core::__private::collect_dependents::<#source>,
                }
            }
        };
    }
}
