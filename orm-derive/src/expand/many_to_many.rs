//! Many-to-many relations declared on the struct: the relation type, the manager accessor on
//! both sides, and the join table it writes (auto-created, or a through model).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use orm_codegen::model::{ManyToMany, Model};

use super::relations::{relation_impls, relation_type, reverse_accessor, reverse_path};

pub fn many_to_many(model: &Model<'_>) -> TokenStream {
    model
        .many_to_many
        .iter()
        .map(|m| relation(model, m))
        .collect()
}

fn relation(model: &Model<'_>, m: &ManyToMany<'_>) -> TokenStream {
    let source = model.ident;
    let vis = model.vis;
    let name = m.name;
    let rel = relation_type(model, name);
    let target = if m.self_referential {
        quote!(#source)
    } else {
        let t = m.target;
        quote_spanned!(t.span()=> #t)
    };
    let rel_name = format!("{source}.{name}");
    let symmetrical = m.symmetrical;
    let keys = quote! {
        source: &_orm::EndKey<Self::SourceEnd>,
        target: &_orm::EndKey<Self::TargetEnd>,
    };
    let mut links = None;
    let storage = match m.through {
        None => {
            let (table, source_column, target_column) =
                (&m.table, &m.source_column, &m.target_column);
            // Deleting either end deletes its links, counted under Django's name for the
            // auto-created through model (`Pizza_toppings`).
            let counted = format!("{source}_{name}");
            links = Some(quote! {
                _orm::inventory::submit! {
                    _orm::ForeignKeyInfo::link::<#source>(#counted, #table, #source_column)
                }
                _orm::inventory::submit! {
                    _orm::ForeignKeyInfo::link::<#target>(#counted, #table, #target_column)
                }
            });
            quote! {
                type Extra = ();
                type SourceEnd = _orm::PrimaryKey<#source>;
                type TargetEnd = _orm::PrimaryKey<#target>;
                const TABLE: &'static str = #table;
                const SOURCE_COLUMN: &'static str = #source_column;
                const TARGET_COLUMN: &'static str = #target_column;
                fn link_columns() -> &'static [&'static str] {
                    &[#source_column, #target_column]
                }
                fn link_values(#keys _extra: &()) -> ::std::vec::Vec<_orm::Value> {
                    ::std::vec![
                        _orm::Field::to_value(source),
                        _orm::Field::to_value(target),
                    ]
                }
            }
        }
        Some(through) => {
            // Every use of the through model goes through this bound: one error, at `through`.
            let link = quote_spanned!(through.span()=>
                <#through as _orm::Through<#source, #target>>);
            quote! {
                type Extra = #link::Extra;
                type SourceEnd = #link::SourceEnd;
                type TargetEnd = #link::TargetEnd;
                const TABLE: &'static str = <#through as _orm::Model>::TABLE;
                const LINK_FIELDS: &'static [_orm::FieldDef] = <#through as _orm::Model>::FIELDS;
                const UNIQUE_LINKS: bool = #link::UNIQUE_LINKS;
                const SOURCE_COLUMN: &'static str = #link::SOURCE_COLUMN;
                const TARGET_COLUMN: &'static str = #link::TARGET_COLUMN;
                fn link_columns() -> &'static [&'static str] {
                    <<#through as _orm::Model>::New as _orm::Insert>::COLUMNS
                }
                fn link_values(#keys extra: &Self::Extra) -> ::std::vec::Vec<_orm::Value> {
                    _orm::Insert::values(&#link::link(source, target, extra))
                }
            }
        }
    };
    let mirror = symmetrical.then(|| {
        quote! {
            fn mirror_values(#keys extra: &Self::Extra) -> ::std::option::Option<::std::vec::Vec<_orm::Value>> {
                ::std::option::Option::Some(Self::link_values(target, source, extra))
            }
        }
    });
    let through_impl = m.through.map(|through| {
        quote! {
            #[automatically_derived]
            impl _orm::ManyToManyThrough for #rel {
                type Through = #through;
            }
        }
    });
    let forward_doc = format!(
        "The rows linked through the many-to-many `{name}`{}, as a manager.",
        if symmetrical {
            " (symmetrical: a link goes both ways)"
        } else {
            ""
        }
    );
    let source_ty = quote!(#source);
    let forward_impls = relation_impls(
        &rel,
        &source_ty,
        &target,
        quote!(_orm::prefetch::Linked<#rel, _orm::Forward>),
        &name.to_string(),
    );
    let reverse = m.related_name.as_ref().map(|related| {
        let doc = format!(
            "The [`{source}`] rows linked to this row through `{source}.{name}`, as a manager."
        );
        let path = reverse_path(
            model,
            m.target,
            related,
            (&target, &source_ty),
            quote!(_orm::prefetch::Linked<#rel, _orm::Reverse>),
            &format!("many-to-many `{source}.{name}`"),
        );
        let accessor = reverse_accessor(
            model,
            &target,
            m.attr.related_trait.as_ref(),
            &doc,
            quote!(fn #related(&self) -> _orm::ManyToManyManager<'_, #rel, _orm::Reverse>),
            quote!(_orm::ManyToManyManager::of(self)),
        );
        quote!(#path #accessor)
    });
    let rel_doc =
        format!("The many-to-many `{rel_name}`, as a type: name it to register change hooks.");

    quote! {
        #[doc = #rel_doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #vis struct #rel;

        #forward_impls

        #[automatically_derived]
        impl _orm::ManyToMany for #rel {
            type Source = #source;
            type Target = #target;
            const SYMMETRICAL: bool = #symmetrical;
            const NAME: &'static str = #rel_name;
            #storage
            #mirror
        }
        #through_impl
        #links

        impl #source {
            #[doc = #forward_doc]
            #vis fn #name(&self) -> _orm::ManyToManyManager<'_, #rel> {
                _orm::ManyToManyManager::of(self)
            }
        }
        #reverse
    }
}
