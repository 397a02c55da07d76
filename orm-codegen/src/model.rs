//! The model IR: what a `#[derive(Model)]` struct means, borrowing the syntax it came from so
//! every later error can point at source.

use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use crate::attr::{self, DefaultValue, OnDelete};
use crate::ctxt::Ctxt;
use crate::types::{self, ColumnType};

/// One model.
#[derive(Debug)]
pub struct Model<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    /// The table name.
    pub table: String,
    pub fields: Vec<Field<'a>>,
    /// Index of the primary-key field in `fields`.
    pub pk: usize,
    /// `#[orm(hooks)]`: the user implements `SaveHooks`.
    pub hooks: bool,
    pub many_to_many: Vec<ManyToMany<'a>>,
    /// `#[orm(to_attr(...))]` names.
    pub to_attrs: &'a [Ident],
    pub generic_foreign_keys: &'a [attr::GenericForeignKey],
    pub generic_relations: &'a [attr::GenericRelation],
    /// `#[orm(through_fields(a, b))]`.
    pub through_fields: Option<&'a (Ident, Ident)>,
    /// `#[orm(crate = "path")]`: where generated code finds orm-core (default `::orm_core`).
    pub krate: Option<&'a syn::Path>,
    /// `#[orm(duplicate_links)]`: a through model whose two keys are not unique together.
    pub duplicate_links: bool,
}

/// `#[many_to_many(...)]` on the struct.
#[derive(Debug)]
pub struct ManyToMany<'a> {
    pub attr: &'a attr::ManyToMany,
    pub target: &'a syn::Path,
    /// The accessor on this model.
    pub name: &'a Ident,
    /// The accessor on the target: `related_name`, or `<model>_set`. None for a symmetrical
    /// relation, where both ends are the same accessor.
    pub related_name: Option<Ident>,
    pub through: Option<&'a syn::Path>,
    /// The target is this model.
    pub self_referential: bool,
    /// A link goes both ways (self-referential relations, unless `symmetrical = false`).
    pub symmetrical: bool,
    /// The auto-created join table (without `through`): `<table>_<name>`.
    pub table: String,
    /// Its column holding this model's key: `<model>_id`, or `from_<model>_id` when
    /// self-referential.
    pub source_column: String,
    /// Its column holding the target's key: `<target>_id`, or `to_<model>_id`.
    pub target_column: String,
}

impl ManyToMany<'_> {
    /// The target model's name (the last segment of its path; `Self` is the model itself).
    pub fn target_name(&self, model: &Ident) -> String {
        if self.self_referential {
            return model.to_string();
        }
        self.target
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default()
    }
}

/// One field, which is one column.
#[derive(Debug)]
pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// The column name.
    pub column: String,
    pub kind: ColumnType,
    pub nullable: bool,
    pub primary_key: bool,
    /// Integer primary keys are assigned by the database.
    pub auto_increment: bool,
    pub unique: bool,
    pub index: bool,
    /// The default, with the expression it was written as.
    pub default: Option<(&'a DefaultValue, &'a syn::Expr)>,
    /// `#[orm(max_length = N)]` as written (`check` sees that it is a number and fits).
    pub max_length: Option<&'a syn::LitInt>,
    pub relation: Option<Relation<'a>>,
    /// One of a generic foreign key's two columns (indexed together).
    pub generic_key: bool,
}

/// The length of a text or binary key column without `max_length`: MySQL indexes only bounded
/// columns, and every backend keeps the same limit so the same model stores the same data.
pub const KEY_LENGTH: u32 = 255;

impl Field<'_> {
    /// Whether the column is indexed: a key, unique, `#[orm(index)]`, or part of a generic
    /// foreign key.
    pub fn keyed(&self) -> bool {
        self.primary_key || self.unique || self.index || self.relation.is_some() || self.generic_key
    }

    /// The most a value may hold, in characters of text or bytes of binary: `max_length`, or
    /// [`KEY_LENGTH`] for an indexed column; `None` (any length) for other columns and kinds.
    pub fn length_limit(&self) -> Option<u32> {
        if !matches!(self.kind, ColumnType::Text | ColumnType::Binary) {
            return None;
        }
        let written = self.max_length.and_then(|n| n.base10_parse().ok());
        written.or(self.keyed().then_some(KEY_LENGTH))
    }

    /// Whether `name` is this field's name, or its accessor's (`club` for `club_id`, as
    /// Django names the field).
    pub fn is_named(&self, name: &Ident) -> bool {
        self.ident == name || (self.relation.is_some() && self.accessor() == *name)
    }

    /// The forward accessor of a foreign-key field: `blog_id` -> `blog`; a field without the
    /// `_id` suffix gets `<field>_object`.
    pub fn accessor(&self) -> Ident {
        let name = self.ident.to_string();
        match name.strip_suffix("_id") {
            Some(stem) if !stem.is_empty() => Ident::new(stem, self.ident.span()),
            _ => Ident::new(&format!("{name}_object"), self.ident.span()),
        }
    }
}

