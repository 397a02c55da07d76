use orm_core::Model;

#[derive(Model)]
pub struct Chair {
    pub id: i64,
    #[orm(default = None)]
    pub legs: i32,
}

fn main() {}
