//! IR -> tokens, one file per concern. What users name is emitted beside the model; every impl
//! goes into one `const _` block that reaches orm-core through the alias `_orm` only.

mod columns;
mod generic;
mod many_to_many;
mod model;
mod relations;
mod through;
mod to_attr;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};

use orm_codegen::ctxt::Ctxt;
use orm_codegen::model::{Attrs, Model};

/// Parses a `#[derive(Model)]` input and expands it, reporting every error at once.
pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: syn::DeriveInput = syn::parse2(input)?;
    let cx = Ctxt::new();
    let attrs = Attrs::from_ast(&cx, &input);
    let model = Model::from_ast(&cx, &input, &attrs);
    cx.check()?;
    let Some(model) = model else {
        return Err(syn::Error::new_spanned(&input.ident, "invalid model"));
    };

    let krate = match model.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::orm_core),
    };
    let expanders = [
        model::model_impl(&model),
        model::insert_form(&model),
        columns::columns(&model),
        relations::relations(&model),
        many_to_many::many_to_many(&model),
        through::through(&model),
        to_attr::to_attrs(&model),
        generic::generic(&model),
    ];
    let mut named = TokenStream::new();
    let mut impls = TokenStream::new();
    for tokens in expanders {
        let file: syn::File = syn::parse2(tokens)?;
        for item in file.items {
            // What users name (types, the reverse accessor's trait, path constants) stays at
            // the model's side, with the alias spelled out; impls, registrations and helpers go
            // in the block, through the alias.
            if is_named(&item) {
                named.extend(spell_out(item.into_token_stream(), &krate));
            } else {
                item.to_tokens(&mut impls);
            }
        }
    }
    Ok(quote! {
        #named
        #[doc(hidden)]
        const _: () = {
            use #krate::__private as _orm;
            #impls
        };
    })
}

/// Whether users name `item`: a type, a trait, or a constant or function whose name does not
/// start with `_`.
fn is_named(item: &syn::Item) -> bool {
    let hidden = |ident: &Ident| ident.to_string().starts_with('_');
    match item {
        syn::Item::Impl(_) | syn::Item::Macro(_) => false,
        syn::Item::Const(c) => !hidden(&c.ident),
        syn::Item::Fn(f) => !hidden(&f.sig.ident),
        _ => true,
    }
}

/// `tokens` with the alias `_orm` replaced by the path it stands for, for items outside the block
/// that declares it.
fn spell_out(tokens: TokenStream, krate: &TokenStream) -> TokenStream {
    let alias = Ident::new("_orm", Span::call_site());
    tokens
        .into_iter()
        .flat_map(|tree| match tree {
            TokenTree::Ident(ident) if ident == alias => quote!(#krate::__private),
            TokenTree::Group(group) => {
                let mut spelled =
                    proc_macro2::Group::new(group.delimiter(), spell_out(group.stream(), krate));
                spelled.set_span(group.span());
                TokenTree::Group(spelled).into_token_stream()
            }
            other => other.into_token_stream(),
        })
        .collect()
}
