//! What happens to the rows that point at a deleted row: a foreign key's `on_delete`.

/// What happens to rows pointing at a deleted row (Django's `on_delete`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OnDelete {
    /// Delete them too (the default).
    Cascade,
    /// Set their key to NULL; the key field must be an `Option`.
    SetNull,
    /// Set their key to the field's `#[orm(default = ..)]` (Django's `SET_DEFAULT`), done by
    /// the delete itself, so the DDL's constraint has no action of its own.
    SetDefault,
    /// Set their key to the value of `on_delete = Set(expr)`, evaluated at each delete (Django's
    /// `SET(value)`; a function call there is Django's `SET(callable)`). Done by the delete
    /// itself, as `SetDefault`.
    Set,
    /// Refuse the delete with [`Error::Protected`](crate::Error::Protected), whatever else the delete reaches.
    Protect,
    /// Refuse the delete with [`Error::Protected`](crate::Error::Protected), unless every referencing row is being
    /// deleted by the same call through a `Cascade` (Django's `RESTRICT`); the DDL says
    /// `ON DELETE RESTRICT`.
    Restrict,
    /// Leave them; the database's own constraint decides.
    DoNothing,
}
