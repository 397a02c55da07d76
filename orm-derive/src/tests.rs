//! Expansion snapshots: what the derive emits for a representative model, reviewed on change.

fn expand(src: &str) -> String {
    let tokens = crate::expand::expand(src.parse().unwrap()).unwrap();
    prettyplease::unparse(&syn::parse2(tokens).unwrap())
}

#[test]
fn entry_with_foreign_key() {
    insta::assert_snapshot!(expand(
        r#"
        #[orm(table = "blog_entry")]
        pub struct Entry {
            pub id: i64,
            #[foreign_key(Blog, related_name = entries, on_delete = Cascade)]
            pub blog_id: i64,
            #[orm(column = "title", unique)]
            pub headline: String,
            #[foreign_key(Author, on_delete = SetNull)]
            pub author_id: Option<i32>,
        }
        "#
    ));
}

#[test]
fn one_to_one() {
    insta::assert_snapshot!(expand(
        r#"
        pub struct Restaurant {
            pub id: i64,
            #[one_to_one(Place)]
            pub place_id: i64,
        }
        "#
    ));
}

#[test]
fn to_field_foreign_key() {
    insta::assert_snapshot!(expand(
        r#"
        pub struct City {
            pub id: i64,
            #[foreign_key(Country, to_field = code, related_name = cities)]
            pub country_id: String,
        }
        "#
    ));
}

#[test]
fn relations_to_another_crate() {
    insta::assert_snapshot!(expand(
        r#"
        #[many_to_many(accounts::Team, name = teams, related_name = readers, related_trait = HasReaders)]
        pub struct Reader {
            pub id: i64,
            #[foreign_key(accounts::Account, related_name = readers, related_trait = HasAccountReaders)]
            pub account_id: i64,
            #[foreign_key(accounts::Account, related_name = "+")]
            pub invited_by_id: Option<i64>,
        }
        "#
    ));
}

#[test]
fn many_to_many() {
    insta::assert_snapshot!(expand(
        r#"
        #[many_to_many(Topping, name = toppings, related_name = pizzas)]
        #[many_to_many(Self, name = friends)]
        #[many_to_many(Person, name = members, through = Membership)]
        pub struct Pizza {
            pub id: i64,
        }
        "#
    ));
}

#[test]
fn through_model() {
    insta::assert_snapshot!(expand(
        r#"
        pub struct Membership {
            pub id: i64,
            #[foreign_key(Pizza)]
            pub pizza_id: i64,
            #[foreign_key(Person)]
            pub person_id: i64,
            pub note: Option<String>,
        }
        "#
    ));
}

#[test]
fn through_model_with_through_fields() {
    insta::assert_snapshot!(expand(
        r#"
        #[orm(through_fields(club, person_id))]
        pub struct ClubMembership {
            pub id: i64,
            #[foreign_key(Club)]
            pub club_id: i64,
            #[foreign_key(Person, related_name = memberships)]
            pub person_id: i64,
            #[foreign_key(Person, related_name = invitations)]
            pub inviter_id: i64,
        }
        "#
    ));
}

#[test]
fn text_primary_key() {
    insta::assert_snapshot!(expand(
        r#"
        struct Tag {
            #[orm(primary_key)]
            slug: String,
            #[orm(default = "x")]
            label: String,
        }
        "#
    ));
}

#[test]
fn errors_are_all_reported_at_once() {
    let err = crate::expand::expand(
        r#"
        struct Bad {
            #[orm(unique, unique)]
            id: i64,
            #[orm(colour = "red")]
            name: String,
            size: u64,
        }
        "#
        .parse()
        .unwrap(),
    )
    .unwrap_err();
    let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages[0].contains("duplicate attribute `unique`"));
    assert!(messages[1].contains("unknown attribute `colour`"));
    assert!(messages[2].contains("unsupported field type"));
}

/// Generated code reaches orm-core through `#[orm(crate = "..")]` alone: every expander's output
/// (foreign keys both ways, a many-to-many, a generic relation and key, `to_attr`, the reverse
/// accessor's trait, outside the block) names the given path and never `orm_core`.
#[test]
fn every_path_goes_through_the_crate_attribute() {
    let out = expand(
        r#"
        #[orm(crate = "facade::orm", to_attr(latest))]
        #[many_to_many(Tag, name = tags)]
        #[generic_relation(TaggedItem, name = tagged)]
        #[generic_foreign_key(target, content_type = content_type_id, object_id = object_id)]
        pub struct Post {
            pub id: i64,
            #[foreign_key(Account, related_name = posts, related_trait = HasPosts)]
            pub account_id: i64,
            #[one_to_one(Place)]
            pub place_id: i64,
            pub content_type_id: i64,
            pub object_id: String,
        }
        "#,
    );
    assert!(!out.contains("orm_core"), "{out}");
    assert!(out.contains("use facade::orm::__private as _orm;"), "{out}");
    assert!(
        out.contains("facade::orm::__private::ReverseManager"),
        "the trait, outside the block:\n{out}"
    );
}
