//! A reader of an orm-tests blog, with favourite toppings and a home place.

use orm_core::prelude::*;
use orm_tests::models::{Blog, Place, TaggedItem, Topping};

/// A blog's reader. Its relations point at orm-tests' models, so each reverse accessor is a
/// trait method (`use HasReaders` to call `blog.readers()`), or there is none (`"+"`).
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Topping, name = favorite_toppings, related_name = fans, related_trait = HasFans)]
#[many_to_many(Place, name = visited, related_name = "+")]
#[generic_relation(TaggedItem, name = tags)]
#[many_to_many(Blog, name = subscriptions, related_name = subscribers, related_trait = HasSubscribers, through = Subscription)]
pub struct Reader {
    pub id: i64,
    #[foreign_key(Blog, related_name = readers, related_trait = HasReaders)]
    pub blog_id: i64,
    #[one_to_one(Place, related_name = resident, related_trait = HasResident, on_delete = SetNull)]
    pub home_id: Option<i64>,
    /// A blog's unique name (`to_field`), not its key.
    #[foreign_key(Blog, to_field = name, related_name = admirers, related_trait = HasAdmirers, on_delete = SetNull)]
    pub favorite_blog_id: Option<String>,
    /// The blog that sent this reader: no reverse accessor (Django's `related_name = "+"`), so
    /// no trait either.
    #[foreign_key(Blog, related_name = "+", on_delete = SetNull)]
    pub referrer_id: Option<i64>,
    pub name: String,
}

/// A mention of an orm-tests blog or place, or of nothing: a nullable generic foreign key whose
/// targets live in another crate, so it lists them (`targets`) for per-type prefetches.
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_foreign_key(subject, content_type = subject_type, object_id = subject_id, targets(Blog, Place))]
pub struct Mention {
    pub id: i64,
    pub text: String,
    pub subject_type: Option<i64>,
    pub subject_id: Option<String>,
}

/// The through model of `Reader.subscriptions`, here, between this crate's readers and orm-tests'
/// blogs: which day the reader subscribed.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: i64,
    #[foreign_key(Reader)]
    pub reader_id: i64,
    #[foreign_key(Blog, related_name = "+")]
    pub blog_id: i64,
    pub day: i32,
}
