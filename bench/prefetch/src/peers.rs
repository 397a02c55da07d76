//! The same loads written by hand: diesel's `belonging_to` + `grouped_by`, rusqlite, and
//! SeaORM's loader. Each splits its key list where SQLite's bind limit (32,766) forces it, as a
//! careful user must.

use std::collections::HashMap;

use crate::schema::{posts, posts_tags, tags, users};
use crate::Tally;

const MAX_BINDS: usize = 32_766;

/// diesel's models for the generated `schema`.
pub mod diesel_models {
    use diesel::prelude::*;

    use crate::schema::{comments, posts, tags, users};

    #[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
    #[diesel(table_name = users)]
    pub struct User {
        pub id: i32,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Queryable, Selectable, Identifiable, Associations, Debug, Clone)]
    #[diesel(table_name = posts, belongs_to(User))]
    pub struct Post {
        pub id: i32,
        pub user_id: i32,
        pub title: String,
        pub body: Option<String>,
    }

    #[derive(Queryable, Selectable, Identifiable, Associations, Debug, Clone)]
    #[diesel(table_name = comments, belongs_to(Post))]
    pub struct Comment {
        pub id: i32,
        pub post_id: i32,
        pub text: String,
    }

    #[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
    #[diesel(table_name = tags)]
    pub struct Tag {
        pub id: i32,
        pub name: String,
    }
}

/// diesel: users, `Post::belonging_to(&users)`, `Comment::belonging_to(&posts)`, `grouped_by`.
pub fn diesel_users(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<Tally> {
    use diesel::prelude::*;
    use diesel_models::*;

    let all_users = users::table.select(User::as_select()).load(conn)?;
    let mut all_posts = Vec::new();
    for chunk in all_users.chunks(MAX_BINDS) {
        all_posts.extend(
            Post::belonging_to(chunk)
                .select(Post::as_select())
                .load(conn)?,
        );
    }
    let mut all_comments = Vec::new();
    for chunk in all_posts.chunks(MAX_BINDS) {
        all_comments.extend(
            Comment::belonging_to(chunk)
                .select(Comment::as_select())
                .load(conn)?,
        );
    }
    let comments = all_comments.grouped_by(&all_posts);
    let posts = all_posts.into_iter().zip(comments).grouped_by(&all_users);
    type Loaded = Vec<(User, Vec<(Post, Vec<Comment>)>)>;
    let loaded: Loaded = all_users.into_iter().zip(posts).collect();
    let mut t = Tally::default();
    for (u, posts) in &loaded {
        t.users += 1;
        for (p, comments) in posts {
            t.posts += 1;
            t.add(u.id, p.id);
            for c in comments {
                t.comments += 1;
                t.add(p.id, c.id);
            }
        }
    }
    Ok(t)
}

/// diesel: posts, then `(post_id, tag)` through the join table, grouped by post.
pub fn diesel_tags(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<Tally> {
    use diesel::prelude::*;
    use diesel_models::*;

    let all_posts = posts::table.select(Post::as_select()).load(conn)?;
    let mut by_post: HashMap<i32, Vec<Tag>> = HashMap::new();
    for chunk in all_posts.chunks(MAX_BINDS) {
        let ids: Vec<i32> = chunk.iter().map(|p| p.id).collect();
        let rows: Vec<(i32, Tag)> = posts_tags::table
            .inner_join(tags::table.on(tags::id.eq(posts_tags::tag_id)))
            .filter(posts_tags::post_id.eq_any(ids))
            .select((posts_tags::post_id, Tag::as_select()))
            .load(conn)?;
        for (post, tag) in rows {
            by_post.entry(post).or_default().push(tag);
        }
    }
    let mut t = Tally::default();
    for p in &all_posts {
        t.posts += 1;
        for tag in by_post.get(&p.id).map(Vec::as_slice).unwrap_or(&[]) {
            t.comments += 1;
            t.add(p.id, tag.id);
        }
    }
    Ok(t)
}

/// How the rusqlite code picks the related rows: by the parents' keys (IN lists, split at the
/// bind limit), or, as orm-core does when the parents are a whole table, every row that has a
/// parent (`IS NOT NULL`, no keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    InLists,
    WholeTable,
}

/// Runs `select` (which ends in the key column) for `keys`, calling `row` on each row: one
/// statement per chunk of keys, or one `IS NOT NULL` statement.
fn each_row(
    conn: &rusqlite::Connection,
    select: &str,
    keys: &[i32],
    how: Keys,
    mut row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut run = |sql: &str, binds: &[i32]| -> rusqlite::Result<()> {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(binds))?;
        while let Some(r) = rows.next()? {
            row(r)?;
        }
        Ok(())
    };
    match how {
        Keys::WholeTable => run(&format!("{select} IS NOT NULL"), &[]),
        Keys::InLists => keys.chunks(MAX_BINDS).try_for_each(|chunk| {
            run(
                &format!("{select} IN ({})", placeholders(chunk.len())),
                chunk,
            )
        }),
    }
}

