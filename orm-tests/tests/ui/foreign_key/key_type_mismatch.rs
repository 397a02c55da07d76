use orm_core::Model;

#[derive(Model, Clone)]
struct Blog {
    id: i64,
}

#[derive(Model)]
struct Entry {
    id: i64,
    #[foreign_key(Blog)]
    blog_id: i32,
}

fn main() {}
