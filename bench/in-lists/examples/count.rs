//! One filter on `n` keys in one form, run `rounds` times on SQLite, for callgrind:
//! `count FORM N ROUNDS`, FORM being `inline` or `one`.

use orm_bench_in_lists::{keys, run, setup, statement, Form};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let form = match args.get(1).map(String::as_str) {
        Some("inline") => Form::Inline,
        Some("one") => Form::OneValue,
        _ => panic!("usage: count inline|one N ROUNDS"),
    };
    let n: usize = args[2].parse().expect("N");
    let rounds: usize = args[3].parse().expect("ROUNDS");
    let path = std::env::temp_dir().join("orm-bench-in-lists-count.db");
    let mut conn = setup(&format!("sqlite://{}", path.display())).expect("SQLite opens");
    let (keys, backend) = (keys(n), conn.backend());
    for _ in 0..rounds {
        run(&mut conn, &statement(backend, form, &keys), n);
    }
}
