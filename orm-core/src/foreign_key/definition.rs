//! What a foreign key is: the traits the derive implements on a foreign key's type (`EntryBlog`
//! for `Entry.blog_id`) and on a one-to-one's.

use std::fmt::Debug;
use std::hash::Hash;

use crate::db::connection::Connection;
use crate::db::decode::DecodeAll;
use crate::db::value::{Field, Value};
use crate::error::Result;
use crate::model::registry::{ForeignKeyInfo, Table};
use crate::model::Model;
use crate::on_delete::OnDelete;
use crate::query::{CmpOp, Expr, Filter};

/// What a foreign key to a primary key needs of its target. Every model implements it for its
/// own key type (the derive emits the impl), so naming a non-model, or a key field of another
/// type, fails this one bound, with this message, at the attribute.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the target of this foreign key: it is not a model whose primary key is `{K}`",
    label = "the target must be a #[derive(Model)] struct with a `{K}` key",
    note = "the key field's type must be the target's primary key type (or an Option of it); to hold another unique field of the target, write `to_field = field`"
)]
pub trait ForeignKeyTarget<K>: Model<Key = K> {
    /// The primary key, which the foreign key holds.
    fn key_for_foreign_key(&self) -> &K {
        self.key()
    }
}

/// A foreign key: a field of `Source` holding a `Target` key. Implemented by the derive on the
/// relation's type (`EntryBlog`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a foreign key",
    label = "expected a foreign key, such as `EntryBlog` for `Entry.blog_id`",
    note = "a foreign key is the type named after the model and its key field without `_id`; the reverse of a foreign key and a many-to-many are other relation types"
)]
pub trait ForeignKey: Sized + 'static {
    /// The model that declares the key field.
    type Source: Model;
    /// The type of the target field the key holds: the target's primary-key type, or the
    /// `to_field`'s.
    type Key: Field + DecodeAll + Eq + Hash + Debug;
    /// The model the key points at.
    type Target: Model;
    /// The field's type: `Key`, or `Option<Key>` when nullable.
    type Value: Field;
    /// What a prefetch of this key gives each row: the target ([`crate::relation::One`]), or
    /// an `Option` of it when nullable ([`crate::relation::MaybeOne`]).
    type Arity: crate::relation::Arity;
    /// What a prefetch of the reverse gives each target: its source rows
    /// ([`crate::relation::Many`]), or for a one-to-one an `Option` of the one
    /// ([`crate::relation::MaybeOne`]).
    type ReverseArity: crate::relation::Arity;
    /// The key column.
    const COLUMN: &'static str;
    /// `Entry.blog_id`, for messages.
    const NAME: &'static str;
    /// The target's table.
    const TARGET_TABLE: &'static str = <Self::Target as Model>::TABLE;
    /// The target column the key holds: the primary key's, or the `to_field`'s (Django's
    /// `to_field`).
    const TARGET_COLUMN: &'static str;
    /// The value of `target` that the key fields of its source rows hold.
    fn target_value(target: &Self::Target) -> &Self::Key;
    /// The field value that points at `key`.
    fn wrap(key: Self::Key) -> Self::Value;
    /// The key field of a row.
    fn get(row: &Self::Source) -> &Self::Value;
    /// The key a row points at, `None` when NULL.
    fn target_key(row: &Self::Source) -> Option<&Self::Key>;
    /// Sets the key field of a row (in memory).
    fn set(row: &mut Self::Source, value: Self::Value);
    /// Sets the key field of an insert form.
    fn set_new(new: &mut <Self::Source as Model>::New, value: Self::Value);
    /// The field value for "no parent", when the key is nullable.
    fn null() -> Option<Self::Value>;

    /// The target row with this key: one statement.
    fn fetch(conn: &mut Connection, key: &Self::Key) -> Result<Self::Target> {
        let is_key = Expr::Cmp(Self::TARGET_COLUMN, CmpOp::Eq, key.to_value());
        Self::Target::query().filter(Filter::new(is_key)).get(conn)
    }

    /// The source rows pointing at the target whose key field holds `key`.
    fn pointing_at(key: &Self::Key) -> Filter<Self::Source> {
        Filter::new(Expr::Cmp(Self::COLUMN, CmpOp::Eq, key.to_value()))
    }
}

impl ForeignKeyInfo {
    /// The foreign key `F`, with its `on_delete` and, for `SetDefault`, its field's default, as
    /// the derive registers it for deletes.
    pub const fn of<F: ForeignKey>(on_delete: OnDelete, default: Option<fn() -> Value>) -> Self {
        ForeignKeyInfo {
            source: Table::of::<F::Source>(),
            column: F::COLUMN,
            kind: <F::Key as Field>::KIND,
            target_table: F::TARGET_TABLE,
            target_column: F::TARGET_COLUMN,
            on_delete,
            default,
        }
    }
}

/// A one-to-one (`#[one_to_one(Target)]`): a foreign key whose column is unique, so a target
/// row has at most one source row. The target gets that row (`place.restaurant(conn)`), not a
/// manager, and the reverse can be ordered by, as a foreign key can.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a foreign key, not a one-to-one: followed backwards, it gives any number of rows",
    label = "each row has any number of these",
    note = "only what a row has at most one of can be ordered by (`.by(..)`) or joined (`select_related`): a foreign key (`EntryBlog`), the reverse of a one-to-one (`#[one_to_one(..)]`), or a generic foreign key to one type (`TaggedItemBooks`); count a to-many relation with `with_count`, load it with `.prefetch(..)`"
)]
pub trait OneToOne: ForeignKey<ReverseArity = crate::relation::MaybeOne> {
    /// The source row pointing at `target`, if any: one statement.
    fn source_of(conn: &mut Connection, target: &Self::Target) -> Result<Option<Self::Source>> {
        let pointing_at = Self::pointing_at(Self::target_value(target));
        match Self::Source::query().filter(pointing_at).get(conn) {
            Ok(row) => Ok(Some(row)),
            Err(crate::error::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// A foreign key that can be NULL: only these rows can leave their parent, so only these have
/// `remove` and `clear`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a foreign key that cannot be NULL, so its rows cannot be removed from their parent",
    label = "`remove`, `clear`, `set_with_clear` and their async twins (`aremove`, ...) need a nullable foreign key",
    note = "make the key field an `Option<_>` to allow rows without a parent, or move rows with `add` / `set`, or delete them"
)]
pub trait NullableForeignKey: ForeignKey {
    /// The field value for "no parent".
    fn null_value() -> Self::Value;
}
