//! Connections writing the same relations at the same moment, on every backend (on SQLite the
//! second writer waits for the first: transactions begin `IMMEDIATE`): no call fails, no link
//! is duplicated, concurrent `set`s leave one caller's set, writes in opposite orders do not
//! deadlock, and a call whose own transaction is chosen to break a deadlock runs it again.

use std::sync::Barrier;

use orm_core::prelude::*;
use orm_core::testing::{assert_num_queries, count_queries};
use orm_core::Backend;
use orm_tests::fixtures::{author, book, owner_lock, pizza, toppings};
use orm_tests::harness::each_database;
use orm_tests::models::*;

const ROUNDS: usize = 100;
const LINKS: usize = 20;

#[test]
fn concurrent_adds_of_the_same_links_neither_fail_nor_duplicate() {
    each_database(|db| {
        let conn = &mut db.conn;
        let p = pizza(conn, "p");
        let names: Vec<String> = (0..LINKS).map(|i| format!("t{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let t = toppings(conn, &names);
        let ch = Chapter::create(conn, NewChapter { title: "c".into() }).unwrap();
        let slides = Slide::bulk_create(
            conn,
            (0..LINKS).map(|i| NewSlide {
                title: format!("s{i}"),
            }),
        )
        .unwrap();

        let barrier = Barrier::new(2);
        let mut conns = [
            Connection::open(&db.url).unwrap(),
            Connection::open(&db.url).unwrap(),
        ];
        for round in 0..ROUNDS {
            p.toppings().clear(conn).unwrap();
            ch.slides().clear(conn).unwrap();
            std::thread::scope(|s| {
                for c in conns.iter_mut() {
                    let (p, t, ch, slides, barrier) = (&p, &t, &ch, &slides, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        p.toppings()
                            .add(c, t)
                            .unwrap_or_else(|e| panic!("round {round}: {e}"));
                        ch.slides()
                            .add(c, slides)
                            .unwrap_or_else(|e| panic!("round {round}: {e}"));
                    });
                }
            });
            assert_eq!(
                p.toppings().count(conn).unwrap(),
                LINKS as i64,
                "round {round}"
            );
            assert_eq!(
                SlideOrder::query()
                    .filter(SlideOrder::chapter_id.eq(ch.id))
                    .count(conn)
                    .unwrap(),
                LINKS as i64,
                "round {round}: no duplicate through rows"
            );
        }
    });
}

/// The largest number of statements one call may send, over its own transaction's retries:
/// `once` statements an attempt, `1 + RETRIES` attempts.
fn at_most(once: u64) -> u64 {
    once * 4
}

/// Several connections setting one owner's links at the same moment, 100 rounds: every call
/// succeeds, and after each round the links are exactly one caller's set (the owner's row is
/// locked first, so the calls take turns), for a many-to-many and for a nullable foreign key.
#[test]
fn concurrent_sets_leave_exactly_one_callers_set() {
    const CALLERS: usize = 4;
    each_database(|db| {
        let conn = &mut db.conn;
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b", "c", "d", "e", "f"]);
        let editor = author(conn, "editor");
        let books: Vec<Book> = (0..6)
            .map(|i| book(conn, &editor, None, &format!("b{i}")))
            .collect();
        // Caller i wants toppings and books {i, i + 1, i + 2}: each set overlaps the others.
        let wanted = |i: usize| [i, i + 1, i + 2];
        let barrier = Barrier::new(CALLERS);
        let mut conns: Vec<Connection> = (0..CALLERS)
            .map(|_| Connection::open(&db.url).unwrap())
            .collect();
        for round in 0..ROUNDS {
            std::thread::scope(|s| {
                for (i, c) in conns.iter_mut().enumerate() {
                    let (p, t, books, barrier, editor) = (&p, &t, &books, &barrier, &editor);
                    s.spawn(move || {
                        let mut mine: Vec<Book> =
                            wanted(i).iter().map(|&k| books[k].clone()).collect();
                        let once = 3 + owner_lock(c);
                        barrier.wait();
                        let ((), n) = count_queries(c, |c| {
                            p.toppings()
                                .set(c, wanted(i).map(|k| &t[k]))
                                .unwrap_or_else(|e| panic!("round {round}: {e}"))
                        });
                        assert!(n <= at_most(once), "round {round}: {n} statements");
                        let ((), n) = count_queries(c, |c| {
                            editor
                                .edited_books()
                                .set(c, mine.iter_mut())
                                .unwrap_or_else(|e| panic!("round {round}: {e}"))
                        });
                        assert!(n <= at_most(once), "round {round}: {n} statements");
                    });
                }
            });
            let mut linked: Vec<i64> = p
                .toppings()
                .all(conn)
                .unwrap()
                .iter()
                .map(|t| t.id)
                .collect();
            linked.sort();
            let toppings_of = |i: usize| wanted(i).map(|k| t[k].id).to_vec();
            assert!(
                (0..CALLERS).any(|i| linked == toppings_of(i)),
                "round {round}: toppings {linked:?} are no caller's set"
            );
            let mut edited: Vec<i64> = editor
                .edited_books()
                .all(conn)
                .unwrap()
                .iter()
                .map(|b| b.id)
                .collect();
            edited.sort();
            let books_of = |i: usize| wanted(i).map(|k| books[k].id).to_vec();
            assert!(
                (0..CALLERS).any(|i| edited == books_of(i)),
                "round {round}: books {edited:?} are no caller's set"
            );
        }
    });
}

/// `add([t1, t2, ...])` racing `add([..., t2, t1])`: the links are written in one order
/// whatever the caller's, so the two never deadlock (each call is its one INSERT, never
/// retried).
#[test]
fn adds_in_opposite_orders_do_not_deadlock() {
    each_database(|db| {
        let conn = &mut db.conn;
        let p = pizza(conn, "p");
        let names: Vec<String> = (0..LINKS).map(|i| format!("t{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let forward = toppings(conn, &names);
        let backward: Vec<Topping> = forward.iter().rev().cloned().collect();
        let barrier = Barrier::new(2);
        let mut conns = [
            Connection::open(&db.url).unwrap(),
            Connection::open(&db.url).unwrap(),
        ];
        for round in 0..2 * ROUNDS {
            p.toppings().clear(conn).unwrap();
            std::thread::scope(|s| {
                for (c, order) in conns.iter_mut().zip([&forward, &backward]) {
                    let (p, barrier) = (&p, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        assert_num_queries(c, 1, |c| {
                            p.toppings()
                                .add(c, order)
                                .unwrap_or_else(|e| panic!("round {round}: {e}"))
                        });
                    });
                }
            });
            assert_eq!(p.toppings().count(conn).unwrap(), LINKS as i64);
        }
    });
}

/// Eight connections doing every kind of manager write on shared rows at once: none fails.
/// Whatever deadlock the databases still see is retried by the call that owns its transaction.
#[test]
fn mixed_manager_writes_from_eight_connections_all_succeed() {
    const THREADS: usize = 8;
    const CALLS: usize = 40;
    each_database(|db| {
        let conn = &mut db.conn;
        let pizzas: Vec<Pizza> = (0..3).map(|i| pizza(conn, &format!("p{i}"))).collect();
        let t = toppings(conn, &["a", "b", "c", "d", "e", "f", "g", "h"]);
        let editors: Vec<Author> = (0..2).map(|i| author(conn, &format!("ed{i}"))).collect();
        let books: Vec<Book> = (0..8)
            .map(|i| book(conn, &editors[0], None, &format!("b{i}")))
            .collect();
        std::thread::scope(|s| {
            for thread in 0..THREADS {
                let (pizzas, t, editors, books) = (&pizzas, &t, &editors, &books);
                let mut c = Connection::open(&db.url).unwrap();
                s.spawn(move || {
                    for call in 0..CALLS {
                        let k = (thread * 7 + call * 3) % t.len();
                        let pick = |n: usize| (0..n).map(|j| &t[(k + j * 5) % t.len()]);
                        let p = &pizzas[(thread + call) % pizzas.len()];
                        let ed = &editors[(thread + call) % editors.len()];
                        let mut mine: Vec<Book> = (0..3)
                            .map(|j| books[(k + j) % books.len()].clone())
                            .collect();
                        let ((), n) = count_queries(&mut c, |c| {
                            let done = match (thread + call) % 6 {
                                0 => p.toppings().add(c, pick(3)),
                                1 => p.toppings().remove(c, pick(2)),
                                2 => p.toppings().set(c, pick(4)),
                                3 => t[k].pizzas().add(c, pizzas),
                                4 => ed.edited_books().set(c, mine.iter_mut()),
                                _ => ed.edited_books().clear(c),
                            };
                            done.unwrap_or_else(|e| panic!("thread {thread}, call {call}: {e}"))
                        });
                        assert!(n <= at_most(5), "{n} statements");
                    }
                });
            }
        });
        // No link written twice: the link rows are as many as the toppings they link.
        for p in &pizzas {
            let rows = p.toppings().count(conn).unwrap();
            assert_eq!(rows, p.toppings().all(conn).unwrap().len() as i64);
        }
    });
}

/// Locks `t`'s row as a foreign-key check would wait for it (`FOR UPDATE`). One statement.
fn lock_topping(conn: &mut Connection, t: &Topping) {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        _n: i32,
    }
    let mut w = orm_core::SqlWriter::new(conn.backend());
    w.push("SELECT 1 AS _n FROM ")
        .ident(Topping::TABLE)
        .push(" WHERE ");
    w.ident("id")
        .push(" = ")
        .bind(orm_core::Value::BigInt(t.id));
    w.push(" FOR UPDATE");
    let _: Vec<N> = conn.load(&w.finish()).unwrap();
}

/// The database session id of `conn`, to watch it from another connection (PostgreSQL).
fn session_id(conn: &mut Connection) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let rows: Vec<Id> = conn
        .load(&stmt(
            "SELECT CAST(pg_backend_pid() AS BIGINT) AS id",
            Vec::new(),
        ))
        .unwrap();
    rows[0].id
}

