//! Many-to-many related managers from both sides: auto-created and through tables,
//! `through_defaults`, symmetrical relations, through rows, and change hooks.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use orm_core::hooks::{M2mAction, M2mChanged};
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{Error, IntegrityKind};
use orm_tests::fixtures::{day, inserts, member_dates, names, owner_lock, person, pizza, toppings};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

fn topping_names(conn: &mut Connection, p: &Pizza) -> Vec<String> {
    names(p.toppings().all(conn).unwrap(), |t| t.name)
}

fn pizza_names(conn: &mut Connection, t: &Topping) -> Vec<String> {
    names(t.pizzas().all(conn).unwrap(), |p| p.name)
}

fn links(conn: &mut Connection, table: &str) -> i64 {
    // Counted with diesel directly, so the ORM's statement counts stay untouched.
    let stmt = format!("SELECT COUNT(*) AS n FROM {table}");
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<N> = match conn.backend() {
        orm_core::Backend::Sqlite => {
            diesel::RunQueryDsl::load(diesel::sql_query(stmt), conn.as_sqlite().unwrap()).unwrap()
        }
        #[cfg(feature = "postgres")]
        orm_core::Backend::Postgres => {
            diesel::RunQueryDsl::load(diesel::sql_query(stmt), conn.as_pg().unwrap()).unwrap()
        }
        #[cfg(feature = "mysql")]
        orm_core::Backend::Mysql => {
            diesel::RunQueryDsl::load(diesel::sql_query(stmt), conn.as_mysql().unwrap()).unwrap()
        }
        #[allow(unreachable_patterns)]
        _ => unreachable!(),
    };
    rows[0].n
}

#[test]
fn add_takes_instances_or_keys_in_one_insert_and_never_duplicates() {
    each_backend(|conn| {
        let p = pizza(conn, "margherita");
        let t = toppings(conn, &["basil", "cheese", "ham", "tomato"]);
        assert_num_queries(conn, 1, |conn| {
            p.toppings().add(conn, [&t[0], &t[1], &t[3]]).unwrap()
        });
        assert_eq!(topping_names(conn, &p), ["basil", "cheese", "tomato"]);
        // Keys work too; what is linked already is skipped, in the same one statement.
        assert_num_queries(conn, 1, |conn| {
            p.toppings().add(conn, [t[0].id, t[2].id, t[2].id]).unwrap()
        });
        assert_eq!(links(conn, "pizza_toppings"), 4);
        assert_num_queries(conn, 0, |conn| {
            p.toppings().add(conn, Vec::<i64>::new()).unwrap()
        });
        // The other side sees the same links.
        assert_eq!(pizza_names(conn, &t[2]), ["margherita"]);
        // Counting and testing for links read the link table alone (Django's join
        // optimization): one statement that names no other table.
        conn.start_log();
        assert_eq!(p.toppings().count(conn).unwrap(), 4);
        assert!(t[1].pizzas().exists(conn).unwrap());
        assert!(!pizza(conn, "bare").toppings().exists(conn).unwrap());
        let sql = conn.take_log();
        assert_eq!(sql.len(), 3 + inserts(conn) as usize, "{sql:?}");
        for read in [&sql[0], &sql[1], sql.last().unwrap()] {
            assert!(read.contains("pizza_toppings"), "{read}");
            assert!(
                !read.contains("\"topping\"") && !read.contains("`topping`"),
                "{read}"
            );
        }
        let filtered = p
            .toppings()
            .filter(Topping::name.starts_with("t"))
            .all(conn)
            .unwrap();
        assert_eq!(filtered, [t[3].clone()]);
    });
}

#[test]
fn add_from_the_reverse_side() {
    each_backend(|conn| {
        let (p1, p2) = (pizza(conn, "one"), pizza(conn, "two"));
        let t = toppings(conn, &["ham"]);
        assert_num_queries(conn, 1, |conn| t[0].pizzas().add(conn, [&p1, &p2]).unwrap());
        assert_eq!(topping_names(conn, &p1), ["ham"]);
        assert_eq!(pizza_names(conn, &t[0]), ["one", "two"]);
    });
}

