use orm_core::prelude::*;

#[derive(Model)]
pub struct Post {
    pub id: i64,
    #[orm(max_length = 20)]
    pub views: i64,
    #[orm(max_length = 0)]
    pub title: String,
    #[orm(unique, max_length = 1000)]
    pub slug: String,
    #[orm(max_length = 20000)]
    pub body: String,
    #[orm(max_length = 3, default = "draft")]
    pub state: String,
}

fn main() {}
