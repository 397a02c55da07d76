//! Django's models, related managers and `prefetch_related`, typed and checked at compile time,
//! on diesel.
//!
//! # `#[derive(Model)]`
//!
//! On a struct with named fields, one per column:
//!
//! | attribute | where | meaning |
//! |---|---|---|
//! | `#[orm(table = "name")]` | struct | table name (default: the struct name in snake_case) |
//! | `#[orm(hooks)]` | struct | you implement [`SaveHooks`] (else the derive does, with no-ops) |
//! | `#[orm(crate = "path")]` | struct | where generated code finds this crate, for a crate that re-exports it (default `::orm_core`; as serde's `#[serde(crate = ..)]`) |
//! | `#[orm(to_attr(name, ...))]` | struct | names a prefetch can be stored under (Django's `to_attr`): each emits the type `{Model}{Name}` |
//! | `#[generic_foreign_key(name, content_type = field, object_id = field)]` | struct | an `i64` content-type field and a `String` object-id field read as one relation to any model (fields default to `content_type_id`, `object_id`); emits `item.name::<T>(conn)`, `item.set_name(conn, &target)` and the type `{Model}{Name}` (see [`generic`]). With both fields `Option`s the key may point at nothing (Django's `null=True`): it reads `None`, prefetches `None`, and `item.clear_name()` sets both to NULL. `targets(Blog, ..)` makes models of other crates, which cannot declare `#[generic_relation]`, targets to prefetch per type |
//! | `#[generic_relation(Items, name = accessor, related_query_name = name)]` | struct | the `Items` rows whose generic foreign key points at this model: a manager (`book.tags()`), a prefetch path (`BookTags`), and with `related_query_name` the path from the items' side (`TaggedItemBooks`); deleting a row deletes its items |
//! | `#[many_to_many(Target, name = accessor, related_name = name, through = Model, symmetrical = bool)]` | struct | a many-to-many relation; `name` is required. Without `through`, the join table `<table>_<name>` is created. `through` names a model with exactly two non-nullable foreign keys, one to each side, or whose `#[orm(through_fields(a, b))]` names the two; either key may have a `to_field`, and the links then hold that field. To `Self` it is symmetrical unless `symmetrical = false`. `related_trait = Name` and `related_name = "+"`: as on a foreign key |
//! | `#[orm(duplicate_links)]` | struct | on a through model: no unique index on its two keys, so a member may be linked twice, as Django allows; `add` then reads the links first (see `docs/RELATED_MANAGERS.md`) |
//! | `#[orm(through_fields(source, target))]` | struct | on a through model with more than two foreign keys (a member and an inviter, both to `Person`), the two that link the many-to-many, by field (`group_id`) or by relation (`group`), as Django's `through_fields`; the others are through fields |
//! | `#[orm(primary_key)]` | field | the primary key (default: the field named `id`); integer keys are auto-increment, `String` and `uuid::Uuid` keys are given by the caller |
//! | `#[orm(column = "name")]` | field | column name (default: the field name) |
//! | `#[orm(unique)]`, `#[orm(index)]` | field | a unique constraint, an index |
//! | `#[orm(default = <literal>)]` | field | a column default in the DDL; `default = None` on an `Option` field is NULL (so `on_delete = SetDefault` clears the key, Django's `SET_DEFAULT` with `default=None`) |
//! | `#[orm(max_length = N)]` | field | a `String` holds at most `N` characters (a `Vec<u8>`, `N` bytes): `VARCHAR(N)` on every backend, a longer value refused before it is written. Without it a `String` holds any length, and a key, unique or indexed one 255 |
//! | `#[foreign_key(Target, related_name = name, on_delete = Cascade)]` | field | the field holds `Target`'s key; nullable when the field is an `Option`. `on_delete` is `Cascade` (default), `SetNull`, `SetDefault` (to the field's `#[orm(default = ..)]`), `Set(expr)` (to `expr`, evaluated at each delete: Django's `SET`, a function call for its callable form), `Protect`, `Restrict` (Django's: allowed when the same delete cascades to the referencing rows) or `DoNothing`; a refused delete is [`Error::Protected`], listing every blocking row by key. `to_field = code`: the field holds `Target`'s unique field `code` instead of its key (Django's `to_field`). `related_trait = Name`: the reverse accessor is the one method of a trait `Name`, declared beside the model and implemented for `Target`, which a target in another crate needs. `related_name = "+"` (Django's): no reverse accessor and no reverse prefetch path |
//! | `#[one_to_one(Target, related_name = name, on_delete = Cascade)]` | field | a foreign key with a unique column (Django's `OneToOneField`): the target's reverse accessor (default: the model name in snake_case) returns the one row or `None`, not a manager, and the reverse can be ordered across and joined with `select_related` ([`OneToOne`]) |
//!
//! Field types: `i16`, `i32`, `i64`, `f32`, `f64`, `bool`, `String`, `Vec<u8>`,
//! `chrono::NaiveDateTime` and `chrono::NaiveDate` (feature `chrono`), `uuid::Uuid` (feature
//! `uuid`), and `Option<_>` of any of them for a nullable column.
//!
//! The derive generates:
//! - `impl Model` (table, fields, key) and diesel's `QueryableByName` for every backend;
//! - `New<Model>`, the insert form: every field but an auto-increment key;
//! - a typed column per field, as an associated constant named like the field
//!   (`Entry::headline: Column<Entry, String>`), for filters, ordering and updates;
//! - per foreign key, a forward accessor named after the field without `_id`
//!   (`entry.blog(&mut conn)`: one statement), and on the target a reverse accessor
//!   (`blog.entry_set()`, or the `related_name`) returning a [`ReverseManager`]; for a
//!   one-to-one, `place.restaurant(&mut conn)` returning `Option<Restaurant>` (one statement).
//!   The reverse accessor is an inherent method of the target, so a target in another crate
//!   needs `related_trait = Name` (and the build step that crate's model file, through
//!   `Build::extern_file` or `Build::extern_links`).
//! - per relation, a zero-sized type named after the model and the accessor (`EntryBlog`,
//!   `PizzaToppings`) implementing [`ForeignKey`] or [`ManyToMany`];
//! - per many-to-many, an accessor on both sides returning a [`ManyToManyManager`]
//!   (`pizza.toppings()`, `topping.pizzas()`);
//! - on a model with two non-nullable foreign keys, `<Model>Extra` (its other fields) and the
//!   [`Through`] impls that let it be a through model;
//! - per relation and direction, a prefetch path: `EntryBlog` (forward), `BlogEntries` (the
//!   reverse, named after the target and its accessor), `PizzaToppings` and `ToppingPizzas`,
//!   each implementing [`Relation`] (see [`prefetch`]).
//!
//! The managers follow Django's related-objects reference call by call; the mapping is in
//! `docs/RELATED_MANAGERS.md`. Every write has its async twin (`aadd`, `acreate`, `aremove`,
//! `aclear`, `aset`) on an [`AsyncConnection`], which runs the sync method on the connection's own
//! thread.
//!
//! ```
//! use orm_core::prelude::*;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! pub struct Blog {
//!     pub id: i64,
//!     #[orm(unique)]
//!     pub name: String,
//! }
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! pub struct Entry {
//!     pub id: i64,
//!     #[foreign_key(Blog, related_name = entries)]
//!     pub blog_id: i64,
//!     pub headline: String,
//!     pub rating: Option<i32>,
//! }
//!
//! # fn main() -> orm_core::Result<()> {
//! let mut conn = Connection::open("sqlite::memory:")?;
//! # conn.batch_execute("CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);
//! #   CREATE TABLE entry (id INTEGER PRIMARY KEY AUTOINCREMENT, blog_id BIGINT NOT NULL REFERENCES blog (id),
//! #   headline TEXT NOT NULL, rating INTEGER)")?;
//! let blog = Blog::create(&mut conn, NewBlog { name: "Cheddar Talk".into() })?;
//! let entry = Entry::create(&mut conn, NewEntry { blog_id: blog.id, headline: "Hi".into(), rating: Some(4) })?;
//! assert_eq!(entry.blog(&mut conn)?, blog);
//! assert_eq!(blog.entries().filter(Entry::rating.gt(3)).count(&mut conn)?, 1);
//! # Ok(()) }
//! ```
//!
//! A many-to-many, from both sides:
//!
//! ```
//! use orm_core::prelude::*;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! pub struct Topping {
//!     pub id: i64,
//!     pub name: String,
//! }
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[many_to_many(Topping, name = toppings, related_name = pizzas)]
//! pub struct Pizza {
//!     pub id: i64,
//!     pub name: String,
//! }
//!
//! # fn main() -> orm_core::Result<()> {
//! let mut conn = Connection::open("sqlite::memory:")?;
//! # conn.batch_execute("CREATE TABLE topping (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
//! #   CREATE TABLE pizza (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
//! #   CREATE TABLE pizza_toppings (pizza_id BIGINT NOT NULL REFERENCES pizza (id),
//! #   topping_id BIGINT NOT NULL REFERENCES topping (id), PRIMARY KEY (pizza_id, topping_id))")?;
//! let pizza = Pizza::create(&mut conn, NewPizza { name: "margherita".into() })?;
//! let basil = Topping::create(&mut conn, NewTopping { name: "basil".into() })?;
//! let cheese = pizza.toppings().create(&mut conn, NewTopping { name: "cheese".into() })?;
//! pizza.toppings().add(&mut conn, [&basil, &basil])?;   // one INSERT; no duplicate
//! assert_eq!(pizza.toppings().count(&mut conn)?, 2);
//! assert_eq!(cheese.pizzas().all(&mut conn)?, [pizza.clone()]);
//! pizza.toppings().set(&mut conn, [basil.id])?;         // removes cheese, keeps basil
//! assert_eq!(pizza.toppings().all(&mut conn)?, [basil]);
//! # Ok(()) }
//! ```
//!
//! Prefetching, whose result records what was loaded:
//!
//! ```
//! use orm_core::prelude::*;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[orm(to_attr(latest))]
//! pub struct Blog {
//!     pub id: i64,
//!     pub name: String,
//! }
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! pub struct Entry {
//!     pub id: i64,
//!     #[foreign_key(Blog, related_name = entries)]
//!     pub blog_id: i64,
//!     pub headline: String,
//! }
//!
//! # fn main() -> orm_core::Result<()> {
//! let mut conn = Connection::open("sqlite::memory:")?;
//! # conn.batch_execute("CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
//! #   CREATE TABLE entry (id INTEGER PRIMARY KEY AUTOINCREMENT, blog_id BIGINT NOT NULL REFERENCES blog (id),
//! #   headline TEXT NOT NULL)")?;
//! let blog = Blog::create(&mut conn, NewBlog { name: "Cheddar Talk".into() })?;
//! for headline in ["first", "second"] {
//!     blog.entries().create(&mut conn, |blog_id| NewEntry { blog_id, headline: headline.into() })?;
//! }
//! let before = conn.query_count();
//! let blogs = Blog::query()
//!     .prefetch(BlogEntries)                                                  // every entry
//!     .prefetch(BlogEntries.order_by(Entry::id.desc()).limit(1).to(BlogLatest)) // the newest
//!     .all(&mut conn)?;
//! assert_eq!(conn.query_count() - before, 3);                                 // blogs + 2 levels
//! assert_eq!(blogs[0].get(BlogEntries).len(), 2);                             // no statement
//! assert_eq!(blogs[0].get(BlogLatest)[0].headline, "second");
//! # Ok(()) }
//! ```
//!
//! Statement counts are part of the API: every method documents how many statements it sends,
//! and [`testing::assert_num_queries`] checks them.

mod db;
mod error;
mod foreign_key;
pub mod generic;
mod many_to_many;
mod migration;
mod model;
mod on_delete;
mod query;
mod relation;
pub mod testing;

pub mod prefetch;

pub use db::async_connection::{AsyncConnection, Pending};
pub use db::backend::Backend;
pub use db::connection::Connection;
pub use db::decode::{BuildAll, Decode, DecodeAll, LoadRow};
#[allow(deprecated)]
pub use db::pool::Manager;
pub use db::pool::{ConnectionManager, Pool, PooledConnection};
pub use db::sql::{SqlWriter, Stmt};
#[doc(hidden)]
pub use db::value::KeyList;
pub use db::value::{ColumnType, Field, Value};

/// The old name of [`ColumnType`].
#[deprecated(
    since = "0.2.0",
    note = "renamed `ColumnType`: `Kind` also named how a relation is stored"
)]
pub type Kind = ColumnType;
pub use error::{Blocking, Error, IntegrityKind, Result};
pub use foreign_key::{ForeignKey, ForeignKeyTarget, NullableForeignKey, OneToOne, ReverseManager};
pub use many_to_many::hooks::{self, M2mAction, M2mChanged};
pub use many_to_many::{
    Defaults, DefaultsWith, EndKey, ExtraSource, Forward, Held, KeyOf, LinkEnd, ManyToMany,
    ManyToManyManager, ManyToManyThrough, NoDefaults, OptionalExtra, PrimaryKey, Reverse, Side,
    Through, ThroughQuery,
};
pub use migration::{Migration, UPDATE_ENV};
pub use model::{AsyncModel, Deleted, FieldDef, Insert, Model, SaveHooks};
pub use on_delete::OnDelete;
pub use prefetch::{
    aprefetch_related_objects, prefetch_related_objects, Loaded, Prefetch, Prefetching, Relation,
};
pub use query::{Assignment, Column, Filter, Order, QuerySet, TextColumn, CONTENT_TYPE_TABLE};
pub use relation::{AsyncRelatedManager, CreateRelated, RelatedManager};