/// A relation declared on a field.
#[derive(Debug)]
pub enum Relation<'a> {
    /// `#[foreign_key(Target, ...)]` or `#[one_to_one(Target, ...)]`: this column holds the
    /// target's primary key, or its `to_field`.
    ForeignKey(ForeignKey<'a>),
}

/// A foreign key.
#[derive(Debug)]
pub struct ForeignKey<'a> {
    pub attr: &'a attr::ForeignKey,
    pub target: &'a syn::Path,
    /// The name of the reverse accessor on the target: `related_name`, else `<model>_set`, or
    /// `<model>` for a one-to-one; `None` for `related_name = "+"`, which asks for none.
    pub related_name: Option<Ident>,
    pub on_delete: OnDelete,
    /// `#[one_to_one]`: the column is unique, so a target row has at most one source row.
    pub one_to_one: bool,
    /// `to_field = name`: the target field the column holds; `None` for the primary key.
    pub to_field: Option<&'a Ident>,
}

/// Parsed attributes, owned, that the IR borrows.
#[derive(Debug)]
pub struct Attrs {
    pub container: attr::Container,
    pub fields: Vec<attr::Field>,
}

impl Attrs {
    /// Parses every attribute of the input; errors go to `cx`.
    pub fn from_ast(cx: &Ctxt, input: &DeriveInput) -> Self {
        let fields = match &input.data {
            Data::Struct(data) => data
                .fields
                .iter()
                .map(|f| attr::Field::from_ast(cx, &f.attrs))
                .collect(),
            _ => Vec::new(),
        };
        Attrs {
            container: attr::Container::from_ast(cx, &input.attrs),
            fields,
        }
    }
}

impl<'a> Model<'a> {
    /// The IR of every input that can be a model, each with its attributes (`attrs[i]` of
    /// `inputs[i]`, from [`Attrs::from_ast`]); problems go to `cx`.
    pub fn all(cx: &Ctxt, inputs: &'a [DeriveInput], attrs: &'a [Attrs]) -> Vec<Self> {
        inputs
            .iter()
            .zip(attrs)
            .filter_map(|(i, a)| Model::from_ast(cx, i, a))
            .collect()
    }

