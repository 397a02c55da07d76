// `on_delete = SetDefault` on a text key (its default a string) and on a small integer key.
use orm_core::prelude::*;

#[derive(Model, Debug, Clone)]
pub struct Tag {
    #[orm(primary_key)]
    pub slug: String,
}

#[derive(Model, Debug, Clone)]
pub struct Level {
    pub id: i16,
}

#[derive(Model, Debug, Clone)]
pub struct Post {
    pub id: i64,
    #[foreign_key(Tag, on_delete = SetDefault)]
    #[orm(default = "misc")]
    pub tag_slug: String,
    #[foreign_key(Level, on_delete = SetDefault)]
    #[orm(default = 1)]
    pub level_id: Option<i16>,
}

fn main() {}
