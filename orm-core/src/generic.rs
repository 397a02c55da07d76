//! Generic foreign keys: a content-type column and an object-id column, read as one relation to
//! any model (`#[generic_foreign_key(content_object)]`, Django's `GenericForeignKey`).
//!
//! The object id is stored as text, so integer, text and UUID keys all fit. Reading is a typed
//! downcast: `item.content_object::<Book>(&mut conn)` is `Some(book)` when the item points at a
//! book that exists, `None` when it points at another model or at a row that was deleted. The
//! stored ids are never touched by a read.

use std::fmt::Debug;

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::model::{pk_filter, Model};

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
    /// The stored content-type id and object id of a row.
    fn get(row: &Self::Source) -> (i64, &str);
    /// Sets both fields of a row (in memory).
    fn set(row: &mut Self::Source, content_type: i64, object_id: String);
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
    let (content_type, object_id) = conn.generic_target(target)?;
    G::set(row, content_type, object_id);
    Ok(())
}

/// The `T` that the generic foreign key `G` of `row` points at: `None` when it points at another
/// model, or at a `T` that no longer exists. One statement when it is a `T` (plus the content
/// type's first lookup on this connection), none otherwise. An object id that is not a `T` key
/// is [`Error::InvalidInput`].
pub fn read<G: GenericForeignKey, T: Model>(
    conn: &mut Connection,
    row: &G::Source,
) -> Result<Option<T>>
where
    T::Key: ObjectId + Debug,
{
    let (content_type, object_id) = G::get(row);
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
