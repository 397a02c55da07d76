//! Generic foreign keys: the relation type and the typed accessors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use orm_codegen::model::Model;

use super::relations::relation_type;

pub fn generic_foreign_keys(model: &Model<'_>) -> TokenStream {
    let source = model.ident;
    let vis = model.vis;
    model
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
            let rel_name = format!("{source}.{name}");
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
                impl ::orm_core::generic::GenericForeignKey for #rel {
                    type Source = #source;
                    const NAME: &'static str = #rel_name;
                    const CONTENT_TYPE_COLUMN: &'static str = #ct_column;
                    const OBJECT_ID_COLUMN: &'static str = #id_column;
                    fn get(row: &#source) -> (i64, &str) {
                        (row.#ct, &row.#id)
                    }
                    fn set(row: &mut #source, content_type: i64, object_id: ::std::string::String) {
                        row.#ct = content_type;
                        row.#id = object_id;
                    }
                }

                #[automatically_derived]
                impl #source {
                    #[doc = #read_doc]
                    #vis fn #name<T: ::orm_core::Model>(
                        &self,
                        conn: &mut ::orm_core::Connection,
                    ) -> ::orm_core::Result<::std::option::Option<T>>
                    where
                        T::Key: ::orm_core::generic::ObjectId,
                    {
                        ::orm_core::generic::read::<#rel, T>(conn, self)
                    }

                    #[doc = #set_doc]
                    #vis fn #setter<T: ::orm_core::Model>(
                        &mut self,
                        conn: &mut ::orm_core::Connection,
                        target: &T,
                    ) -> ::orm_core::Result<()>
                    where
                        T::Key: ::orm_core::generic::ObjectId,
                    {
                        ::orm_core::generic::point::<#rel, T>(conn, self, target)
                    }
                }
            }
        })
        .collect()
}
