//! A generic foreign key (forwards, to one target type) and a generic relation (backwards) as
//! prefetch paths: the statement per level, the filter across them (`.any(..)`), ordering
//! across the forward one, counting the reverse one's rows.

use crate::db::connection::Connection;
use crate::error::{Error, Result};
use crate::generic::ItemsKey;
use crate::generic::{GenericForeignKey, GenericRelation, ObjectId};
use crate::model::Model;
use crate::query::{CmpOp, Expr, Filter, QuerySet};
use crate::relation::{Relation, SlotName, StartsAt};
use std::fmt;
use std::marker::PhantomData;

use crate::db::decode::ReadPartAll;
use crate::db::sql::SqlWriter;
use crate::db::value::{ColumnType, Field, Value};

use crate::query::{Across, Order};
use crate::relation::count::{CountJoin, JOINED, OWNER};
use crate::relation::fetch::{fetch_rows, in_select, pk, ByKey, KeysIn};
use crate::relation::kind::{Fetched, JoinSpec};
use crate::relation::{Many, MaybeOne, OrderAcross, Part, RelationKind, Scope};

/// A generic foreign key followed to one target type (`TaggedItemContentObject.of::<Book>()`).
#[derive(Debug)]
pub struct GenericForward<G>(PhantomData<G>);

/// A reverse generic relation (`BookTags`: the tagged items of a book).
#[derive(Debug)]
pub struct GenericReverse<R>(PhantomData<R>);

impl<G: GenericForeignKey, T: Model> RelationKind<G::Source, T> for GenericForward<G>
where
    T::Key: ObjectId,
{
    type Arity = MaybeOne;
    fn fetch<E: Part, J: ReadPartAll>(
        conn: &mut Connection,
        parents: &[&G::Source],
        _: Scope,
        query: &QuerySet<T>,
        joins: &[JoinSpec],
    ) -> Result<Fetched<T, E, J>> {
        let content_type = conn.content_type::<T>()?;
        // The keys of the parents that point at a `T`; the others get `None`.
        let mut targets: Vec<Option<T::Key>> = Vec::with_capacity(parents.len());
        for parent in parents {
            let key = match G::get(parent) {
                Some((ct, id)) if ct == content_type => {
                    Some(T::Key::from_object_id(id).ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "{} holds object id {id:?}, which is not a key of {}",
                            G::NAME,
                            T::NAME
                        ))
                    })?)
                }
                _ => None,
            };
            targets.push(key);
        }
        let by = ByKey::new(targets.iter().map(Option::as_ref).enumerate(), Scope::Keys);
        let pk = T::FIELDS[T::PK].column;
        let rows = fetch_rows::<(), _, E, J>(
            conn,
            query,
            KeysIn::Table { group: pk },
            joins,
            by.keys(),
            <T::Key as Field>::KIND,
        )?;
        Ok(by.link(rows, |_, t| Some(t.key())))
    }

    fn any(filter: Filter<T>) -> Filter<G::Source> {
        let filters = vec![filter.expr];
        Filter::new(Expr::And(vec![
            Expr::ContentType(G::CONTENT_TYPE_COLUMN, T::TABLE),
            in_select(
                G::OBJECT_ID_COLUMN,
                None,
                T::TABLE,
                pk::<T>(),
                Some(<T::Key as Field>::KIND),
                filters,
            ),
        ]))
    }
}

impl<R: GenericRelation> RelationKind<R::Owner, R::Items> for GenericReverse<R>
where
    <R::Owner as Model>::Key: ObjectId,
{
    type Arity = Many;
    fn fetch<E: Part, J: ReadPartAll>(
        conn: &mut Connection,
        parents: &[&R::Owner],
        scope: Scope,
        query: &QuerySet<R::Items>,
        joins: &[JoinSpec],
    ) -> Result<Fetched<R::Items, E, J>> {
        let ids: Vec<String> = parents.iter().map(|p| p.key().to_object_id()).collect();
        let by = ByKey::<str>::new(ids.iter().map(|id| Some(id.as_str())).enumerate(), scope);
        // The content type is always in the condition: a movie with a book's id never matches.
        let content_type = conn.content_type::<R::Owner>()?;
        let query = query.clone().filter(Filter::new(Expr::Cmp(
            ItemsKey::<R>::CONTENT_TYPE_COLUMN,
            CmpOp::Eq,
            Value::BigInt(content_type),
        )));
        let from = KeysIn::Table {
            group: ItemsKey::<R>::OBJECT_ID_COLUMN,
        };
        let (keys, kind) = (by.keys(), ColumnType::Text);
        let rows = fetch_rows::<(), _, E, J>(conn, &query, from, joins, keys, kind)?;
        Ok(by.link(rows, |_, t| ItemsKey::<R>::get(t).map(|(_, id)| id)))
    }

    fn any(filter: Filter<R::Items>) -> Filter<R::Owner> {
        let filters = vec![filter.expr];
        let mut inner = vec![Expr::ContentType(
            ItemsKey::<R>::CONTENT_TYPE_COLUMN,
            <R::Owner as Model>::TABLE,
        )];
        inner.extend(filters);
        let items = <R::Items as Model>::TABLE;
        Filter::new(in_select(
            pk::<R::Owner>(),
            Some(<<R::Owner as Model>::Key as Field>::KIND),
            items,
            ItemsKey::<R>::OBJECT_ID_COLUMN,
            None,
            inner,
        ))
    }
}

