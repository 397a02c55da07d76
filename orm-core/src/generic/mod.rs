//! Generic foreign keys: a content-type column and an object-id column, read as one relation to
//! any model (`#[generic_foreign_key(content_object)]`, Django's `GenericForeignKey`).
//!
//! The object id is stored as text, so integer, text and UUID keys all fit. Reading is a typed
//! downcast: `item.content_object::<Book>(&mut conn)` is `Some(book)` when the item points at a
//! book that exists, `None` when it points at another model or at a row that was deleted. The
//! stored ids are never touched by a read.

mod asynchronous;
mod content_type;
pub(crate) mod prefetch;
mod tracked;

pub use content_type::CONTENT_TYPE_TABLE;
pub use prefetch::{GenericForward, GenericReverse};
pub use tracked::TrackedItems;

use std::fmt::{self, Debug};
use std::marker::PhantomData;

use crate::db::connection::Connection;
use crate::db::sql::SqlWriter;
use crate::db::value::{Field, Value};
use crate::error::{Error, Result};
use crate::model::{insert_one_if, lock_rows, pk_filter, Deleted, Model, Needs};
use crate::query::{Assignment, CmpOp, Expr, Filter, QuerySet};
use crate::relation::{Relation, SlotName, StartsAt};

/// A model's key as a generic foreign key stores it: text.
#[diagnostic::on_unimplemented(
    message = "`{Self}` keys cannot be stored in a generic foreign key",
    label = "not an integer, text or UUID key",
    note = "a generic foreign key stores the target's key as text: integer, `String` and `uuid::Uuid` keys fit"
)]
pub trait ObjectId: Sized {
    /// The key as text.
    fn to_object_id(&self) -> String;
    /// The key from text; `None` when the text is not such a key.
    fn from_object_id(text: &str) -> Option<Self>;
}

macro_rules! parsed_object_id {
    ($($ty:ty),*) => {$(
        impl ObjectId for $ty {
            fn to_object_id(&self) -> String {
                self.to_string()
            }
            fn from_object_id(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}
parsed_object_id!(i16, i32, i64, String);
#[cfg(feature = "uuid")]
parsed_object_id!(uuid::Uuid);

/// A generic foreign key of `Source`: implemented by the derive on the relation's type
/// (`TaggedItemContentObject`).
pub trait GenericForeignKey: 'static {
    /// The model that declares it.
    type Source: Model;
    /// `TaggedItem.content_object`, for messages.
    const NAME: &'static str;
    /// The content-type column.
    const CONTENT_TYPE_COLUMN: &'static str;
    /// The object-id column.
    const OBJECT_ID_COLUMN: &'static str;
    /// Its identity in a slot key (`GenericOf<Self, T>`).
    type Id: crate::relation::key::Id;
    /// The stored content-type id and object id of a row; `None` when a nullable key points at
    /// nothing.
    fn get(row: &Self::Source) -> Option<(i64, &str)>;
    /// Sets both fields of a row (in memory); `None` sets a nullable key's two fields to NULL
    /// (a key that is not nullable ignores it).
    fn set(row: &mut Self::Source, value: Option<(i64, String)>);
}

impl Connection {
    /// The content-type id and object id that point at `target`, for a generic foreign key's two
    /// fields (in an insert form, say). [`Error::Unsaved`] when `target` has no row. One
    /// statement, plus the content type's first lookup on this connection.
    pub fn generic_target<T: Model>(&mut self, target: &T) -> Result<(i64, String)>
    where
        T::Key: ObjectId,
    {
        if !T::query()
            .filter(pk_filter::<T>(target.key()))
            .exists(self)?
        {
            return Err(Error::Unsaved {
                model: T::NAME,
                key: format!("{:?}", target.key()),
            });
        }
        Ok((self.content_type::<T>()?, target.key().to_object_id()))
    }
}

/// Points the generic foreign key `G` of `row` at `target` (in memory; `save` writes it).
/// [`Error::Unsaved`] when `target` has no row, and `row` is left as it was.
pub fn point<G: GenericForeignKey, T: Model>(
    conn: &mut Connection,
    row: &mut G::Source,
    target: &T,
) -> Result<()>
where
    T::Key: ObjectId,
{
    let target = conn.generic_target(target)?;
    G::set(row, Some(target));
    Ok(())
}

/// The `T` that the generic foreign key `G` of `row` points at: `None` when it points at another
/// model, at nothing (a nullable key), or at a `T` that no longer exists. One statement when it
/// is a `T` (plus the content type's first lookup on this connection), none otherwise. An object
/// id that is not a `T` key is [`Error::InvalidInput`].
pub fn read<G: GenericForeignKey, T: Model>(
    conn: &mut Connection,
    row: &G::Source,
) -> Result<Option<T>>
where
    T::Key: ObjectId + Debug,
{
    let Some((content_type, object_id)) = G::get(row) else {
        return Ok(None);
    };
    if content_type != conn.content_type::<T>()? {
        return Ok(None);
    }
    let key = T::Key::from_object_id(object_id).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{} holds object id {object_id:?}, which is not a key of {}",
            G::NAME,
            T::NAME
        ))
    })?;
    T::query().filter(pk_filter::<T>(&key)).first(conn)
}

