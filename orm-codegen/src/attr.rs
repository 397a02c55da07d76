//! Attribute grammar: `#[orm(...)]` and `#[many_to_many(...)]` on structs, `#[orm(...)]`,
//! `#[foreign_key(...)]` and `#[one_to_one(...)]` on fields.
//!
//! Parsing fills typed slots; a slot set twice is an error, never a silent overwrite.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitStr, UnOp};

use crate::ctxt::Ctxt;
use crate::symbol::*;

/// A slot that refuses a second value.
struct Slot<'c, T> {
    cx: &'c Ctxt,
    name: Symbol,
    value: Option<T>,
}

impl<'c, T> Slot<'c, T> {
    fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        Slot {
            cx,
            name,
            value: None,
        }
    }

    fn set<A: ToTokens>(&mut self, at: A, value: T) {
        if self.value.is_some() {
            self.cx
                .error_spanned_by(at, format!("duplicate attribute `{}`", self.name));
        } else {
            self.value = Some(value);
        }
    }

    fn get(self) -> Option<T> {
        self.value
    }
}

/// Attributes on the struct.
#[derive(Debug)]
pub struct Container {
    pub table: Option<LitStr>,
    /// `#[orm(hooks)]`: the user implements `SaveHooks`.
    pub hooks: bool,
    pub many_to_many: Vec<ManyToMany>,
    /// `#[orm(to_attr(name, ...))]`: names prefetched relations can be stored under.
    pub to_attrs: Vec<syn::Ident>,
    pub generic_foreign_keys: Vec<GenericForeignKey>,
    pub generic_relations: Vec<GenericRelation>,
    /// `#[orm(through_fields(source, target))]`: the two foreign keys that make this model a
    /// many-to-many's through model, when it has more than two (Django's `through_fields`).
    pub through_fields: Option<(syn::Ident, syn::Ident)>,
    /// `#[orm(crate = "path")]`: where generated code finds orm-core, for a crate that
    /// re-exports it (as serde's `#[serde(crate = "..")]`).
    pub krate: Option<syn::Path>,
    /// `#[orm(duplicate_links)]` on a through model: no unique index on its two keys, so a
    /// member may be linked twice (Django's behaviour).
    pub duplicate_links: bool,
}

impl Container {
    pub fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut table = Slot::none(cx, TABLE);
        let mut hooks = Slot::none(cx, HOOKS);
        let mut many_to_many = Vec::new();
        let mut to_attrs = Vec::new();
        let mut generic_foreign_keys = Vec::new();
        let mut generic_relations = Vec::new();
        let mut through_fields = Slot::none(cx, THROUGH_FIELDS);
        let mut krate = Slot::none(cx, CRATE);
        let mut duplicate_links = Slot::none(cx, DUPLICATE_LINKS);
        for attr in attrs {
            if attr.path() == MANY_TO_MANY {
                many_to_many.extend(parse_many_to_many(cx, attr));
                continue;
            }
            if attr.path() == GENERIC_RELATION {
                generic_relations.extend(parse_generic_relation(cx, attr));
                continue;
            }
            if attr.path() == GENERIC_FOREIGN_KEY {
                generic_foreign_keys.extend(parse_generic_foreign_key(cx, attr));
                continue;
            }
            if attr.path() != ORM {
                continue;
            }
            let res = attr.parse_nested_meta(|meta| {
                if meta.path == TABLE {
                    let lit: LitStr = meta.value()?.parse()?;
                    table.set(&meta.path, lit);
                    Ok(())
                } else if meta.path == HOOKS {
                    hooks.set(&meta.path, ());
                    Ok(())
                } else if meta.path == DUPLICATE_LINKS {
                    duplicate_links.set(&meta.path, ());
                    Ok(())
                } else if meta.path == CRATE {
                    let lit: LitStr = meta.value()?.parse()?;
                    krate.set(&meta.path, lit.parse()?);
                    Ok(())
                } else if meta.path == TO_ATTR {
                    meta.parse_nested_meta(|name| match name.path.get_ident() {
                        Some(ident) if name.input.is_empty() || name.input.peek(syn::Token![,]) => {
                            to_attrs.push(ident.clone());
                            Ok(())
                        }
                        _ => Err(name.error("expected a name: `to_attr(latest_entries, ...)`")),
                    })
                } else if meta.path == THROUGH_FIELDS {
                    const FORM: &str =
                        "expected the two foreign-key fields: `through_fields(group_id, person_id)`";
                    let mut names = Vec::new();
                    meta.parse_nested_meta(|name| match name.path.get_ident() {
                        Some(ident) if name.input.is_empty() || name.input.peek(syn::Token![,]) => {
                            names.push(ident.clone());
                            Ok(())
                        }
                        _ => Err(name.error(FORM)),
                    })?;
                    match <[syn::Ident; 2]>::try_from(names) {
                        Ok([a, b]) => through_fields.set(&meta.path, (a, b)),
                        Err(_) => return Err(meta.error(FORM)),
                    }
                    Ok(())
                } else {
                    Err(unknown(
                        &meta,
                        "on a model",
                        &[TABLE, HOOKS, TO_ATTR, THROUGH_FIELDS, CRATE, DUPLICATE_LINKS],
                    ))
                }
            });
            if let Err(err) = res {
                cx.syn_error(err);
            }
        }
        Container {
            table: table.get(),
            hooks: hooks.get().is_some(),
            many_to_many,
            to_attrs,
            generic_foreign_keys,
            generic_relations,
            through_fields: through_fields.get(),
            krate: krate.get(),
            duplicate_links: duplicate_links.get().is_some(),
        }
    }
}