    /// Builds the IR. Returns `None` when the input cannot be a model at all; every problem is
    /// reported to `cx`.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput, attrs: &'a Attrs) -> Option<Self> {
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named,
                _ => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Model)] needs a struct with named fields, one per column",
                    );
                    return None;
                }
            },
            _ => {
                cx.error_spanned_by(
                    &input.ident,
                    "#[derive(Model)] works on structs; a model is a struct with one named field per column",
                );
                return None;
            }
        };
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(&input.generics, "a model cannot have generic parameters");
        }

        let table = attrs
            .container
            .table
            .as_ref()
            .map_or_else(|| snake_case(&input.ident.to_string()), |t| t.value());

        let mut fields = Vec::new();
        for (field, fattrs) in named.named.iter().zip(&attrs.fields) {
            let Some(ident) = field.ident.as_ref() else {
                continue;
            };
            let Some((kind, nullable)) = types::classify(&field.ty) else {
                cx.error_spanned_by(
                    &field.ty,
                    format!(
                        "unsupported field type; a column is one of {}",
                        types::SUPPORTED
                    ),
                );
                continue;
            };
            let relation = fattrs.foreign_key.as_ref().map(|fk| {
                Relation::ForeignKey(ForeignKey {
                    attr: fk,
                    target: &fk.target,
                    related_name: match &fk.related_name {
                        Some(attr::RelatedName::Name(name)) => Some(name.clone()),
                        Some(attr::RelatedName::Hidden(plus)) => {
                            no_trait_without_accessor(cx, plus, fk.related_trait.as_ref());
                            None
                        }
                        None => {
                            let model = snake_case(&input.ident.to_string());
                            Some(Ident::new(
                                &if fk.one_to_one {
                                    model
                                } else {
                                    format!("{model}_set")
                                },
                                fk.target
                                    .segments
                                    .last()
                                    .map_or(ident.span(), |s| s.ident.span()),
                            ))
                        }
                    },
                    on_delete: fk.on_delete,
                    one_to_one: fk.one_to_one,
                    to_field: fk.to_field.as_ref(),
                })
            });
            fields.push(Field {
                ident,
                ty: &field.ty,
                column: fattrs
                    .column
                    .as_ref()
                    .map_or_else(|| ident.to_string(), |c| c.value()),
                kind,
                nullable,
                primary_key: fattrs.primary_key.is_some(),
                auto_increment: false,
                unique: fattrs.unique
                    || fattrs.foreign_key.as_ref().is_some_and(|fk| fk.one_to_one),
                index: fattrs.index,
                default: fattrs.default.as_ref().map(|(v, e)| (v, e)),
                max_length: fattrs.max_length.as_ref(),
                relation,
                generic_key: attrs
                    .container
                    .generic_foreign_keys
                    .iter()
                    .any(|g| g.content_type == *ident || g.object_id == *ident),
            });
        }

        let many_to_many = attrs
            .container
            .many_to_many
            .iter()
            .map(|m| many_to_many(cx, input, &table, m))
            .collect();
        let pk = choose_primary_key(cx, input, &mut fields)?;
        let model = Model {
            ident: &input.ident,
            vis: &input.vis,
            table,
            fields,
            pk,
            hooks: attrs.container.hooks,
            many_to_many,
            to_attrs: &attrs.container.to_attrs,
            generic_foreign_keys: &attrs.container.generic_foreign_keys,
            generic_relations: &attrs.container.generic_relations,
            through_fields: attrs.container.through_fields.as_ref(),
            krate: attrs.container.krate.as_ref(),
            duplicate_links: attrs.container.duplicate_links,
        };
        crate::check::model(cx, &model);
        Some(model)
    }

    /// The primary-key field.
    pub fn pk(&self) -> &Field<'a> {
        &self.fields[self.pk]
    }

    /// The two foreign keys that make this model a through model, in order: those named by
    /// `through_fields`, else the model's only two, both non-nullable (each may hold a `to_field`). `None` when it cannot be
    /// one (`check` reports a `through_fields` that names anything else).
    pub fn link_keys(&self) -> Option<[(&Field<'a>, &ForeignKey<'a>); 2]> {
        let mut keys: Vec<_> = match self.through_fields {
            Some((a, b)) => [a, b]
                .into_iter()
                .filter_map(|name| self.foreign_keys().find(|(f, _)| f.is_named(name)))
                .collect(),
            None => self.foreign_keys().collect(),
        };
        keys.retain(|(f, _)| !f.nullable);
        <[_; 2]>::try_from(keys).ok()
    }

    /// Foreign keys, with their fields.
    pub fn foreign_keys(&self) -> impl Iterator<Item = (&Field<'a>, &ForeignKey<'a>)> {
        self.fields
            .iter()
            .filter_map(|f| f.relation.as_ref().map(|Relation::ForeignKey(fk)| (f, fk)))
    }
}

fn many_to_many<'a>(
    cx: &Ctxt,
    input: &'a DeriveInput,
    table: &str,
    m: &'a attr::ManyToMany,
) -> ManyToMany<'a> {
    let model = &input.ident;
    let self_referential = m.target.is_ident("Self") || m.target.is_ident(model);
    let symmetrical = match &m.symmetrical {
        Some((value, at)) => {
            if !self_referential {
                cx.error_spanned_by(
                    at,
                    "`symmetrical` is for a many-to-many from a model to itself; remove it",
                );
            }
            *value
        }
        None => self_referential,
    };
    if let (true, Some(attr::RelatedName::Name(name))) = (symmetrical, &m.related_name) {
        cx.error_spanned_by(
            name,
            "a symmetrical relation has no reverse accessor; remove `related_name`, or write `symmetrical = false`",
        );
    }
    if let Some(attr::RelatedName::Hidden(plus)) = &m.related_name {
        no_trait_without_accessor(cx, plus, m.related_trait.as_ref());
    }
    if let (true, Some(name)) = (self_referential, &m.related_trait) {
        cx.error_spanned_by(
            name,
            "`related_trait` is for a target in another crate, and this relation's target is this model; remove it",
        );
    }
    let snake = snake_case(&model.to_string());
    let related_name = match &m.related_name {
        _ if symmetrical => None,
        Some(attr::RelatedName::Hidden(_)) => None,
        Some(attr::RelatedName::Name(name)) => Some(name.clone()),
        None => Some(Ident::new(&format!("{snake}_set"), m.name.span())),
    };
    let (source_column, target_column) = if self_referential {
        (format!("from_{snake}_id"), format!("to_{snake}_id"))
    } else {
        let target = m
            .target
            .segments
            .last()
            .map(|s| snake_case(&s.ident.to_string()))
            .unwrap_or_default();
        (format!("{snake}_id"), format!("{target}_id"))
    };
    ManyToMany {
        attr: m,
        target: &m.target,
        name: &m.name,
        related_name,
        through: m.through.as_ref(),
        self_referential,
        symmetrical,
        table: format!("{table}_{}", m.name),
        source_column,
        target_column,
    }
}