#[test]
fn a_missing_key_fails_the_whole_add() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let t = toppings(conn, &["ham"]);
        let err = p
            .toppings()
            .add(conn, [t[0].id, t[0].id + 1000])
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Integrity {
                    kind: IntegrityKind::ForeignKey,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(links(conn, "pizza_toppings"), 0, "not even the good key");

        // An instance that was never saved: the error says so.
        let mut ghost = p.clone();
        ghost.id += 1000;
        let err = ghost.toppings().add(conn, [&t[0]]).unwrap_err();
        assert!(
            matches!(err, Error::Unsaved { model: "Pizza", .. }),
            "{err:?}"
        );
        let err = t[0].pizzas().set(conn, [&ghost]).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Integrity {
                    kind: IntegrityKind::ForeignKey,
                    ..
                }
            ),
            "a missing key passed in is the caller's: {err:?}"
        );
        assert_eq!(links(conn, "pizza_toppings"), 0);
    });
}

#[test]
fn create_makes_the_row_and_the_link() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let statements = inserts(conn) + 1;
        let t = assert_num_queries(conn, statements, |conn| {
            p.toppings()
                .create(
                    conn,
                    NewTopping {
                        name: "olive".into(),
                    },
                )
                .unwrap()
        });
        assert_eq!(t.name, "olive");
        assert_eq!(pizza_names(conn, &t), ["p"]);
    });
}

#[test]
fn remove_and_clear_are_one_delete_each() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let other = pizza(conn, "other");
        let t = toppings(conn, &["a", "b", "c", "d"]);
        p.toppings().add(conn, &t).unwrap();
        other.toppings().add(conn, &t).unwrap();
        assert_num_queries(conn, 1, |conn| p.toppings().remove(conn, [&t[0]]).unwrap());
        assert_num_queries(conn, 1, |conn| {
            p.toppings()
                .remove(conn, [t[1].id, t[1].id + 1000])
                .unwrap()
        });
        assert_eq!(topping_names(conn, &p), ["c", "d"]);
        assert_eq!(Topping::query().count(conn).unwrap(), 4, "rows stay");
        assert_num_queries(conn, 1, |conn| t[2].pizzas().remove(conn, [&p]).unwrap());
        assert_eq!(topping_names(conn, &p), ["d"]);
        assert_num_queries(conn, 1, |conn| p.toppings().clear(conn).unwrap());
        assert!(topping_names(conn, &p).is_empty());
        assert_eq!(
            topping_names(conn, &other),
            ["a", "b", "c", "d"],
            "other links stay"
        );
        assert_num_queries(conn, 0, |conn| {
            p.toppings().remove(conn, Vec::<i64>::new()).unwrap()
        });
    });
}

#[test]
fn set_diffs_and_keeps_through_fields_of_links_that_stay() {
    each_backend(|conn| {
        let g = Group::create(conn, NewGroup { name: "g".into() }).unwrap();
        let (a, b, c) = (person(conn, "a"), person(conn, "b"), person(conn, "c"));
        let first = MembershipExtra {
            date_joined: day(1),
            invite_reason: Some("founder".into()),
        };
        g.members()
            .through_defaults(first)
            .add(conn, [&a, &b])
            .unwrap();
        let later = MembershipExtra {
            date_joined: day(2),
            invite_reason: None,
        };
        // One read, one DELETE (a), one INSERT (c); b keeps its row and its fields.
        assert_num_queries(conn, 3 + owner_lock(conn), |conn| {
            g.members()
                .through_defaults(later.clone())
                .set(conn, [&b, &c])
                .unwrap()
        });
        assert_eq!(
            member_dates(conn, &g),
            [
                ("b".into(), day(1), Some("founder".into())),
                ("c".into(), day(2), None)
            ]
        );
        // Nothing to change: only the read (and the lock).
        assert_num_queries(conn, 1 + owner_lock(conn), |conn| {
            g.members()
                .through_defaults(later.clone())
                .set(conn, [c.id, b.id])
                .unwrap()
        });
        // With clear: every link is new.
        assert_num_queries(conn, 2 + owner_lock(conn), |conn| {
            g.members()
                .through_defaults(later.clone())
                .set_with_clear(conn, [&b])
                .unwrap()
        });
        assert_eq!(member_dates(conn, &g), [("b".into(), day(2), None)]);
        // From the person's side.
        assert_eq!(names(b.groups().all(conn).unwrap(), |g| g.name), ["g"]);
        b.groups()
            .through_defaults(later)
            .set(conn, Vec::<i64>::new())
            .unwrap();
        assert!(member_dates(conn, &g).is_empty());
    });
}

