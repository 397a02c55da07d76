//! Rules that span several fields or attributes.

use std::collections::HashMap;

use crate::attr::{DefaultValue, OnDelete};
use crate::ctxt::Ctxt;
use crate::model::{Field, Model, Relation};
use crate::types::ColumnType;

/// Rules across fields, run once the IR is built.
pub fn model(cx: &Ctxt, model: &Model<'_>) {
    if model.duplicate_links && model.link_keys().is_none() {
        cx.error_spanned_by(
            model.ident,
            "`#[orm(duplicate_links)]` is for a many-to-many's through model: one with two foreign keys that are not `Option`s, one to each side (or `through_fields(a, b)` naming them)",
        );
    }
    if let Some((a, b)) = model.through_fields {
        for name in [a, b] {
            match model.fields.iter().find(|f| f.is_named(name)) {
                None => cx.error_spanned_by(name, format!("`{}` has no field `{name}`", model.ident)),
                Some(f) if f.relation.is_none() => cx.error_spanned_by(
                    name,
                    format!("`{name}` is not a foreign key; `through_fields` names the two `#[foreign_key(..)]` fields that link the sides"),
                ),
                Some(f) if f.nullable => cx.error_spanned_by(
                    name,
                    format!("`{name}` is nullable, and a link needs both keys; make it a field that is not an `Option`"),
                ),
                Some(_) => {}
            }
        }
        if a == b {
            cx.error_spanned_by(
                b,
                "`through_fields` names one field twice; name the key to each side",
            );
        }
    }
    let mut accessors: Vec<&syn::Ident> = Vec::new();
    for m in &model.many_to_many {
        if model.fields.iter().any(|f| f.ident == m.name) || accessors.contains(&m.name) {
            cx.error_spanned_by(
                m.name,
                format!("`{}` is already a field or a many-to-many of this model; give the accessor another name", m.name),
            );
        }
        accessors.push(m.name);
    }
    for g in model.generic_relations {
        if model.fields.iter().any(|f| *f.ident == g.name) || accessors.contains(&&g.name) {
            cx.error_spanned_by(
                &g.name,
                format!("`{}` is already a field or a relation of this model; give the accessor another name", g.name),
            );
        }
        accessors.push(&g.name);
    }
    related_traits(cx, model);
    let forward: Vec<syn::Ident> = model
        .foreign_keys()
        .map(|(field, _)| field.accessor())
        .collect();
    let mut attrs: Vec<&syn::Ident> = Vec::new();
    for name in model.to_attrs {
        let model_name = model.ident;
        let taken = if model.fields.iter().any(|f| f.ident == name) {
            Some(format!("is a field of `{model_name}`"))
        } else if accessors.contains(&name) || forward.iter().any(|a| a == name) {
            Some(format!("is a relation of `{model_name}`"))
        } else if attrs.contains(&name) {
            Some("is already a `to_attr` name".to_owned())
        } else {
            None
        };
        if let Some(what) = taken {
            cx.error_spanned_by(
                name,
                format!("`{name}` {what}, so prefetched rows cannot be stored under it; pick another `to_attr` name"),
            );
        }
        attrs.push(name);
    }
    for g in model.generic_foreign_keys {
        generic_foreign_key(cx, model, g, &accessors, &forward);
    }
    let mut columns: HashMap<&str, &Field<'_>> = HashMap::new();
    for field in &model.fields {
        if let Some(first) = columns.insert(&field.column, field) {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "column `{}` is already used by field `{}`; rename one with `#[orm(column = \"...\")]`",
                    field.column, first.ident
                ),
            );
        }
        if let Some((DefaultValue::Null, expr)) = &field.default {
            if !field.nullable {
                cx.error_spanned_by(
                    expr,
                    format!(
                        "`default = None` needs an `Option<_>` field; `{}` cannot hold NULL",
                        type_name(field)
                    ),
                );
            }
        } else if let Some(default) = &field.default {
            if !default_fits(default.0, field.kind) {
                cx.error_spanned_by(
                    default.1,
                    format!(
                        "this default does not fit a column of type `{}`",
                        type_name(field)
                    ),
                );
            }
        }
        if field.primary_key && field.default.is_some() {
            cx.error_spanned_by(field.ident, "a primary key cannot have a default");
        }
        if let Some(written) = field.max_length {
            max_length(cx, field, written);
        }
        let Some(Relation::ForeignKey(fk)) = &field.relation else {
            continue;
        };
        if field.primary_key {
            cx.error_spanned_by(
                &fk.attr.attr,
                "a primary key cannot also be a foreign key; add a separate key field",
            );
        }
        if fk.on_delete == OnDelete::SetDefault && field.default.is_none() {
            let msg = format!(
                "`on_delete = SetDefault` needs a default for `{}`: add `#[orm(default = ..)]` with the key of the row to point at",
                field.ident
            );
            match fk.attr.on_delete_span.as_ref() {
                Some(p) => cx.error_spanned_by(p, msg),
                None => cx.error_spanned_by(&fk.attr.attr, msg),
            }
        }
        if fk.on_delete == OnDelete::SetNull && !field.nullable {
            let at = fk.attr.on_delete_span.as_ref();
            let msg = format!(
                "`on_delete = SetNull` needs a nullable column; make the field `Option<{}>`",
                type_name(field)
            );
            match at {
                Some(p) => cx.error_spanned_by(p, msg),
                None => cx.error_spanned_by(&fk.attr.attr, msg),
            }
        }
    }
}

