//! What a many-to-many is: the traits the derive implements on a relation's type
//! (`PizzaToppings`), its two ends, its link rows and its through model, the two sides a manager
//! works from, and the change a hook sees ([`M2mChanged`]).

use std::fmt::{self, Debug};
use std::hash::Hash;
use std::marker::PhantomData;

use crate::db::decode::DecodeAll;
use crate::db::value::{Field, Value};
use crate::foreign_key::ForeignKey;
use crate::model::Model;

/// Something that names one row of `M` at one end of a many-to-many: a `&M`, or the value the
/// links hold for it (`K`: the primary key, or the `to_field` of the through model's key).
/// Many-to-many managers take either.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `{M}` or the `{K}` that links hold for one",
    label = "expected `&{M}` or the `{K}` a link holds for it",
    note = "this relation links `{M}` rows: pass them, or the `{K}` values its links hold (the primary key, or what a through model's `to_field` key holds)"
)]
pub trait KeyOf<M: Model, K = <M as Model>::Key> {
    /// The value a link holds for this row; `held` reads it off a row.
    fn key_of(self, held: fn(&M) -> &K) -> K;
}

impl<M: Model, K: Clone> KeyOf<M, K> for &M {
    fn key_of(self, held: fn(&M) -> &K) -> K {
        held(self).clone()
    }
}

impl<M: Model, K: Clone> KeyOf<M, K> for &mut M {
    fn key_of(self, held: fn(&M) -> &K) -> K {
        held(self).clone()
    }
}

/// One end of a many-to-many's link rows: the model, and the field of it that a link holds.
/// [`PrimaryKey`] for an auto-created join table, [`Held`] for a through model's foreign key
/// (which may hold a `to_field`).
pub trait LinkEnd: 'static {
    /// The model at this end.
    type Model: Model;
    /// The value a link holds.
    type Key: Field + DecodeAll + Eq + Hash + Debug;
    /// The model's column that a link's value matches.
    const COLUMN: &'static str;
    /// The value a link holds for `row`.
    fn value(row: &Self::Model) -> &Self::Key;
}

/// The value a link holds for one end.
pub type EndKey<E> = <E as LinkEnd>::Key;

/// A link end holding `M`'s primary key.
#[derive(Debug)]
pub struct PrimaryKey<M>(PhantomData<fn() -> M>);

impl<M: Model> LinkEnd for PrimaryKey<M> {
    type Model = M;
    type Key = M::Key;
    const COLUMN: &'static str = M::FIELDS[M::PK].column;
    fn value(row: &M) -> &M::Key {
        row.key()
    }
}

/// A link end held by the through model's foreign key `F`: its target's primary key, or its
/// `to_field`.
#[derive(Debug)]
pub struct Held<F>(PhantomData<fn() -> F>);

impl<F: ForeignKey> LinkEnd for Held<F> {
    type Model = F::Target;
    type Key = F::Key;
    const COLUMN: &'static str = F::TARGET_COLUMN;
    fn value(row: &F::Target) -> &F::Key {
        F::target_value(row)
    }
}

/// A many-to-many relation declared on `Source` (`#[many_to_many(Target, ...)]`), stored in a
/// join table: auto-created, or a through model. Implemented by the derive on the relation's
/// type (`PizzaToppings`).
pub trait ManyToMany: Sized + 'static {
    /// The model that declares the relation.
    type Source: Model;
    /// The other model.
    type Target: Model;
    /// The values of a link row beyond its two keys: `()` for an auto-created table, the
    /// through model's `<Through>Extra` otherwise.
    type Extra: Clone;
    /// What a link holds for its source row.
    type SourceEnd: LinkEnd<Model = Self::Source>;
    /// What a link holds for its target row.
    type TargetEnd: LinkEnd<Model = Self::Target>;
    /// The join table.
    const TABLE: &'static str;
    /// The join table's column holding the source key.
    const SOURCE_COLUMN: &'static str;
    /// The join table's column holding the target key.
    const TARGET_COLUMN: &'static str;
    /// A self-referential relation where a link goes both ways (friends).
    const SYMMETRICAL: bool;
    /// `Pizza.toppings`, for messages.
    const NAME: &'static str;
    /// The fields of the join table's rows, so values are checked before they are written: the
    /// through model's; none for an auto-created table, whose rows hold only keys of rows that
    /// exist.
    const LINK_FIELDS: &'static [crate::model::FieldDef] = &[];
    /// Whether a member is linked at most once: the join table's two keys are unique together,
    /// unless the through model says `#[orm(duplicate_links)]`.
    const UNIQUE_LINKS: bool = true;
    /// The columns of a new link row.
    fn link_columns() -> &'static [&'static str];
    /// The values of a new link row, in [`ManyToMany::link_columns`] order.
    fn link_values(
        source: &EndKey<Self::SourceEnd>,
        target: &EndKey<Self::TargetEnd>,
        extra: &Self::Extra,
    ) -> Vec<Value>;
    /// For a symmetrical relation, the values of the link the other way round.
    fn mirror_values(
        source: &EndKey<Self::SourceEnd>,
        target: &EndKey<Self::TargetEnd>,
        extra: &Self::Extra,
    ) -> Option<Vec<Value>> {
        let _ = (source, target, extra);
        None
    }
}

