//! Content types: ids looked up per database, created when missing, cached per connection, and
//! forgotten when the transaction that created them rolls back.

use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::harness::databases;
use orm_tests::models::*;

#[test]
fn ids_come_from_each_database_and_are_cached_per_connection() {
    // Two fresh databases per backend, where the models get their rows in opposite orders.
    for (mut one, mut two) in databases().into_iter().zip(databases()) {
        eprintln!("-- backend: {}", one.conn.backend().name());
        let (a, b) = (&mut one.conn, &mut two.conn);
        // Missing: read, insert, read again.
        let book_in_a = assert_num_queries(a, 3, |c| c.content_type::<Book>().unwrap());
        let pizza_in_a = assert_num_queries(a, 3, |c| c.content_type::<Pizza>().unwrap());
        let pizza_in_b = assert_num_queries(b, 3, |c| c.content_type::<Pizza>().unwrap());
        let book_in_b = assert_num_queries(b, 3, |c| c.content_type::<Book>().unwrap());
        assert_ne!(book_in_a, pizza_in_a);
        assert_eq!((book_in_a, pizza_in_a), (pizza_in_b, book_in_b));
        // Cached: no statement.
        assert_eq!(
            assert_num_queries(a, 0, |c| c.content_type::<Book>().unwrap()),
            book_in_a
        );
        // A new connection to the same database reads the row (one statement), no insert.
        let mut again = orm_core::Connection::open(&one.url).unwrap();
        let read = assert_num_queries(&mut again, 1, |c| c.content_type::<Book>().unwrap());
        assert_eq!(read, book_in_a);
    }
}

#[test]
fn an_id_created_in_a_rolled_back_transaction_is_not_kept() {
    for mut db in databases() {
        eprintln!("-- backend: {}", db.conn.backend().name());
        let conn = &mut db.conn;
        let inside = conn
            .transaction(|c| -> orm_core::Result<i64> {
                let id = c.content_type::<Tag>()?;
                // Cached inside the transaction.
                assert_num_queries(c, 0, |c| c.content_type::<Tag>().unwrap());
                Err(Error::InvalidInput(format!("roll back {id}")))
            })
            .unwrap_err();
        assert!(matches!(inside, Error::InvalidInput(_)));
        // The row went with the rollback, and so did the cached id: created afresh.
        assert_num_queries(conn, 3, |c| c.content_type::<Tag>().unwrap());
        // Committed: kept.
        let kept = conn.transaction(|c| c.content_type::<Slide>()).unwrap();
        assert_eq!(
            assert_num_queries(conn, 0, |c| c.content_type::<Slide>().unwrap()),
            kept
        );
    }
}
