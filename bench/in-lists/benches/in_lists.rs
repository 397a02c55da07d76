//! Wall time of a filter on `n` keys, value by value against one value, on every backend the
//! environment names: SQLite always (a file), PostgreSQL with `ORM_BENCH_POSTGRES_URL` and
//! feature `postgres`, MySQL with `ORM_BENCH_MYSQL_URL` and feature `mysql`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use orm_bench_in_lists::{keys, run, setup, statement, Form};

fn urls() -> Vec<(&'static str, String)> {
    let mut urls = vec![(
        "sqlite",
        format!(
            "sqlite://{}",
            std::env::temp_dir().join("orm-bench-in-lists.db").display()
        ),
    )];
    for (name, var) in [
        ("postgres", "ORM_BENCH_POSTGRES_URL"),
        ("mysql", "ORM_BENCH_MYSQL_URL"),
    ] {
        if let Ok(url) = std::env::var(var) {
            urls.push((name, url));
        }
    }
    urls
}

fn in_lists(c: &mut Criterion) {
    for (name, url) in urls() {
        let mut conn = setup(&url).expect("the database opens");
        let backend = conn.backend();
        let mut group = c.benchmark_group(format!("in_list/{name}"));
        for n in [10, 100, 1_000, 10_000, 30_000] {
            let keys = keys(n);
            for form in [Form::Inline, Form::OneValue] {
                group.bench_with_input(BenchmarkId::new(format!("{form:?}"), n), &n, |b, &n| {
                    b.iter(|| run(&mut conn, &statement(backend, form, &keys), n))
                });
            }
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = in_lists
}
criterion_main!(benches);
