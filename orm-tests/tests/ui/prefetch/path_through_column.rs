use orm_core::prelude::*;

#[derive(Model, Clone)]
pub struct Blog {
    pub id: i64,
    pub name: String,
}

fn load(conn: &mut Connection) {
    let _ = Blog::query().prefetch(Blog::name).all(conn);
}

fn main() {}
