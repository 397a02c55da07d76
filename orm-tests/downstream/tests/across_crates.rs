//! Relations from this crate's `Reader` to orm-tests' `Blog`, `Topping` and `Place`: a foreign
//! key, a many-to-many and a one-to-one across crates, on every backend.

use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_core::Connection;
use orm_tests::fixtures::{blog, inserts, new_tagged, toppings};
use orm_tests::harness::each_backend;
use orm_tests::models::*;
use orm_tests_downstream::models::*;

/// orm-tests' tables (the harness creates them), then this crate's.
fn each_backend_with_readers(mut test: impl FnMut(&mut Connection)) {
    each_backend(|conn| {
        orm_tests_downstream::MIGRATION.apply(conn).unwrap();
        test(conn);
    });
}

fn reader(conn: &mut Connection, b: &Blog, name: &str) -> Reader {
    b.readers()
        .create(conn, |blog_id| NewReader {
            blog_id,
            home_id: None,
            favorite_blog_id: None,
            referrer_id: None,
            name: name.into(),
        })
        .unwrap()
}

fn place(conn: &mut Connection, name: &str) -> Place {
    Place::create(conn, NewPlace { name: name.into() }).unwrap()
}

fn names(readers: &[impl std::ops::Deref<Target = Reader>]) -> Vec<&str> {
    readers.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn the_migration_creates_only_this_crates_tables_and_content_types() {
    let sql = orm_tests_downstream::MIGRATION.sqlite.join(";\n");
    assert!(sql.contains("CREATE TABLE \"reader\""), "{sql}");
    assert!(sql.contains("REFERENCES \"blog\" (\"id\")"), "{sql}");
    assert!(
        sql.contains("CREATE TABLE \"reader_favorite_toppings\""),
        "{sql}"
    );
    for elsewhere in [
        "\"blog\"",
        "\"topping\"",
        "\"place\"",
        "\"orm_content_type\"",
    ] {
        assert!(
            !sql.contains(&format!("CREATE TABLE {elsewhere}")),
            "{elsewhere} is orm-tests' table: {sql}"
        );
    }
    each_backend_with_readers(|conn| {
        let ct = assert_num_queries(conn, 1, |conn| conn.content_type::<Reader>().unwrap());
        let blog_ct = conn.content_type::<Blog>().unwrap();
        assert_ne!(
            ct, blog_ct,
            "one content-type table holds both crates' models"
        );
    });
}

#[test]
fn reverse_accessors_on_another_crates_models_are_trait_methods() {
    each_backend_with_readers(|conn| {
        let b = blog(conn, "b");
        let other = blog(conn, "other");
        let ann = assert_num_queries(conn, inserts(conn), |conn| reader(conn, &b, "ann"));
        let mut bob = reader(conn, &other, "bob");
        assert_num_queries(conn, 1, |conn| b.readers().add(conn, [&mut bob]).unwrap());
        assert_eq!(bob.blog_id, b.id);
        let all = assert_num_queries(conn, 1, |conn| b.readers().all(conn).unwrap());
        assert_eq!(all, vec![ann.clone(), bob.clone()]);
        assert_eq!(other.readers().count(conn).unwrap(), 0);
        assert_eq!(
            assert_num_queries(conn, 1, |conn| ann.blog(conn).unwrap()),
            b
        );

        let [cheese, ham] = <[Topping; 2]>::try_from(toppings(conn, &["cheese", "ham"])).unwrap();
        assert_num_queries(conn, 1, |conn| {
            ann.favorite_toppings().add(conn, [&cheese, &ham]).unwrap()
        });
        bob.favorite_toppings().add(conn, [&ham]).unwrap();
        let fans = assert_num_queries(conn, 1, |conn| ham.fans().all(conn).unwrap());
        assert_eq!(fans, vec![ann.clone(), bob.clone()]);
        assert_num_queries(conn, 1, |conn| cheese.fans().remove(conn, [&ann]).unwrap());
        assert_eq!(
            ann.favorite_toppings().all(conn).unwrap(),
            vec![ham.clone()]
        );

        let home = place(conn, "home");
        assert_eq!(
            assert_num_queries(conn, 1, |conn| home.resident(conn).unwrap()),
            None
        );
        let mut ann = ann;
        ann.home_id = Some(home.id);
        ann.save(conn).unwrap();
        assert_eq!(home.resident(conn).unwrap(), Some(ann));
    });
}

#[test]
fn prefetch_joins_counts_and_filters_work_across_crates_one_statement_a_level() {
    each_backend_with_readers(|conn| {
        let a = blog(conn, "a");
        let b = blog(conn, "b");
        let _empty = blog(conn, "empty");
        let ann = reader(conn, &a, "ann");
        let bob = reader(conn, &a, "bob");
        let cy = reader(conn, &b, "cy");
        let [cheese, ham] = <[Topping; 2]>::try_from(toppings(conn, &["cheese", "ham"])).unwrap();
        ann.favorite_toppings().add(conn, [&cheese, &ham]).unwrap();
        cy.favorite_toppings().add(conn, [&ham]).unwrap();

        let blogs = assert_num_queries(conn, 3, |conn| {
            Blog::query()
                .prefetch(BlogReaders.with(ReaderFavoriteToppings))
                .order_by(Blog::id.asc())
                .all(conn)
                .unwrap()
        });
        let got = assert_num_queries(conn, 0, |_| {
            blogs
                .iter()
                .map(|b| {
                    b.get(BlogReaders)
                        .iter()
                        .map(|r| {
                            let tops = r.get(ReaderFavoriteToppings).iter();
                            (r.name.clone(), tops.map(|t| t.name.clone()).collect())
                        })
                        .collect::<Vec<(String, Vec<String>)>>()
                })
                .collect::<Vec<_>>()
        });
        let s = |v: &str| v.to_string();
        assert_eq!(
            got,
            [
                vec![(s("ann"), vec![s("cheese"), s("ham")]), (s("bob"), vec![])],
                vec![(s("cy"), vec![s("ham")])],
                vec![],
            ]
        );

        let toppings = assert_num_queries(conn, 2, |conn| {
            Topping::query()
                .prefetch(ToppingFans)
                .order_by(Topping::id.asc())
                .all(conn)
                .unwrap()
        });
        let fans: Vec<Vec<&str>> = toppings.iter().map(|t| names(t.get(ToppingFans))).collect();
        assert_eq!(fans, [vec!["ann"], vec!["ann", "cy"]]);

        let readers = assert_num_queries(conn, 2, |conn| {
            Reader::query()
                .prefetch(ReaderBlog)
                .order_by(Reader::id.asc())
                .all(conn)
                .unwrap()
        });
        let blogs: Vec<&str> = readers
            .iter()
            .map(|r| r.get(ReaderBlog).name.as_str())
            .collect();
        assert_eq!(blogs, ["a", "a", "b"]);
        assert_eq!(readers[1].id, bob.id);

        // Joined, counted and filtered across the crates: one statement each.
        let joined = assert_num_queries(conn, 1, |conn| {
            Reader::query()
                .select_related(ReaderBlog)
                .order_by(Reader::id.desc())
                .all(conn)
                .unwrap()
        });
        assert_eq!(joined[0].get(ReaderBlog).name, "b");
        let counted = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .order_by(Blog::id.asc())
                .with_count(BlogReaders)
                .all(conn)
                .unwrap()
        });
        let counts: Vec<i64> = counted.iter().map(|(_, n)| *n).collect();
        assert_eq!(counts, [2, 1, 0]);
        let read_by_cy = assert_num_queries(conn, 1, |conn| {
            Blog::query()
                .filter(BlogReaders.any(Reader::name.eq("cy")))
                .all(conn)
                .unwrap()
        });
        assert_eq!(read_by_cy, vec![b.clone()]);
    });
}

