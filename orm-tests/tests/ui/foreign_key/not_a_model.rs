use orm_core::Model;

struct Blog {
    id: i64,
}

#[derive(Model)]
struct Entry {
    id: i64,
    #[foreign_key(Blog)]
    blog_id: i64,
}

fn main() {}