/// rusqlite by hand: three statements, grouped with hash maps.
pub fn rusqlite_users(conn: &rusqlite::Connection, how: Keys) -> rusqlite::Result<Tally> {
    struct User {
        id: i32,
        _name: String,
        _hair_color: Option<String>,
    }
    struct Post {
        id: i32,
        _title: String,
        _body: Option<String>,
    }
    struct Comment {
        id: i32,
        _text: String,
    }
    let users: Vec<User> = conn
        .prepare_cached("SELECT id, name, hair_color FROM users")?
        .query_map([], |r| {
            Ok(User {
                id: r.get(0)?,
                _name: r.get(1)?,
                _hair_color: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let mut posts: HashMap<i32, Vec<Post>> = HashMap::new();
    let mut post_ids = Vec::new();
    let select = "SELECT id, user_id, title, body FROM posts WHERE user_id";
    each_row(conn, select, &user_ids, how, |r| {
        let post = Post {
            id: r.get(0)?,
            _title: r.get(2)?,
            _body: r.get(3)?,
        };
        post_ids.push(post.id);
        posts.entry(r.get(1)?).or_default().push(post);
        Ok(())
    })?;
    let mut comments: HashMap<i32, Vec<Comment>> = HashMap::new();
    let select = "SELECT id, post_id, text FROM comments WHERE post_id";
    each_row(conn, select, &post_ids, how, |r| {
        comments.entry(r.get(1)?).or_default().push(Comment {
            id: r.get(0)?,
            _text: r.get(2)?,
        });
        Ok(())
    })?;
    let mut t = Tally::default();
    for u in &users {
        t.users += 1;
        for p in posts.get(&u.id).map(Vec::as_slice).unwrap_or(&[]) {
            t.posts += 1;
            t.add(u.id, p.id);
            for c in comments.get(&p.id).map(Vec::as_slice).unwrap_or(&[]) {
                t.comments += 1;
                t.add(p.id, c.id);
            }
        }
    }
    Ok(t)
}

/// rusqlite by hand: posts, then `(post_id, tag)` pairs.
pub fn rusqlite_tags(conn: &rusqlite::Connection, how: Keys) -> rusqlite::Result<Tally> {
    let posts: Vec<(i32, i32, String, Option<String>)> = conn
        .prepare_cached("SELECT id, user_id, title, body FROM posts")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let ids: Vec<i32> = posts.iter().map(|p| p.0).collect();
    let mut by_post: HashMap<i32, Vec<(i32, String)>> = HashMap::new();
    let select =
        "SELECT j.post_id, t.id, t.name FROM tags t INNER JOIN posts_tags j ON j.tag_id = t.id WHERE j.post_id";
    each_row(conn, select, &ids, how, |r| {
        by_post
            .entry(r.get(0)?)
            .or_default()
            .push((r.get(1)?, r.get(2)?));
        Ok(())
    })?;
    let mut t = Tally::default();
    for p in &posts {
        t.posts += 1;
        for tag in by_post.get(&p.0).map(Vec::as_slice).unwrap_or(&[]) {
            t.comments += 1;
            t.add(p.0, tag.0);
        }
    }
    Ok(t)
}

fn placeholders(n: usize) -> String {
    let mut s = "?,".repeat(n);
    s.pop();
    s
}

/// SeaORM's entities for the same tables.
pub mod sea {
    include!("sea_entities.rs");
}

/// SeaORM: users, then `load_many` twice (its loader splits nothing: it binds one IN list per
/// level, so the largest size needs chunks here as well). The sync peer,
/// [`orm_bench_sea_sync::users`], is the same without `.await`.
pub async fn sea_users(db: &sea_orm::DatabaseConnection) -> Result<Tally, sea_orm::DbErr> {
    use sea_orm::{EntityTrait, LoaderTrait};

    let users = sea::user::Entity::find().all(db).await?;
    let mut posts: Vec<Vec<sea::post::Model>> = Vec::with_capacity(users.len());
    for chunk in users.chunks(MAX_BINDS) {
        posts.extend(chunk.load_many(sea::post::Entity, db).await?);
    }
    let flat: Vec<sea::post::Model> = posts.iter().flatten().cloned().collect();
    let mut comments: Vec<Vec<sea::comment::Model>> = Vec::with_capacity(flat.len());
    for chunk in flat.chunks(MAX_BINDS) {
        comments.extend(chunk.load_many(sea::comment::Entity, db).await?);
    }
    Ok(tally_users(&users, &posts, comments))
}

/// SeaORM: posts, then `load_many_to_many` through the join table.
pub async fn sea_tags(db: &sea_orm::DatabaseConnection) -> Result<Tally, sea_orm::DbErr> {
    use sea_orm::{EntityTrait, LoaderTrait};

    let posts = sea::post::Entity::find().all(db).await?;
    let mut tags = Vec::with_capacity(posts.len());
    for chunk in posts.chunks(MAX_BINDS) {
        tags.extend(
            chunk
                .load_many_to_many(sea::tag::Entity, sea::post_tag::Entity, db)
                .await?,
        );
    }
    Ok(tally_tags(&posts, &tags))
}

/// SeaORM without a runtime (`sea-orm-sync` on rusqlite): the same loads as [`sea_users`].
pub fn sea_sync_users(
    db: &orm_bench_sea_sync::DatabaseConnection,
) -> Result<Tally, orm_bench_sea_sync::DbErr> {
    let (users, posts, comments) = orm_bench_sea_sync::users(db)?;
    Ok(tally_users(&users, &posts, comments))
}

/// SeaORM without a runtime: the same loads as [`sea_tags`].
pub fn sea_sync_tags(
    db: &orm_bench_sea_sync::DatabaseConnection,
) -> Result<Tally, orm_bench_sea_sync::DbErr> {
    let (posts, tags) = orm_bench_sea_sync::tags(db)?;
    Ok(tally_tags(&posts, &tags))
}

/// A SeaORM model's key, for the tallies shared by both SeaORM peers (each has its own types).
trait Id {
    fn id(&self) -> i32;
}

macro_rules! ids {
    ($($model:ty),*) => {
        $(impl Id for $model {
            fn id(&self) -> i32 {
                self.id
            }
        })*
    };
}

ids!(
    sea::user::Model,
    sea::post::Model,
    sea::comment::Model,
    sea::tag::Model
);
ids!(
    orm_bench_sea_sync::user::Model,
    orm_bench_sea_sync::post::Model,
    orm_bench_sea_sync::comment::Model,
    orm_bench_sea_sync::tag::Model
);

/// Users with their posts, and every post's comments in the posts' order.
fn tally_users<U: Id, P: Id, C: Id>(users: &[U], posts: &[Vec<P>], comments: Vec<Vec<C>>) -> Tally {
    let mut comments = comments.into_iter();
    let mut t = Tally::default();
    for (u, posts) in users.iter().zip(posts) {
        t.users += 1;
        for p in posts {
            t.posts += 1;
            t.add(u.id(), p.id());
            for c in comments.next().unwrap_or_default() {
                t.comments += 1;
                t.add(p.id(), c.id());
            }
        }
    }
    t
}

/// Posts with their tags.
fn tally_tags<P: Id, T: Id>(posts: &[P], tags: &[Vec<T>]) -> Tally {
    let mut t = Tally::default();
    for (p, tags) in posts.iter().zip(tags) {
        t.posts += 1;
        for tag in tags {
            t.comments += 1;
            t.add(p.id(), tag.id());
        }
    }
    t
}