#[test]
fn a_to_field_key_into_another_crate_holds_its_unique_field_byte_for_byte() {
    each_backend_with_readers(|conn| {
        let upper = blog(conn, "Rust");
        let lower = blog(conn, "rust");
        let mut ann = reader(conn, &upper, "ann");
        ann.favorite_blog_id = Some("rust".into());
        ann.save(conn).unwrap();
        let got = assert_num_queries(conn, 1, |conn| ann.favorite_blog(conn).unwrap());
        assert_eq!(
            got,
            Some(lower.clone()),
            "`Rust` and `rust` are two blogs everywhere"
        );
        assert_eq!(
            assert_num_queries(conn, 1, |conn| lower.admirers().all(conn).unwrap()),
            vec![ann.clone()]
        );
        assert_eq!(upper.admirers().count(conn).unwrap(), 0);
        let blogs = assert_num_queries(conn, 2, |conn| {
            Blog::query()
                .prefetch(BlogAdmirers)
                .order_by(Blog::id.asc())
                .all(conn)
                .unwrap()
        });
        let admirers: Vec<Vec<&str>> = blogs.iter().map(|b| names(b.get(BlogAdmirers))).collect();
        assert_eq!(admirers, [vec![], vec!["ann"]]);
    });
}

#[test]
fn related_name_plus_leaves_out_the_reverse_and_keeps_the_rest() {
    each_backend_with_readers(|conn| {
        let b = blog(conn, "b");
        let referrer = blog(conn, "referrer");
        let mut ann = reader(conn, &b, "ann");
        ann.referrer_id = Some(referrer.id);
        ann.save(conn).unwrap();
        let got = assert_num_queries(conn, 1, |conn| ann.referrer(conn).unwrap());
        assert_eq!(got, Some(referrer.clone()));

        let (home, park) = (place(conn, "home"), place(conn, "park"));
        assert_num_queries(conn, 1, |conn| {
            ann.visited().add(conn, [&home, &park]).unwrap()
        });
        let readers = assert_num_queries(conn, 3, |conn| {
            Reader::query()
                .prefetch(ReaderVisited)
                .prefetch(ReaderReferrer)
                .all(conn)
                .unwrap()
        });
        let mut visited: Vec<&str> = readers[0]
            .get(ReaderVisited)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        visited.sort_unstable();
        assert_eq!(visited, ["home", "park"]);
        let sent_by = readers[0].get(ReaderReferrer).as_ref().map(|b| b.id);
        assert_eq!(sent_by, Some(referrer.id));

        // `on_delete` needs no reverse accessor: the registry finds the key (read, entries and
        // readers, two keys set to NULL, subscriptions, whose key has none either, delete).
        assert_num_queries(conn, 7, |conn| referrer.delete(conn).unwrap());
        assert_eq!(ann.refresh(conn).unwrap().referrer_id, None);
        park.delete(conn).unwrap();
        assert_eq!(
            ann.visited().count(conn).unwrap(),
            1,
            "the link went with the place"
        );
    });
}

