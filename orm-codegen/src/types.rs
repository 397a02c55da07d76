//! Which Rust field types map to which column kinds.
//!
//! The derive and the build step read field types from syntax, so both call [`classify`]. The
//! derive also asserts `T: orm_core::Field` for every field, which catches a path that only looks
//! like a supported type.

use syn::{GenericArgument, PathArguments, Type};

/// The type of a column, independent of backend: the build step's twin of
/// `orm_core::ColumnType`, with the same variants.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ColumnType {
    SmallInt,
    Integer,
    BigInt,
    Float,
    Double,
    Bool,
    Text,
    Binary,
    Timestamp,
    Date,
    Uuid,
}

impl ColumnType {
    /// Integer kinds become auto-increment keys.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
        )
    }

    /// The diesel SQL type named in the generated `table!`. diesel's `Uuid` type exists only for
    /// PostgreSQL, so UUIDs appear as their portable 16 bytes.
    pub fn diesel_type(self) -> &'static str {
        match self {
            ColumnType::SmallInt => "SmallInt",
            ColumnType::Integer => "Integer",
            ColumnType::BigInt => "BigInt",
            ColumnType::Float => "Float",
            ColumnType::Double => "Double",
            ColumnType::Bool => "Bool",
            ColumnType::Text => "Text",
            ColumnType::Binary => "Binary",
            ColumnType::Timestamp => "Timestamp",
            ColumnType::Date => "Date",
            ColumnType::Uuid => "Binary",
        }
    }
}

/// The supported field types, as written in error messages.
pub const SUPPORTED: &str = "i16, i32, i64, f32, f64, bool, String, Vec<u8>, \
chrono::NaiveDateTime, chrono::NaiveDate, uuid::Uuid, or Option<_> of one of them";

/// Maps a field type to its column kind and nullability, or `None` when unsupported.
pub fn classify(ty: &Type) -> Option<(ColumnType, bool)> {
    if let Some(inner) = generic_arg(ty, "Option") {
        let (kind, nullable) = classify(inner)?;
        return (!nullable).then_some((kind, true));
    }
    if let Some(inner) = generic_arg(ty, "Vec") {
        return (last_ident(inner)? == "u8").then_some((ColumnType::Binary, false));
    }
    let kind = match last_ident(ty)?.as_str() {
        "i16" => ColumnType::SmallInt,
        "i32" => ColumnType::Integer,
        "i64" => ColumnType::BigInt,
        "f32" => ColumnType::Float,
        "f64" => ColumnType::Double,
        "bool" => ColumnType::Bool,
        "String" => ColumnType::Text,
        "NaiveDateTime" => ColumnType::Timestamp,
        "NaiveDate" => ColumnType::Date,
        "Uuid" => ColumnType::Uuid,
        _ => return None,
    };
    Some((kind, false))
}

/// `T` in `Option<T>` (for `name = "Option"`), else `None`.
pub fn generic_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    let seg = path.path.segments.last()?;
    if seg.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let seg = path.path.segments.last()?;
            matches!(seg.arguments, PathArguments::None).then(|| seg.ident.to_string())
        }
        Type::Group(g) => last_ident(&g.elem),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(src: &str) -> Option<(ColumnType, bool)> {
        classify(&syn::parse_str(src).unwrap())
    }

    #[test]
    fn maps_types() {
        assert_eq!(k("i64"), Some((ColumnType::BigInt, false)));
        assert_eq!(k("Option<String>"), Some((ColumnType::Text, true)));
        assert_eq!(
            k("std::option::Option<Vec<u8>>"),
            Some((ColumnType::Binary, true))
        );
        assert_eq!(k("uuid::Uuid"), Some((ColumnType::Uuid, false)));
        assert_eq!(k("Option<Option<i32>>"), None);
        assert_eq!(k("Vec<i32>"), None);
        assert_eq!(k("u64"), None);
        assert_eq!(k("HashMap<String, i32>"), None);
    }
}
