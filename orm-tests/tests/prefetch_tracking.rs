//! Writes through a prefetched relation (`loaded.track(path)`) keep the prefetched rows in
//! step, with no statement beyond the write's.

use chrono::NaiveDate;
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_tests::fixtures::{
    author, book, day, member_dates, names, owner_lock, person, pizza, toppings,
};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

#[test]
fn writes_through_a_prefetched_reverse_foreign_key_keep_it_in_step() {
    each_backend(|conn| {
        let ann = author(conn, "Ann");
        let bob = author(conn, "Bob");
        let mut stray = book(conn, &bob, Some(&bob), "stray");
        book(conn, &ann, Some(&ann), "kept");
        let mut authors = Author::query()
            .filter(Author::name.eq("Ann"))
            .prefetch(AuthorEditedBooks)
            .all(conn)
            .unwrap();
        let a = &mut authors[0];
        let titles = |a: &Loaded<Author, _>| {
            names(a.get(AuthorEditedBooks), |b: &Loaded<Book>| b.title.clone())
        };
        assert_eq!(titles(a), ["kept"]);
        // create: one statement (two on MySQL), and the slot has the row.
        let created = assert_num_queries(conn, orm_tests::fixtures::inserts(conn), |conn| {
            a.track(AuthorEditedBooks)
                .create(conn, |editor_id| NewBook {
                    author_id: ann.id,
                    editor_id,
                    title: "new".into(),
                })
                .unwrap()
        });
        assert_eq!(created.editor_id, Some(ann.id));
        assert_eq!(titles(a), ["kept", "new"]);
        // add moves `stray` here: one UPDATE.
        assert_num_queries(conn, 1, |conn| {
            a.track(AuthorEditedBooks)
                .add(conn, &mut [&mut stray])
                .unwrap()
        });
        assert_eq!(titles(a), ["kept", "new", "stray"]);
        assert_eq!(stray.editor_id, Some(ann.id));
        // remove: one UPDATE.
        assert_num_queries(conn, 1, |conn| {
            a.track(AuthorEditedBooks)
                .remove(conn, &mut [&mut stray])
                .unwrap()
        });
        assert_eq!(titles(a), ["kept", "new"]);
        // The slot matches the database after every write.
        let fresh = names(ann.edited_books().all(conn).unwrap(), |b| b.title);
        assert_eq!(titles(a), fresh);
        assert_num_queries(conn, 1, |conn| {
            a.track(AuthorEditedBooks).clear(conn).unwrap()
        });
        assert!(a.get(AuthorEditedBooks).is_empty());
        assert_eq!(ann.edited_books().count(conn).unwrap(), 0);
    });
}

#[test]
fn writes_through_a_prefetched_many_to_many_keep_it_in_step() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b", "c"]);
        p.toppings().add(conn, [&t[0]]).unwrap();
        let mut pizzas = Pizza::query().prefetch(PizzaToppings).all(conn).unwrap();
        let loaded = &mut pizzas[0];
        let held = |l: &Loaded<Pizza, _>| {
            names(l.get(PizzaToppings), |t: &Loaded<Topping>| t.name.clone())
        };
        assert_num_queries(conn, 1, |conn| {
            loaded
                .track(PizzaToppings)
                .add(conn, [&t[1], &t[0]])
                .unwrap()
        });
        assert_eq!(held(loaded), ["a", "b"]);
        assert_num_queries(conn, 1, |conn| {
            loaded.track(PizzaToppings).remove(conn, [&t[0]]).unwrap()
        });
        assert_eq!(held(loaded), ["b"]);
        loaded
            .track(PizzaToppings)
            .set(conn, [&t[2], &t[0]])
            .unwrap();
        assert_eq!(held(loaded), ["a", "c"]);
        let made = loaded
            .track(PizzaToppings)
            .create(conn, NewTopping { name: "d".into() })
            .unwrap();
        assert_eq!(made.name, "d");
        assert_eq!(held(loaded), ["a", "c", "d"]);
        assert_eq!(
            held(loaded),
            names(p.toppings().all(conn).unwrap(), |t| t.name)
        );
        loaded.track(PizzaToppings).clear(conn).unwrap();
        assert!(loaded.get(PizzaToppings).is_empty());
        assert_eq!(p.toppings().count(conn).unwrap(), 0);
    });
}

#[test]
fn tracked_links_take_through_defaults_when_the_through_model_requires_fields() {
    each_backend(|conn| {
        let g = Group::create(conn, NewGroup { name: "g".into() }).unwrap();
        let [ann, bob, cat] = ["ann", "bob", "cat"].map(|n| person(conn, n));
        let mut groups = Group::query().prefetch(GroupMembers).all(conn).unwrap();
        let loaded = &mut groups[0];
        let held =
            |l: &Loaded<Group, _>| names(l.get(GroupMembers), |p: &Loaded<Person>| p.name.clone());
        let joined = |d| MembershipExtra {
            date_joined: day(d),
            invite_reason: None,
        };
        assert_num_queries(conn, 1, |conn| {
            loaded
                .track(GroupMembers)
                .through_defaults(joined(3))
                .add(conn, [&ann, &bob])
                .unwrap()
        });
        assert_eq!(held(loaded), ["ann", "bob"]);
        // `set` keeps bob's link (and its date), drops ann's, adds cat's with the new date.
        assert_num_queries(conn, 3 + owner_lock(conn), |conn| {
            loaded
                .track(GroupMembers)
                .through_defaults_with(|| joined(9))
                .set(conn, [&bob, &cat])
                .unwrap()
        });
        assert_eq!(held(loaded), ["bob", "cat"]);
        // Unlinking needs no through values.
        assert_num_queries(conn, 1, |conn| {
            loaded.track(GroupMembers).remove(conn, [&bob]).unwrap()
        });
        assert_eq!(held(loaded), ["cat"]);
        let rows: Vec<(String, NaiveDate)> = member_dates(conn, &g)
            .into_iter()
            .map(|(name, date, _)| (name, date))
            .collect();
        assert_eq!(rows, [("cat".to_owned(), day(9))]);
    });
}