/// A model with one generic foreign key, so a generic relation can point at it. The derive
/// implements it on a model with exactly one `#[generic_foreign_key]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no generic foreign key, so a generic relation cannot use it",
    label = "not a model with one `#[generic_foreign_key]`",
    note = "declare `#[generic_foreign_key(content_object)]` on `{Self}`, with `content_type_id: i64` and `object_id: String` fields"
)]
pub trait GenericItems: Model {
    /// Its generic foreign key.
    type Key: GenericForeignKey<Source = Self>;
}

/// A reverse generic relation (`#[generic_relation(TaggedItem, name = tags)]` on `Book`): the
/// `Items` rows whose generic foreign key points at an `Owner`. Implemented by the derive on the
/// relation's type (`BookTags`).
pub trait GenericRelation: 'static {
    /// The model that declares it.
    type Owner: Model;
    /// The rows that point at it.
    type Items: GenericItems;
    /// `Book.tags`, for messages.
    const NAME: &'static str;
}

type KeyOf<R> = <<R as GenericRelation>::Items as GenericItems>::Key;

/// The rows of a reverse generic relation for one owner: `book.tags()`, Django's generic related
/// manager. Writes run in one transaction.
pub struct GenericManager<'a, R: GenericRelation> {
    pub(crate) owner: &'a R::Owner,
    pub(crate) bulk: bool,
}

impl<R: GenericRelation> fmt::Debug for GenericManager<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenericManager")
            .field("relation", &R::NAME)
            .field("owner", &self.owner.key())
            .field("bulk", &self.bulk)
            .finish()
    }
}