#[test]
fn through_defaults_with_a_closure_is_evaluated_once_per_call() {
    each_backend(|conn| {
        let g = Group::create(conn, NewGroup { name: "g".into() }).unwrap();
        let people: Vec<Person> = ["a", "b", "c"].iter().map(|n| person(conn, n)).collect();
        let calls = std::cell::Cell::new(0);
        let manager = g.members().through_defaults_with(|| {
            calls.set(calls.get() + 1);
            MembershipExtra {
                date_joined: day(calls.get()),
                invite_reason: None,
            }
        });
        manager.add(conn, &people[..2]).unwrap();
        assert_eq!(calls.get(), 1);
        manager.add(conn, &people[2..]).unwrap();
        assert_eq!(calls.get(), 2);
        let dates: Vec<NaiveDate> = member_dates(conn, &g).into_iter().map(|r| r.1).collect();
        assert_eq!(dates, [day(1), day(1), day(2)], "one value per call");
    });
}

#[test]
fn optional_through_fields_need_no_defaults_and_order_the_slides() {
    each_backend(|conn| {
        let ch = Chapter::create(
            conn,
            NewChapter {
                title: "intro".into(),
            },
        )
        .unwrap();
        let other = Chapter::create(
            conn,
            NewChapter {
                title: "next".into(),
            },
        )
        .unwrap();
        let slides = Slide::bulk_create(
            conn,
            ["s1", "s2", "s3"].map(|t| NewSlide { title: t.into() }),
        )
        .unwrap();
        ch.slides().add(conn, &slides).unwrap();
        assert_eq!(
            ch.slides()
                .with_through()
                .all(conn)
                .unwrap()
                .iter()
                .map(|(_, o)| o.number)
                .collect::<Vec<_>>(),
            [None, None, None]
        );
        ch.slides().clear(conn).unwrap();
        // Give each slide its number in this chapter, and other numbers in another chapter.
        for (slide, number) in slides.iter().zip([3, 1, 2]) {
            ch.slides()
                .through_defaults(SlideOrderExtra {
                    number: Some(number),
                })
                .add(conn, [slide])
                .unwrap();
            other
                .slides()
                .through_defaults(SlideOrderExtra {
                    number: Some(10 - number),
                })
                .add(conn, [slide])
                .unwrap();
        }
        // A chapter's slides in order: one statement.
        let ordered = assert_num_queries(conn, 1, |conn| {
            ch.slides()
                .with_through()
                .order_by_through(SlideOrder::number.asc())
                .all(conn)
                .unwrap()
        });
        let titles: Vec<(&str, Option<i32>)> = ordered
            .iter()
            .map(|(s, o)| (s.title.as_str(), o.number))
            .collect();
        assert_eq!(titles, [("s2", Some(1)), ("s3", Some(2)), ("s1", Some(3))]);
        // The seed's question: a slide's order in each of its chapters, from the slide.
        let chapters = assert_num_queries(conn, 1, |conn| {
            slides[0]
                .chapters()
                .with_through()
                .filter_through(SlideOrder::number.gt(0))
                .order_by(Chapter::title.desc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, Option<i32>)> = chapters
            .iter()
            .map(|(c, o)| (c.title.as_str(), o.number))
            .collect();
        assert_eq!(got, [("next", Some(7)), ("intro", Some(3))]);
        let only = ch
            .slides()
            .with_through()
            .filter(Slide::title.eq("s3"))
            .all(conn)
            .unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].1.chapter_id, ch.id);
    });
}

#[test]
fn symmetrical_links_go_both_ways() {
    each_backend(|conn| {
        let (a, b, c, d) = (
            person(conn, "a"),
            person(conn, "b"),
            person(conn, "c"),
            person(conn, "d"),
        );
        let friends =
            |conn: &mut Connection, p: &Person| names(p.friends().all(conn).unwrap(), |f| f.name);
        assert_num_queries(conn, 1, |conn| a.friends().add(conn, [&b, &c]).unwrap());
        assert_eq!(friends(conn, &a), ["b", "c"]);
        assert_eq!(friends(conn, &b), ["a"]);
        assert_eq!(links(conn, "person_friends"), 4);
        // b adding a again changes nothing.
        b.friends().add(conn, [&a]).unwrap();
        assert_eq!(links(conn, "person_friends"), 4);
        assert_num_queries(conn, 1, |conn| b.friends().remove(conn, [&a]).unwrap());
        assert_eq!(friends(conn, &a), ["c"]);
        assert!(friends(conn, &b).is_empty());
        // set keeps both directions in step.
        a.friends().set(conn, [&b, &d]).unwrap();
        assert_eq!(friends(conn, &a), ["b", "d"]);
        assert!(friends(conn, &c).is_empty());
        assert_eq!(friends(conn, &d), ["a"]);
        assert_num_queries(conn, 1, |conn| a.friends().clear(conn).unwrap());
        assert_eq!(links(conn, "person_friends"), 0);
    });
}

