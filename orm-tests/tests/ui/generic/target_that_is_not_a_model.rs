// `targets(..)` lists models of other crates; a type that is not a model is refused where it
// is listed, not later where a prefetch uses it.
use orm_core::prelude::*;

pub struct Place {
    pub id: i64,
}

#[derive(Model)]
#[generic_foreign_key(subject, targets(Place))]
pub struct Activity {
    pub id: i64,
    pub content_type_id: i64,
    pub object_id: String,
}

fn main() {}
