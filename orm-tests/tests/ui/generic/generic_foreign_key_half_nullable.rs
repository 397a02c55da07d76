use orm_core::prelude::*;

#[derive(Model)]
#[generic_foreign_key(target)]
pub struct Activity {
    pub id: i64,
    pub content_type_id: Option<i64>,
    pub object_id: String,
}

fn main() {}
