use orm_core::prelude::*;

#[derive(Model)]
pub struct Blog {
    pub id: i64,
}

#[derive(Model)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog, related_name = entries, related_trait = BlogEntries)]
    pub blog_id: i64,
}

#[derive(Model)]
#[many_to_many(Blog, name = blogs, related_name = readers, related_trait = BlogReaders)]
pub struct Reader {
    pub id: i64,
}

fn main() {}
