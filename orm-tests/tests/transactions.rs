//! Transactions under panics: a closure that panics rolls its transaction back, and a pool never
//! hands out a connection left inside a transaction, on every backend.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{Error, Pool};
use orm_tests::fixtures::{blog, inserts};
use orm_tests::harness::each_database;
use orm_tests::models::*;

/// Runs `f`, which must panic, without printing the panic.
fn panics(f: impl FnOnce()) {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let caught = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(hook);
    assert!(caught.is_err(), "expected a panic");
}

fn blog_names(conn: &mut Connection) -> Vec<String> {
    let mut names: Vec<String> = Blog::query()
        .all(conn)
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    names.sort();
    names
}

#[test]
fn a_panic_inside_a_transaction_rolls_it_back_and_later_writes_commit() {
    each_database(|db| {
        let conn = &mut db.conn;
        panics(|| {
            let _: orm_core::Result<()> = conn.transaction(|conn| {
                blog(conn, "lost");
                panic!("the closure fails half way");
            });
        });
        assert!(!conn.in_transaction(), "the panic left a transaction open");
        // A write after the panic is its own, committed at once: another connection sees it.
        assert_num_queries(conn, inserts(conn), |conn| blog(conn, "kept"));
        let mut other = Connection::open(&db.url).unwrap();
        assert_num_queries(&mut other, 1, |c| assert_eq!(blog_names(c), ["kept"]));
        // A hook that panics inside a manager's own transaction: nothing of the call stays.
        let p = Pizza::create(conn, NewPizza { name: "p".into() }).unwrap();
        let t = Topping::create(conn, NewTopping { name: "t".into() }).unwrap();
        conn.on_m2m_changed::<PizzaToppings>(|_, _| panic!("a hook panics"));
        panics(|| p.toppings().add(&mut *conn, [&t]).unwrap());
        assert!(!conn.in_transaction());
        assert_num_queries(&mut other, 1, |c| {
            assert_eq!(p.toppings().count(c).unwrap(), 0)
        });
    });
}

#[test]
fn a_pool_drops_a_connection_given_back_in_a_panic_or_inside_a_transaction() {
    each_database(|db| {
        let ins = inserts(&db.conn);
        let opened = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&opened);
        let pool = Pool::with_setup(&db.url, 1, move |_| {
            count.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .unwrap();
        let first = opened.load(Ordering::SeqCst);
        // Given back as usual: the same connection comes back.
        {
            let mut conn = pool.get().unwrap();
            assert_num_queries(&mut conn, ins, |c| blog(c, "a"));
        }
        let conn = pool.get().unwrap();
        assert_eq!(conn.query_count(), ins, "the same connection");
        drop(conn);
        // Given back while its thread panics: closed, and a new one is opened.
        panics(|| {
            let mut conn = pool.get().unwrap();
            blog(&mut conn, "b");
            panic!("the borrower panics");
        });
        let mut conn = pool.get().unwrap();
        assert_eq!(conn.query_count(), 0, "a new connection");
        assert_eq!(opened.load(Ordering::SeqCst), first + 1);
        // Given back inside a transaction (opened through diesel, behind the ORM's back): its
        // writes are never committed, so the next borrower must not inherit them.
        begin_behind_the_orms_back(&mut conn);
        assert!(conn.in_transaction());
        assert_num_queries(&mut conn, ins, |c| blog(c, "uncommitted"));
        drop(conn);
        let mut conn = pool.get().unwrap();
        assert_eq!(conn.query_count(), 0, "a new connection");
        assert!(!conn.in_transaction());
        assert_num_queries(&mut conn, 1, |c| assert_eq!(blog_names(c), ["a", "b"]));
        // On SQLite the dropped transaction held the write lock; it is gone with it.
        assert_num_queries(&mut db.conn, ins, |c| blog(c, "c"));
        let err = Pool::new(&db.url, 0).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    });
}

/// Opens a transaction with diesel's own transaction manager, as code using the diesel
/// connection directly might, and leaves it open.
fn begin_behind_the_orms_back(conn: &mut Connection) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let Some(c) = conn.as_sqlite() {
        return AnsiTransactionManager::begin_transaction(c).unwrap();
    }
    #[cfg(feature = "postgres")]
    if let Some(c) = conn.as_pg() {
        return AnsiTransactionManager::begin_transaction(c).unwrap();
    }
    #[cfg(feature = "mysql")]
    if let Some(c) = conn.as_mysql() {
        return AnsiTransactionManager::begin_transaction(c).unwrap();
    }
    unreachable!("a backend without a diesel connection");
}
