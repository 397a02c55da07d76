//! Counting related rows per row in one statement (Django's `annotate(n=Count('tags'))`):
//! a `LEFT JOIN` and `GROUP BY`, so rows with none count 0. Across a generic relation the content
//! type is part of the join's `ON`, so rows of another model with the same id never count.

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::deserialize::{self, QueryableByName};
use diesel::row::NamedRow;

use crate::db::connection::Connection;
use crate::db::decode::{BuildAt, Column, Columns, Decode, LEFT};
use crate::db::sql::SqlWriter;
use crate::error::Result;
use crate::model::Model;
use crate::query::QuerySet;

use super::path::Relation;

pub(crate) const OWNER: &str = "o";
pub(crate) const JOINED: &str = "c";

/// The relations whose rows can be counted per row: a reverse foreign key, a many-to-many, a
/// reverse generic relation.
#[diagnostic::on_unimplemented(
    message = "rows of this relation cannot be counted per row",
    label = "counting needs a to-many relation",
    note = "count a reverse foreign key (`BlogEntries`), a many-to-many (`PizzaToppings`) or a generic relation (`BookTags`)"
)]
pub trait CountJoin<S: Model> {
    /// The joined table's column that is counted (NULL when a row has none).
    const COUNTED: &'static str;
    /// Writes ` LEFT JOIN table c ON ..`, the owner being `o`.
    fn join(w: &mut SqlWriter);
}

/// A query whose rows come with a count of their related rows: see [`QuerySet::with_count`].
#[derive(Debug)]
pub struct WithCount<M: Model, R> {
    query: QuerySet<M>,
    _relation: PhantomData<fn() -> R>,
}

impl<M: Model> QuerySet<M> {
    /// Every row with the number of its related rows through `relation`, in one statement
    /// (`LEFT JOIN` + `GROUP BY`; rows with none count 0): `Book::query().with_count(BookTags)`.
    pub fn with_count<R>(self, relation: R) -> WithCount<M, R>
    where
        R: Relation<Source = M>,
        R::Kind: CountJoin<M>,
    {
        let _ = relation;
        WithCount {
            query: self,
            _relation: PhantomData,
        }
    }
}

impl<M: Model, R: Relation<Source = M>> WithCount<M, R>
where
    R::Kind: CountJoin<M>,
{
    /// The rows with their counts. One statement.
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<(M, i64)>> {
        let mut w = SqlWriter::new(conn.backend());
        w.push("SELECT ");
        w.list(M::FIELDS.iter().zip(LEFT), ", ", |w, (f, name)| {
            w.qualified(OWNER, f.column).push(" AS ").push(name);
        });
        w.push(", COUNT(").qualified(JOINED, R::Kind::COUNTED);
        w.push(") AS orm_n FROM ")
            .ident(M::TABLE)
            .push(" ")
            .ident(OWNER);
        R::Kind::join(&mut w);
        w.qualify(OWNER, |w| {
            self.query.write_where(w);
            w.push(" GROUP BY ");
            w.list(M::FIELDS, ", ", |w, f| {
                w.column(f.column);
            });
            self.query.write_tail(w);
        });
        let rows: Vec<Counted<M>> = conn.load(&w.finish())?;
        Ok(rows.into_iter().map(|c| (c.0, c.1)).collect())
    }
}

/// A row and its count, read from aliases `l0..` and `orm_n`.
struct Counted<M>(M, i64);

impl<DB: Backend, M: BuildAt<DB>> QueryableByName<DB> for Counted<M>
where
    i64: Decode<DB>,
{
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        Ok(Counted(
            M::build_at(row, Columns::Named(LEFT))?,
            i64::decode(row, Column::Name("orm_n"))?,
        ))
    }
}
