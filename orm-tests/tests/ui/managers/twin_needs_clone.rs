use orm_core::prelude::*;
use orm_core::AsyncConnection;

#[derive(Model, Clone)]
pub struct Blog {
    pub id: i64,
}

// The twin copies the objects to the connection's thread: the model must be `Clone`.
#[derive(Model)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog)]
    pub blog_id: i64,
}

async fn attach(conn: &AsyncConnection, blog: &Blog, entry: &mut Entry) {
    blog.entry_set().aadd(conn, [entry]).await.unwrap();
}

fn main() {}
