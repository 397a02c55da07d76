use orm_core::prelude::*;

#[derive(Model)]
pub struct Blog {
    pub id: i64,
}

#[derive(Model)]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog)]
    pub blog_id: i64,
}

fn detach(conn: &mut Connection, blog: &Blog, entry: &mut Entry) {
    blog.entry_set().remove(conn, [entry]).unwrap();
    blog.entry_set().clear(conn).unwrap();
}

fn main() {}
