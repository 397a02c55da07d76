//! Generic foreign keys: the relation type and the typed accessors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use orm_codegen::model::Model;

use super::relations::{relation_impls, relation_type, slot_id};

pub fn generic(model: &Model<'_>) -> TokenStream {
    let keys = generic_foreign_keys(model);
    let relations: TokenStream = model
        .generic_relations
        .iter()
        .map(|g| generic_relation(model, g))
        .collect();
    quote!(#keys #relations)
}

/// `#[generic_relation(Items, name = tags)]` on `Book`: `BookTags`, `book.tags()`, the delete
/// cascade, and the prefetch path.
fn generic_relation(model: &Model<'_>, g: &orm_codegen::attr::GenericRelation) -> TokenStream {
    let owner = model.ident;
    let vis = model.vis;
    let name = &g.name;
    let rel = relation_type(model, name);
    let items_path = &g.target;
    let items = quote::quote_spanned!(syn::spanned::Spanned::span(items_path)=> #items_path);
    let rel_name = format!("{owner}.{name}");
    let items_path_str = quote!(#items_path).to_string().replace(' ', "");
    let owner_ty = quote!(#owner);
    let impls = relation_impls(
        &rel,
        &owner_ty,
        &items,
        quote!(_orm::prefetch::GenericReverse<#rel>),
        &name.to_string(),
    );
    let owner_id = slot_id(owner);
    let rel_doc = format!("The generic relation `{rel_name}`, as a type: a prefetch path.");
    let query_name = g.related_query_name.as_ref().map(|q| {
        let last = items_path
            .segments
            .last()
            .map_or_else(String::new, |s| s.ident.to_string());
        let alias = format_ident!(
            "{}{}",
            last,
            orm_codegen::model::camel_case(&q.to_string()),
            span = q.span()
        );
        let doc = format!(
            "From `{last}`: its generic foreign key followed to [`{owner}`] (`related_query_name = {q}`), a prefetch path."
        );
        quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            #vis const #alias: _orm::generic::GenericOf<
                <#items as _orm::generic::GenericItems>::Key,
                #owner,
            > = _orm::generic::GenericOf::NEW;
        }
    });
    let doc = format!(
        "The [`{items_path_str}`] rows whose generic foreign key points at this row, as a manager."
    );
    quote! {
        #[doc = #rel_doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #vis struct #rel;

        #[automatically_derived]
        impl _orm::generic::GenericRelation for #rel {
            type Owner = #owner;
            type Items = #items;
            const NAME: &'static str = #rel_name;
        }
        #impls

        #[automatically_derived]
        impl _orm::generic::GenericTarget<#items> for #owner {
            type Id = #owner_id;
        }
        #query_name

        impl #owner {
            #[doc = #doc]
            #vis fn #name(&self) -> _orm::generic::GenericManager<'_, #rel> {
                _orm::generic::GenericManager::of(self)
            }
        }

        _orm::inventory::submit! {
            _orm::generic::delete_info::<#rel>()
        }
    }
}

