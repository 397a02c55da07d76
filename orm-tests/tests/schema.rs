//! The build step: diesel schema usable with diesel's query builder, DDL for every backend,
//! and the check that checked-in migrations match the models.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use orm_core::prelude::*;
use orm_core::testing::assert_num_queries;
use orm_tests::harness::each_backend;
use orm_tests::models::*;
use orm_tests::{schema, MIGRATION};

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

#[test]
fn checked_in_migrations_match_the_models() {
    // Fails when a model changed and `ORM_UPDATE_MIGRATIONS=1 cargo test` was not run.
    MIGRATION.check_dir(MIGRATIONS).unwrap();
}

#[test]
fn migration_drift_is_reported() {
    let dir = std::env::temp_dir().join(format!("orm-drift-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for backend in ["sqlite", "postgres", "mysql"] {
        std::fs::copy(
            format!("{MIGRATIONS}/{backend}.sql"),
            dir.join(format!("{backend}.sql")),
        )
        .unwrap();
    }
    MIGRATION.check_dir(&dir).unwrap();
    std::fs::write(dir.join("postgres.sql"), "CREATE TABLE old (id INTEGER);").unwrap();
    let err = MIGRATION.check_dir(&dir).unwrap_err();
    assert!(
        err.contains("postgres.sql") && !err.contains("sqlite.sql"),
        "{err}"
    );
    assert!(err.contains("ORM_UPDATE_MIGRATIONS=1"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn one_call_creates_the_schema_on_an_empty_database() {
    let mut conn = Connection::open("sqlite::memory:").unwrap();
    let tables = MIGRATION
        .statements(conn.backend())
        .iter()
        .filter(|s| s.starts_with("CREATE TABLE"))
        .count();
    // 47 models, 3 auto join tables, and the content-type table.
    assert_eq!(tables, 51);
    let statements = MIGRATION.statements(conn.backend()).len() as u64;
    assert_num_queries(&mut conn, statements, |conn| MIGRATION.apply(conn).unwrap());
    Blog::create(
        &mut conn,
        NewBlog {
            name: "b".into(),
            tagline: String::new(),
        },
    )
    .unwrap();
    // Creating it again fails as a whole and leaves the database as it was.
    assert!(MIGRATION.apply(&mut conn).is_err());
    assert_eq!(Blog::query().count(&mut conn).unwrap(), 1);
}

#[test]
fn ddl_orders_tables_by_dependency_and_quotes_per_backend() {
    for (stmts, q) in [
        (MIGRATION.sqlite, '"'),
        (MIGRATION.postgres, '"'),
        (MIGRATION.mysql, '`'),
    ] {
        let position = |table: &str| {
            let create = format!("CREATE TABLE {q}{table}{q}");
            stmts.iter().position(|s| s.starts_with(&create)).unwrap()
        };
        assert!(position("blog") < position("entry"));
        assert!(position("author") < position("library_book"));
        assert!(position("library_book") < position("review"));
    }
    assert!(MIGRATION
        .postgres
        .iter()
        .any(|s| s.contains("\"uid\" UUID NOT NULL PRIMARY KEY")));
    assert!(MIGRATION.mysql.iter().any(|s| s.contains(
        "`slug` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL PRIMARY KEY"
    )));
    assert!(MIGRATION
        .sqlite
        .iter()
        .any(|s| s.contains("ON DELETE SET NULL")));
    // A field a `to_field` key holds compares as keys do: byte for byte on MySQL, trailing
    // spaces included.
    assert!(MIGRATION.mysql.iter().any(|s| s.contains(
        "`code` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL UNIQUE"
    )));
    // Text of any length on every backend; bounded text as `VARCHAR` on every backend.
    assert!(MIGRATION
        .mysql
        .iter()
        .any(|s| s.contains("`headline` LONGTEXT NOT NULL")));
    assert!(MIGRATION
        .postgres
        .iter()
        .any(|s| s.contains("\"name\" VARCHAR(255) NOT NULL UNIQUE")));
    assert!(MIGRATION.postgres.iter().any(|s| s
        .contains(r#"FOREIGN KEY ("twin_id") REFERENCES "country" ("code") ON DELETE SET NULL"#)));
    assert!(MIGRATION
        .sqlite
        .iter()
        .any(|s| s.contains("CREATE INDEX \"entry_pub_date_idx\"")));
}

#[test]
fn generated_diesel_schema_joins_and_renames() {
    each_backend(|conn| {
        let b = Blog::create(
            conn,
            NewBlog {
                name: "b".into(),
                tagline: String::new(),
            },
        )
        .unwrap();
        Entry::create(
            conn,
            NewEntry {
                blog_id: b.id,
                headline: "h".into(),
                comments: 3,
                rating: None,
                published: true,
                pub_date: None,
            },
        )
        .unwrap();
        let query = schema::entry::table
            .inner_join(schema::blog::table)
            .filter(schema::entry::comments.eq(3))
            .select((
                schema::blog::name,
                schema::entry::headline,
                schema::entry::comments,
            ));
        let rows: Vec<(String, String, i32)> = match conn.backend() {
            orm_core::Backend::Sqlite => query.load(conn.as_sqlite().unwrap()).unwrap(),
            #[cfg(feature = "postgres")]
            orm_core::Backend::Postgres => query.load(conn.as_pg().unwrap()).unwrap(),
            #[cfg(feature = "mysql")]
            orm_core::Backend::Mysql => query.load(conn.as_mysql().unwrap()).unwrap(),
            #[allow(unreachable_patterns)]
            _ => unreachable!(),
        };
        assert_eq!(rows, vec![("b".to_string(), "h".to_string(), 3)]);
    });
}