impl<'a, R: GenericRelation> GenericManager<'a, R>
where
    <R::Owner as Model>::Key: ObjectId,
{
    /// The manager of `owner`'s rows.
    pub fn of(owner: &'a R::Owner) -> Self {
        GenericManager { owner, bulk: true }
    }

    /// With `bulk(false)`, `add` saves each object (one statement each, and its save hooks run)
    /// instead of one `UPDATE` for all.
    pub fn bulk(mut self, bulk: bool) -> Self {
        self.bulk = bulk;
        self
    }

    /// The owner's content type and object id.
    fn target(&self, conn: &mut Connection) -> Result<(i64, String)> {
        Ok((
            conn.content_type::<R::Owner>()?,
            self.owner.key().to_object_id(),
        ))
    }

    fn related(target: (i64, String)) -> Filter<R::Items> {
        Filter::new(Expr::Cmp(
            KeyOf::<R>::CONTENT_TYPE_COLUMN,
            CmpOp::Eq,
            Value::BigInt(target.0),
        )) & Filter::new(Expr::Cmp(
            KeyOf::<R>::OBJECT_ID_COLUMN,
            CmpOp::Eq,
            Value::Text(target.1),
        ))
    }

    /// A query set of the related rows (the content type is always part of it).
    pub fn query(&self, conn: &mut Connection) -> Result<QuerySet<R::Items>> {
        let target = self.target(conn)?;
        Ok(R::Items::query().filter(Self::related(target)))
    }

    /// Every related row. One statement.
    pub fn all(&self, conn: &mut Connection) -> Result<Vec<R::Items>> {
        self.query(conn)?.all(conn)
    }

    /// How many rows are related. One statement.
    pub fn count(&self, conn: &mut Connection) -> Result<i64> {
        self.query(conn)?.count(conn)
    }

    /// Points every object at the owner: one `UPDATE` (or one `save` each with `bulk(false)`,
    /// after one statement that looks for the owner's row), the objects updated in memory too.
    /// An object without a row is [`Error::Unsaved`], and so is an owner without one (no
    /// foreign key would refuse it); nothing is written.
    pub fn add(&self, conn: &mut Connection, objs: &mut [&mut R::Items]) -> Result<()> {
        let (content_type, object_id) = self.target(conn)?;
        let before: Vec<Option<(i64, String)>> = objs
            .iter()
            .map(|o| KeyOf::<R>::get(o).map(|(ct, id)| (ct, id.to_owned())))
            .collect();
        for obj in objs.iter_mut() {
            KeyOf::<R>::set(obj, Some((content_type, object_id.clone())));
        }
        let write = |conn: &mut Connection| {
            if !self.bulk {
                // No foreign key refuses an owner without a row: look first.
                self.owner_exists(conn)?;
                return objs.iter().try_for_each(|o| o.save(conn));
            }
            let keys: Vec<Value> = objs.iter().map(|o| o.key().to_value()).collect();
            if keys.is_empty() {
                return Ok(());
            }
            let mut w = SqlWriter::new(conn.backend());
            w.push("UPDATE ").ident(R::Items::TABLE).push(" SET ");
            w.ident(KeyOf::<R>::CONTENT_TYPE_COLUMN).push(" = ");
            w.bind(Value::BigInt(content_type)).push(", ");
            w.ident(KeyOf::<R>::OBJECT_ID_COLUMN).push(" = ");
            w.bind(Value::Text(object_id.clone())).push(" WHERE ");
            let pk = <R::Items as Model>::FIELDS[<R::Items as Model>::PK].column;
            w.modifying(R::Items::TABLE, |w| {
                Expr::In(pk, keys.clone()).write(w);
                // And only while the owner has a row, in the same statement.
                w.push(" AND ");
                self.owner_row().write(w);
            });
            if conn.execute(&w.finish())? < keys.len() {
                // The error path only: one statement says whether the owner is missing.
                self.owner_exists(conn)?;
                return Err(crate::foreign_key::manager::first_unsaved::<R::Items>(
                    conn, objs,
                ));
            }
            Ok(())
        };
        // `bulk(false)` runs the save hooks, which a retry would run twice.
        let res = if self.bulk {
            conn.atomic(write)
        } else {
            conn.transaction(write)
        };
        if res.is_err() {
            for (obj, was) in objs.iter_mut().zip(before) {
                KeyOf::<R>::set(obj, was);
            }
        }
        res
    }

    /// Inserts a row pointing at the owner and returns it. `new` builds the insert form; its
    /// generic foreign key fields are overwritten. One statement (two on MySQL), which inserts
    /// nothing when the owner has no row: then [`Error::Unsaved`] (no foreign key would refuse
    /// a row pointing at nothing).
    pub fn create(&self, conn: &mut Connection, new: <R::Items as Model>::New) -> Result<R::Items>
    where
        KeyOf<R>: GenericInsert,
    {
        let (content_type, object_id) = self.target(conn)?;
        let mut new = new;
        <KeyOf<R> as GenericInsert>::set_new(&mut new, content_type, object_id);
        insert_one_if::<R::Items>(conn, &new, self.owner_row())?.ok_or_else(|| self.unsaved())
    }

    /// The owner's row, which a row pointing at it needs.
    fn owner_row(&self) -> Needs {
        Needs {
            table: <R::Owner as Model>::TABLE,
            column: <R::Owner as Model>::FIELDS[<R::Owner as Model>::PK].column,
            value: self.owner.key().to_value(),
        }
    }

    /// [`Error::Unsaved`] unless the owner has a row. One statement.
    fn owner_exists(&self, conn: &mut Connection) -> Result<()> {
        let owner = R::Owner::query().filter(pk_filter::<R::Owner>(self.owner.key()));
        if owner.exists(conn)? {
            Ok(())
        } else {
            Err(self.unsaved())
        }
    }

    /// [`Error::Unsaved`] for the owner.
    fn unsaved(&self) -> Error {
        Error::Unsaved {
            model: R::Owner::NAME,
            key: self.owner.key().to_value().to_string(),
        }
    }

    /// The related row matching `filter`, or a new one pointing at the owner (as
    /// [`GenericManager::create`]): Django's `get_or_create` on a generic related manager.
    /// Returns the row and whether it was created. One statement when a row matches (after the
    /// content type, cached per connection), one more to insert.
    pub fn get_or_create(
        &self,
        conn: &mut Connection,
        filter: Filter<R::Items>,
        new: <R::Items as Model>::New,
    ) -> Result<(R::Items, bool)>
    where
        KeyOf<R>: GenericInsert,
    {
        self.query(conn)?
            .filter(filter)
            .get_or_insert(conn, |conn| self.create(conn, new))
    }

    /// Sets `defaults` on the related row matching `filter`, or inserts a new one pointing at
    /// the owner: Django's `update_or_create` on a generic related manager. See
    /// [`QuerySet::update_or_create`] for the statements.
    pub fn update_or_create(
        &self,
        conn: &mut Connection,
        filter: Filter<R::Items>,
        defaults: impl IntoIterator<Item = Assignment<R::Items>>,
        new: <R::Items as Model>::New,
    ) -> Result<(R::Items, bool)>
    where
        KeyOf<R>: GenericInsert,
    {
        self.query(conn)?
            .filter(filter)
            .update_or_insert(conn, defaults, |conn| self.create(conn, new))
    }

    /// Deletes the objects (they belong to the owner, else [`Error::NotRelated`] and nothing is
    /// deleted). One statement, plus what their `on_delete` rules cascade to.
    pub fn remove(&self, conn: &mut Connection, objs: &[&R::Items]) -> Result<Deleted> {
        let (content_type, object_id) = self.target(conn)?;
        if let Some(stray) = objs
            .iter()
            .find(|o| KeyOf::<R>::get(o) != Some((content_type, object_id.as_str())))
        {
            return Err(Error::NotRelated {
                model: R::Items::NAME,
                key: stray.key().to_value().to_string(),
                parent: R::Owner::NAME,
                parent_key: object_id,
            });
        }
        let keys: Vec<Value> = objs.iter().map(|o| o.key().to_value()).collect();
        conn.atomic(|conn| crate::model::delete::delete_keys::<R::Items>(conn, keys.clone()))
    }

    /// Deletes every related row (Django's generic `clear` deletes: the rows cannot exist
    /// without a target), as [`QuerySet::delete`]: one `DELETE` when nothing points at the
    /// items, else one statement to find them, then the delete.
    pub fn clear(&self, conn: &mut Connection) -> Result<Deleted> {
        self.query(conn)?.delete(conn)
    }

    /// Makes `objs` the related rows: related rows not among them are deleted, the others are
    /// added. One read, then at most one `DELETE` and one `UPDATE`, in one transaction.
    pub fn set(&self, conn: &mut Connection, objs: &mut [&mut R::Items]) -> Result<()> {
        let query = self.query(conn)?;
        conn.atomic(|conn| {
            let owner = self.owner_row();
            lock_rows::<R::Owner>(conn, owner.column, owner.value)?;
            let current = query.all(conn)?;
            let wanted: std::collections::HashSet<&<R::Items as Model>::Key> =
                objs.iter().map(|o| o.key()).collect();
            let stale: Vec<Value> = current
                .iter()
                .filter(|c| !wanted.contains(c.key()))
                .map(|c| c.key().to_value())
                .collect();
            if !stale.is_empty() {
                crate::model::delete::delete_keys::<R::Items>(conn, stale)?;
            }
            self.add(conn, objs)
        })
    }
}