#[test]
fn a_self_referential_relation_that_is_not_symmetrical() {
    each_backend(|conn| {
        let (a, b) = (person(conn, "a"), person(conn, "b"));
        a.following().add(conn, [&b]).unwrap();
        assert_eq!(names(a.following().all(conn).unwrap(), |p| p.name), ["b"]);
        assert!(b.following().all(conn).unwrap().is_empty());
        assert_eq!(names(b.followers().all(conn).unwrap(), |p| p.name), ["a"]);
        b.followers().remove(conn, [&a]).unwrap();
        assert!(a.following().exists(conn).map(|e| !e).unwrap());
    });
}

type Log = Arc<Mutex<Vec<(M2mAction, bool, Vec<i64>)>>>;

fn record(conn: &mut Connection) -> Log {
    let log: Log = Arc::default();
    let sink = log.clone();
    conn.on_m2m_changed::<PizzaToppings>(move |_, change: &M2mChanged<'_, PizzaToppings>| {
        let keys = match change {
            M2mChanged::Forward { keys, .. } => keys.to_vec(),
            M2mChanged::Reverse { keys, .. } => keys.to_vec(),
        };
        let mut keys = keys;
        keys.sort();
        sink.lock()
            .unwrap()
            .push((change.action(), change.is_reverse(), keys));
        Ok(())
    });
    log
}

fn take(log: &Log) -> Vec<(M2mAction, bool, Vec<i64>)> {
    std::mem::take(&mut *log.lock().unwrap())
}

#[test]
fn hooks_see_what_django_signals_see() {
    use M2mAction::*;
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b", "c"]);
        let (a, b, c) = (t[0].id, t[1].id, t[2].id);
        let log = record(conn);

        // add: a read of what is linked, then one INSERT; only new keys are reported.
        assert_num_queries(conn, 2 + owner_lock(conn), |conn| {
            p.toppings().add(conn, [a, b]).unwrap()
        });
        assert_eq!(
            take(&log),
            [(PreAdd, false, vec![a, b]), (PostAdd, false, vec![a, b])]
        );
        p.toppings().add(conn, [b, c]).unwrap();
        assert_eq!(
            take(&log),
            [(PreAdd, false, vec![c]), (PostAdd, false, vec![c])]
        );
        // Adding only what exists still runs the hooks, with no keys.
        p.toppings().add(conn, [a]).unwrap();
        assert_eq!(
            take(&log),
            [(PreAdd, false, vec![]), (PostAdd, false, vec![])]
        );

        // remove reports every key passed.
        p.toppings().remove(conn, [a, a + 1000]).unwrap();
        assert_eq!(
            take(&log),
            [
                (PreRemove, false, vec![a, a + 1000]),
                (PostRemove, false, vec![a, a + 1000])
            ]
        );
        // The reverse side says so, with the other side's keys.
        t[0].pizzas().add(conn, [&p]).unwrap();
        assert_eq!(
            take(&log),
            [(PreAdd, true, vec![p.id]), (PostAdd, true, vec![p.id])]
        );

        // set without clear: remove, then add.
        p.toppings().set(conn, [a, b]).unwrap();
        assert_eq!(
            take(&log),
            [(PreRemove, false, vec![c]), (PostRemove, false, vec![c])]
        );
        p.toppings().set(conn, [c]).unwrap();
        assert_eq!(
            take(&log),
            [
                (PreRemove, false, vec![a, b]),
                (PostRemove, false, vec![a, b]),
                (PreAdd, false, vec![c]),
                (PostAdd, false, vec![c])
            ]
        );
        // set with clear: clear (no keys), then add.
        p.toppings().set_with_clear(conn, [a]).unwrap();
        assert_eq!(
            take(&log),
            [
                (PreClear, false, vec![]),
                (PostClear, false, vec![]),
                (PreAdd, false, vec![a]),
                (PostAdd, false, vec![a])
            ]
        );
        p.toppings().clear(conn).unwrap();
        assert_eq!(
            take(&log),
            [(PreClear, false, vec![]), (PostClear, false, vec![])]
        );
    });
}

