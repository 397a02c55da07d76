//! The `Model` impl, row decoding, and the insert form.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use orm_codegen::model::Model;

/// `New<Model>`: the fields a caller provides on insert (all but an auto-increment key).
pub fn insert_form_ident(model: &Model<'_>) -> syn::Ident {
    format_ident!("New{}", model.ident)
}

pub fn insert_form(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let vis = model.vis;
    let form = insert_form_ident(model);
    let fields: Vec<_> = model.fields.iter().filter(|f| !f.auto_increment).collect();
    let decls = fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        let doc = format!("Column `{}`.", f.column);
        quote!(#[doc = #doc] pub #name: #ty,)
    });
    let doc = format!(
        "The values to insert a new [`{ident}`]{}. Pass it to `{ident}::create`.",
        if model.pk().auto_increment {
            ": every field but the auto-assigned key"
        } else {
            ""
        }
    );
    let values = fields.iter().map(|f| {
        let name = f.ident;
        quote!(_orm::Field::to_value(&self.#name))
    });
    let columns = fields.iter().map(|f| &f.column);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #vis struct #form { #(#decls)* }

        #[automatically_derived]
        impl _orm::Insert for #form {
            type Model = #ident;
            const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            fn values(&self) -> ::std::vec::Vec<_orm::Value> {
                ::std::vec![#(#values),*]
            }
        }
    }
}

pub fn model_impl(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let name = ident.to_string();
    let table = &model.table;
    let form = insert_form_ident(model);
    let pk = model.pk();
    let (pk_ident, pk_ty) = (pk.ident, pk.ty);
    // A many-to-many manager takes a row or the value its links hold for it: the primary key,
    // or a unique field a through model's key holds (`to_field`). One impl per type.
    let mut key_of = TokenStream::new();
    let mut held_types: Vec<String> = Vec::new();
    for ty in model
        .fields
        .iter()
        .filter(|f| f.primary_key || f.unique)
        .map(|f| f.ty)
    {
        let name = quote!(#ty).to_string();
        if held_types.contains(&name) {
            continue;
        }
        held_types.push(name);
        key_of.extend(quote! {
            #[automatically_derived]
            impl _orm::KeyOf<#ident, #ty> for #ty {
                fn key_of(self, _: fn(&#ident) -> &#ty) -> #ty {
                    self
                }
            }

            #[automatically_derived]
            impl _orm::KeyOf<#ident, #ty> for &#ty {
                fn key_of(self, _: fn(&#ident) -> &#ty) -> #ty {
                    ::std::clone::Clone::clone(self)
                }
            }
        });
    }
    let pk_index = model.pk;

    let field_defs = model.fields.iter().map(|f| {
        let (field, column, ty) = (f.ident.to_string(), &f.column, f.ty);
        let (primary_key, auto) = (f.primary_key, f.auto_increment);
        let unique = f.primary_key || f.unique;
        let max_length = match f.length_limit() {
            Some(n) => quote!(::std::option::Option::Some(#n)),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            _orm::FieldDef {
                name: #field,
                column: #column,
                kind: <#ty as _orm::Field>::KIND,
                nullable: <#ty as _orm::Field>::NULLABLE,
                primary_key: #primary_key,
                auto_increment: #auto,
                unique: #unique,
                max_length: #max_length,
            }
        }
    });
    let values = model.fields.iter().map(|f| {
        let name = f.ident;
        quote!(_orm::Field::to_value(&self.#name))
    });
    // Each field type must be a column type; the assertion lands on the field's type.
    let assert_fields = model.fields.iter().map(|f| {
        let ty = f.ty;
        quote_spanned!(ty.span()=> _orm::assert_field::<#ty>();)
    });
    let decode_bounds = model.fields.iter().map(|f| {
        let ty = f.ty;
        quote_spanned!(ty.span()=> #ty: _orm::Decode<__DB>)
    });
    let decode = model.fields.iter().enumerate().map(|(i, f)| {
        let name = f.ident;
        quote!(#name: _orm::decode_at(row, columns, #i)?)
    });
    let columns = model.fields.iter().map(|f| &f.column);
    let width = model.fields.len();
    let hooks = (!model.hooks).then(|| {
        quote! {
            #[automatically_derived]
            impl _orm::SaveHooks for #ident {}
        }
    });

    quote! {
        #[allow(clippy::all)]
        fn __assert_fields() {
            #(#assert_fields)*
        }

        #[automatically_derived]
        impl _orm::Model for #ident {
            type Key = #pk_ty;
            type New = #form;
            const NAME: &'static str = #name;
            const TABLE: &'static str = #table;
            const FIELDS: &'static [_orm::FieldDef] = &[#(#field_defs),*];
            const PK: usize = #pk_index;
            fn key(&self) -> &Self::Key {
                &self.#pk_ident
            }
            fn values(&self) -> ::std::vec::Vec<_orm::Value> {
                ::std::vec![#(#values),*]
            }
        }

        #hooks

        #[automatically_derived]
        impl _orm::ForeignKeyTarget<#pk_ty> for #ident {}

        #key_of

        #[automatically_derived]
        impl<__DB: _orm::diesel::backend::Backend>
            _orm::BuildAt<__DB> for #ident
        where
            #(#decode_bounds,)*
        {
            const WIDTH: usize = #width;
            fn build_at<'__r>(
                row: &impl _orm::diesel::row::NamedRow<'__r, __DB>,
                columns: _orm::Columns<'_>,
            ) -> _orm::diesel::deserialize::Result<Self> {
                ::std::result::Result::Ok(#ident { #(#decode,)* })
            }
        }

        #[automatically_derived]
        impl<__DB: _orm::diesel::backend::Backend>
            _orm::diesel::deserialize::QueryableByName<__DB> for #ident
        where
            Self: _orm::BuildAt<__DB>,
        {
            fn build<'__r>(
                row: &impl _orm::diesel::row::NamedRow<'__r, __DB>,
            ) -> _orm::diesel::deserialize::Result<Self> {
                <Self as _orm::BuildAt<__DB>>::build_at(
                    row,
                    _orm::Columns::Named(&[#(#columns),*]),
                )
            }
        }
    }
}
