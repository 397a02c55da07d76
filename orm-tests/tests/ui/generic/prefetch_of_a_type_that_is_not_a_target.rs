use orm_core::prelude::*;

#[derive(Model, Clone)]
#[generic_foreign_key(content_object)]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i64,
    pub object_id: String,
}

#[derive(Model, Clone)]
#[generic_relation(TaggedItem, name = tags)]
pub struct Book {
    pub id: i64,
}

#[derive(Model, Clone)]
pub struct Movie {
    pub id: i64,
}

fn load(conn: &mut Connection) {
    let _ = TaggedItem::query()
        .prefetch(TaggedItemContentObject.of::<Movie>())
        .all(conn);
}

fn main() {}
