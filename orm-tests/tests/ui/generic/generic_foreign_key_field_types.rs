use orm_core::prelude::*;

#[derive(Model, Clone)]
#[generic_foreign_key(content_object, object_id = target)]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub target: i64,
}

#[derive(Model, Clone)]
#[generic_foreign_key(other, content_type = missing)]
pub struct Other {
    pub id: i64,
    pub object_id: String,
}

fn main() {}