fn stmt(sql: &str, binds: Vec<orm_core::Value>) -> orm_core::Stmt {
    orm_core::Stmt {
        sql: sql.into(),
        binds,
    }
}

/// Waits, up to nine seconds, until `waiter` waits for a lock: on PostgreSQL the session with
/// that id, on MySQL any transaction of this database waiting for a row of `table`.
fn until_waiting(monitor: &mut Connection, waiter: i64, table: &str) {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let (sql, bind) = match monitor.backend() {
        Backend::Postgres => (
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
            orm_core::Value::BigInt(waiter),
        ),
        // MariaDB's view; MySQL 8 has it in `performance_schema.data_locks`.
        _ => (
            "SELECT COUNT(*) AS n FROM information_schema.INNODB_LOCK_WAITS w \
             JOIN information_schema.INNODB_LOCKS l ON l.lock_id = w.requested_lock_id \
             WHERE l.lock_table = CONCAT('`', DATABASE(), '`.`', ?, '`')",
            orm_core::Value::Text(table.into()),
        ),
    };
    // MariaDB refreshes these views only when they were last read over 100 ms ago (else an
    // earlier wait would show): every read comes 150 ms after the one before.
    for _ in 0..60 {
        std::thread::sleep(std::time::Duration::from_millis(150));
        let rows: Vec<N> = monitor.load(&stmt(sql, vec![bind.clone()])).unwrap();
        if rows[0].n > 0 {
            return;
        }
    }
    panic!("no transaction waited for a lock");
}