/// A `related_trait` name is not the name of the reverse path type the same relation declares
/// beside it (rustc would report only "defined multiple times").
fn related_traits(cx: &Ctxt, model: &Model<'_>) {
    let foreign_keys = model.foreign_keys().filter_map(|(_, fk)| {
        Some((
            fk.target,
            fk.related_name.as_ref()?,
            fk.attr.related_trait.as_ref()?,
        ))
    });
    let many_to_many = model.many_to_many.iter().filter_map(|m| {
        Some((
            m.target,
            m.related_name.as_ref()?,
            m.attr.related_trait.as_ref()?,
        ))
    });
    for (target, accessor, name) in foreign_keys.chain(many_to_many) {
        if *name == crate::model::reverse_type_name(model.ident, target, accessor) {
            cx.error_spanned_by(
                name,
                format!(
                    "`{name}` is already the name of this relation's reverse path type (the prefetch path from the target through `{accessor}`); give the trait another name, such as `Has{}`",
                    crate::model::camel_case(&accessor.to_string())
                ),
            );
        }
    }
}

/// A generic foreign key names an `i64` field and a `String` field of the model, and an accessor
/// that is not taken.
fn generic_foreign_key(
    cx: &Ctxt,
    model: &Model<'_>,
    g: &crate::attr::GenericForeignKey,
    accessors: &[&syn::Ident],
    forward: &[syn::Ident],
) {
    if model.fields.iter().any(|f| *f.ident == g.name)
        || accessors.contains(&&g.name)
        || forward.contains(&g.name)
    {
        cx.error_spanned_by(
            &g.name,
            format!("`{}` is already a field or a relation of this model; give the generic foreign key another name", g.name),
        );
    }
    let mut nullable = Vec::new();
    for (ident, kind, ty) in [
        (&g.content_type, ColumnType::BigInt, "i64"),
        (&g.object_id, ColumnType::Text, "String"),
    ] {
        match model.fields.iter().find(|f| f.ident == ident) {
            None => cx.error_spanned_by(
                ident,
                format!("`{}` has no field `{ident}`; a generic foreign key needs an `{ty}` field for it", model.ident),
            ),
            Some(f) if f.kind != kind => cx.error_spanned_by(
                f.ty,
                format!(
                    "the generic foreign key `{}` needs `{ident}: {ty}` (or `Option<{ty}>`, with both fields nullable)",
                    g.name
                ),
            ),
            Some(f) => nullable.push(f),
        }
    }
    if let [ct, id] = nullable[..] {
        if ct.nullable != id.nullable {
            let (null, not) = if ct.nullable { (ct, id) } else { (id, ct) };
            cx.error_spanned_by(
                not.ty,
                format!(
                    "`{}` is nullable, so the generic foreign key `{}` may point at nothing, and `{}` must be an `Option` too",
                    null.ident, g.name, not.ident
                ),
            );
        }
    }
}

/// `max_length` is a length a column of its kind can be declared with on every backend: MySQL
/// bounds a `VARCHAR` (16,383 characters of utf8mb4), a `VARBINARY` (65,535 bytes) and an
/// index (3,072 bytes: 768 characters). A default must fit it.
fn max_length(cx: &Ctxt, field: &Field<'_>, written: &syn::LitInt) {
    let (unit, most, indexed) = match field.kind {
        ColumnType::Text => ("characters", 16_383, 768),
        ColumnType::Binary => ("bytes", 65_535, 3_072),
        _ => {
            return cx.error_spanned_by(
                written,
                format!(
                    "`max_length` bounds a `String` or a `Vec<u8>`, not a `{}`",
                    type_name(field)
                ),
            )
        }
    };
    let n = match written.base10_parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            return cx.error_spanned_by(
                written,
                "expected a length of at least 1: `max_length = 100`",
            )
        }
    };
    if field.keyed() && n > indexed {
        cx.error_spanned_by(
            written,
            format!("an indexed column holds at most {indexed} {unit} (MySQL indexes 3,072 bytes); lower `max_length`, or drop the index"),
        );
    } else if n > most {
        cx.error_spanned_by(
            written,
            format!("a bounded column holds at most {most} {unit} on MySQL; leave `max_length` out for a column of any length"),
        );
    }
    if let Some((DefaultValue::Str(text), expr)) = field.default {
        if text.chars().count() > n as usize {
            cx.error_spanned_by(
                expr,
                format!("this default is longer than `max_length = {n}`"),
            );
        }
    }
}

fn type_name(field: &Field<'_>) -> String {
    let ty = field.ty;
    quote::quote!(#ty).to_string().replace(' ', "")
}

fn default_fits(default: &DefaultValue, kind: ColumnType) -> bool {
    match default {
        DefaultValue::Int(_) => {
            kind.is_integer() || matches!(kind, ColumnType::Float | ColumnType::Double)
        }
        DefaultValue::Float(_) => matches!(kind, ColumnType::Float | ColumnType::Double),
        DefaultValue::Bool(_) => kind == ColumnType::Bool,
        DefaultValue::Str(_) => kind == ColumnType::Text,
        DefaultValue::Null => true,
    }
}