fn generic_foreign_keys(model: &Model<'_>) -> TokenStream {
    let source = model.ident;
    let vis = model.vis;
    let form = super::model::insert_form_ident(model);
    let single = (model.generic_foreign_keys.len() == 1).then(|| {
        let rel = relation_type(model, &model.generic_foreign_keys[0].name);
        quote! {
            #[automatically_derived]
            impl _orm::generic::GenericItems for #source {
                type Key = #rel;
            }
        }
    });
    // Targets of other crates, which cannot declare the generic relation themselves: one impl
    // per model, however many of this model's generic foreign keys list it.
    let mut listed = std::collections::HashSet::new();
    let targets: TokenStream = model
        .generic_foreign_keys
        .iter()
        .flat_map(|g| &g.targets)
        .filter(|target| listed.insert(quote!(#target).to_string()))
        .filter_map(|target| {
            let last = &target.segments.last()?.ident;
            let id = slot_id(last);
            Some(quote_spanned! {last.span()=>
                #[automatically_derived]
                impl _orm::generic::GenericTarget<#source> for #target {
                    type Id = #id;
                }
            })
        })
        .collect();
    let keys: TokenStream = model
        .generic_foreign_keys
        .iter()
        .map(|g| {
            let rel = relation_type(model, &g.name);
            let name = &g.name;
            let setter = format_ident!("set_{}", name);
            let (ct, id) = (&g.content_type, &g.object_id);
            let column = |ident: &syn::Ident| {
                model
                    .fields
                    .iter()
                    .find(|f| f.ident == ident)
                    .map_or_else(|| ident.to_string(), |f| f.column.clone())
            };
            let (ct_column, id_column) = (column(ct), column(id));
            // Both fields are `Option`s or neither (the IR checks): a nullable key may point at
            // nothing.
            let nullable = model.fields.iter().any(|f| f.ident == ct && f.nullable);
            let (get, set, set_new) = if nullable {
                (
                    quote! {
                        match (&row.#ct, &row.#id) {
                            (::std::option::Option::Some(ct), ::std::option::Option::Some(id)) => {
                                ::std::option::Option::Some((*ct, id.as_str()))
                            }
                            _ => ::std::option::Option::None,
                        }
                    },
                    quote! {
                        let (ct, id) = value.unzip();
                        row.#ct = ct;
                        row.#id = id;
                    },
                    quote! {
                        new.#ct = ::std::option::Option::Some(content_type);
                        new.#id = ::std::option::Option::Some(object_id);
                    },
                )
            } else {
                (
                    quote!(::std::option::Option::Some((row.#ct, row.#id.as_str()))),
                    quote! {
                        if let ::std::option::Option::Some((ct, id)) = value {
                            row.#ct = ct;
                            row.#id = id;
                        }
                    },
                    quote! {
                        new.#ct = content_type;
                        new.#id = object_id;
                    },
                )
            };
            let clear = nullable.then(|| {
                let clear = format_ident!("clear_{}", name);
                let doc = format!("Points `{name}` at nothing (in memory; `save` writes it).");
                quote! {
                    #[doc = #doc]
                    #vis fn #clear(&mut self) {
                        <#rel as _orm::generic::GenericForeignKey>::set(self, ::std::option::Option::None);
                    }
                }
            });
            let rel_name = format!("{source}.{name}");
            let rel_id = slot_id(&rel);
            let rel_doc = format!(
                "The generic foreign key `{rel_name}` (`{ct}`, `{id}`), as a type."
            );
            let read_doc = format!(
                "The `T` that `{name}` points at: `None` when it points at another model, or at a row that no longer exists. One statement when it is a `T`."
            );
            let set_doc = format!(
                "Points `{name}` at `target` (in memory; `save` writes it). `Error::Unsaved` when `target` has no row. One statement."
            );
            quote! {
                #[doc = #rel_doc]
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
                #vis struct #rel;

                #[automatically_derived]
                impl _orm::generic::GenericForeignKey for #rel {
                    type Source = #source;
                    const NAME: &'static str = #rel_name;
                    const CONTENT_TYPE_COLUMN: &'static str = #ct_column;
                    const OBJECT_ID_COLUMN: &'static str = #id_column;
                    type Id = #rel_id;
                    fn get(row: &#source) -> ::std::option::Option<(i64, &str)> {
                        #get
                    }
                    fn set(row: &mut #source, value: ::std::option::Option<(i64, ::std::string::String)>) {
                        #set
                    }
                }

                #[automatically_derived]
                impl _orm::generic::GenericInsert for #rel {
                    fn set_new(new: &mut #form, content_type: i64, object_id: ::std::string::String) {
                        #set_new
                    }
                }

                impl #source {
                    #[doc = #read_doc]
                    #vis fn #name<T: _orm::Model>(
                        &self,
                        conn: &mut _orm::Connection,
                    ) -> _orm::Result<::std::option::Option<T>>
                    where
                        T::Key: _orm::generic::ObjectId,
                    {
                        _orm::generic::read::<#rel, T>(conn, self)
                    }

                    #[doc = #set_doc]
                    #vis fn #setter<T: _orm::Model>(
                        &mut self,
                        conn: &mut _orm::Connection,
                        target: &T,
                    ) -> _orm::Result<()>
                    where
                        T::Key: _orm::generic::ObjectId,
                    {
                        _orm::generic::point::<#rel, T>(conn, self, target)
                    }

                    #clear
                }
            }
        })
        .collect();
    quote!(#keys #targets #single)
}
