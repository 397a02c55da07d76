//! Many-to-many through a model whose keys hold a `to_field` (Django's `m2m_through`
//! `RecipeIngredient`, whose keys hold `Recipe.rname` and `Ingredient.iname`, and
//! `prefetch_related`'s `FavoriteAuthors`, a self-referential one by name): the managers write,
//! read, match and report names, never ids, and prefetch, filters and counts join on them, each
//! with its statement count.
//!
//! Names are never ids, and the ids run in another order than the names, so a join or a write
//! on the wrong column finds nothing, fails, or gives another order.

use std::sync::{Arc, Mutex};

use orm_core::hooks::{M2mAction, M2mChanged};
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::{prefetch_related_objects, Error};
use orm_tests::fixtures::{inserts, owner_lock};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

fn ingredient(conn: &mut Connection, iname: &str) -> Ingredient {
    let new = NewIngredient {
        iname: iname.into(),
    };
    Ingredient::create(conn, new).unwrap()
}

fn recipe(conn: &mut Connection, rname: &str) -> Recipe {
    let new = NewRecipe {
        rname: rname.into(),
    };
    Recipe::create(conn, new).unwrap()
}

/// tomato, pea, potato, salt: ids 1 to 4, names in another order.
fn pantry(conn: &mut Connection) -> [Ingredient; 4] {
    ["tomato", "pea", "potato", "salt"].map(|n| ingredient(conn, n))
}

fn inames<'i>(rows: impl IntoIterator<Item = &'i Ingredient>) -> Vec<&'i str> {
    let mut names: Vec<&str> = rows.into_iter().map(|i| i.iname.as_str()).collect();
    names.sort_unstable();
    names
}

/// The links as stored: (recipe name, ingredient name), sorted.
fn links(conn: &mut Connection) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = RecipeIngredient::query()
        .all(conn)
        .unwrap()
        .into_iter()
        .map(|l| (l.recipe_id, l.ingredient_id))
        .collect();
    rows.sort();
    rows
}

/// What the hooks saw: each action with its keys.
type Seen = Arc<Mutex<Vec<(M2mAction, Vec<String>)>>>;

/// A recipe name and an ingredient's amount in it.
type Use<'r> = (&'r str, Option<i32>);

fn pair(recipe: &str, iname: &str) -> (String, String) {
    (recipe.to_owned(), iname.to_owned())
}

