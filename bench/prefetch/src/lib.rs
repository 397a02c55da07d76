//! The same work five ways, for `benches/prefetch.rs`: orm-core's prefetch, hand-written diesel
//! (`belonging_to` + `grouped_by`), rusqlite by hand, SeaORM's loader, and an N+1 loop.

pub mod models;
pub mod peers;

orm_core::include_schema!();

use models::*;
use orm_core::{AsyncConnection, Connection};

/// Users, posts per user, comments per post, tags per post (from a pool of 20).
pub const POSTS_PER_USER: usize = 10;
pub const COMMENTS_PER_POST: usize = 10;
pub const TAGS_PER_POST: usize = 3;

/// A SQLite file holding `users` users and their posts, comments and tags, built once.
pub fn database(users: usize) -> String {
    let path = std::env::temp_dir().join(format!("orm-bench-{users}.db"));
    if path.exists() {
        return path.display().to_string();
    }
    let tmp = std::env::temp_dir().join(format!("orm-bench-{users}.db.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let mut conn = Connection::open(&format!("sqlite://{}", tmp.display())).expect("open");
    MIGRATION.apply(&mut conn).expect("schema");
    conn.transaction(|conn| -> orm_core::Result<()> {
        use orm_core::Model as _;
        let tags = Tag::bulk_create(
            conn,
            (0..20).map(|i| NewTag {
                name: format!("tag {i}"),
            }),
        )?;
        let users = User::bulk_create(
            conn,
            (0..users).map(|i| NewUser {
                name: format!("user {i}"),
                hair_color: (i % 2 == 0).then(|| "black".to_owned()),
            }),
        )?;
        let posts = Post::bulk_create(
            conn,
            users.iter().flat_map(|u| {
                (0..POSTS_PER_USER).map(move |i| NewPost {
                    user_id: u.id,
                    title: format!("post {i} by {}", u.name),
                    body: Some("lorem ipsum".into()),
                })
            }),
        )?;
        Comment::bulk_create(
            conn,
            posts.iter().flat_map(|p| {
                (0..COMMENTS_PER_POST).map(move |i| NewComment {
                    post_id: p.id,
                    text: format!("comment {i} on post {}", p.id),
                })
            }),
        )?;
        for (n, p) in posts.iter().enumerate() {
            let picked: Vec<i32> = (0..TAGS_PER_POST)
                .map(|k| tags[(n + k * 7) % 20].id)
                .collect();
            p.tags().add(conn, picked)?;
        }
        Ok(())
    })
    .expect("data");
    drop(conn);
    std::fs::rename(&tmp, &path).expect("rename");
    path.display().to_string()
}

/// What every implementation returns for users -> posts -> comments: the number of users,
/// posts and comments, and a checksum of their ids, so the benchmark checks they agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub users: usize,
    pub posts: usize,
    pub comments: usize,
    pub checksum: i64,
}

impl Tally {
    pub fn add(&mut self, parent: i32, child: i32) {
        self.checksum += i64::from(parent) * 1_000_003 + i64::from(child);
    }
}

/// The tally of users with their posts and comments, as prefetched by orm-core.
macro_rules! tally_users {
    ($users:expr) => {{
        let mut t = Tally::default();
        for u in &$users {
            t.users += 1;
            for p in u.get(UserPosts) {
                t.posts += 1;
                t.add(u.id, p.id);
                for c in p.get(PostComments) {
                    t.comments += 1;
                    t.add(p.id, c.id);
                }
            }
        }
        t
    }};
}

/// The tally of posts with their tags, as prefetched by orm-core.
macro_rules! tally_tags {
    ($posts:expr) => {{
        let mut t = Tally::default();
        for p in &$posts {
            t.posts += 1;
            for tag in p.get(PostTags) {
                t.comments += 1;
                t.add(p.id, tag.id);
            }
        }
        t
    }};
}

/// orm-core: one statement per level.
pub fn orm_users(conn: &mut Connection) -> orm_core::Result<Tally> {
    use orm_core::prelude::*;
    let users = User::query()
        .prefetch(UserPosts.with(PostComments))
        .all(conn)?;
    Ok(tally_users!(users))
}

/// orm-core's async twin: the same load, run on the connection's own thread (one hand-over for
/// the whole load, where SeaORM's async loader hands each statement to sqlx's worker thread).
pub async fn orm_async_users(conn: &AsyncConnection) -> orm_core::Result<Tally> {
    use orm_core::prelude::*;
    let users = User::query()
        .prefetch(UserPosts.with(PostComments))
        .aall(conn)
        .await?;
    Ok(tally_users!(users))
}

/// orm-core without prefetch: a statement per user and per post.
pub fn orm_n_plus_one(conn: &mut Connection) -> orm_core::Result<Tally> {
    use orm_core::prelude::*;
    let mut t = Tally::default();
    for u in User::query().all(conn)? {
        t.users += 1;
        for p in u.posts().all(conn)? {
            t.posts += 1;
            t.add(u.id, p.id);
            for c in p.comments().all(conn)? {
                t.comments += 1;
                t.add(p.id, c.id);
            }
        }
    }
    Ok(t)
}

/// orm-core: posts with their tags (a many-to-many), as `(post, tag)` id pairs summed.
pub fn orm_tags(conn: &mut Connection) -> orm_core::Result<Tally> {
    use orm_core::prelude::*;
    let posts = Post::query().prefetch(PostTags).all(conn)?;
    Ok(tally_tags!(posts))
}

/// orm-core's async twin of [`orm_tags`].
pub async fn orm_async_tags(conn: &AsyncConnection) -> orm_core::Result<Tally> {
    use orm_core::prelude::*;
    let posts = Post::query().prefetch(PostTags).aall(conn).await?;
    Ok(tally_tags!(posts))
}
