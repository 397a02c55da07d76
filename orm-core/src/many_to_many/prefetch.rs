//! A many-to-many as a prefetch path from either side: the statement per level through the
//! link rows, the filter across it (`.any(..)`), counting its rows.

use std::marker::PhantomData;

use crate::db::connection::Connection;
use crate::db::decode::Req;
use crate::db::decode::{KeyCol, ReadPartAll};
use crate::db::sql::SqlWriter;
use crate::db::value::Field;
use crate::error::Result;
use crate::many_to_many::{EndKey, LinkEnd, ManyToMany, ManyToManyThrough, Side};
use crate::model::Model;
use crate::query::{Filter, QuerySet};
use crate::relation::count::{CountJoin, JOINED, OWNER};
use crate::relation::fetch::{fetch_rows, in_select, ByKey, KeysIn};
use crate::relation::kind::{Fetched, JoinSpec};
use crate::relation::{Many, Part, RelationKind, Scope, ThroughMode, WithThrough};

/// A many-to-many from side `D` ([`crate::Forward`] or [`crate::Reverse`]).
#[derive(Debug)]
pub struct Linked<R, D>(PhantomData<(R, D)>);

impl<R: ManyToManyThrough, D: Side<R>> ThroughMode<Linked<R, D>> for WithThrough {
    type Part = Req<R::Through>;
    type Item<X> = (X, R::Through);
    fn item<X>(object: X, part: Req<R::Through>) -> (X, R::Through) {
        (object, part.0)
    }
}

impl<R: ManyToMany, D: Side<R>> RelationKind<D::Owner, D::Other> for Linked<R, D> {
    type Arity = Many;
    fn fetch<E: Part, J: ReadPartAll>(
        conn: &mut Connection,
        parents: &[&D::Owner],
        scope: Scope,
        query: &QuerySet<D::Other>,
        joins: &[JoinSpec],
    ) -> Result<Fetched<D::Other, E, J>> {
        let by = ByKey::new(
            parents
                .iter()
                .map(|p| Some(D::OwnerEnd::value(p)))
                .enumerate(),
            scope,
        );
        let from = KeysIn::Link {
            table: R::TABLE,
            owner: D::OWNER_COLUMN,
            other: D::OTHER_COLUMN,
            held: D::OtherEnd::COLUMN,
        };
        let rows = fetch_rows::<KeyCol<EndKey<D::OwnerEnd>>, _, E, J>(
            conn,
            query,
            from,
            joins,
            by.keys(),
            <EndKey<D::OwnerEnd> as Field>::KIND,
        )?;
        Ok(by.link(rows, |k, _| Some(&k.0)))
    }

    fn any(filter: Filter<D::Other>) -> Filter<D::Owner> {
        let filters = vec![filter.expr];
        let other = in_select(
            D::OTHER_COLUMN,
            None,
            <D::Other as Model>::TABLE,
            D::OtherEnd::COLUMN,
            None,
            filters,
        );
        Filter::new(in_select(
            D::OwnerEnd::COLUMN,
            None,
            R::TABLE,
            D::OWNER_COLUMN,
            None,
            vec![other],
        ))
    }
}

impl<R: ManyToMany, D: Side<R>> CountJoin<D::Owner> for Linked<R, D> {
    const COUNTED: &'static str = D::OTHER_COLUMN;
    fn join(w: &mut SqlWriter) {
        w.push(" LEFT JOIN ")
            .ident(R::TABLE)
            .push(" ")
            .ident(JOINED);
        w.push(" ON ")
            .qualified(JOINED, D::OWNER_COLUMN)
            .push(" = ");
        w.qualified(OWNER, D::OwnerEnd::COLUMN);
    }
}