/// A many-to-many relation whose join table is a model, so its rows can be read.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no through model, so there are no link rows to read",
    label = "`with_through` needs a many-to-many declared with `through = Model`",
    note = "declare the many-to-many with `through = ...` to store and read fields on its links"
)]
pub trait ManyToManyThrough: ManyToMany {
    /// The through model.
    type Through: Model;
}

/// A through model between `S` and `T`: a model with exactly two non-nullable foreign keys, one to
/// each side, or with the two named by `#[orm(through_fields(a, b))]`. The derive implements it
/// on every such model; every other field (but an auto-increment key) is an extra field,
/// collected in `<Model>Extra`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the through model between `{S}` and `{T}`",
    label = "not a model with one foreign key to `{S}` and one to `{T}`",
    note = "a through model has exactly two non-nullable foreign keys, one to each side of the many-to-many; with more, name the two with `#[orm(through_fields(a, b))]`"
)]
pub trait Through<S: Model, T: Model>: Model {
    /// The fields beyond the two keys.
    type Extra: Clone;
    /// The key to `S` (`Held<ThroughS>`).
    type SourceEnd: LinkEnd<Model = S>;
    /// The key to `T`.
    type TargetEnd: LinkEnd<Model = T>;
    /// The column holding `S`'s key.
    const SOURCE_COLUMN: &'static str;
    /// The column holding `T`'s key.
    const TARGET_COLUMN: &'static str;
    /// Whether the two keys are unique together (no `#[orm(duplicate_links)]`).
    const UNIQUE_LINKS: bool = true;
    /// The insert form of one link.
    fn link(
        source: &EndKey<Self::SourceEnd>,
        target: &EndKey<Self::TargetEnd>,
        extra: &Self::Extra,
    ) -> Self::New;
}

/// Through-model extra fields that can all be left out (every one is an `Option`), so links
/// can be added without `through_defaults`.
#[diagnostic::on_unimplemented(
    message = "the through model has required fields (`{Self}`), so a link cannot be added without them",
    label = "give the through fields' values",
    note = "call `.through_defaults({Self} {{ .. }})` on the manager before `add`, `create` or `set`"
)]
pub trait OptionalExtra: Clone {
    /// Every field left out.
    fn empty() -> Self;
}

impl OptionalExtra for () {
    fn empty() -> Self {}
}

/// Which end of a many-to-many a manager stands on.
pub trait Side<R: ManyToMany>: 'static {
    /// The model the manager belongs to.
    type Owner: Model;
    /// The model the manager adds and lists.
    type Other: Model;
    /// What a link holds for the owner.
    type OwnerEnd: LinkEnd<Model = Self::Owner>;
    /// What a link holds for the other side's rows.
    type OtherEnd: LinkEnd<Model = Self::Other>;
    /// The join table's column holding the owner's key.
    const OWNER_COLUMN: &'static str;
    /// The join table's column holding the other side's key.
    const OTHER_COLUMN: &'static str;
    /// Whether this is the reverse side (`topping.pizza_set()`).
    const REVERSE: bool;
    /// The values of the link row(s) between `owner` and `other`: two for a symmetrical
    /// relation.
    fn link_values(
        owner: &EndKey<Self::OwnerEnd>,
        other: &EndKey<Self::OtherEnd>,
        extra: &R::Extra,
        out: &mut Vec<Vec<Value>>,
    );
    /// The change event for hooks.
    fn event<'e>(
        action: M2mAction,
        owner: &'e Self::Owner,
        keys: &'e [EndKey<Self::OtherEnd>],
    ) -> M2mChanged<'e, R>;
}