/// `#[many_to_many(Target, name = accessor, related_name = ..., through = Model, symmetrical = bool)]`.
#[derive(Debug)]
pub struct ManyToMany {
    /// The whole attribute, for spans.
    pub attr: TokenStream,
    pub target: syn::Path,
    pub name: syn::Ident,
    pub related_name: Option<RelatedName>,
    /// `related_trait = Name`: the reverse accessor is a method of this trait, for a target in
    /// another crate.
    pub related_trait: Option<syn::Ident>,
    pub through: Option<syn::Path>,
    /// The value, with the key for spans.
    pub symmetrical: Option<(bool, syn::Path)>,
}

const M2M_FORM: &str =
    "expected `#[many_to_many(Target, name = accessor)]`, optionally with `related_name = ...`, `related_trait = ...`, `through = Model`, `symmetrical = false`";

fn parse_many_to_many(cx: &Ctxt, attr: &syn::Attribute) -> Option<ManyToMany> {
    let mut name = Slot::none(cx, NAME);
    let mut related_name = Slot::none(cx, RELATED_NAME);
    let mut related_trait = Slot::none(cx, RELATED_TRAIT);
    let mut through = Slot::none(cx, THROUGH);
    let mut symmetrical = Slot::none(cx, SYMMETRICAL);
    let keys = [NAME, RELATED_NAME, RELATED_TRAIT, THROUGH, SYMMETRICAL];
    let target = parse_relation(cx, attr, M2M_FORM, "in `many_to_many`", &keys, |meta| {
        if meta.path == NAME {
            name.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
        } else if meta.path == RELATED_NAME {
            related_name.set(&meta.path, parse_related_name(meta)?);
        } else if meta.path == RELATED_TRAIT {
            related_trait.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
        } else if meta.path == THROUGH {
            through.set(&meta.path, meta.value()?.parse::<syn::Path>()?);
        } else if meta.path == SYMMETRICAL {
            let v: syn::LitBool = meta.value()?.parse()?;
            symmetrical.set(&meta.path, (v.value, meta.path.clone()));
        } else {
            return Ok(false);
        }
        Ok(true)
    })?;
    let Some(name) = name.get() else {
        cx.error_spanned_by(attr, M2M_FORM);
        return None;
    };
    Some(ManyToMany {
        attr: attr.to_token_stream(),
        target,
        name,
        related_name: related_name.get(),
        related_trait: related_trait.get(),
        through: through.get(),
        symmetrical: symmetrical.get(),
    })
}

