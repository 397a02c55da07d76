//! users -> posts -> comments (10 posts per user, 10 comments per post) at 100, 1,000 and
//! 10,000 users, and posts -> tags (a many-to-many), each done several ways in one run:
//! `cargo bench --manifest-path bench/prefetch/Cargo.toml`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use diesel::Connection as _;
use orm_bench::peers::{self, Keys};
use orm_bench::{
    database, orm_async_tags, orm_async_users, orm_n_plus_one, orm_tags, orm_users, Tally,
};

struct Conns {
    orm: orm_core::Connection,
    orm_async: orm_core::AsyncConnection,
    diesel: diesel::SqliteConnection,
    rusqlite: rusqlite::Connection,
    sea: sea_orm::DatabaseConnection,
    sea_sync: orm_bench_sea_sync::DatabaseConnection,
    rt: tokio::runtime::Runtime,
}

fn open(users: usize) -> Conns {
    let path = database(users);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sea = rt
        .block_on(sea_orm::Database::connect(format!(
            "sqlite://{path}?mode=ro"
        )))
        .expect("sea-orm");
    let sea_sync = orm_bench_sea_sync::Database::connect(format!("sqlite://{path}?mode=ro"))
        .expect("sea-orm-sync");
    Conns {
        orm: orm_core::Connection::open(&format!("sqlite://{path}")).expect("orm"),
        orm_async: orm_core::AsyncConnection::new(
            orm_core::Connection::open(&format!("sqlite://{path}")).expect("orm"),
        )
        .expect("orm async"),
        diesel: diesel::SqliteConnection::establish(&path).expect("diesel"),
        rusqlite: rusqlite::Connection::open(&path).expect("rusqlite"),
        sea,
        sea_sync,
        rt,
    }
}

fn users(c: &mut Criterion) {
    let mut group = c.benchmark_group("users_posts_comments");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for size in [100, 1_000, 10_000] {
        let mut k = open(size);
        let expected = orm_users(&mut k.orm).unwrap();
        assert_eq!(expected.users, size);
        assert_eq!(expected.comments, size * 100);
        let check = |t: Tally| assert_eq!(t, expected);
        check(k.rt.block_on(orm_async_users(&k.orm_async)).unwrap());
        check(peers::diesel_users(&mut k.diesel).unwrap());
        check(peers::rusqlite_users(&k.rusqlite, Keys::InLists).unwrap());
        check(peers::rusqlite_users(&k.rusqlite, Keys::WholeTable).unwrap());
        check(k.rt.block_on(peers::sea_users(&k.sea)).unwrap());
        check(peers::sea_sync_users(&k.sea_sync).unwrap());
        check(orm_n_plus_one(&mut k.orm).unwrap());

        group.bench_function(BenchmarkId::new("orm", size), |b| {
            b.iter(|| orm_users(&mut k.orm).unwrap())
        });
        group.bench_function(BenchmarkId::new("orm_async", size), |b| {
            b.iter(|| k.rt.block_on(orm_async_users(&k.orm_async)).unwrap())
        });
        group.bench_function(BenchmarkId::new("diesel", size), |b| {
            b.iter(|| peers::diesel_users(&mut k.diesel).unwrap())
        });
        group.bench_function(BenchmarkId::new("rusqlite", size), |b| {
            b.iter(|| peers::rusqlite_users(&k.rusqlite, Keys::InLists).unwrap())
        });
        group.bench_function(BenchmarkId::new("rusqlite_whole", size), |b| {
            b.iter(|| peers::rusqlite_users(&k.rusqlite, Keys::WholeTable).unwrap())
        });
        group.bench_function(BenchmarkId::new("sea_orm", size), |b| {
            b.iter(|| k.rt.block_on(peers::sea_users(&k.sea)).unwrap())
        });
        group.bench_function(BenchmarkId::new("sea_orm_sync", size), |b| {
            b.iter(|| peers::sea_sync_users(&k.sea_sync).unwrap())
        });
        group.bench_function(BenchmarkId::new("n_plus_one", size), |b| {
            b.iter(|| orm_n_plus_one(&mut k.orm).unwrap())
        });
    }
    group.finish();
}

fn tags(c: &mut Criterion) {
    let mut group = c.benchmark_group("posts_tags");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for size in [100, 1_000] {
        let mut k = open(size);
        let expected = orm_tags(&mut k.orm).unwrap();
        let check = |t: Tally| assert_eq!(t, expected);
        check(k.rt.block_on(orm_async_tags(&k.orm_async)).unwrap());
        check(peers::diesel_tags(&mut k.diesel).unwrap());
        check(peers::rusqlite_tags(&k.rusqlite, Keys::InLists).unwrap());
        check(peers::rusqlite_tags(&k.rusqlite, Keys::WholeTable).unwrap());
        check(k.rt.block_on(peers::sea_tags(&k.sea)).unwrap());
        check(peers::sea_sync_tags(&k.sea_sync).unwrap());
        let posts = size * orm_bench::POSTS_PER_USER;
        group.bench_function(BenchmarkId::new("orm", posts), |b| {
            b.iter(|| orm_tags(&mut k.orm).unwrap())
        });
        group.bench_function(BenchmarkId::new("orm_async", posts), |b| {
            b.iter(|| k.rt.block_on(orm_async_tags(&k.orm_async)).unwrap())
        });
        group.bench_function(BenchmarkId::new("diesel", posts), |b| {
            b.iter(|| peers::diesel_tags(&mut k.diesel).unwrap())
        });
        group.bench_function(BenchmarkId::new("rusqlite", posts), |b| {
            b.iter(|| peers::rusqlite_tags(&k.rusqlite, Keys::InLists).unwrap())
        });
        group.bench_function(BenchmarkId::new("rusqlite_whole", posts), |b| {
            b.iter(|| peers::rusqlite_tags(&k.rusqlite, Keys::WholeTable).unwrap())
        });
        group.bench_function(BenchmarkId::new("sea_orm", posts), |b| {
            b.iter(|| k.rt.block_on(peers::sea_tags(&k.sea)).unwrap())
        });
        group.bench_function(BenchmarkId::new("sea_orm_sync", posts), |b| {
            b.iter(|| peers::sea_sync_tags(&k.sea_sync).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, users, tags);
criterion_main!(benches);