#[test]
fn a_failing_hook_rolls_the_change_back() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b"]);
        p.toppings().add(conn, [&t[0]]).unwrap();
        conn.on_m2m_changed::<PizzaToppings>(|_, change| match change.action() {
            M2mAction::PostAdd | M2mAction::PostClear => Err(Error::InvalidInput("refused".into())),
            _ => Ok(()),
        });
        assert!(p.toppings().add(conn, [&t[1]]).is_err());
        assert!(p.toppings().clear(conn).is_err());
        assert!(p.toppings().set_with_clear(conn, [&t[1]]).is_err());
        assert_eq!(topping_names(conn, &p), ["a"]);
        conn.clear_hooks();
        p.toppings().add(conn, [&t[1]]).unwrap();
        assert_eq!(topping_names(conn, &p), ["a", "b"]);
    });
}

#[test]
fn set_inside_a_transaction_that_rolls_back_leaves_nothing() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b"]);
        p.toppings().add(conn, [&t[0]]).unwrap();
        let res: orm_core::Result<()> = conn.transaction(|conn| {
            p.toppings().set(conn, [&t[1]])?;
            assert_eq!(topping_names(conn, &p), ["b"]);
            Err(Error::InvalidInput("abort".into()))
        });
        assert!(res.is_err());
        assert_eq!(topping_names(conn, &p), ["a"]);
    });
}

#[test]
fn deleting_either_side_deletes_its_links() {
    each_backend(|conn| {
        let p = pizza(conn, "p");
        let t = toppings(conn, &["a", "b"]);
        p.toppings().add(conn, &t).unwrap();
        // The links go in the delete's own statement, so they are counted, as Django counts
        // them (under the auto-created through model's name): the links, then the row.
        let deleted = assert_num_queries(conn, 2, |conn| t[0].delete(conn).unwrap());
        assert_eq!(deleted.per_model, [("Pizza_toppings", 1), ("Topping", 1)]);
        assert_eq!(deleted.total, 2);
        assert_eq!(topping_names(conn, &p), ["b"]);
        let deleted = assert_num_queries(conn, 2, |conn| p.delete(conn).unwrap());
        assert_eq!(deleted.per_model, [("Pizza_toppings", 1), ("Pizza", 1)]);
        assert_eq!(links(conn, "pizza_toppings"), 0);
        // A symmetrical link is two rows, one each way; both are counted. A person is pointed
        // at from seven key columns (both columns of two join tables among them): one DELETE
        // each, the tickets' key set to its default, then the person.
        let (a, b) = (person(conn, "a"), person(conn, "b"));
        a.friends().add(conn, [&b]).unwrap();
        assert_eq!(links(conn, "person_friends"), 2);
        let deleted = assert_num_queries(conn, 9, |conn| a.delete(conn).unwrap());
        assert_eq!(deleted.total, 3, "{deleted:?}");
        assert_eq!(links(conn, "person_friends"), 0);
    });
}

/// Who invited each member of `club`, by name.
fn invited_by(conn: &mut Connection, club: &Club) -> Vec<(String, i64, Option<String>)> {
    let mut rows: Vec<_> = club
        .club_members()
        .with_through()
        .all(conn)
        .unwrap()
        .into_iter()
        .map(|(p, m)| (p.name, m.inviter_id, m.reason))
        .collect();
    rows.sort();
    rows
}