/// Derives [`Model`]; see the crate documentation for its attributes.
#[cfg(feature = "derive")]
pub use orm_derive::Model;

/// `use orm_core::prelude::*;` brings the derive, the traits and the connection.
pub mod prelude {
    pub use crate::generic::GenericForeignKeyExt as _;
    #[cfg(feature = "derive")]
    pub use crate::Model;
    pub use crate::{
        AsyncConnection, AsyncModel as _, AsyncRelatedManager as _, Connection, CreateRelated as _,
        Loaded, Model as _, OnDelete, RelatedManager as _, Relation as _, TextColumn as _,
    };
}

/// Includes the schema the build step wrote (`orm_codegen::Build`): a `schema` module of diesel
/// tables and `MIGRATION`, the DDL for every backend. Without a build script, a compile error
/// says how to add one.
#[macro_export]
macro_rules! include_schema {
    () => {
        include!(concat!(
            env!(
                "OUT_DIR",
                "`include_schema!` reads the schema the build step writes, and this crate has no build script: add `build.rs` with `fn main() -> Result<(), orm_codegen::BuildError> { orm_codegen::Build::new().file(\"src/models.rs\").generate() }` (one `.file(..)` per file that declares models) and `orm-codegen` under `[build-dependencies]`"
            ),
            "/orm_schema.rs"
        ));
    };
}