/// `#[generic_foreign_key(name, content_type = field, object_id = field)]`: a content-type column
/// and an object-id column read as one relation to any model.
#[derive(Debug)]
pub struct GenericForeignKey {
    /// The whole attribute, for spans.
    pub attr: TokenStream,
    pub name: syn::Ident,
    /// The field holding the content-type id (default `content_type_id`).
    pub content_type: syn::Ident,
    /// The field holding the object's key as text (default `object_id`).
    pub object_id: syn::Ident,
    /// `targets(A, B)`: models of other crates it may point at, which cannot declare the
    /// `#[generic_relation]` that makes a model a target to prefetch.
    pub targets: Vec<syn::Path>,
}

const GFK_FORM: &str = "expected `#[generic_foreign_key(name, content_type = field, object_id = field, targets(Model, ..))]` (the fields default to `content_type_id` and `object_id`)";

fn parse_generic_foreign_key(cx: &Ctxt, attr: &syn::Attribute) -> Option<GenericForeignKey> {
    if !matches!(attr.meta, syn::Meta::List(_)) {
        cx.error_spanned_by(attr, GFK_FORM);
        return None;
    }
    let mut content_type = Slot::none(cx, CONTENT_TYPE);
    let mut object_id = Slot::none(cx, OBJECT_ID);
    let mut name: Option<syn::Ident> = None;
    let mut targets = Vec::new();
    let res = attr.parse_nested_meta(|meta| {
        if meta.path == CONTENT_TYPE {
            content_type.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
        } else if meta.path == OBJECT_ID {
            object_id.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
        } else if meta.path == TARGETS {
            meta.parse_nested_meta(|target| {
                targets.push(target.path);
                Ok(())
            })?;
        } else if meta.input.is_empty() || meta.input.peek(syn::Token![,]) {
            match (meta.path.get_ident(), &name) {
                (Some(ident), None) => name = Some(ident.clone()),
                _ => return Err(meta.error(GFK_FORM)),
            }
        } else {
            return Err(unknown(
                &meta,
                "in `generic_foreign_key`",
                &[CONTENT_TYPE, OBJECT_ID, TARGETS],
            ));
        }
        Ok(())
    });
    if let Err(err) = res {
        cx.syn_error(err);
        return None;
    }
    let Some(name) = name else {
        cx.error_spanned_by(attr, GFK_FORM);
        return None;
    };
    let span = name.span();
    Some(GenericForeignKey {
        attr: attr.to_token_stream(),
        name,
        content_type: content_type
            .get()
            .unwrap_or_else(|| syn::Ident::new("content_type_id", span)),
        object_id: object_id
            .get()
            .unwrap_or_else(|| syn::Ident::new("object_id", span)),
        targets,
    })
}

/// `#[generic_relation(Items, name = accessor, related_query_name = name)]`: the `Items` rows
/// whose generic foreign key points at this model.
#[derive(Debug)]
pub struct GenericRelation {
    pub target: syn::Path,
    pub name: syn::Ident,
    /// The name filters across the relation use from the items' side (`books`).
    pub related_query_name: Option<syn::Ident>,
}

const GENERIC_RELATION_FORM: &str =
    "expected `#[generic_relation(Items, name = accessor)]`, optionally with `related_query_name = ...`";

fn parse_generic_relation(cx: &Ctxt, attr: &syn::Attribute) -> Option<GenericRelation> {
    let mut name = Slot::none(cx, NAME);
    let mut related_query_name = Slot::none(cx, RELATED_QUERY_NAME);
    let keys = [NAME, RELATED_QUERY_NAME];
    let target = parse_relation(
        cx,
        attr,
        GENERIC_RELATION_FORM,
        "in `generic_relation`",
        &keys,
        |meta| {
            if meta.path == NAME {
                name.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
            } else if meta.path == RELATED_QUERY_NAME {
                related_query_name.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
            } else {
                return Ok(false);
            }
            Ok(true)
        },
    )?;
    let Some(name) = name.get() else {
        cx.error_spanned_by(attr, GENERIC_RELATION_FORM);
        return None;
    };
    Some(GenericRelation {
        target,
        name,
        related_query_name: related_query_name.get(),
    })
}