/// A deadlock between a manager's `set` (which locks the pizza, then links a topping) and
/// another transaction (which holds the topping, then asks for the pizza), made on purpose: the
/// other transaction takes the topping first, the `set` locks the pizza and waits for the
/// topping, then the other asks for the pizza. The `set`'s transaction is the one the database
/// gives up. Run as the call's own transaction, it is run again and succeeds; run inside the
/// caller's transaction, the error says it is retryable and nothing is retried. With a hook on
/// the relation, a call does not retry either: the hook would run twice. PostgreSQL and MySQL
/// (SQLite transactions take the write lock first and cannot deadlock).
#[test]
fn a_deadlocked_call_retries_its_own_transaction_and_reports_it_inside_yours() {
    use std::sync::mpsc;
    each_database(|db| {
        if db.conn.backend() == Backend::Sqlite {
            return;
        }
        for (inside_a_transaction, hooked) in [(false, false), (true, false), (false, true)] {
            let conn = &mut db.conn;
            let p = pizza(conn, "p");
            let t = toppings(conn, &["t"]).remove(0);
            let mut b = Connection::open(&db.url).unwrap();
            if hooked {
                b.on_m2m_changed::<PizzaToppings>(|_, _| Ok(()));
            }
            let mut a = Connection::open(&db.url).unwrap();
            let mut monitor = Connection::open(&db.url).unwrap();
            let b_id = if conn.backend() == Backend::Postgres {
                session_id(&mut b)
            } else {
                0
            };
            let (go, start) = mpsc::channel::<()>();
            std::thread::scope(|s| {
                let (p, t) = (&p, &t);
                let set = s.spawn(move || {
                    start.recv().unwrap();
                    count_queries(&mut b, |b| {
                        let set = |b: &mut Connection| p.toppings().set(b, [t]);
                        if inside_a_transaction {
                            b.transaction(set)
                        } else {
                            set(b)
                        }
                    })
                });
                let other = a.transaction(|a| {
                    // Locked as a key check waits for it. Rows written too, which make this
                    // the heavier transaction, the one MySQL keeps (PostgreSQL gives up the
                    // one that waited first, the set).
                    lock_topping(a, t);
                    Topping::bulk_create(
                        a,
                        (0..10).map(|i| NewTopping {
                            name: format!("x{i}"),
                        }),
                    )?;
                    go.send(()).unwrap();
                    until_waiting(&mut monitor, b_id, Topping::TABLE);
                    Pizza::query()
                        .filter(Pizza::id.eq(p.id))
                        .update(a, [Pizza::name.set("p2".to_owned())])
                });
                assert_eq!(other.unwrap(), 1, "the other transaction goes through");
                let (res, n) = set.join().unwrap();
                // An attempt: the lock of the pizza, the read of its links, the INSERT.
                if inside_a_transaction || hooked {
                    let err = res.unwrap_err();
                    assert!(err.is_retryable() && err.is_deadlock(), "{err}");
                    assert_eq!(n, 3, "not retried");
                } else {
                    res.unwrap();
                    assert_eq!(n, 6, "run twice");
                }
            });
            let retried = !inside_a_transaction && !hooked;
            let linked = assert_num_queries(conn, 1, |c| p.toppings().count(c).unwrap());
            assert_eq!(linked, i64::from(retried));
        }
    });
}

/// SQLite has no deadlocks, but a writer that waited its whole `busy_timeout` for another's
/// transaction gets "database is locked", which is retryable too.
#[test]
fn sqlite_busy_is_retryable() {
    each_database(|db| {
        if db.conn.backend() != Backend::Sqlite {
            return;
        }
        let mut waiting = Connection::open(&db.url).unwrap();
        waiting.batch_execute("PRAGMA busy_timeout = 20").unwrap();
        let res = db.conn.transaction(|holder| {
            orm_tests::fixtures::blog(holder, "held");
            let err = assert_num_queries(&mut waiting, 1, |c| {
                Blog::query()
                    .update(c, [Blog::tagline.set("x".to_owned())])
                    .unwrap_err()
            });
            assert!(err.is_retryable(), "{err}");
            Ok::<_, orm_core::Error>(())
        });
        res.unwrap();
    });
}
