//! The README's tour compiles. Its snippets are fragments (`rust,ignore`, so rustdoc leaves them
//! alone): each one is put here in the setup it assumes (the README's own `Blog` and `Entry`, the
//! test models, the values it names) and compiled with trybuild. A snippet without a setup here
//! fails the test, so a new one cannot go unchecked.

use std::fmt::Write as _;
use std::path::PathBuf;

/// Every block of `lang` in `text`.
fn blocks<'a>(text: &'a str, lang: &str) -> Vec<&'a str> {
    let open = format!("```{lang}\n");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let body = &rest[start + open.len()..];
        let end = body.find("\n```").map_or(body.len(), |e| e + 1);
        found.push(&body[..end]);
        rest = &body[end..];
    }
    found
}

/// Splits a snippet into its items (`#[derive(..)]` structs, written at module level) and its
/// statements (the body of a function).
fn split(snippet: &str) -> (String, String) {
    let (mut items, mut body) = (String::new(), String::new());
    let mut depth = 0i32;
    let mut in_item = false;
    for line in snippet.lines() {
        if line.starts_with("#[derive") {
            in_item = true;
        }
        if in_item {
            items.push_str(line);
            items.push('\n');
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if depth == 0 && line.contains('}') {
                in_item = false;
            }
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    (items, body)
}

/// The items and the statements a snippet assumes, found by a line it contains.
fn setup(snippet: &str) -> Option<(&'static str, &'static str)> {
    const TEST_MODELS: &str = "use orm_tests::models::{
        Author, AuthorBookSet, AuthorEditedBooks, Book, BookAuthor, BookEditor, BookReviewSet,
        Chapter, ChapterSlides, Group, MembershipExtra, Person, Review, ReviewBook, SlideOrder,
    };";
    let setups: [(&str, &str, &str); 11] = [
        ("related_trait", "", "let blog = Blog::get(&mut conn, 1)?;"),
        ("orm_codegen::Build", "", ""),
        ("include_schema!", "", ""),
        ("Entry::bulk_create", "", "let new_entries: Vec<NewEntry> = Vec::new();"),
        (
            "entry.blog(",
            "use orm_tests::models::{Place, Restaurant};",
            "let entry = Entry::get(&mut conn, 1)?;
             let place = Place::get(&mut conn, 1)?;",
        ),
        (
            "blog.entries().add(",
            "use orm_tests::models::{Author, Book, Chapter, Group, MembershipExtra, Person, SlideOrder};
             #[derive(Model, Debug, Clone, PartialEq)]
             pub struct Topping { pub id: i64, pub name: String }",
            "let blog = Blog::get(&mut conn, 1)?;
             let (mut e1, mut e2) = (Entry::get(&mut conn, 1)?, Entry::get(&mut conn, 2)?);
             let author = Author::get(&mut conn, 1)?;
             let mut book = Book::get(&mut conn, 1)?;
             let pizza = Pizza::get(&mut conn, 1)?;
             let topping = Topping::get(&mut conn, 1)?;
             let (basil, cheese) = (Topping::get(&mut conn, 2)?, Topping::get(&mut conn, 3)?);
             let group = Group::get(&mut conn, 1)?;
             let alice = Person::get(&mut conn, 1)?;
             let date_joined = chrono::NaiveDate::default();
             let chapter = Chapter::get(&mut conn, 1)?;",
        ),
        ("AuthorBookSet.with", TEST_MODELS, ""),
        (
            "AsyncConnection::new",
            "use orm_core::AsyncConnection;
             #[derive(Model, Debug, Clone, PartialEq)]
             pub struct Topping { pub id: i64, pub name: String }
             #[derive(Model, Debug, Clone, PartialEq)]
             #[many_to_many(Topping, name = toppings, related_name = pizzas)]
             pub struct Pizza { pub id: i64, pub name: String }",
            "let blog = Blog::get(&mut conn, 1)?;
             let mut e1 = Entry::get(&mut conn, 1)?;
             let pizza = Pizza::get(&mut conn, 1)?;
             let (basil, cheese) = (Topping::get(&mut conn, 2)?, Topping::get(&mut conn, 3)?);",
        ),
        (
            "LinkTarget",
            "use orm_tests::models::{Book, BookAuthor, Chapter, ChapterSlides, SlideOrder};
             #[derive(Model, Debug, Clone, PartialEq)]
             pub struct LinkData {
                 pub id: i64,
                 #[foreign_key(LinkTarget, related_name = data)]
                 pub link_target_id: i64,
             }",
            "let page: Vec<Book> = Vec::new();
             let mut blog = Blog::query().prefetch(BlogEntries).get(&mut conn)?;",
        ),
        (
            "generic_foreign_key",
            "#[derive(Model, Debug, Clone, PartialEq)]
             pub struct Writer { pub id: i64, pub name: String }",
            "",
        ),
        (
            "assert_num_queries",
            "",
            "let blog = Blog::get(&mut conn, 1)?;",
        ),
    ];
    setups
        .into_iter()
        .find(|(marker, _, _)| snippet.contains(marker))
        .map(|(_, items, body)| (items, body))
}

#[test]
fn the_readme_tour_compiles() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).unwrap();
    // The models every snippet of the tour uses: the README's first block.
    let models = blocks(&readme, "rust")[0];
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme");
    std::fs::create_dir_all(&dir).unwrap();
    let t = trybuild::TestCases::new();
    let snippets = blocks(&readme, "rust,ignore");
    assert!(snippets.len() >= 9, "found {} snippets", snippets.len());
    for (i, snippet) in snippets.into_iter().enumerate() {
        let (setup_items, setup_body) = setup(snippet)
            .unwrap_or_else(|| panic!("README snippet {i} has no setup here:\n{snippet}"));
        // `include_schema!` reads the build step's output, which a trybuild crate has not got:
        // the test crate's own schema stands in for it.
        let snippet = snippet.replace(
            "orm_core::include_schema!();",
            "use orm_tests::{schema, MIGRATION};",
        );
        let (items, body) = split(&snippet);
        let mut file = String::new();
        let _ = write!(
            file,
            "#![allow(unused, clippy::all)]
use orm_core::prelude::*;
use orm_core::{{prefetch_related_objects, Connection, Error, Result}};
{models}
{setup_items}
{items}
fn main() {{}}
fn tour(mut conn: Connection) -> Result<()> {{
{setup_body}
{body}
Ok(())
}}
"
        );
        let path = dir.join(format!("snippet_{i}.rs"));
        std::fs::write(&path, file).unwrap();
        t.pass(path);
    }
}
