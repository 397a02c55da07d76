//! Property tests: random sequences of `add`, `remove`, `clear`, `set` and `set_with_clear` on a
//! reverse foreign key and on a many-to-many (from both sides) match an in-memory model after
//! every step, on every backend.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use orm_core::prelude::*;
use orm_core::Error;
use orm_tests::fixtures::{author, book, pizza, toppings};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

const ITEMS: usize = 6;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Add,
    Remove,
    Clear,
    Set,
    SetWithClear,
}

#[derive(Debug, Clone, Copy)]
struct Op {
    kind: Kind,
    /// Which of the two parents.
    parent: usize,
    /// Which items, as a bit mask.
    items: u8,
    /// `bulk` for the foreign key; the reverse side for the many-to-many.
    flag: bool,
}

fn op() -> impl Strategy<Value = Op> {
    (
        prop_oneof![
            Just(Kind::Add),
            Just(Kind::Remove),
            Just(Kind::Clear),
            Just(Kind::Set),
            Just(Kind::SetWithClear)
        ],
        0..2usize,
        0..(1u8 << ITEMS),
        any::<bool>(),
    )
        .prop_map(|(kind, parent, items, flag)| Op {
            kind,
            parent,
            items,
            flag,
        })
}

fn chosen(mask: u8) -> impl Iterator<Item = usize> {
    (0..ITEMS).filter(move |i| mask & (1 << i) != 0)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn reverse_foreign_key_matches_a_model() {
    each_backend(|conn| {
        let conn = RefCell::new(conn);
        runner()
            .run(&prop::collection::vec(op(), 1..10), |ops| {
                let conn = &mut **conn.borrow_mut();
                let writer = author(conn, "w");
                let parents = [author(conn, "p0"), author(conn, "p1")];
                let mut books: Vec<Book> = (0..ITEMS)
                    .map(|i| book(conn, &writer, None, &format!("b{i}")))
                    .collect();
                // Book index -> parent index.
                let mut model: BTreeMap<usize, usize> = BTreeMap::new();
                for op in ops {
                    let parent = &parents[op.parent];
                    let manager = parent.edited_books().bulk(op.flag);
                    let mut picked: Vec<&mut Book> = books
                        .iter_mut()
                        .enumerate()
                        .filter(|(i, _)| op.items & (1 << i) != 0)
                        .map(|(_, b)| b)
                        .collect();
                    let res = match op.kind {
                        Kind::Add => manager.add(conn, picked.iter_mut().map(|b| &mut **b)),
                        Kind::Remove => manager.remove(conn, picked.iter_mut().map(|b| &mut **b)),
                        Kind::Clear => manager.clear(conn),
                        Kind::Set => manager.set(conn, picked.iter_mut().map(|b| &mut **b)),
                        Kind::SetWithClear => {
                            manager.set_with_clear(conn, picked.iter_mut().map(|b| &mut **b))
                        }
                    };
                    let stray = chosen(op.items).any(|i| model.get(&i) != Some(&op.parent));
                    match op.kind {
                        Kind::Remove if stray => {
                            prop_assert!(matches!(res, Err(Error::NotRelated { .. })), "{res:?}");
                        }
                        _ => prop_assert!(res.is_ok(), "{op:?}: {res:?}"),
                    }
                    match op.kind {
                        Kind::Add => chosen(op.items).for_each(|i| {
                            model.insert(i, op.parent);
                        }),
                        Kind::Remove if !stray => chosen(op.items).for_each(|i| {
                            model.remove(&i);
                        }),
                        Kind::Remove => {}
                        Kind::Clear | Kind::Set | Kind::SetWithClear => {
                            model.retain(|_, p| *p != op.parent);
                            if !matches!(op.kind, Kind::Clear) {
                                chosen(op.items).for_each(|i| {
                                    model.insert(i, op.parent);
                                });
                            }
                        }
                    }
                    for (i, b) in books.iter_mut().enumerate() {
                        let want = model.get(&i).map(|p| parents[*p].id);
                        let row = b.refresh(conn).unwrap();
                        prop_assert_eq!(row.editor_id, want, "row {}", i);
                        // Objects passed in are updated in memory (and left as they were when
                        // the call fails); others may be stale, so each step starts from the rows.
                        if op.items & (1 << i) != 0 && !matches!(op.kind, Kind::Clear) {
                            prop_assert_eq!(b.editor_id, want, "object {} after {:?}", i, op);
                        }
                        *b = row;
                    }
                }
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn many_to_many_matches_a_model() {
    each_backend(|conn| {
        let conn = RefCell::new(conn);
        runner()
            .run(&prop::collection::vec(op(), 1..10), |ops| {
                let conn = &mut **conn.borrow_mut();
                let pizzas = [pizza(conn, "p0"), pizza(conn, "p1")];
                let names: Vec<String> = (0..ITEMS).map(|i| format!("t{i}")).collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let items = toppings(conn, &names);
                let mut model: BTreeSet<(usize, usize)> = BTreeSet::new();
                for op in ops {
                    let p = &pizzas[op.parent];
                    let keys: Vec<i64> = chosen(op.items).map(|i| items[i].id).collect();
                    let res = match op.kind {
                        // Through the toppings' side, one topping at a time.
                        Kind::Add | Kind::Remove if op.flag => chosen(op.items).try_for_each(|i| {
                            let reverse = items[i].pizzas();
                            match op.kind {
                                Kind::Add => reverse.add(conn, [p]),
                                _ => reverse.remove(conn, [p]),
                            }
                        }),
                        _ => apply_forward(conn, p, op.kind, &keys),
                    };
                    prop_assert!(res.is_ok(), "{op:?}: {res:?}");
                    match op.kind {
                        Kind::Add => chosen(op.items).for_each(|i| {
                            model.insert((op.parent, i));
                        }),
                        Kind::Remove => chosen(op.items).for_each(|i| {
                            model.remove(&(op.parent, i));
                        }),
                        Kind::Clear | Kind::Set | Kind::SetWithClear => {
                            model.retain(|(q, _)| *q != op.parent);
                            if !matches!(op.kind, Kind::Clear) {
                                chosen(op.items).for_each(|i| {
                                    model.insert((op.parent, i));
                                });
                            }
                        }
                    }
                    let mut got = BTreeSet::new();
                    for (pi, p) in pizzas.iter().enumerate() {
                        for t in p.toppings().all(conn).unwrap() {
                            let ti = items.iter().position(|x| x.id == t.id).unwrap();
                            got.insert((pi, ti));
                        }
                    }
                    for (ti, t) in items.iter().enumerate() {
                        for p in t.pizzas().all(conn).unwrap() {
                            let pi = pizzas.iter().position(|x| x.id == p.id).unwrap();
                            prop_assert!(got.contains(&(pi, ti)), "both sides agree");
                        }
                    }
                    prop_assert_eq!(&got, &model, "after {:?}", op);
                }
                Ok(())
            })
            .unwrap();
    });
}

fn apply_forward(
    conn: &mut Connection,
    p: &Pizza,
    kind: Kind,
    keys: &[i64],
) -> orm_core::Result<()> {
    let m = p.toppings();
    match kind {
        Kind::Add => m.add(conn, keys),
        Kind::Remove => m.remove(conn, keys),
        Kind::Clear => m.clear(conn),
        Kind::Set => m.set(conn, keys),
        Kind::SetWithClear => m.set_with_clear(conn, keys),
    }
}