/// The side that declares the relation: `pizza.toppings()`.
#[derive(Debug, Clone, Copy)]
pub struct Forward;

/// The other side: `topping.pizza_set()`.
#[derive(Debug, Clone, Copy)]
pub struct Reverse;

impl<R: ManyToMany> Side<R> for Forward {
    type Owner = R::Source;
    type Other = R::Target;
    type OwnerEnd = R::SourceEnd;
    type OtherEnd = R::TargetEnd;
    const OWNER_COLUMN: &'static str = R::SOURCE_COLUMN;
    const OTHER_COLUMN: &'static str = R::TARGET_COLUMN;
    const REVERSE: bool = false;
    fn link_values(
        owner: &EndKey<R::SourceEnd>,
        other: &EndKey<R::TargetEnd>,
        extra: &R::Extra,
        out: &mut Vec<Vec<Value>>,
    ) {
        out.push(R::link_values(owner, other, extra));
        out.extend(R::mirror_values(owner, other, extra));
    }
    fn event<'e>(
        action: M2mAction,
        owner: &'e R::Source,
        keys: &'e [EndKey<R::TargetEnd>],
    ) -> M2mChanged<'e, R> {
        M2mChanged::Forward {
            action,
            instance: owner,
            keys,
        }
    }
}

impl<R: ManyToMany> Side<R> for Reverse {
    type Owner = R::Target;
    type Other = R::Source;
    type OwnerEnd = R::TargetEnd;
    type OtherEnd = R::SourceEnd;
    const OWNER_COLUMN: &'static str = R::TARGET_COLUMN;
    const OTHER_COLUMN: &'static str = R::SOURCE_COLUMN;
    const REVERSE: bool = true;
    fn link_values(
        owner: &EndKey<R::TargetEnd>,
        other: &EndKey<R::SourceEnd>,
        extra: &R::Extra,
        out: &mut Vec<Vec<Value>>,
    ) {
        out.push(R::link_values(other, owner, extra));
        out.extend(R::mirror_values(other, owner, extra));
    }
    fn event<'e>(
        action: M2mAction,
        owner: &'e R::Target,
        keys: &'e [EndKey<R::SourceEnd>],
    ) -> M2mChanged<'e, R> {
        M2mChanged::Reverse {
            action,
            instance: owner,
            keys,
        }
    }
}

/// What a many-to-many change is about to do, or did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum M2mAction {
    /// Before links are inserted; the keys are those not linked yet.
    PreAdd,
    /// After links were inserted; the same keys.
    PostAdd,
    /// Before links are deleted; every key passed to `remove`.
    PreRemove,
    /// After links were deleted.
    PostRemove,
    /// Before every link of the instance is deleted; no keys.
    PreClear,
    /// After every link of the instance was deleted.
    PostClear,
}

/// One change, as a hook sees it. `Forward` when the change went through the side that declares
/// the relation (`pizza.toppings()`), `Reverse` through the other side (`topping.pizza_set()`);
/// `keys` are what the links hold for the other side's rows: their primary keys, or a through
/// model key's `to_field` (as Django's `pk_set`).
pub enum M2mChanged<'e, R: ManyToMany> {
    Forward {
        action: M2mAction,
        instance: &'e R::Source,
        keys: &'e [EndKey<R::TargetEnd>],
    },
    Reverse {
        action: M2mAction,
        instance: &'e R::Target,
        keys: &'e [EndKey<R::SourceEnd>],
    },
}

impl<R: ManyToMany> M2mChanged<'_, R> {
    /// The action.
    pub fn action(&self) -> M2mAction {
        match self {
            M2mChanged::Forward { action, .. } | M2mChanged::Reverse { action, .. } => *action,
        }
    }

    /// Whether the change went through the reverse side.
    pub fn is_reverse(&self) -> bool {
        matches!(self, M2mChanged::Reverse { .. })
    }
}

impl<R: ManyToMany> fmt::Debug for M2mChanged<'_, R>
where
    R::Source: fmt::Debug,
    R::Target: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            M2mChanged::Forward {
                action,
                instance,
                keys,
            } => f
                .debug_struct("Forward")
                .field("action", action)
                .field("instance", instance)
                .field("keys", keys)
                .finish(),
            M2mChanged::Reverse {
                action,
                instance,
                keys,
            } => f
                .debug_struct("Reverse")
                .field("action", action)
                .field("instance", instance)
                .field("keys", keys)
                .finish(),
        }
    }
}
