//! Foreign keys and one-to-ones: the forward accessor, the reverse manager (or, for a
//! one-to-one, the one row) on the target, the compile-time checks against the target, and the
//! `on_delete` registration.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use orm_codegen::model::{camel_case, reverse_type_name, Field, ForeignKey, Model};
use orm_codegen::types::generic_arg;

pub fn relations(model: &Model<'_>) -> TokenStream {
    model
        .foreign_keys()
        .map(|(field, fk)| foreign_key(model, field, fk))
        .collect()
}

/// The type that names a relation: `Entry` + `blog` -> `EntryBlog`.
pub fn relation_type(model: &Model<'_>, accessor: &syn::Ident) -> syn::Ident {
    format_ident!(
        "{}{}",
        model.ident,
        camel_case(&accessor.to_string()),
        span = accessor.span()
    )
}

/// What makes a relation type a prefetch path: `impl Relation` and the slot's name.
pub fn relation_impls(
    ty: &syn::Ident,
    source: &TokenStream,
    target: &TokenStream,
    kind: TokenStream,
    name: &str,
) -> TokenStream {
    let slot_name = slot_name(ty, name);
    quote! {
        #[automatically_derived]
        impl _orm::Relation for #ty {
            type Source = #source;
            type Target = #target;
            type Kind = #kind;
        }

        #[automatically_derived]
        impl _orm::prefetch::StartsAt<#source> for #ty {
            fn parents<'a, 'm>(parents: &'a [&'m #source]) -> &'a [&'m #source] {
                parents
            }
        }
        #slot_name
    }
}

/// `impl SlotName`: the key of a relation or a `to_attr` name in serialized output.
pub fn slot_name(ty: &syn::Ident, name: &str) -> TokenStream {
    let id = slot_id(ty);
    quote! {
        #[automatically_derived]
        impl _orm::prefetch::SlotName for #ty {
            const NAME: &'static str = #name;
            type Id = #id;
        }
    }
}

/// The type-level identity of the type `ty` (see `orm_core::prefetch::key`): the 64-bit FNV-1a
/// hash of the crate being compiled and the type's name, as 16 hex digits for `slot_id!`.
pub fn slot_id(ty: &syn::Ident) -> TokenStream {
    let krate = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let hash = fnv1a(format!("{krate}::{ty}").as_bytes());
    let digits = format!("{hash:016x}")
        .into_bytes()
        .into_iter()
        .map(|c| match c {
            b'0'..=b'9' => proc_macro2::Literal::u8_unsuffixed(c - b'0').into_token_stream(),
            _ => format_ident!("{}", char::from(c)).into_token_stream(),
        });
    quote!(_orm::slot_id!(#(#digits)*))
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The type that names the reverse of a relation (`of`, for its doc), as a prefetch path from
/// `types.0` (the target) to `types.1` (the model declaring it), loaded as `kind`.
pub fn reverse_path(
    model: &Model<'_>,
    target: &syn::Path,
    accessor: &syn::Ident,
    types: (&TokenStream, &TokenStream),
    kind: TokenStream,
    of: &str,
) -> TokenStream {
    let vis = model.vis;
    let ty = reverse_type(model, target, accessor);
    let doc = format!(
        "The reverse of the {of} (the accessor `{accessor}`), as a type: a prefetch path from its target."
    );
    let impls = relation_impls(&ty, types.0, types.1, kind, &accessor.to_string());
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #vis struct #ty;
        #impls
    }
}

/// The reverse accessor of a relation, on its target: an inherent method, or with
/// `related_trait = Name` the one method of a trait `Name`, declared beside the model and
/// implemented for the target. Rust allows no inherent method on a type of another crate, so a
/// target there needs the trait.
pub fn reverse_accessor(
    model: &Model<'_>,
    target: &TokenStream,
    related_trait: Option<&syn::Ident>,
    doc: &str,
    signature: TokenStream,
    body: TokenStream,
) -> TokenStream {
    let Some(name) = related_trait else {
        // At the target, where rustc reports a target of another crate (E0116).
        let span = target
            .clone()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span());
        return quote_spanned! {span=>
            impl #target {
                #[doc = #doc]
                pub #signature {
                    #body
                }
            }
        };
    };
    let vis = model.vis;
    let trait_doc = format!(
        "The reverse accessor of a relation declared on [`{}`], for its target (a model of another crate): bring the trait into scope to call it.",
        model.ident
    );
    quote! {
        #[doc = #trait_doc]
        #vis trait #name {
            #[doc = #doc]
            #signature;
        }

        #[automatically_derived]
        impl #name for #target {
            #signature {
                #body
            }
        }
    }
}

