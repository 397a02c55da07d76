//! Two connections adding the same links at the same moment: neither fails and no link is
//! duplicated, for an auto-created join table and for a through model, on every backend (on
//! SQLite the second writer waits for the first: transactions begin `IMMEDIATE`).

use std::sync::Barrier;

use orm_core::prelude::*;
use orm_tests::fixtures::{pizza, toppings};
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