/// What happens to rows pointing at a deleted row.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OnDelete {
    Cascade,
    SetNull,
    SetDefault,
    /// `Set(expr)`: the key is set to `expr`, evaluated at each delete (Django's `SET`); the
    /// expression is [`ForeignKey::set_to`].
    Set,
    Protect,
    Restrict,
    DoNothing,
}

impl OnDelete {
    pub const ALL: &'static [(&'static str, OnDelete)] = &[
        ("Cascade", OnDelete::Cascade),
        ("SetNull", OnDelete::SetNull),
        ("SetDefault", OnDelete::SetDefault),
        ("Set", OnDelete::Set),
        ("Protect", OnDelete::Protect),
        ("Restrict", OnDelete::Restrict),
        ("DoNothing", OnDelete::DoNothing),
    ];

    pub fn name(self) -> &'static str {
        OnDelete::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("Cascade", |(n, _)| n)
    }
}

/// A column default written in the attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum DefaultValue {
    Int(String),
    Float(String),
    Bool(bool),
    Str(String),
    /// `default = None`: NULL, for an `Option` field (Django's `default=None`).
    Null,
}

/// What `on_delete` takes.
const ON_DELETE_FORM: &str = "expected one of `Cascade`, `SetNull`, `SetDefault`, `Set(value)`, `Protect`, `Restrict`, `DoNothing`";

/// `#[foreign_key(Target, related_name = ..., on_delete = ...)]`, or the same as
/// `#[one_to_one(...)]`.
#[derive(Debug)]
pub struct ForeignKey {
    /// The whole attribute, for spans.
    pub attr: TokenStream,
    /// Written `#[one_to_one]`: the column is unique, and the target has at most one row.
    pub one_to_one: bool,
    pub target: syn::Path,
    pub related_name: Option<RelatedName>,
    /// `related_trait = Name`: the reverse accessor is a method of this trait, for a target in
    /// another crate.
    pub related_trait: Option<syn::Ident>,
    pub on_delete: OnDelete,
    /// Set when `on_delete` was written, for spans.
    pub on_delete_span: Option<syn::Path>,
    /// `on_delete = Set(expr)`: the expression the key is set to.
    pub set_to: Option<Expr>,
    /// `to_field = name`: the target field the key holds, when not its primary key (Django's
    /// `to_field`).
    pub to_field: Option<syn::Ident>,
}

/// Attributes on one field.
#[derive(Debug)]
pub struct Field {
    pub primary_key: Option<syn::Path>,
    pub column: Option<LitStr>,
    pub unique: bool,
    pub index: bool,
    pub default: Option<(DefaultValue, Expr)>,
    /// `#[orm(max_length = N)]`: the most characters (bytes, for `Vec<u8>`) a value may hold.
    pub max_length: Option<syn::LitInt>,
    pub foreign_key: Option<ForeignKey>,
}

