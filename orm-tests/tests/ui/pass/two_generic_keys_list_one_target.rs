// Two generic foreign keys of one model list the same model of another crate (orm-tests' `Blog`):
// one `GenericTarget` impl, and both prefetch paths exist.
use orm_core::prelude::*;
use orm_tests::models::Blog;

#[derive(Model)]
#[generic_foreign_key(subject, content_type = subject_type, object_id = subject_id, targets(Blog))]
#[generic_foreign_key(object, content_type = object_type, object_id = object_key, targets(Blog))]
pub struct Edge {
    pub id: i64,
    pub subject_type: i64,
    pub subject_id: String,
    pub object_type: i64,
    pub object_key: String,
}

fn main() {
    let _subjects = EdgeSubject.of::<Blog>();
    let _objects = EdgeObject.of::<Blog>();
}