#[test]
fn through_fields_pick_the_link_among_several_keys_to_one_model() {
    each_backend(|conn| {
        let club = Club::create(
            conn,
            NewClub {
                name: "chess".into(),
            },
        )
        .unwrap();
        let (ann, bob, cy) = (person(conn, "ann"), person(conn, "bob"), person(conn, "cy"));
        // The inviter is a required through field: its value comes with `through_defaults`.
        let by_ann = ClubMembershipExtra {
            inviter_id: ann.id,
            reason: Some("plays well".into()),
        };
        assert_num_queries(conn, 1, |conn| {
            club.club_members()
                .through_defaults(by_ann.clone())
                .add(conn, [&bob, &cy])
                .unwrap()
        });
        assert_eq!(
            invited_by(conn, &club),
            [
                ("bob".into(), ann.id, Some("plays well".into())),
                ("cy".into(), ann.id, Some("plays well".into()))
            ]
        );
        // The unique index is on the link (club, member), not on the inviter: adding a member
        // again, invited by someone else, changes nothing.
        let by_cy = ClubMembershipExtra {
            inviter_id: cy.id,
            reason: None,
        };
        club.club_members()
            .through_defaults(by_cy.clone())
            .add(conn, [&bob])
            .unwrap();
        assert_eq!(ClubMembership::query().count(conn).unwrap(), 2);
        // From the member's side, and the inviter's own relations are separate.
        assert_eq!(names(bob.clubs().all(conn).unwrap(), |c| c.name), ["chess"]);
        assert!(ann.clubs().all(conn).unwrap().is_empty());
        assert_eq!(ann.invitations_sent().count(conn).unwrap(), 2);
        // set diffs on the link only: one read, one DELETE (cy), one INSERT (ann).
        assert_num_queries(conn, 3 + owner_lock(conn), |conn| {
            club.club_members()
                .through_defaults(by_cy.clone())
                .set(conn, [&bob, &ann])
                .unwrap()
        });
        assert_eq!(
            invited_by(conn, &club),
            [
                ("ann".into(), cy.id, None),
                ("bob".into(), ann.id, Some("plays well".into()))
            ]
        );
        // A prefetch carries the through rows, inviter included: two statements.
        let clubs = assert_num_queries(conn, 2, |conn| {
            Club::query()
                .prefetch(ClubClubMembers.with_through())
                .all(conn)
                .unwrap()
        });
        let mut inviters: Vec<(String, i64)> = clubs[0]
            .get(ClubClubMembers)
            .iter()
            .map(|(p, m)| (p.name.clone(), m.inviter_id))
            .collect();
        inviters.sort();
        assert_eq!(inviters, [("ann".into(), cy.id), ("bob".into(), ann.id)]);
        // The inviter key cascades like any other: deleting cy deletes the link cy made.
        cy.delete(conn).unwrap();
        assert_eq!(
            names(club.club_members().all(conn).unwrap(), |p| p.name),
            ["bob"]
        );
    });
}

/// A through model with `#[orm(duplicate_links)]` holds a member twice, as Django's does: the
/// links count twice and a prefetch lists it twice; `add` of a linked member reads the links
/// first and adds nothing (there is no unique index to skip it); `remove` deletes every link.
#[test]
fn a_through_model_with_duplicate_links_holds_a_member_twice() {
    each_backend(|conn| {
        let list = Playlist::create(conn, NewPlaylist { name: "mix".into() }).unwrap();
        let tune = |conn: &mut Connection, name: &str| {
            Tune::create(conn, NewTune { name: name.into() }).unwrap()
        };
        let (a, b) = (tune(conn, "a"), tune(conn, "b"));
        for _ in 0..2 {
            let entry = NewPlaylistEntry {
                playlist_id: list.id,
                tune_id: a.id,
            };
            PlaylistEntry::create(conn, entry).unwrap();
        }
        assert_num_queries(conn, 1, |conn| {
            assert_eq!(list.tunes().count(conn).unwrap(), 2)
        });
        let loaded = Playlist::query().prefetch(PlaylistTunes).all(conn).unwrap();
        assert_eq!(
            names(loaded[0].get(PlaylistTunes), |t| t.name.clone()),
            ["a", "a"]
        );
        // The members themselves, once each.
        assert_eq!(list.tunes().all(conn).unwrap(), std::slice::from_ref(&a));
        // add: the owner's lock, the links that exist, then an INSERT of the missing only.
        assert_num_queries(conn, owner_lock(conn) + 1, |conn| {
            list.tunes().add(conn, [&a]).unwrap()
        });
        assert_num_queries(conn, owner_lock(conn) + 2, |conn| {
            list.tunes().add(conn, [&a, &b]).unwrap()
        });
        assert_eq!(list.tunes().count(conn).unwrap(), 3);
        // remove: one DELETE of every link to the member.
        assert_num_queries(conn, 1, |conn| list.tunes().remove(conn, [&a]).unwrap());
        assert_eq!(list.tunes().all(conn).unwrap(), [b]);
        assert_eq!(list.tunes().count(conn).unwrap(), 1);
    });
}
