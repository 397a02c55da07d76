//! Tracing: every statement emits an `orm.query` span with its SQL. In its own test binary,
//! because tracing caches per-callsite interest process-wide, and other tests running on other
//! threads without a subscriber would race with the scoped one set here.

use std::sync::{Arc, Mutex};

use orm_core::prelude::*;
use orm_tests::models::*;

/// A minimal subscriber that records the `sql` field of every `orm.query` span.
struct Recorder(Arc<Mutex<Vec<String>>>);

struct SqlField<'a>(&'a mut Option<String>);

impl tracing::field::Visit for SqlField<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "sql" {
            *self.0 = Some(format!("{value:?}"));
        }
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if span.metadata().name() == "orm.query" {
            let mut sql = None;
            span.record(&mut SqlField(&mut sql));
            self.0.lock().unwrap().extend(sql);
        }
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn every_statement_emits_a_tracing_span_with_its_sql() {
    let spans = Arc::new(Mutex::new(Vec::new()));
    let mut conn = Connection::open("sqlite::memory:").unwrap();
    orm_tests::MIGRATION.apply(&mut conn).unwrap();
    tracing::subscriber::with_default(Recorder(spans.clone()), || {
        let b = Blog::create(
            &mut conn,
            NewBlog {
                name: "b".into(),
                tagline: String::new(),
            },
        )
        .unwrap();
        b.entries().count(&mut conn).unwrap();
    });
    let spans = spans.lock().unwrap();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert!(spans[0].starts_with("INSERT INTO `blog`"), "{}", spans[0]);
    assert!(
        spans[1].contains("SELECT COUNT(*) AS v FROM `entry` WHERE `blog_id` = ?"),
        "{}",
        spans[1]
    );
}
