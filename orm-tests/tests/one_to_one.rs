//! One-to-one relations (`#[one_to_one(Place)]`): a foreign key with a unique column. The target
//! gets one row or none, not a manager; prefetching the reverse gives an `Option`; filters and
//! orderings cross it; `on_delete` holds.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{Error, IntegrityKind};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

fn place(conn: &mut Connection, name: &str) -> Place {
    Place::create(conn, NewPlace { name: name.into() }).unwrap()
}

fn restaurant(conn: &mut Connection, place: &Place, serves_pizza: bool) -> Restaurant {
    Restaurant::create(
        conn,
        NewRestaurant {
            place_id: place.id,
            serves_pizza,
        },
    )
    .unwrap()
}

fn waiter(conn: &mut Connection, restaurant: &Restaurant, name: &str) -> Waiter {
    Waiter::create(
        conn,
        NewWaiter {
            restaurant_id: restaurant.id,
            name: name.into(),
        },
    )
    .unwrap()
}

fn bar(conn: &mut Connection, place: Option<&Place>, name: &str) -> UndergroundBar {
    UndergroundBar::create(
        conn,
        NewUndergroundBar {
            place_id: place.map(|p| p.id),
            name: name.into(),
        },
    )
    .unwrap()
}

#[test]
fn each_side_reads_the_other_in_one_statement() {
    each_backend(|conn| {
        let demon = place(conn, "Demon Dogs");
        let ace = place(conn, "Ace Hardware");
        let r = restaurant(conn, &demon, true);

        let got = assert_num_queries(conn, 1, |conn| r.place(conn).unwrap());
        assert_eq!(got, demon);
        let got = assert_num_queries(conn, 1, |conn| demon.restaurant(conn).unwrap());
        assert_eq!(got, Some(r));
        // Django raises `Place.restaurant.RelatedObjectDoesNotExist`; here it is `None`.
        let got = assert_num_queries(conn, 1, |conn| ace.restaurant(conn).unwrap());
        assert_eq!(got, None);

        let b = bar(conn, Some(&ace), "Joe's");
        assert_eq!(ace.bar(conn).unwrap(), Some(b.clone()));
        assert_eq!(demon.bar(conn).unwrap(), None);
        let got = assert_num_queries(conn, 1, |conn| b.place(conn).unwrap());
        assert_eq!(got, Some(ace));
    });
}

