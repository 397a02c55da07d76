use orm_core::prelude::*;
use orm_core::AsyncConnection;

#[derive(Model, Clone)]
pub struct Blog {
    pub id: i64,
}

#[derive(Model, Clone)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog)]
    pub blog_id: i64,
}

async fn detach(conn: &AsyncConnection, blog: &Blog, entry: &mut Entry) {
    blog.entry_set().aremove(conn, [entry]).await.unwrap();
}

fn main() {}