#[test]
fn a_generic_relation_to_another_crates_items_tags_this_crates_rows() {
    each_backend_with_readers(|conn| {
        let b = blog(conn, "b");
        let ann = reader(conn, &b, "ann");
        let bob = reader(conn, &b, "bob");
        // The content type of `Reader` is looked up once on this connection, then the insert.
        let tagged = assert_num_queries(conn, 1 + inserts(conn), |conn| {
            ann.tags().create(conn, new_tagged("early")).unwrap()
        });
        assert_eq!(tagged.object_id, ann.id.to_string());
        bob.tags().create(conn, new_tagged("late")).unwrap();

        let readers = assert_num_queries(conn, 2, |conn| {
            Reader::query()
                .prefetch(ReaderTags)
                .order_by(Reader::id.asc())
                .all(conn)
                .unwrap()
        });
        let labels: Vec<Vec<&str>> = readers
            .iter()
            .map(|r| r.get(ReaderTags).iter().map(|t| t.label.as_str()).collect())
            .collect();
        assert_eq!(labels, [vec!["early"], vec!["late"]]);
        // From the items' side, per type: the readers they point at, one statement.
        let items = assert_num_queries(conn, 2, |conn| {
            TaggedItem::query()
                .prefetch(TaggedItemContentObject.of::<Reader>())
                .order_by(TaggedItem::id.asc())
                .all(conn)
                .unwrap()
        });
        let on: Vec<Option<&str>> = items
            .iter()
            .map(|i| {
                let reader = i.get(TaggedItemContentObject.of::<Reader>()).as_ref();
                reader.map(|r| r.name.as_str())
            })
            .collect();
        assert_eq!(on, [Some("ann"), Some("bob")]);

        // Deleting a reader deletes its tags, which live in orm-tests' table: nothing points at
        // its links (two many-to-manys), subscriptions or tags, so each goes in one DELETE,
        // unread; then the reader.
        let deleted = assert_num_queries(conn, 5, |conn| ann.delete(conn).unwrap());
        assert_eq!(deleted.per_model, vec![("TaggedItem", 1), ("Reader", 1)]);
        let left: Vec<String> = TaggedItem::query()
            .all(conn)
            .unwrap()
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(left, ["late"]);
    });
}