impl Field {
    pub fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut primary_key = Slot::none(cx, PRIMARY_KEY);
        let mut column = Slot::none(cx, COLUMN);
        let mut unique = Slot::none(cx, UNIQUE);
        let mut index = Slot::none(cx, INDEX);
        let mut default = Slot::none(cx, DEFAULT);
        let mut max_length = Slot::none(cx, MAX_LENGTH);
        let mut foreign_key = Slot::none(cx, FOREIGN_KEY);
        for attr in attrs {
            if attr.path() == ORM {
                let res = attr.parse_nested_meta(|meta| {
                    if meta.path == PRIMARY_KEY {
                        primary_key.set(&meta.path, meta.path.clone());
                    } else if meta.path == COLUMN {
                        let lit: LitStr = meta.value()?.parse()?;
                        column.set(&meta.path, lit);
                    } else if meta.path == UNIQUE {
                        unique.set(&meta.path, ());
                    } else if meta.path == INDEX {
                        index.set(&meta.path, ());
                    } else if meta.path == DEFAULT {
                        let expr: Expr = meta.value()?.parse()?;
                        match default_value(&expr) {
                            Some(v) => default.set(&meta.path, (v, expr)),
                            None => cx.error_spanned_by(
                                &expr,
                                "expected a literal default such as `default = 0`, `default = \"draft\"`, `default = true`, or `default = None` on an `Option` field",
                            ),
                        }
                    } else if meta.path == MAX_LENGTH {
                        let lit: syn::LitInt = meta.value()?.parse()?;
                        max_length.set(&meta.path, lit);
                    } else {
                        return Err(unknown(
                            &meta,
                            "on a field",
                            &[PRIMARY_KEY, COLUMN, UNIQUE, INDEX, DEFAULT, MAX_LENGTH],
                        ));
                    }
                    Ok(())
                });
                if let Err(err) = res {
                    cx.syn_error(err);
                }
            } else if attr.path() == FOREIGN_KEY || attr.path() == ONE_TO_ONE {
                let one_to_one = attr.path() == ONE_TO_ONE;
                if let Some(fk) = parse_foreign_key(cx, attr, one_to_one) {
                    if foreign_key.value.is_some() {
                        cx.error_spanned_by(
                            attr,
                            "a field holds one relation: `#[foreign_key(..)]` or `#[one_to_one(..)]` (a foreign key with a unique column), once",
                        );
                    } else {
                        foreign_key.set(attr, fk);
                    }
                }
            }
        }
        Field {
            primary_key: primary_key.get(),
            column: column.get(),
            unique: unique.get().is_some(),
            index: index.get().is_some(),
            default: default.get(),
            max_length: max_length.get(),
            foreign_key: foreign_key.get(),
        }
    }
}

const FK_FORM: &str =
    "expected `#[foreign_key(Target)]` or `#[foreign_key(Target, related_name = name, related_trait = Name, on_delete = Cascade, to_field = field)]`";
const ONE_TO_ONE_FORM: &str =
    "expected `#[one_to_one(Target)]` or `#[one_to_one(Target, related_name = name, related_trait = Name, on_delete = Cascade, to_field = field)]`";

fn parse_foreign_key(cx: &Ctxt, attr: &syn::Attribute, one_to_one: bool) -> Option<ForeignKey> {
    let mut related_name = Slot::none(cx, RELATED_NAME);
    let mut related_trait = Slot::none(cx, RELATED_TRAIT);
    let mut on_delete = Slot::none(cx, ON_DELETE);
    let mut set_to = Slot::none(cx, ON_DELETE);
    let mut to_field = Slot::none(cx, TO_FIELD);
    let keys = [RELATED_NAME, RELATED_TRAIT, ON_DELETE, TO_FIELD];
    let (form, place) = if one_to_one {
        (ONE_TO_ONE_FORM, "in `one_to_one`")
    } else {
        (FK_FORM, "in `foreign_key`")
    };
    let target = parse_relation(cx, attr, form, place, &keys, |meta| {
        if meta.path == RELATED_NAME {
            related_name.set(&meta.path, parse_related_name(meta)?);
        } else if meta.path == RELATED_TRAIT {
            related_trait.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
        } else if meta.path == ON_DELETE {
            let value: Expr = meta.value()?.parse()?;
            let (path, to) = match value {
                // `Set(expr)`, Django's `SET(value)`.
                Expr::Call(call) if call.args.len() == 1 => match *call.func {
                    Expr::Path(func) if func.path.is_ident("Set") => {
                        (func.path, call.args.into_iter().next())
                    }
                    other => return Err(syn::Error::new_spanned(other, ON_DELETE_FORM)),
                },
                Expr::Path(path) if !path.path.is_ident("Set") => (path.path, None),
                other => return Err(syn::Error::new_spanned(other, ON_DELETE_FORM)),
            };
            match OnDelete::ALL.iter().find(|(name, _)| path.is_ident(name)) {
                Some((_, v)) => {
                    on_delete.set(&meta.path, (*v, path));
                    if let Some(to) = to {
                        set_to.set(&meta.path, to);
                    }
                }
                None => cx.error_spanned_by(&path, ON_DELETE_FORM),
            }
        } else if meta.path == TO_FIELD {
            to_field.set(&meta.path, meta.value()?.parse::<syn::Ident>()?);
        } else {
            return Ok(false);
        }
        Ok(true)
    })?;
    let on_delete = on_delete.get();
    Some(ForeignKey {
        attr: attr.to_token_stream(),
        one_to_one,
        target,
        related_name: related_name.get(),
        related_trait: related_trait.get(),
        on_delete: on_delete.as_ref().map_or(OnDelete::Cascade, |(v, _)| *v),
        on_delete_span: on_delete.map(|(_, p)| p),
        set_to: set_to.get(),
        to_field: to_field.get(),
    })
}

