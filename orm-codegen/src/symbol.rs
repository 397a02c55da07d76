//! Every attribute keyword in one place.

use std::fmt;
use syn::{Ident, Path};

/// An attribute keyword.
#[derive(Copy, Clone, Debug)]
pub struct Symbol(pub &'static str);

pub const ORM: Symbol = Symbol("orm");
pub const FOREIGN_KEY: Symbol = Symbol("foreign_key");
pub const ONE_TO_ONE: Symbol = Symbol("one_to_one");
pub const TABLE: Symbol = Symbol("table");
pub const PRIMARY_KEY: Symbol = Symbol("primary_key");
pub const COLUMN: Symbol = Symbol("column");
pub const UNIQUE: Symbol = Symbol("unique");
pub const INDEX: Symbol = Symbol("index");
pub const DEFAULT: Symbol = Symbol("default");
pub const MAX_LENGTH: Symbol = Symbol("max_length");
pub const RELATED_NAME: Symbol = Symbol("related_name");
pub const RELATED_TRAIT: Symbol = Symbol("related_trait");
pub const ON_DELETE: Symbol = Symbol("on_delete");
pub const TO_FIELD: Symbol = Symbol("to_field");
pub const MANY_TO_MANY: Symbol = Symbol("many_to_many");
pub const NAME: Symbol = Symbol("name");
pub const THROUGH: Symbol = Symbol("through");
pub const SYMMETRICAL: Symbol = Symbol("symmetrical");
pub const HOOKS: Symbol = Symbol("hooks");
pub const CRATE: Symbol = Symbol("crate");
pub const DUPLICATE_LINKS: Symbol = Symbol("duplicate_links");
pub const TO_ATTR: Symbol = Symbol("to_attr");
pub const THROUGH_FIELDS: Symbol = Symbol("through_fields");
pub const GENERIC_FOREIGN_KEY: Symbol = Symbol("generic_foreign_key");
pub const CONTENT_TYPE: Symbol = Symbol("content_type");
pub const TARGETS: Symbol = Symbol("targets");
pub const OBJECT_ID: Symbol = Symbol("object_id");
pub const GENERIC_RELATION: Symbol = Symbol("generic_relation");
pub const RELATED_QUERY_NAME: Symbol = Symbol("related_query_name");

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
