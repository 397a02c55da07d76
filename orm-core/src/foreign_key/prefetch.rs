//! A foreign key as a prefetch path, forwards and backwards: the statement per level, the
//! filter across it (`.any(..)`), ordering across it, counting its rows and `select_related`.

use std::marker::PhantomData;

use crate::db::connection::Connection;
use crate::db::decode::ReadPartAll;
use crate::db::sql::SqlWriter;
use crate::db::value::Field;
use crate::error::Result;
use crate::foreign_key::{ForeignKey, OneToOne};
use crate::model::Model;
use crate::query::{Across, Filter, Order, QuerySet};
use crate::relation::count::{CountJoin, JOINED, OWNER};
use crate::relation::fetch::{fetch_rows, in_select, ByKey, KeysIn};
use crate::relation::kind::JoinKind;
use crate::relation::kind::{Fetched, JoinSpec};
use crate::relation::{MaybeOne, OrderAcross, Part, RelationKind, Scope};

/// A foreign key followed forwards (`EntryBlog` from `Entry`).
#[derive(Debug)]
pub struct ForwardKey<F>(PhantomData<F>);

/// A foreign key followed backwards (`BlogEntries`: the entries of a blog).
#[derive(Debug)]
pub struct ReverseKey<F>(PhantomData<F>);

impl<F: ForeignKey> RelationKind<F::Source, F::Target> for ForwardKey<F> {
    type Arity = F::Arity;
    fn fetch<E: Part, J: ReadPartAll>(
        conn: &mut Connection,
        parents: &[&F::Source],
        _: Scope,
        query: &QuerySet<F::Target>,
        joins: &[JoinSpec],
    ) -> Result<Fetched<F::Target, E, J>> {
        // Always by key: the targets of every row may be few rows of their table.
        let by = ByKey::new(
            parents.iter().map(|p| F::target_key(p)).enumerate(),
            Scope::Keys,
        );
        let rows = fetch_rows::<(), _, E, J>(
            conn,
            query,
            KeysIn::Table {
                group: F::TARGET_COLUMN,
            },
            joins,
            by.keys(),
            F::Key::KIND,
        )?;
        Ok(by.link(rows, |_, t| Some(F::target_value(t))))
    }

    fn any(filter: Filter<F::Target>) -> Filter<F::Source> {
        let filters = vec![filter.expr];
        Filter::new(in_select(
            F::COLUMN,
            None,
            F::TARGET_TABLE,
            F::TARGET_COLUMN,
            None,
            filters,
        ))
    }
}

impl<F: ForeignKey> RelationKind<F::Target, F::Source> for ReverseKey<F> {
    type Arity = F::ReverseArity;
    fn fetch<E: Part, J: ReadPartAll>(
        conn: &mut Connection,
        parents: &[&F::Target],
        scope: Scope,
        query: &QuerySet<F::Source>,
        joins: &[JoinSpec],
    ) -> Result<Fetched<F::Source, E, J>> {
        let by = ByKey::new(
            parents.iter().map(|p| Some(F::target_value(p))).enumerate(),
            scope,
        );
        let rows = fetch_rows::<(), _, E, J>(
            conn,
            query,
            KeysIn::Table { group: F::COLUMN },
            joins,
            by.keys(),
            F::Key::KIND,
        )?;
        Ok(by.link(rows, |_, t| F::target_key(t)))
    }

    fn covers_table() -> bool {
        F::null().is_none()
    }

    fn any(filter: Filter<F::Source>) -> Filter<F::Target> {
        let filters = vec![filter.expr];
        let source = <F::Source as Model>::TABLE;
        Filter::new(in_select(
            F::TARGET_COLUMN,
            None,
            source,
            F::COLUMN,
            None,
            filters,
        ))
    }
}

impl<F: ForeignKey> OrderAcross<F::Source, F::Target> for ForwardKey<F> {
    fn by(order: Order<F::Target>) -> Order<F::Source> {
        order.across(Across {
            table: F::TARGET_TABLE,
            key: F::TARGET_COLUMN,
            outer: F::COLUMN,
            generic: None,
        })
    }
}

impl<F: OneToOne> OrderAcross<F::Target, F::Source> for ReverseKey<F> {
    fn by(order: Order<F::Source>) -> Order<F::Target> {
        order.across(Across {
            table: <F::Source as Model>::TABLE,
            key: F::COLUMN,
            outer: F::TARGET_COLUMN,
            generic: None,
        })
    }
}

impl<F: ForeignKey> CountJoin<F::Target> for ReverseKey<F> {
    const COUNTED: &'static str = <F::Source as Model>::FIELDS[<F::Source as Model>::PK].column;
    fn join(w: &mut SqlWriter) {
        let source = <F::Source as Model>::TABLE;
        w.push(" LEFT JOIN ").ident(source).push(" ").ident(JOINED);
        w.push(" ON ").qualified(JOINED, F::COLUMN).push(" = ");
        w.qualified(OWNER, F::TARGET_COLUMN);
    }
}

impl<F: ForeignKey> JoinKind<F::Source, F::Target> for ForwardKey<F> {
    type Arity = F::Arity;
    fn spec(from: Option<usize>) -> JoinSpec {
        JoinSpec {
            table: <F::Target as Model>::TABLE,
            fields: <F::Target as Model>::FIELDS,
            key: F::TARGET_COLUMN,
            column: F::COLUMN,
            from,
        }
    }
}

impl<F: OneToOne> JoinKind<F::Target, F::Source> for ReverseKey<F> {
    type Arity = MaybeOne;
    fn spec(from: Option<usize>) -> JoinSpec {
        JoinSpec {
            table: <F::Source as Model>::TABLE,
            fields: <F::Source as Model>::FIELDS,
            key: F::COLUMN,
            column: F::TARGET_COLUMN,
            from,
        }
    }
}