/// What generated code calls: the derive names nothing of this crate but this module, through
/// one alias (`use ::orm_core::__private as _orm`, or the path `#[orm(crate = "..")]` gives).
/// Not a public API.
#[doc(hidden)]
pub mod __private {
    // The runtime's traits and types that generated impls name.
    pub use crate::db::decode::{decode_at, BuildAt, Columns, Decode};
    pub use crate::db::value::{Field, Value};
    pub use crate::model::registry::{ForeignKeyInfo, GenericRelationInfo, Table};
    pub use crate::model::{FieldDef, Insert};
    pub use crate::{
        Column, Connection, EndKey, ForeignKey, ForeignKeyTarget, Forward, Held, KeyOf, ManyToMany,
        ManyToManyManager, ManyToManyThrough, Model, NullableForeignKey, OnDelete, OneToOne,
        OptionalExtra, PrimaryKey, Relation, Result, Reverse, ReverseManager, SaveHooks, Through,
    };
    // Prefetch paths and generic relations, by module as users read them.
    pub use crate::{generic, prefetch, slot_id};
    // The crates generated code builds on.
    pub use diesel;
    pub use inventory;

    pub const fn assert_field<T: Field>() {}

    /// The column of the field `name` that a foreign key's `to_field` names; a compile error
    /// (const evaluation) when that field is not unique.
    pub const fn unique_column(fields: &[FieldDef], name: &str) -> &'static str {
        let mut i = 0;
        while i < fields.len() {
            if const_eq(fields[i].name, name) {
                if !fields[i].unique {
                    panic!("a foreign key's `to_field` must name a unique field: mark that field `#[orm(unique)]`");
                }
                return fields[i].column;
            }
            i += 1;
        }
        panic!("a foreign key's `to_field` names no field of its target");
    }

    const fn const_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}

/// The README's Rust examples, compiled as doctests. Its tour fragments (`rust,ignore`) are
/// compiled in the setup they assume by `orm-tests/tests/readme.rs`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
