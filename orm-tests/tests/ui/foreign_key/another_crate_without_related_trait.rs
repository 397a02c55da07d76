// `Blog` is a model of another crate (orm-tests, which this test depends on): Rust allows no
// inherent method on it, so its reverse accessor needs `related_trait = Name`.
use orm_core::prelude::*;
use orm_tests::models::Blog;

#[derive(Model)]
pub struct Reader {
    pub id: i64,
    #[foreign_key(Blog, related_name = readers)]
    pub blog_id: i64,
}

fn main() {}
