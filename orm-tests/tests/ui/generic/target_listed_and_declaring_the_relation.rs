// `Book` declares the generic relation, which makes it a target already: listing it in
// `targets(..)` as well is for models of other crates only.
use orm_core::prelude::*;

#[derive(Model)]
#[generic_foreign_key(content_object, targets(Book))]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i64,
    pub object_id: String,
}

#[derive(Model)]
#[generic_relation(TaggedItem, name = tags)]
pub struct Book {
    pub id: i64,
}

fn main() {}
