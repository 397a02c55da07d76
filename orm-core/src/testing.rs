//! Helpers for asserting statement counts in tests.

use crate::db::connection::Connection;

/// Runs `f` and returns its result with the number of statements it sent.
pub fn count_queries<T>(conn: &mut Connection, f: impl FnOnce(&mut Connection) -> T) -> (T, u64) {
    let before = conn.query_count();
    let out = f(conn);
    (out, conn.query_count() - before)
}

/// Runs `f` and panics, listing the statements, unless it sent exactly `expected` statements
/// (Django's `assertNumQueries`). Meant for tests.
#[track_caller]
pub fn assert_num_queries<T>(
    conn: &mut Connection,
    expected: u64,
    f: impl FnOnce(&mut Connection) -> T,
) -> T {
    conn.start_log();
    let (out, n) = count_queries(conn, f);
    let log = conn.take_log();
    if n != expected {
        let list: Vec<String> = log
            .iter()
            .enumerate()
            .map(|(i, s)| format!("  {}. {s}", i + 1))
            .collect();
        panic!(
            "expected {expected} statement(s), {n} were run:\n{}",
            list.join("\n")
        );
    }
    out
}