/// The type that names the reverse of a relation, after the target and the reverse accessor:
/// `Blog` + `entries` -> `BlogEntries`.
pub fn reverse_type(model: &Model<'_>, target: &syn::Path, accessor: &syn::Ident) -> syn::Ident {
    syn::Ident::new(
        &reverse_type_name(model.ident, target, accessor),
        accessor.span(),
    )
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
    let accessor = field.accessor();
    let rel = relation_type(model, &accessor);
    // Every use of the target goes through the relation type, whose `Target` bound is the one
    // check: a wrong target or key type is one error, in our words, at the attribute.
    let fk_target = quote!(<#rel as _orm::ForeignKey>);
    let on_delete = format_ident!("{}", fk.on_delete.name());
    // The key `Set(expr)` or `SetDefault` points rows at, as the key field would hold it.
    let field_ty = field.ty;
    let default = match (&fk.attr.set_to, field.default) {
        (Some(expr), _) => quote_spanned! {expr.span()=>
            ::std::option::Option::Some(|| {
                let value: #field_ty = ::std::convert::Into::into(#expr);
                _orm::Field::to_value(&value)
            })
        },
        (None, default) => match default {
            Some((orm_codegen::attr::DefaultValue::Null, _)) => quote! {
                ::std::option::Option::Some(|| {
                    let key: ::std::option::Option<#key_ty> = ::std::option::Option::None;
                    _orm::Field::to_value(&key)
                })
            },
            Some((orm_codegen::attr::DefaultValue::Str(_), expr)) => quote! {
                ::std::option::Option::Some(|| {
                    let key: #key_ty = ::std::convert::From::from(#expr);
                    _orm::Field::to_value(&key)
                })
            },
            Some((_, expr)) => quote! {
                ::std::option::Option::Some(|| {
                    let key: #key_ty = #expr;
                    _orm::Field::to_value(&key)
                })
            },
            None => quote!(::std::option::Option::None),
        },
    };

    let forward_doc =
        format!("The row that `{name}` points at. Runs one statement: `SELECT ... WHERE pk = ?`.");
    let forward = if field.nullable {
        quote! {
            #[doc = #forward_doc]
            #[doc = "`None` when the key is NULL."]
            #vis fn #accessor(
                &self,
                conn: &mut _orm::Connection,
            ) -> _orm::Result<::std::option::Option<#target>> {
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
            #vis fn #accessor(&self, conn: &mut _orm::Connection) -> _orm::Result<#target> {
                #fk_target::fetch(conn, &self.#name)
            }
        }
    };
    let (reverse_arity, one_to_one) = if fk.one_to_one {
        (
            quote!(_orm::prefetch::MaybeOne),
            Some(quote! {
                #[automatically_derived]
                impl _orm::OneToOne for #rel {}
            }),
        )
    } else {
        (quote!(_orm::prefetch::Many), None)
    };
    let rel_doc = format!(
        "The foreign key `{source}.{name}`, as a type: what [`{source}::{accessor}`] follows and the reverse manager manages."
    );
    let field_ty = field.ty;
    let form = super::model::insert_form_ident(model);
    let rel_name = format!("{source}.{name}");
    let (wrap, null, target_key, arity) = if field.nullable {
        (
            quote!(::std::option::Option::Some(key)),
            quote!(::std::option::Option::Some(::std::option::Option::None)),
            quote!(row.#name.as_ref()),
            quote!(_orm::prefetch::MaybeOne),
        )
    } else {
        (
            quote!(key),
            quote!(::std::option::Option::None),
            quote!(::std::option::Option::Some(&row.#name)),
            quote!(_orm::prefetch::One),
        )
    };
    // The target field the key holds. For the primary key, `ForeignKeyTarget` checks the
    // target and the key type (one error, in our words, at the attribute); for a `to_field`,
    // the field access checks that it exists with the key's type, and `unique_column` (a
    // constant the `on_delete` registration below always evaluates) that it is unique.
    let target_model = quote_spanned!(span=> <#target as _orm::Model>);
    let (target_column, target_value) = match fk.to_field {
        None => (
            quote!(#target_model::FIELDS[#target_model::PK].column),
            quote_spanned!(span=> <#target as _orm::ForeignKeyTarget<#key_ty>>::key_for_foreign_key(target)),
        ),
        Some(to) => {
            let to_name = to.to_string();
            (
                quote_spanned!(to.span()=>
                    _orm::unique_column(#target_model::FIELDS, #to_name)
                ),
                quote_spanned!(to.span()=> &target.#to),
            )
        }
    };
    let source_ty = quote!(#source);
    let target_ty = quote!(#fk_target::Target);
    let forward_impls = relation_impls(
        &rel,
        &source_ty,
        &target_ty,
        quote!(_orm::prefetch::ForwardKey<#rel>),
        &accessor.to_string(),
    );
    // The reverse: its type (a prefetch path from the target) and the target's accessor; none
    // for `related_name = "+"`.
    let reverse = fk.related_name.as_ref().map(|reverse| {
        let path = reverse_path(
            model,
            fk.target,
            reverse,
            (&target_ty, &source_ty),
            quote!(_orm::prefetch::ReverseKey<#rel>),
            &format!("foreign key `{source}.{name}`"),
        );
        let reverse_accessor = if fk.one_to_one {
            let doc = format!(
                "The [`{source}`] row whose `{name}` points at this row, if any. Runs one statement."
            );
            reverse_accessor(
                model,
                &target,
                fk.attr.related_trait.as_ref(),
                &doc,
                quote! {
                    fn #reverse(
                        &self,
                        conn: &mut _orm::Connection,
                    ) -> _orm::Result<::std::option::Option<#source>>
                },
                quote!(<#rel as _orm::OneToOne>::source_of(conn, self)),
            )
        } else {
            let doc = format!("The [`{source}`] rows whose `{name}` points at this row, as a manager.");
            reverse_accessor(
                model,
                &target,
                fk.attr.related_trait.as_ref(),
                &doc,
                quote!(fn #reverse(&self) -> _orm::ReverseManager<#rel>),
                quote!(_orm::ReverseManager::of(self)),
            )
        };
        quote!(#path #reverse_accessor)
    });
    let set_new = if field.auto_increment {
        quote!(let _ = (new, value);)
    } else {
        quote!(new.#name = value;)
    };
    let nullable = field.nullable.then(|| {
        quote! {
            #[automatically_derived]
            impl _orm::NullableForeignKey for #rel {
                fn null_value() -> #field_ty {
                    ::std::option::Option::None
                }
            }
        }
    });

    quote! {
        #[doc = #rel_doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #vis struct #rel;

        #[automatically_derived]
        impl _orm::ForeignKey for #rel {
            type Source = #source;
            type Key = #key_ty;
            type Target = #target;
            type Value = #field_ty;
            type Arity = #arity;
            type ReverseArity = #reverse_arity;
            const COLUMN: &'static str = #column;
            const NAME: &'static str = #rel_name;
            const TARGET_COLUMN: &'static str = #target_column;
            fn target_value(target: &#target) -> &#key_ty {
                #target_value
            }
            fn wrap(key: #key_ty) -> #field_ty {
                #wrap
            }
            fn get(row: &#source) -> &#field_ty {
                &row.#name
            }
            fn target_key(row: &#source) -> ::std::option::Option<&#key_ty> {
                #target_key
            }
            fn set(row: &mut #source, value: #field_ty) {
                row.#name = value;
            }
            fn set_new(new: &mut #form, value: #field_ty) {
                #set_new
            }
            fn null() -> ::std::option::Option<#field_ty> {
                #null
            }
        }
        #nullable
        #one_to_one

        #forward_impls
        #reverse

        impl #source {
            #forward
        }

        _orm::inventory::submit! {
            _orm::ForeignKeyInfo::of::<#rel>(
                _orm::OnDelete::#on_delete,
                #default,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fnv1a;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