/// A generic foreign key whose insert form can be pointed at an owner (the derive implements it
/// when both fields are in the insert form, as they are unless one is the primary key).
pub trait GenericInsert: GenericForeignKey {
    /// Sets both fields of an insert form.
    fn set_new(new: &mut <Self::Source as Model>::New, content_type: i64, object_id: String);
}

/// The object id a key [`Value`] is stored as, for deletes that only have values.
fn value_object_id(value: &Value) -> Option<String> {
    match value {
        Value::SmallInt(v) => Some(v.to_string()),
        Value::Integer(v) => Some(v.to_string()),
        Value::BigInt(v) => Some(v.to_string()),
        Value::Text(v) => Some(v.clone()),
        #[cfg(feature = "uuid")]
        Value::Uuid(v) => Some(v.to_string()),
        _ => None,
    }
}

/// The items of `R` that point at these owners, as one query; `None` for no owner.
fn items_of<R: GenericRelation>(
    conn: &mut Connection,
    owners: &[Value],
) -> Result<Option<QuerySet<R::Items>>> {
    let ids: Vec<Value> = owners
        .iter()
        .filter_map(value_object_id)
        .map(Value::Text)
        .collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let content_type = conn.content_type::<R::Owner>()?;
    Ok(Some(
        R::Items::query()
            .filter(Filter::new(Expr::Cmp(
                KeyOf::<R>::CONTENT_TYPE_COLUMN,
                CmpOp::Eq,
                Value::BigInt(content_type),
            )))
            .filter(Filter::new(Expr::In(KeyOf::<R>::OBJECT_ID_COLUMN, ids))),
    ))
}

/// What a delete needs to know of the generic relation `R` (registered by the derive): deleting
/// an owner deletes the items pointing at it.
#[doc(hidden)]
pub const fn delete_info<R: GenericRelation>() -> crate::model::delete::GenericRelationInfo {
    crate::model::delete::GenericRelationInfo {
        owner_table: <R::Owner as Model>::TABLE,
        items: crate::model::delete::Table::of::<R::Items>(),
        find: find_generic::<R>,
        delete_unread: delete_generic::<R>,
    }
}

/// The keys of the items of `R` that point at these owners.
fn find_generic<R: GenericRelation>(conn: &mut Connection, owners: &[Value]) -> Result<Vec<Value>> {
    match items_of::<R>(conn, owners)? {
        Some(items) => Ok(items.keys(conn)?.iter().map(Field::to_value).collect()),
        None => Ok(Vec::new()),
    }
}

/// Deletes the items of `R` that point at these owners, unread: for items nothing points at.
/// Returns how many went.
fn delete_generic<R: GenericRelation>(conn: &mut Connection, owners: &[Value]) -> Result<u64> {
    match items_of::<R>(conn, owners)? {
        Some(items) => items.delete_rows(conn),
        None => Ok(0),
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
