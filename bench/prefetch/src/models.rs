//! The shape of diesel's `loading_associations` benchmark: users -> posts -> comments, plus a
//! many-to-many from posts to tags.

use orm_core::prelude::*;

/// A user.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "users")]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

/// A post of a user, with tags.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "posts")]
#[many_to_many(Tag, name = tags, related_name = posts)]
pub struct Post {
    pub id: i32,
    #[foreign_key(User, related_name = posts)]
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

/// A comment on a post.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "comments")]
pub struct Comment {
    pub id: i32,
    #[foreign_key(Post, related_name = comments)]
    pub post_id: i32,
    pub text: String,
}

/// A tag.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "tags")]
pub struct Tag {
    pub id: i32,
    pub name: String,
}
