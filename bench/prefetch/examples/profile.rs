//! Runs one implementation `rounds` times, for a profiler or an instruction counter:
//! `cargo run --release --example profile -- orm 1000 3` (orm, orm_async, diesel, rusqlite,
//! rusqlite_whole, sea_orm, sea_orm_sync, n_plus_one, and the many-to-many `orm_tags`,
//! `orm_async_tags`, `diesel_tags`, `rusqlite_tags`, `rusqlite_whole_tags`, `sea_orm_tags`,
//! `sea_orm_sync_tags`).
use orm_bench::{
    database, orm_async_tags, orm_async_users, orm_n_plus_one, orm_tags, orm_users, peers,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("orm", String::as_str).to_owned();
    let size: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let path = database(size);
    let mut orm = orm_core::Connection::open(&format!("sqlite://{path}")).unwrap();
    let mut diesel = <diesel::SqliteConnection as diesel::Connection>::establish(&path).unwrap();
    let rusqlite = rusqlite::Connection::open(&path).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sea = rt
        .block_on(sea_orm::Database::connect(format!(
            "sqlite://{path}?mode=ro"
        )))
        .unwrap();
    let sea_sync =
        orm_bench_sea_sync::Database::connect(format!("sqlite://{path}?mode=ro")).unwrap();
    let aconn = orm_core::AsyncConnection::new(
        orm_core::Connection::open(&format!("sqlite://{path}")).unwrap(),
    )
    .unwrap();
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        let t = match which.as_str() {
            "orm" => orm_users(&mut orm).unwrap(),
            "orm_async" => rt.block_on(orm_async_users(&aconn)).unwrap(),
            "diesel" => peers::diesel_users(&mut diesel).unwrap(),
            "rusqlite" => peers::rusqlite_users(&rusqlite, peers::Keys::InLists).unwrap(),
            "rusqlite_whole" => peers::rusqlite_users(&rusqlite, peers::Keys::WholeTable).unwrap(),
            "sea_orm" => rt.block_on(peers::sea_users(&sea)).unwrap(),
            "sea_orm_sync" => peers::sea_sync_users(&sea_sync).unwrap(),
            "n_plus_one" => orm_n_plus_one(&mut orm).unwrap(),
            "orm_tags" => orm_tags(&mut orm).unwrap(),
            "orm_async_tags" => rt.block_on(orm_async_tags(&aconn)).unwrap(),
            "diesel_tags" => peers::diesel_tags(&mut diesel).unwrap(),
            "rusqlite_tags" => peers::rusqlite_tags(&rusqlite, peers::Keys::InLists).unwrap(),
            "rusqlite_whole_tags" => {
                peers::rusqlite_tags(&rusqlite, peers::Keys::WholeTable).unwrap()
            }
            "sea_orm_tags" => rt.block_on(peers::sea_tags(&sea)).unwrap(),
            "sea_orm_sync_tags" => peers::sea_sync_tags(&sea_sync).unwrap(),
            other => panic!("unknown implementation {other}"),
        };
        std::hint::black_box(t);
    }
    println!("{which}: {:?} per round", start.elapsed() / rounds as u32);
}