#[test]
fn links_hold_names_and_both_managers_read_them() {
    each_backend(|conn| {
        let [tomato, pea, potato, salt] = pantry(conn);
        let curry = recipe(conn, "curry");
        let soup = recipe(conn, "soup");

        // Rows or the names the links hold, in one INSERT.
        assert_num_queries(conn, 1, |conn| {
            curry.ingredients().add(conn, [&pea, &tomato]).unwrap()
        });
        assert_num_queries(conn, 1, |conn| {
            curry
                .ingredients()
                .add(conn, ["potato".to_owned()])
                .unwrap()
        });
        assert_num_queries(conn, 1, |conn| {
            soup.ingredients().add(conn, [&tomato]).unwrap()
        });
        assert_eq!(
            links(conn),
            [
                pair("curry", "pea"),
                pair("curry", "potato"),
                pair("curry", "tomato"),
                pair("soup", "tomato"),
            ]
        );
        // A link that exists stays one link.
        curry.ingredients().add(conn, [&pea]).unwrap();
        assert_eq!(links(conn).len(), 4);

        let got = assert_num_queries(conn, 1, |conn| curry.ingredients().all(conn).unwrap());
        assert_eq!(inames(&got), ["pea", "potato", "tomato"]);
        let got = assert_num_queries(conn, 1, |conn| tomato.recipes().all(conn).unwrap());
        let mut names: Vec<&str> = got.iter().map(|r| r.rname.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["curry", "soup"]);
        assert_eq!(
            assert_num_queries(conn, 1, |conn| potato.recipes().count(conn).unwrap()),
            1
        );
        assert!(!salt.recipes().exists(conn).unwrap());

        // The through rows beside the rows, joined on the names.
        let rows = assert_num_queries(conn, 1, |conn| {
            curry
                .ingredients()
                .with_through()
                .order_by(Ingredient::iname.desc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, &str)> = rows
            .iter()
            .map(|(i, l)| (i.iname.as_str(), l.recipe_id.as_str()))
            .collect();
        assert_eq!(
            got,
            [("tomato", "curry"), ("potato", "curry"), ("pea", "curry")]
        );

        // From the ingredient's side, `create` links the new recipe by its name.
        let stew = assert_num_queries(conn, 1 + inserts(conn), |conn| {
            salt.recipes()
                .create(
                    conn,
                    NewRecipe {
                        rname: "stew".into(),
                    },
                )
                .unwrap()
        });
        assert!(links(conn).contains(&pair(&stew.rname, "salt")));
    });
}

#[test]
fn remove_set_and_clear_match_on_names_and_hooks_get_them() {
    each_backend(|conn| {
        let [tomato, pea, potato, salt] = pantry(conn);
        let curry = recipe(conn, "curry");
        let soup = recipe(conn, "soup");
        curry
            .ingredients()
            .add(conn, [&tomato, &pea, &potato])
            .unwrap();
        soup.ingredients().add(conn, [&tomato, &salt]).unwrap();

        let seen: Seen = Arc::default();
        let sink = seen.clone();
        conn.on_m2m_changed::<RecipeIngredients>(move |_, change| {
            let keys = match change {
                M2mChanged::Forward { keys, .. } => keys.to_vec(),
                M2mChanged::Reverse { keys, .. } => keys.to_vec(),
            };
            sink.lock().unwrap().push((change.action(), keys));
            Ok(())
        });

        // By row and by name; one DELETE between the hooks.
        assert_num_queries(conn, 1, |conn| {
            curry
                .ingredients()
                .remove(conn, [pea.clone().iname, "nothing".into()])
                .unwrap()
        });
        assert_eq!(
            seen.lock().unwrap().drain(..).collect::<Vec<_>>(),
            [
                (M2mAction::PreRemove, vec!["pea".into(), "nothing".into()]),
                (M2mAction::PostRemove, vec!["pea".into(), "nothing".into()]),
            ]
        );
        // `set` reads the current names, deletes the stale, inserts the fresh: tomato stays.
        assert_num_queries(conn, 3 + owner_lock(conn), |conn| {
            curry.ingredients().set(conn, [&tomato, &salt]).unwrap()
        });
        assert_eq!(
            seen.lock().unwrap().drain(..).collect::<Vec<_>>(),
            [
                (M2mAction::PreRemove, vec!["potato".into()]),
                (M2mAction::PostRemove, vec!["potato".into()]),
                (M2mAction::PreAdd, vec!["salt".into()]),
                (M2mAction::PostAdd, vec!["salt".into()]),
            ]
        );
        // From the other side, the keys are recipe names.
        assert_num_queries(conn, 1, |conn| tomato.recipes().clear(conn).unwrap());
        assert_eq!(
            seen.lock().unwrap().drain(..).collect::<Vec<_>>(),
            [
                (M2mAction::PreClear, vec![]),
                (M2mAction::PostClear, vec![])
            ]
        );
        assert_num_queries(conn, 1, |conn| pea.recipes().remove(conn, [&soup]).unwrap());
        assert_eq!(
            seen.lock().unwrap().drain(..).collect::<Vec<_>>(),
            [
                (M2mAction::PreRemove, vec!["soup".into()]),
                (M2mAction::PostRemove, vec!["soup".into()]),
            ]
        );
        assert_eq!(links(conn), [pair("curry", "salt"), pair("soup", "salt")]);
    });
}

#[test]
fn an_unsaved_owner_or_an_unknown_name_writes_nothing() {
    each_backend(|conn| {
        let [tomato, ..] = pantry(conn);
        let curry = recipe(conn, "curry");
        curry.ingredients().add(conn, [&tomato]).unwrap();

        let ghost = Recipe {
            id: 99,
            rname: "ghost".into(),
        };
        let err = ghost.ingredients().add(conn, [&tomato]).unwrap_err();
        assert!(matches!(err, Error::Unsaved { .. }), "{err:?}");
        // One name of two does not exist: the whole add is refused.
        let err = curry
            .ingredients()
            .add(conn, ["nothing".to_owned(), "tomato".to_owned()])
            .unwrap_err();
        assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
        assert_eq!(links(conn), [pair("curry", "tomato")]);
    });
}

#[test]
fn prefetch_filters_and_counts_join_on_names() {
    each_backend(|conn| {
        let [tomato, pea, potato, salt] = pantry(conn);
        let curry = recipe(conn, "curry");
        let soup = recipe(conn, "soup");
        recipe(conn, "toast");
        curry
            .ingredients()
            .add(conn, [&tomato, &pea, &potato])
            .unwrap();
        soup.ingredients()
            .through_defaults(RecipeIngredientExtra { amount: Some(2) })
            .add(conn, [&tomato, &salt])
            .unwrap();

        // Recipes -> ingredients -> recipes: one statement a level.
        let recipes = assert_num_queries(conn, 3, |conn| {
            Recipe::query()
                .order_by(Recipe::rname.asc())
                .prefetch(RecipeIngredients.with(IngredientRecipes))
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, Vec<&str>)> = recipes
            .iter()
            .map(|r| {
                (
                    r.rname.as_str(),
                    inames(r.get(RecipeIngredients).iter().map(|i| &**i)),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("curry", vec!["pea", "potato", "tomato"]),
                ("soup", vec!["salt", "tomato"]),
                ("toast", vec![]),
            ]
        );
        let tomato_in = recipes[0]
            .get(RecipeIngredients)
            .iter()
            .find(|i| i.iname == "tomato")
            .unwrap()
            .get(IngredientRecipes)
            .len();
        assert_eq!(tomato_in, 2);

        // With the through rows, from the ingredients' side, onto rows in hand.
        let mut pantry = vec![tomato.clone(), salt.clone(), pea.clone()];
        pantry.sort_by_key(|i| i.id);
        let loaded = assert_num_queries(conn, 1, |conn| {
            prefetch_related_objects(conn, pantry, IngredientRecipes.with_through()).unwrap()
        });
        let got: Vec<(&str, Vec<Use<'_>>)> = loaded
            .iter()
            .map(|i| {
                let mut rows: Vec<_> = i
                    .get(IngredientRecipes)
                    .iter()
                    .map(|(r, l)| (r.rname.as_str(), l.amount))
                    .collect();
                rows.sort_unstable();
                (i.iname.as_str(), rows)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("tomato", vec![("curry", None), ("soup", Some(2))]),
                ("pea", vec![("curry", None)]),
                ("salt", vec![("soup", Some(2))]),
            ]
        );

        // Filters and counts across.
        let with_salt = assert_num_queries(conn, 1, |conn| {
            Recipe::query()
                .filter(RecipeIngredients.any(Ingredient::iname.eq("salt")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(with_salt, std::slice::from_ref(&soup));
        let counts = assert_num_queries(conn, 1, |conn| {
            Ingredient::query()
                .order_by(Ingredient::iname.asc())
                .with_count(IngredientRecipes)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, i64)> = counts.iter().map(|(i, n)| (i.iname.as_str(), *n)).collect();
        assert_eq!(got, [("pea", 1), ("potato", 1), ("salt", 1), ("tomato", 2)]);
    });
}

#[test]
fn tracked_prefetched_links_follow_writes_by_name() {
    each_backend(|conn| {
        let [tomato, pea, potato, _] = pantry(conn);
        let curry = recipe(conn, "curry");
        curry.ingredients().add(conn, [&tomato]).unwrap();
        let mut loaded = Recipe::query()
            .prefetch(RecipeIngredients)
            .all(conn)
            .unwrap()
            .remove(0);
        assert_num_queries(conn, 1, |conn| {
            loaded
                .track(RecipeIngredients)
                .add(conn, [&pea, &potato])
                .unwrap()
        });
        assert_num_queries(conn, 1, |conn| {
            loaded
                .track(RecipeIngredients)
                .remove(conn, [&tomato])
                .unwrap()
        });
        assert_eq!(
            inames(loaded.get(RecipeIngredients).iter().map(|i| &**i)),
            ["pea", "potato"]
        );
        // Without another statement, the loaded rows are what the table holds.
        assert_eq!(links(conn), [pair("curry", "pea"), pair("curry", "potato")]);
    });
}

#[test]
fn deleting_either_side_deletes_its_links() {
    each_backend(|conn| {
        let [tomato, pea, ..] = pantry(conn);
        let curry = recipe(conn, "curry");
        let soup = recipe(conn, "soup");
        curry.ingredients().add(conn, [&tomato, &pea]).unwrap();
        soup.ingredients().add(conn, [&tomato]).unwrap();
        tomato.delete(conn).unwrap();
        assert_eq!(links(conn), [pair("curry", "pea")]);
        curry.delete(conn).unwrap();
        assert_eq!(links(conn), []);
        assert_eq!(
            assert_num_queries(conn, 1, |conn| pea.recipes().count(conn).unwrap()),
            0
        );
    });
}

/// Django's `prefetch_related` `test_m2m_through_fk`-style case: a self-referential
/// many-to-many whose links hold names, prefetched both ways.
#[test]
fn a_self_referential_relation_by_name_prefetches_both_ways() {
    each_backend(|conn| {
        let [charlotte, anne, emily, jane] = ["Charlotte", "Anne", "Emily", "Jane"]
            .map(|name| Writer::create(conn, NewWriter { name: name.into() }).unwrap());
        charlotte
            .favorite_authors()
            .add(conn, [&jane, &anne])
            .unwrap();
        anne.favorite_authors().add(conn, [&jane]).unwrap();
        emily
            .favorite_authors()
            .add(conn, ["Charlotte".to_owned()])
            .unwrap();

        let writers = assert_num_queries(conn, 3, |conn| {
            Writer::query()
                .order_by(Writer::name.asc())
                .prefetch(WriterFavoriteAuthors)
                .prefetch(WriterFavorsMe)
                .all(conn)
                .unwrap()
        });
        let names = |rows: &[Loaded<Writer>]| {
            let mut names: Vec<&str> = rows.iter().map(|w| w.name.as_str()).collect();
            names.sort_unstable();
            names.join(",")
        };
        let got: Vec<(&str, String, String)> = writers
            .iter()
            .map(|w| {
                (
                    w.name.as_str(),
                    names(w.get(WriterFavoriteAuthors)),
                    names(w.get(WriterFavorsMe)),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Anne", "Jane".into(), "Charlotte".into()),
                ("Charlotte", "Anne,Jane".into(), "Emily".into()),
                ("Emily", "Charlotte".into(), "".into()),
                ("Jane", "".into(), "Anne,Charlotte".into()),
            ]
        );
        // Not symmetrical: Jane likes nobody back.
        assert!(!jane.favorite_authors().exists(conn).unwrap());
    });
}
