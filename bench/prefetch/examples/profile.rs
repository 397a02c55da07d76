//! Runs one implementation in a loop, for a profiler: `cargo run --release --example profile -- orm 1000 20`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("orm", String::as_str);
    let size: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let path = orm_bench::database(size);
    let mut orm = orm_core::Connection::open(&format!("sqlite://{path}")).unwrap();
    let mut diesel = <diesel::SqliteConnection as diesel::Connection>::establish(&path).unwrap();
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        let t = match which {
            "diesel" => orm_bench::peers::diesel_users(&mut diesel).unwrap(),
            _ => orm_bench::orm_users(&mut orm).unwrap(),
        };
        std::hint::black_box(t);
    }
    println!("{which}: {:?} per round", start.elapsed() / rounds as u32);
}
