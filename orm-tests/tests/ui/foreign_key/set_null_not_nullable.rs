use orm_core::Model;

#[derive(Model)]
struct Blog {
    id: i64,
}

#[derive(Model)]
struct Entry {
    id: i64,
    #[foreign_key(Blog, on_delete = SetNull)]
    blog_id: i64,
}

fn main() {}