/// `related_name = name`, or Django's `related_name = "+"`: no reverse accessor.
#[derive(Debug, Clone)]
pub enum RelatedName {
    Name(syn::Ident),
    /// `"+"`, kept for spans.
    Hidden(LitStr),
}

fn parse_related_name(meta: &ParseNestedMeta<'_>) -> syn::Result<RelatedName> {
    let value = meta.value()?;
    if !value.peek(LitStr) {
        return value.parse().map(RelatedName::Name);
    }
    let lit: LitStr = value.parse()?;
    if lit.value() == "+" {
        Ok(RelatedName::Hidden(lit))
    } else {
        Err(syn::Error::new(
            lit.span(),
            "expected a name without quotes (`related_name = entries`), or `\"+\"` for no reverse accessor",
        ))
    }
}

/// A relation attribute: `#[name(Target, key = value, ...)]`. `option` parses the keys it
/// knows and returns `false` for others; returns the target, or `None` after reporting `form`.
fn parse_relation(
    cx: &Ctxt,
    attr: &syn::Attribute,
    form: &str,
    place: &str,
    keys: &[Symbol],
    mut option: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<bool>,
) -> Option<syn::Path> {
    if !matches!(attr.meta, syn::Meta::List(_)) {
        cx.error_spanned_by(attr, form);
        return None;
    }
    let mut target: Option<syn::Path> = None;
    let res = attr.parse_nested_meta(|meta| {
        if option(&meta)? {
            return Ok(());
        }
        if !(meta.input.is_empty() || meta.input.peek(syn::Token![,])) {
            return Err(unknown(&meta, place, keys));
        }
        if target.is_some() {
            return Err(meta.error(format!("the target model is given once; {form}")));
        }
        target = Some(meta.path.clone());
        Ok(())
    });
    if let Err(err) = res {
        cx.syn_error(err);
        return None;
    }
    if target.is_none() {
        cx.error_spanned_by(attr, form);
    }
    target
}

fn unknown(meta: &ParseNestedMeta<'_>, place: &str, expected: &[Symbol]) -> syn::Error {
    let name = meta.path.to_token_stream().to_string().replace(' ', "");
    let list = expected
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    meta.error(format!(
        "unknown attribute `{name}` {place}; expected one of {list}"
    ))
}

fn default_value(expr: &Expr) -> Option<DefaultValue> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Int(i) => Some(DefaultValue::Int(i.base10_digits().to_owned())),
            Lit::Float(f) => Some(DefaultValue::Float(f.base10_digits().to_owned())),
            Lit::Bool(b) => Some(DefaultValue::Bool(b.value)),
            Lit::Str(s) => Some(DefaultValue::Str(s.value())),
            _ => None,
        },
        Expr::Path(path) if path.path.is_ident("None") => Some(DefaultValue::Null),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match default_value(expr)? {
            DefaultValue::Int(i) => Some(DefaultValue::Int(format!("-{i}"))),
            DefaultValue::Float(f) => Some(DefaultValue::Float(format!("-{f}"))),
            _ => None,
        },
        _ => None,
    }
}