#[test]
fn a_second_row_for_one_target_is_refused_and_nothing_is_written() {
    each_backend(|conn| {
        let demon = place(conn, "Demon Dogs");
        let first = restaurant(conn, &demon, true);
        let err = Restaurant::create(
            conn,
            NewRestaurant {
                place_id: demon.id,
                serves_pizza: false,
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Integrity {
                    kind: IntegrityKind::Unique,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(Restaurant::query().all(conn).unwrap(), vec![first]);

        // A nullable one-to-one: any number of rows point nowhere.
        bar(conn, None, "one");
        bar(conn, None, "two");
        let b = bar(conn, Some(&demon), "three");
        let err = UndergroundBar::create(
            conn,
            NewUndergroundBar {
                place_id: Some(demon.id),
                name: "four".into(),
            },
        )
        .unwrap_err();
        assert!(matches!(err, Error::Integrity { .. }), "{err}");
        assert_eq!(UndergroundBar::query().count(conn).unwrap(), 3);
        assert_eq!(demon.bar(conn).unwrap(), Some(b));
    });
}

#[test]
fn deleting_the_target_cascades_or_sets_null() {
    each_backend(|conn| {
        let demon = place(conn, "Demon Dogs");
        let r = restaurant(conn, &demon, true);
        waiter(conn, &r, "Joe");
        let b = bar(conn, Some(&demon), "Joe's");
        let deleted = demon.delete(conn).unwrap();
        assert_eq!(deleted.total, 3, "{deleted:?}");
        assert_eq!(Restaurant::query().count(conn).unwrap(), 0);
        assert_eq!(Waiter::query().count(conn).unwrap(), 0);
        let kept = UndergroundBar::get(conn, b.id).unwrap();
        assert_eq!(kept.place_id, None);
    });
}

#[test]
fn prefetching_the_reverse_gives_each_target_its_row_or_none() {
    each_backend(|conn| {
        let demon = place(conn, "Demon Dogs");
        let ace = place(conn, "Ace Hardware");
        let r = restaurant(conn, &demon, true);
        waiter(conn, &r, "Joe");
        waiter(conn, &r, "Jane");

        // Places, their restaurants, the restaurants' waiters, their bars (listed twice, loaded
        // once): one statement per level.
        let places = assert_num_queries(conn, 4, |conn| {
            Place::query()
                .order_by(Place::name.asc())
                .prefetch(PlaceRestaurant.with(RestaurantWaiters.order_by(Waiter::name.asc())))
                .prefetch(PlaceBar)
                .prefetch(PlaceBar)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, Option<Vec<&str>>)> = assert_num_queries(conn, 0, |_| {
            places
                .iter()
                .map(|p| {
                    let waiters = p.get(PlaceRestaurant).as_ref().map(|r| {
                        r.get(RestaurantWaiters)
                            .iter()
                            .map(|w| w.name.as_str())
                            .collect()
                    });
                    (p.name.as_str(), waiters)
                })
                .collect()
        });
        assert_eq!(
            got,
            [
                ("Ace Hardware", None),
                ("Demon Dogs", Some(vec!["Jane", "Joe"]))
            ]
        );
        assert!(places.iter().all(|p| p.get(PlaceBar).is_none()));

        // The forward side is a foreign key.
        let restaurants = assert_num_queries(conn, 2, |conn| {
            Restaurant::query()
                .prefetch(RestaurantPlace)
                .all(conn)
                .unwrap()
        });
        assert_eq!(restaurants[0].get(RestaurantPlace).name, "Demon Dogs");
        assert_eq!(places[0].model(), &ace);
    });
}

#[test]
fn select_related_joins_the_reverse_too() {
    each_backend(|conn| {
        let demon = place(conn, "Demon Dogs");
        let ace = place(conn, "Ace Hardware");
        let r = restaurant(conn, &demon, true);
        let joe = waiter(conn, &r, "Joe");
        bar(conn, Some(&demon), "Joe's");

        // Both reverses, as LEFT JOINs: a place without them gets `None`.
        let places = assert_num_queries(conn, 1, |conn| {
            Place::query()
                .select_related(PlaceRestaurant)
                .select_related(PlaceBar)
                .order_by(Place::name.asc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, Option<bool>, Option<&str>)> = assert_num_queries(conn, 0, |_| {
            places
                .iter()
                .map(|p| {
                    (
                        p.name.as_str(),
                        p.get(PlaceRestaurant).as_ref().map(|r| r.serves_pizza),
                        p.get(PlaceBar).as_ref().map(|b| b.name.as_str()),
                    )
                })
                .collect()
        });
        assert_eq!(
            got,
            [
                ("Ace Hardware", None, None),
                ("Demon Dogs", Some(true), Some("Joe's"))
            ]
        );
        assert_eq!(places[0].model(), &ace);

        // Forwards, forwards, then backwards: a waiter's restaurant's place's bar.
        let waiters = assert_num_queries(conn, 1, |conn| {
            Waiter::query()
                .select_related(WaiterRestaurant.then(RestaurantPlace.then(PlaceBar)))
                .all(conn)
                .unwrap()
        });
        assert_eq!(waiters[0].model(), &joe);
        let place = waiters[0].get(WaiterRestaurant).get(RestaurantPlace);
        assert_eq!(place.model(), &demon);
        assert_eq!(place.get(PlaceBar).as_ref().unwrap().name, "Joe's");

        // Under a nullable key: no place, so nothing under it; a place without a restaurant.
        bar(conn, None, "Nowhere");
        bar(conn, Some(&ace), "Ace's");
        let bars = assert_num_queries(conn, 1, |conn| {
            UndergroundBar::query()
                .select_related(UndergroundBarPlace.then(PlaceRestaurant))
                .order_by(UndergroundBar::name.asc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, Option<(&str, bool)>)> = bars
            .iter()
            .map(|b| {
                let place = b
                    .get(UndergroundBarPlace)
                    .as_ref()
                    .map(|p| (p.name.as_str(), p.get(PlaceRestaurant).is_some()));
                (b.name.as_str(), place)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Ace's", Some(("Ace Hardware", false))),
                ("Joe's", Some(("Demon Dogs", true))),
                ("Nowhere", None)
            ]
        );
    });
}

#[test]
fn filters_and_orderings_cross_the_reverse_in_one_statement() {
    each_backend(|conn| {
        let a = place(conn, "a");
        let b = place(conn, "b");
        let c = place(conn, "c");
        restaurant(conn, &a, false);
        restaurant(conn, &b, true);
        bar(conn, Some(&a), "zed");
        bar(conn, Some(&b), "alpha");
        bar(conn, Some(&c), "mid");

        let pizza = assert_num_queries(conn, 1, |conn| {
            Place::query()
                .filter(PlaceRestaurant.any(Restaurant::serves_pizza.eq(true)))
                .all(conn)
                .unwrap()
        });
        assert_eq!(pizza, vec![b.clone()]);
        let without = assert_num_queries(conn, 1, |conn| {
            Place::query()
                .exclude(PlaceRestaurant.any(Restaurant::id.gt(0)))
                .all(conn)
                .unwrap()
        });
        assert_eq!(without, vec![c.clone()]);

        // Ordering by a column of the one row on the other side, as across a foreign key.
        let by_bar = assert_num_queries(conn, 1, |conn| {
            Place::query()
                .order_by(PlaceBar.by(UndergroundBar::name.asc()))
                .all(conn)
                .unwrap()
        });
        assert_eq!(by_bar, vec![b, c, a]);
    });
}