impl<G: GenericForeignKey, T: Model> OrderAcross<G::Source, T> for GenericForward<G> {
    fn by(order: Order<T>) -> Order<G::Source> {
        order.across(Across {
            table: T::TABLE,
            key: pk::<T>(),
            outer: G::OBJECT_ID_COLUMN,
            generic: Some((<T::Key as Field>::KIND, G::CONTENT_TYPE_COLUMN)),
        })
    }
}

impl<R: GenericRelation> CountJoin<R::Owner> for GenericReverse<R>
where
    <R::Owner as Model>::Key: ObjectId,
{
    const COUNTED: &'static str = <R::Items as Model>::FIELDS[<R::Items as Model>::PK].column;
    fn join(w: &mut SqlWriter) {
        let items = <R::Items as Model>::TABLE;
        w.push(" LEFT JOIN ").ident(items).push(" ").ident(JOINED);
        w.push(" ON ")
            .qualified(JOINED, ItemsKey::<R>::CONTENT_TYPE_COLUMN);
        w.push(" = (SELECT ").ident("id").push(" FROM ");
        w.ident(crate::query::CONTENT_TYPE_TABLE)
            .push(" WHERE ")
            .ident("model")
            .push(" = ");
        w.bind(Value::Text(<R::Owner as Model>::TABLE.to_owned()));
        w.push(") AND ")
            .qualified(JOINED, ItemsKey::<R>::OBJECT_ID_COLUMN)
            .push(" = ");
        w.qualify(OWNER, |w| {
            w.column_as_text(pk::<R::Owner>(), <<R::Owner as Model>::Key as Field>::KIND);
        });
    }
}

/// `T` is a possible target of the generic foreign keys of `Items`: `T` declares
/// `#[generic_relation(Items, ..)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a possible target of `{Items}`'s generic foreign key",
    label = "no `#[generic_relation({Items}, ..)]` on `{Self}`",
    note = "declare `#[generic_relation({Items}, name = ..)]` on `{Self}` to prefetch it through the generic foreign key"
)]
pub trait GenericTarget<Items>: Model {
    /// The model's identity in a slot key (`GenericOf<G, Self>`).
    type Id: crate::relation::key::Id;
}

/// The targets of type `T` of the generic foreign key `G`: a prefetch path from `G`'s model
/// (`TaggedItemContentObject.of::<Book>()`, or the constant `TaggedItemBooks` that
/// `related_query_name = books` declares). Each row gets `Some` of its target when it points at
/// a `T` that exists, else `None`. One statement per type, none when no row points at a `T`.
pub struct GenericOf<G, T>(PhantomData<fn() -> (G, T)>);

impl<G, T> GenericOf<G, T> {
    /// The path.
    pub const NEW: Self = GenericOf(PhantomData);
}

impl<G, T> Clone for GenericOf<G, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<G, T> Copy for GenericOf<G, T> {}
impl<G, T> Default for GenericOf<G, T> {
    fn default() -> Self {
        Self::NEW
    }
}
impl<G, T> fmt::Debug for GenericOf<G, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GenericOf<{}, {}>",
            std::any::type_name::<G>(),
            std::any::type_name::<T>()
        )
    }
}

impl<G: GenericForeignKey, T: Model + GenericTarget<G::Source>> SlotName for GenericOf<G, T> {
    const NAME: &'static str = T::NAME;
    type Id = (G::Id, T::Id);
}

impl<G: GenericForeignKey, T: Model + GenericTarget<G::Source>> Relation for GenericOf<G, T>
where
    T::Key: ObjectId,
{
    type Source = G::Source;
    type Target = T;
    type Kind = GenericForward<G>;
}

impl<G: GenericForeignKey, T: Model + GenericTarget<G::Source>> StartsAt<G::Source>
    for GenericOf<G, T>
where
    T::Key: ObjectId,
{
    fn parents<'a, 'm>(parents: &'a [&'m G::Source]) -> &'a [&'m G::Source] {
        parents
    }
}

/// Provided on every generic foreign key's type.
pub trait GenericForeignKeyExt: GenericForeignKey + Sized {
    /// The path to the targets of type `T`.
    fn of<T: Model + GenericTarget<Self::Source>>(self) -> GenericOf<Self, T> {
        GenericOf::NEW
    }
}
impl<G: GenericForeignKey> GenericForeignKeyExt for G {}
