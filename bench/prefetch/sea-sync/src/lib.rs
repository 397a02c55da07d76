//! SeaORM's loader without an async runtime: `sea-orm-sync` on rusqlite, the SeaORM a program
//! that reads SQLite synchronously would pick. The same entities and the same loads as the
//! async peer (`orm_bench::peers::sea_users`, `sea_tags`), without `.await`.

pub use sea_orm::{Database, DatabaseConnection, DbErr};
use sea_orm::{EntityTrait, LoaderTrait};

include!("../../src/sea_entities.rs");

/// SeaORM binds one IN list per level and splits nothing; SQLite's limit.
const MAX_BINDS: usize = 32_766;

/// Users, then `load_many` twice: each user's posts, each post's comments (flattened in order).
#[allow(clippy::type_complexity)]
pub fn users(
    db: &DatabaseConnection,
) -> Result<
    (
        Vec<user::Model>,
        Vec<Vec<post::Model>>,
        Vec<Vec<comment::Model>>,
    ),
    DbErr,
> {
    let users = user::Entity::find().all(db)?;
    let mut posts: Vec<Vec<post::Model>> = Vec::with_capacity(users.len());
    for chunk in users.chunks(MAX_BINDS) {
        posts.extend(chunk.load_many(post::Entity, db)?);
    }
    let flat: Vec<post::Model> = posts.iter().flatten().cloned().collect();
    let mut comments: Vec<Vec<comment::Model>> = Vec::with_capacity(flat.len());
    for chunk in flat.chunks(MAX_BINDS) {
        comments.extend(chunk.load_many(comment::Entity, db)?);
    }
    Ok((users, posts, comments))
}

/// Posts, then `load_many_to_many` through the join table.
pub fn tags(db: &DatabaseConnection) -> Result<(Vec<post::Model>, Vec<Vec<tag::Model>>), DbErr> {
    let posts = post::Entity::find().all(db)?;
    let mut tags = Vec::with_capacity(posts.len());
    for chunk in posts.chunks(MAX_BINDS) {
        tags.extend(chunk.load_many_to_many(tag::Entity, post_tag::Entity, db)?);
    }
    Ok((posts, tags))
}
