//! The diesel schema (`table!`, `joinable!`, `allow_tables_to_appear_in_same_query!`) for every
//! model of a crate, so users can drop down to diesel's query builder at any time.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ddl::{by_name, target, DdlError};
use crate::model::{snake_case, Model};

/// The `schema` module's body: this crate's tables. A foreign key to an `external` model (of
/// another crate, whose schema holds its table) gets no `joinable!`.
pub fn diesel_schema(
    models: &[Model<'_>],
    external: &[Model<'_>],
) -> Result<TokenStream, DdlError> {
    let by_name = by_name(models, external);
    let mut tables = Vec::new();
    let mut joins = Vec::new();
    let mut modules = Vec::new();
    let mut pairs: HashMap<(String, String), usize> = HashMap::new();
    for model in models {
        for (_, fk) in model.foreign_keys() {
            let t = target(fk.target, &by_name)?;
            *pairs
                .entry((model.table.clone(), t.table.clone()))
                .or_default() += 1;
        }
    }
    for model in models {
        let module = table_module(model);
        let sql_name = (module != model.table).then(|| {
            let table = &model.table;
            quote!(#[sql_name = #table])
        });
        let pk = &model.pk().ident;
        let columns = model.fields.iter().map(|f| {
            let ident = f.ident;
            let ty = format_ident!("{}", f.kind.diesel_type());
            let ty = if f.nullable {
                quote!(Nullable<#ty>)
            } else {
                quote!(#ty)
            };
            let rename = (*ident != f.column).then(|| {
                let c = &f.column;
                quote!(#[sql_name = #c])
            });
            quote!(#rename #ident -> #ty,)
        });
        tables.push(quote! {
            diesel::table! {
                #sql_name
                #module (#pk) { #(#columns)* }
            }
        });
        for (field, fk) in model.foreign_keys() {
            let t = target(fk.target, &by_name)?;
            // diesel joins on the primary key only, so a `to_field` key gets no `joinable!`.
            let ambiguous = pairs[&(model.table.clone(), t.table.clone())] != 1;
            let elsewhere = external.iter().any(|e| e.table == t.table);
            if t.table == model.table || ambiguous || fk.to_field.is_some() || elsewhere {
                continue;
            }
            let parent = table_module(t);
            let column = field.ident;
            joins.push(quote!(diesel::joinable!(#module -> #parent (#column));));
        }
        modules.push(module);
        for m in model.many_to_many.iter().filter(|m| m.through.is_none()) {
            let other = if m.self_referential {
                model
            } else {
                target(m.target, &by_name)?
            };
            let module = syn::parse_str::<syn::Ident>(&m.table)
                .unwrap_or_else(|_| format_ident!("{}_{}", table_module(model), m.name));
            let (a, b) = (
                format_ident!("{}", m.source_column),
                format_ident!("{}", m.target_column),
            );
            let (ta, tb) = (
                format_ident!("{}", model.pk().kind.diesel_type()),
                format_ident!("{}", other.pk().kind.diesel_type()),
            );
            tables.push(quote! {
                diesel::table! {
                    #module (#a, #b) { #a -> #ta, #b -> #tb, }
                }
            });
            modules.push(module);
        }
    }
    let allow = (modules.len() > 1)
        .then(|| quote!(diesel::allow_tables_to_appear_in_same_query!(#(#modules),*);));
    Ok(quote! {
        #(#tables)*
        #(#joins)*
        #allow
    })
}

/// The module name of a model's table: the table name when it is a plain identifier.
pub fn table_module(model: &Model<'_>) -> syn::Ident {
    syn::parse_str::<syn::Ident>(&model.table)
        .unwrap_or_else(|_| format_ident!("{}", snake_case(&model.ident.to_string())))
}
