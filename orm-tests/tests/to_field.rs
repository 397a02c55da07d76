//! Foreign keys that hold another unique field of their target (`to_field = code`, Django's
//! `ForeignKey(Country, to_field="code")`): the accessor, the reverse manager, prefetch both
//! ways, `select_related`, filters, orderings and counts across, and `on_delete`, each matching
//! on the code, never the id, with its statement count.
//!
//! The countries' ids and codes sort differently (and a code is never an id), so a join or a
//! grouping on the wrong column finds nothing or the wrong row.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Error;
use orm_tests::fixtures::{inserts, owner_lock};
use orm_tests::harness::each_backend;
use orm_tests::models::*;

fn country(conn: &mut Connection, code: &str, name: &str) -> Country {
    Country::create(
        conn,
        NewCountry {
            code: code.into(),
            name: name.into(),
        },
    )
    .unwrap()
}

fn city(conn: &mut Connection, country: &Country, twin: Option<&Country>, name: &str) -> City {
    City::create(
        conn,
        NewCity {
            country_id: country.code.clone(),
            twin_id: twin.map(|t| t.code.clone()),
            name: name.into(),
        },
    )
    .unwrap()
}

/// The sorted names of cities, loaded (`Loaded<City>`) or not.
fn names<'c, C: AsCity + 'c>(cities: impl IntoIterator<Item = &'c C>) -> Vec<&'c str> {
    let mut names: Vec<&str> = cities.into_iter().map(|c| c.city().name.as_str()).collect();
    names.sort_unstable();
    names
}

trait AsCity {
    fn city(&self) -> &City;
}

impl AsCity for City {
    fn city(&self) -> &City {
        self
    }
}

impl<R> AsCity for orm_core::prefetch::Loaded<City, R> {
    fn city(&self) -> &City {
        self
    }
}

/// Three countries whose ids run the other way from their codes.
fn countries(conn: &mut Connection) -> [Country; 3] {
    [
        country(conn, "PL", "Poland"),
        country(conn, "FR", "France"),
        country(conn, "DE", "Germany"),
    ]
}

#[test]
fn the_accessor_and_the_reverse_manager_match_on_the_code() {
    each_backend(|conn| {
        let [pl, fr, de] = countries(conn);
        let krakow = city(conn, &pl, Some(&fr), "Kraków");
        city(conn, &pl, None, "Gdańsk");
        city(conn, &fr, Some(&de), "Lyon");

        let got = assert_num_queries(conn, 1, |conn| krakow.country(conn).unwrap());
        assert_eq!(got, pl);
        let got = assert_num_queries(conn, 1, |conn| krakow.twin(conn).unwrap());
        assert_eq!(got, Some(fr.clone()));

        let cities = assert_num_queries(conn, 1, |conn| pl.cities().all(conn).unwrap());
        assert_eq!(names(&cities), ["Gdańsk", "Kraków"]);
        assert_eq!(
            assert_num_queries(conn, 1, |conn| fr.cities().count(conn).unwrap()),
            1
        );
        assert!(!de.cities().exists(conn).unwrap());
        let twinned = fr.twinned_cities().all(conn).unwrap();
        assert_eq!(names(&twinned), ["Kraków"]);

        // `create` writes the code, whatever the form held.
        let created = assert_num_queries(conn, inserts(conn), |conn| {
            de.cities()
                .create(conn, |country_id| NewCity {
                    country_id,
                    twin_id: None,
                    name: "Bonn".into(),
                })
                .unwrap()
        });
        assert_eq!(created.country_id, "DE");
        assert_eq!(de.cities().count(conn).unwrap(), 1);
    });
}

#[test]
fn the_manager_moves_removes_and_clears_by_code_in_one_statement_each() {
    each_backend(|conn| {
        let [pl, fr, de] = countries(conn);
        let mut a = city(conn, &pl, Some(&fr), "a");
        let mut b = city(conn, &pl, Some(&fr), "b");

        assert_num_queries(conn, 1, |conn| de.cities().add(conn, [&mut a]).unwrap());
        assert_eq!(a.country_id, "DE");
        assert_eq!(a.refresh(conn).unwrap().country_id, "DE");

        // `b` is not twinned with Germany: refused, nothing written.
        let err = de.twinned_cities().remove(conn, [&mut b]).unwrap_err();
        assert!(matches!(err, Error::NotRelated { .. }), "{err:?}");
        assert_eq!(b.refresh(conn).unwrap().twin_id.as_deref(), Some("FR"));
        assert_num_queries(conn, 1, |conn| {
            fr.twinned_cities().remove(conn, [&mut b]).unwrap()
        });
        assert_eq!(b.twin_id, None);
        assert_eq!(b.refresh(conn).unwrap().twin_id, None);
        assert_num_queries(conn, 1, |conn| fr.twinned_cities().clear(conn).unwrap());
        assert_eq!(a.refresh(conn).unwrap().twin_id, None);

        // A nullable key's `set` reads the current rows first, as Django's does.
        assert_num_queries(conn, 2 + owner_lock(conn), |conn| {
            fr.twinned_cities().set(conn, [&mut a, &mut b]).unwrap()
        });
        let twinned = fr.twinned_cities().all(conn).unwrap();
        assert_eq!(names(&twinned), ["a", "b"]);
    });
}

#[test]
fn a_parent_without_a_row_is_reported_as_unsaved() {
    each_backend(|conn| {
        let ghost = Country {
            id: 1_000,
            code: "XX".into(),
            name: "Nowhere".into(),
        };
        let err = ghost
            .cities()
            .create(conn, |country_id| NewCity {
                country_id,
                twin_id: None,
                name: "x".into(),
            })
            .unwrap_err();
        assert!(
            matches!(&err, Error::Unsaved { model: "Country", key } if key.contains("XX")),
            "{err:?}"
        );
        assert_eq!(City::query().count(conn).unwrap(), 0);
    });
}

#[test]
fn prefetch_both_ways_groups_by_code() {
    each_backend(|conn| {
        let [pl, fr, de] = countries(conn);
        city(conn, &pl, Some(&fr), "Kraków");
        city(conn, &pl, None, "Gdańsk");
        city(conn, &fr, Some(&pl), "Lyon");

        // Every country and every city: one statement per level, whole-table or by key.
        let all = assert_num_queries(conn, 3, |conn| {
            Country::query()
                .order_by(Country::code.asc())
                .prefetch(CountryCities)
                .prefetch(CountryTwinnedCities)
                .all(conn)
                .unwrap()
        });
        let got = assert_num_queries(conn, 0, |_| {
            all.iter()
                .map(|c| {
                    (
                        c.code.as_str(),
                        names(c.get(CountryCities)),
                        names(c.get(CountryTwinnedCities)),
                    )
                })
                .collect::<Vec<_>>()
        });
        assert_eq!(
            got,
            [
                ("DE", vec![], vec![]),
                ("FR", vec!["Lyon"], vec!["Kraków"]),
                ("PL", vec!["Gdańsk", "Kraków"], vec!["Lyon"]),
            ]
        );
        let some = assert_num_queries(conn, 2, |conn| {
            Country::query()
                .filter(Country::code.eq("PL"))
                .prefetch(CountryCities)
                .all(conn)
                .unwrap()
        });
        assert_eq!(names(some[0].get(CountryCities)), ["Gdańsk", "Kraków"]);

        // Forward, nullable or not, and nested back to the cities.
        let cities = assert_num_queries(conn, 4, |conn| {
            City::query()
                .order_by(City::name.asc())
                .prefetch(CityCountry.with(CountryCities))
                .prefetch(CityTwin)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, &str, usize, Option<&str>)> = cities
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.get(CityCountry).code.as_str(),
                    c.get(CityCountry).get(CountryCities).len(),
                    c.get(CityTwin).as_ref().map(|t| t.code.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Gdańsk", "PL", 2, None),
                ("Kraków", "PL", 2, Some("FR")),
                ("Lyon", "FR", 1, Some("PL")),
            ]
        );
        let _ = de;
    });
}

#[test]
fn select_related_filters_orderings_and_counts_cross_on_the_code() {
    each_backend(|conn| {
        let [pl, fr, de] = countries(conn);
        city(conn, &pl, Some(&de), "Kraków");
        city(conn, &fr, None, "Lyon");
        city(conn, &fr, None, "Nice");

        let cities = assert_num_queries(conn, 1, |conn| {
            City::query()
                .order_by(City::name.asc())
                .select_related(CityCountry)
                .select_related(CityTwin)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, &str, Option<&str>)> = cities
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.get(CityCountry).name.as_str(),
                    c.get(CityTwin).as_ref().map(|t| t.name.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Kraków", "Poland", Some("Germany")),
                ("Lyon", "France", None),
                ("Nice", "France", None),
            ]
        );

        let french = assert_num_queries(conn, 1, |conn| {
            City::query()
                .filter(CityCountry.any(Country::name.eq("France")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(names(&french), ["Lyon", "Nice"]);
        let with_cities = assert_num_queries(conn, 1, |conn| {
            Country::query()
                .filter(CountryCities.any(City::name.eq("Kraków")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(with_cities, std::slice::from_ref(&pl));

        // By country name (France < Poland), not by id or code order.
        let by_country = assert_num_queries(conn, 1, |conn| {
            City::query()
                .order_by(CityCountry.by(Country::name.desc()))
                .order_by(City::name.asc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<&str> = by_country.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(got, ["Kraków", "Lyon", "Nice"]);

        let counts = assert_num_queries(conn, 1, |conn| {
            Country::query()
                .order_by(Country::code.asc())
                .with_count(CountryCities)
                .all(conn)
                .unwrap()
        });
        let got: Vec<(&str, i64)> = counts.iter().map(|(c, n)| (c.code.as_str(), *n)).collect();
        assert_eq!(got, [("DE", 0), ("FR", 2), ("PL", 1)]);
    });
}

#[test]
fn one_to_one_by_code() {
    each_backend(|conn| {
        let [pl, fr, _] = countries(conn);
        let warsaw = Capital::create(
            conn,
            NewCapital {
                country_id: "PL".into(),
                name: "Warsaw".into(),
            },
        )
        .unwrap();
        let got = assert_num_queries(conn, 1, |conn| pl.capital(conn).unwrap());
        assert_eq!(got, Some(warsaw.clone()));
        assert_eq!(fr.capital(conn).unwrap(), None);
        assert_eq!(warsaw.country(conn).unwrap(), pl);
        let all = assert_num_queries(conn, 2, |conn| {
            Country::query()
                .order_by(Country::code.asc())
                .prefetch(CountryCapital)
                .all(conn)
                .unwrap()
        });
        let got: Vec<Option<&str>> = all
            .iter()
            .map(|c| c.get(CountryCapital).as_ref().map(|w| w.name.as_str()))
            .collect();
        assert_eq!(got, [None, None, Some("Warsaw")]);
        let joined = assert_num_queries(conn, 1, |conn| {
            Country::query()
                .order_by(Country::code.asc())
                .select_related(CountryCapital)
                .all(conn)
                .unwrap()
        });
        assert_eq!(joined[2].get(CountryCapital).as_deref(), Some(&warsaw));
    });
}

#[test]
fn deleting_a_country_cascades_and_clears_by_code() {
    each_backend(|conn| {
        let [pl, fr, de] = countries(conn);
        city(conn, &pl, None, "Kraków");
        let lyon = city(conn, &fr, Some(&pl), "Lyon");
        let bonn = city(conn, &de, None, "Bonn");
        // Read Poland's code, delete its capital and its cities (nothing points at either, so
        // neither is read first), clear the twins, delete Poland.
        let deleted = assert_num_queries(conn, 5, |conn| pl.delete(conn).unwrap());
        assert_eq!(deleted.per_model, vec![("City", 1), ("Country", 1)]);
        let left = City::query().order_by(City::name.asc()).all(conn).unwrap();
        assert_eq!(
            left,
            [
                bonn,
                City {
                    twin_id: None,
                    ..lyon
                }
            ]
        );
        // A queryset delete of several countries: their keys, then their codes, once for both
        // keys that hold codes; the rest as above.
        let deleted = assert_num_queries(conn, 6, |conn| Country::query().delete(conn).unwrap());
        assert_eq!(deleted.per_model, vec![("City", 2), ("Country", 2)]);
        assert_eq!(City::query().count(conn).unwrap(), 0);
    });
}