/// `related_name = "+"` asks for no reverse accessor, so there is none to put in a trait.
fn no_trait_without_accessor(cx: &Ctxt, plus: &syn::LitStr, related_trait: Option<&Ident>) {
    if related_trait.is_some() {
        cx.error_spanned_by(
            plus,
            "`related_name = \"+\"` asks for no reverse accessor, so `related_trait` has nothing to hold; remove one of them",
        );
    }
}

/// The name of the type for the reverse of a relation from `model` to `target` whose reverse
/// accessor is `accessor`: `<Target><Accessor>` (`BlogEntries` for `blog.entries()`).
pub fn reverse_type_name(model: &Ident, target: &syn::Path, accessor: &Ident) -> String {
    let last = match target.segments.last() {
        Some(s) if s.ident != "Self" => s.ident.to_string(),
        _ => model.to_string(),
    };
    format!("{last}{}", camel_case(&accessor.to_string()))
}

/// `blog_id` -> `BlogId`: the relation types' names.
pub fn camel_case(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// `TaggedItem` -> `tagged_item`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0 && (prev_lower || next_lower && chars[i - 1].is_uppercase()) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

/// Finds the primary key: the field marked `#[orm(primary_key)]`, else the field named `id`.
/// Marks integer keys auto-increment.
fn choose_primary_key(cx: &Ctxt, input: &DeriveInput, fields: &mut [Field<'_>]) -> Option<usize> {
    let marked: Vec<usize> = (0..fields.len())
        .filter(|&i| fields[i].primary_key)
        .collect();
    let pk = match marked.as_slice() {
        [one] => *one,
        [] => match fields.iter().position(|f| f.ident == "id") {
            Some(i) => i,
            None => {
                cx.error_spanned_by(
                    &input.ident,
                    format!(
                        "model `{}` has no primary key; add a field `id: i64`, or mark the key field with `#[orm(primary_key)]`",
                        input.ident
                    ),
                );
                return None;
            }
        },
        [_, rest @ ..] => {
            for &i in rest {
                cx.error_spanned_by(
                    fields[i].ident,
                    "a model has one primary key; remove `#[orm(primary_key)]` from all but one field",
                );
            }
            return None;
        }
    };
    let field = &mut fields[pk];
    field.primary_key = true;
    if field.nullable {
        cx.error_spanned_by(field.ty, "a primary key cannot be an `Option<_>`");
    }
    if field.kind.is_integer() {
        field.auto_increment = true;
    } else if !matches!(
        field.kind,
        ColumnType::Text | ColumnType::Uuid | ColumnType::Binary
    ) {
        cx.error_spanned_by(
            field.ty,
            "a primary key is an integer (auto-increment), a `String` or a `uuid::Uuid`",
        );
    }
    Some(pk)
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_case() {
        assert_eq!(super::snake_case("TaggedItem"), "tagged_item");
        assert_eq!(super::snake_case("Blog"), "blog");
        assert_eq!(super::snake_case("HTTPRequest"), "http_request");
        assert_eq!(super::snake_case("Model2D"), "model2_d");
    }

    #[test]
    fn camel_case() {
        assert_eq!(super::camel_case("blog"), "Blog");
        assert_eq!(super::camel_case("tag_slug_object"), "TagSlugObject");
        assert_eq!(super::camel_case("_x__y"), "XY");
    }
}
