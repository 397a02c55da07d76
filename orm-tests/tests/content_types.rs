//! Content types: a row per model from the schema, ids looked up per database, created when
//! missing, cached per connection, and forgotten when the transaction that created them rolls
//! back.

use orm_core::testing::assert_num_queries;
use orm_core::{Connection, Error};
use orm_tests::harness::databases;
use orm_tests::models::*;

/// Deletes the content-type rows of these tables, bypassing the ORM.
fn forget(conn: &mut Connection, tables: &[&str]) {
    let mut w = orm_core::SqlWriter::new(conn.backend());
    w.push("DELETE FROM ")
        .ident(orm_core::CONTENT_TYPE_TABLE)
        .push(" WHERE ");
    w.ident("model").push(" IN (");
    w.list(tables, ", ", |w, t| {
        w.bind(orm_core::Value::Text((*t).to_owned()));
    });
    w.push(")");
    conn.execute(&w.finish()).unwrap();
}

#[test]
fn the_schema_has_a_row_per_model_and_ids_come_from_each_database() {
    // Two fresh databases per backend.
    for (mut one, mut two) in databases().into_iter().zip(databases()) {
        eprintln!("-- backend: {}", one.conn.backend().name());
        let (a, b) = (&mut one.conn, &mut two.conn);
        // The schema made the rows: one read each, then cached.
        let book_in_a = assert_num_queries(a, 1, |c| c.content_type::<Book>().unwrap());
        let pizza_in_a = assert_num_queries(a, 1, |c| c.content_type::<Pizza>().unwrap());
        assert_ne!(book_in_a, pizza_in_a);
        assert_eq!(
            assert_num_queries(a, 0, |c| c.content_type::<Book>().unwrap()),
            book_in_a
        );
        // In the other database the rows are made again, in the opposite order: missing means
        // read, insert, read again; the ids are that database's own.
        forget(
            b,
            &[
                <Book as orm_core::Model>::TABLE,
                <Pizza as orm_core::Model>::TABLE,
            ],
        );
        let pizza_in_b = assert_num_queries(b, 3, |c| c.content_type::<Pizza>().unwrap());
        let book_in_b = assert_num_queries(b, 3, |c| c.content_type::<Book>().unwrap());
        assert!(pizza_in_b < book_in_b && book_in_a < pizza_in_a);
        assert_ne!((book_in_a, pizza_in_a), (book_in_b, pizza_in_b));
        // A new connection to the same database reads the row (one statement), no insert.
        let mut again = Connection::open(&two.url).unwrap();
        let read = assert_num_queries(&mut again, 1, |c| c.content_type::<Book>().unwrap());
        assert_eq!(read, book_in_b);
    }
}

#[test]
fn an_id_created_in_a_rolled_back_transaction_is_not_kept() {
    for mut db in databases() {
        eprintln!("-- backend: {}", db.conn.backend().name());
        let conn = &mut db.conn;
        forget(conn, &[<Tag as orm_core::Model>::TABLE]);
        let inside = conn
            .transaction(|c| -> orm_core::Result<i64> {
                let id = assert_num_queries(c, 3, |c| c.content_type::<Tag>())?;
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
