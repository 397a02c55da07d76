//! What a generic foreign key and a generic relation are: the traits the derive implements,
//! reading and pointing one, and what a delete needs of a generic relation.

use crate::db::connection::Connection;
use crate::error::{Error, Result};
use crate::model::{pk_filter, Model};

use std::fmt::Debug;

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

/// The generic foreign key a generic relation's items point with.
pub(crate) type ItemsKey<R> = <<R as GenericRelation>::Items as GenericItems>::Key;