#[test]
fn a_generic_foreign_key_prefetches_another_crates_targets_it_lists() {
    each_backend_with_readers(|conn| {
        let b = blog(conn, "b");
        let home = place(conn, "home");
        let mut texts = Vec::new();
        for (text, subject) in [
            ("on b", Some(conn.generic_target(&b).unwrap())),
            ("none", None),
        ] {
            let (subject_type, subject_id) = subject.unzip();
            texts.push(
                Mention::create(
                    conn,
                    NewMention {
                        text: text.into(),
                        subject_type,
                        subject_id,
                    },
                )
                .unwrap(),
            );
        }
        let mut at_home = texts.pop().unwrap();
        at_home.set_subject(conn, &home).unwrap();
        at_home.save(conn).unwrap();

        let mentions = assert_num_queries(conn, 3, |conn| {
            Mention::query()
                .prefetch(MentionSubject.of::<Blog>())
                .prefetch(MentionSubject.of::<Place>())
                .order_by(Mention::id.asc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<(Option<&str>, Option<&str>)> = mentions
            .iter()
            .map(|m| {
                (
                    m.get(MentionSubject.of::<Blog>())
                        .as_ref()
                        .map(|b| b.name.as_str()),
                    m.get(MentionSubject.of::<Place>())
                        .as_ref()
                        .map(|p| p.name.as_str()),
                )
            })
            .collect();
        assert_eq!(got, [(Some("b"), None), (None, Some("home"))]);
    });
}

#[test]
fn a_through_model_links_this_crates_rows_to_another_crates_and_carries_its_fields() {
    each_backend_with_readers(|conn| {
        let (a, b) = (blog(conn, "a"), blog(conn, "b"));
        let ann = reader(conn, &a, "ann");
        let bob = reader(conn, &a, "bob");
        assert_num_queries(conn, 1, |conn| {
            ann.subscriptions()
                .through_defaults(SubscriptionExtra { day: 3 })
                .add(conn, [&a, &b])
                .unwrap()
        });
        b.subscribers()
            .through_defaults(SubscriptionExtra { day: 5 })
            .add(conn, [&bob])
            .unwrap();
        let subscribers = assert_num_queries(conn, 1, |conn| b.subscribers().all(conn).unwrap());
        assert_eq!(subscribers, vec![ann.clone(), bob.clone()]);

        let readers = assert_num_queries(conn, 2, |conn| {
            Reader::query()
                .prefetch(ReaderSubscriptions.with_through())
                .order_by(Reader::id.asc())
                .all(conn)
                .unwrap()
        });
        let got: Vec<Vec<(String, i32)>> = readers
            .iter()
            .map(|r| {
                let mut days: Vec<(String, i32)> = r
                    .get(ReaderSubscriptions)
                    .iter()
                    .map(|(blog, sub)| (blog.name.clone(), sub.day))
                    .collect();
                days.sort();
                days
            })
            .collect();
        let s = |v: &str| v.to_string();
        assert_eq!(got, [vec![(s("a"), 3), (s("b"), 3)], vec![(s("b"), 5)]]);

        assert_num_queries(conn, 1, |conn| {
            ann.subscriptions().remove(conn, [&b]).unwrap()
        });
        assert_eq!(b.subscribers().count(conn).unwrap(), 1);
    });
}

#[test]
fn deleting_another_crates_row_cascades_and_sets_null_here() {
    each_backend_with_readers(|conn| {
        let b = blog(conn, "b");
        let keep = blog(conn, "keep");
        let ann = reader(conn, &b, "ann");
        let kept = reader(conn, &keep, "kept");
        let [ham] = <[Topping; 1]>::try_from(toppings(conn, &["ham"])).unwrap();
        ann.favorite_toppings().add(conn, [&ham]).unwrap();

        // The blog is read for the name its admirers hold, and its readers (this crate's, found
        // through the registry every linked crate adds to); then go, unread, its entries and
        // subscriptions, the readers' links, subscriptions and tags (orm-tests' rows, by the
        // readers' content type: none); its admirers' names and referred readers are set to
        // NULL; the readers go, then the blog.
        let deleted = assert_num_queries(conn, 13, |conn| b.delete(conn).unwrap());
        assert_eq!(
            deleted.per_model,
            vec![("Reader_favorite_toppings", 1), ("Reader", 1), ("Blog", 1)]
        );
        assert_eq!(Reader::query().all(conn).unwrap(), vec![kept.clone()]);
        assert_eq!(ham.fans().count(conn).unwrap(), 0, "its links went with it");

        let home = place(conn, "home");
        let mut kept = kept;
        kept.home_id = Some(home.id);
        kept.save(conn).unwrap();
        // Its restaurants are read (none to cascade), its visits (a many-to-many of this
        // crate's) go unread, this crate's readers and orm-tests' underground bars are set to
        // NULL, then the place is deleted.
        assert_num_queries(conn, 5, |conn| home.delete(conn).unwrap());
        assert_eq!(kept.refresh(conn).unwrap().home_id, None);
    });
}
