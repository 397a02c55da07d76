//! The one error type.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong; callers match on the variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No row matched (`Model::get`, `QuerySet::get`).
    #[error("{model} matching query does not exist")]
    NotFound { model: &'static str },

    /// `QuerySet::get` matched more than one row.
    #[error("get() returned more than one {model}")]
    MultipleObjectsReturned { model: &'static str },

    /// The database refused a write: unique, foreign-key, not-null or check constraint.
    #[error("integrity violation ({kind}){}: {message}", constraint.as_ref().map(|c| format!(" on `{c}`")).unwrap_or_default())]
    Integrity {
        kind: IntegrityKind,
        /// The constraint, or the column, where the backend reports it.
        constraint: Option<String>,
        message: String,
    },

    /// A delete was refused because rows point at what it would delete through an
    /// `on_delete = Protect` or `Restrict` foreign key. Nothing was deleted. Every blocking foreign
    /// key is listed with the keys of its rows, as Django's `ProtectedError` lists every
    /// protected object: `Protect` keys when any blocks, else `Restrict` keys.
    #[error("cannot delete: {}", Blocking::describe(blocking))]
    Protected { blocking: Vec<Blocking> },

    /// The instance has no row in the database (for example `save()` on a deleted row).
    #[error("{model} with key {key} is not saved in the database")]
    Unsaved { model: &'static str, key: String },

    /// `remove` was given an object that does not belong to the manager's parent. Nothing was
    /// written.
    #[error("{model} {key} is not related to {parent} {parent_key}")]
    NotRelated {
        model: &'static str,
        key: String,
        parent: &'static str,
        parent_key: String,
    },

    /// An insert found no key left: the model's auto-increment key has reached the largest
    /// value its column holds. Nothing was written.
    #[error("no key left for a new {model}: its auto-increment key has reached the largest value its column holds")]
    OutOfKeys { model: &'static str },

    /// The caller passed something the operation cannot take.
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// The URL could not be opened.
    #[error("cannot connect: {0}")]
    Connection(String),

    /// An [`AsyncConnection`](crate::AsyncConnection) is closed: a closure it ran panicked, or
    /// its connection was taken back with `into_inner`.
    #[error("the connection is closed: a closure it ran panicked, or it was taken back with `into_inner`")]
    Closed,

    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] DieselError),
}

/// Rows that stop a delete ([`Error::Protected`]): the rows of `referencing` whose `column` points
/// at a `model` row the delete would remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    /// The model whose rows the delete would remove.
    pub model: &'static str,
    /// The model whose rows point at them.
    pub referencing: &'static str,
    /// Its foreign-key column.
    pub column: &'static str,
    /// `Protect` or `Restrict`.
    pub on_delete: crate::on_delete::OnDelete,
    /// The pointing rows' primary keys.
    pub keys: Vec<String>,
}

impl Blocking {
    /// At most this many keys are written out per foreign key in a message.
    const SHOWN: usize = 10;

    fn describe(blocking: &[Blocking]) -> String {
        let each = blocking.iter().map(|b| {
            let mut keys = b
                .keys
                .iter()
                .take(Self::SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if b.keys.len() > Self::SHOWN {
                keys.push_str(&format!(" and {} more", b.keys.len() - Self::SHOWN));
            }
            format!(
                "{} {} row(s) point at {} through `{}` (on_delete = {:?}; keys {keys})",
                b.keys.len(),
                b.referencing,
                b.model,
                b.column,
                b.on_delete
            )
        });
        each.collect::<Vec<_>>().join("; ")
    }
}

impl Error {
    /// Whether running the transaction again may succeed: the database gave it up to break a
    /// deadlock or to serialize it ([`Error::is_deadlock`]), or waited too long for a lock
    /// (MySQL's lock wait timeout; SQLite's "database is locked" after its `busy_timeout`).
    /// Inside a transaction of yours, run your transaction again from its start: a deadlock
    /// undid all of it, and after a lock wait timeout MySQL undid the statement, not the
    /// transaction, which you may still roll back.
    pub fn is_retryable(&self) -> bool {
        self.is_deadlock()
            || self.message_has(&["Lock wait timeout exceeded", "database is locked"])
    }

    /// Whether the database gave the transaction up to break a deadlock or because it could not
    /// serialize it against another: PostgreSQL's 40001 and 40P01, MySQL's 1213. A call that
    /// opens its own transaction and runs none of your code (a manager's write without hooks,
    /// `bulk_create`, a delete) runs it again itself, up to three times. PostgreSQL's deadlock
    /// is told by its message, in English (a server with other `lc_messages` reports it as any
    /// other error).
    pub fn is_deadlock(&self) -> bool {
        matches!(
            self,
            Error::Database(DieselError::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                _
            ))
        ) || self.message_has(&["deadlock detected", "could not serialize access"])
    }

    /// Whether this is a database error whose message holds one of `texts`.
    fn message_has(&self, texts: &[&str]) -> bool {
        match self {
            Error::Database(DieselError::DatabaseError(_, info)) => {
                texts.iter().any(|t| info.message().contains(t))
            }
            _ => false,
        }
    }
}

/// Which constraint an [`Error::Integrity`] broke.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntegrityKind {
    Unique,
    ForeignKey,
    NotNull,
    Check,
}

impl std::fmt::Display for IntegrityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IntegrityKind::Unique => "unique",
            IntegrityKind::ForeignKey => "foreign key",
            IntegrityKind::NotNull => "not null",
            IntegrityKind::Check => "check",
        })
    }
}

impl From<DieselError> for Error {
    fn from(err: DieselError) -> Self {
        let DieselError::DatabaseError(kind, info) = &err else {
            return Error::Database(err);
        };
        let kind = match kind {
            DatabaseErrorKind::UniqueViolation => IntegrityKind::Unique,
            DatabaseErrorKind::ForeignKeyViolation => IntegrityKind::ForeignKey,
            DatabaseErrorKind::NotNullViolation => IntegrityKind::NotNull,
            DatabaseErrorKind::CheckViolation => IntegrityKind::Check,
            // SQLite reports some constraint failures (ON DELETE RESTRICT) with a code diesel
            // does not classify; its message names the constraint kind.
            _ => match sqlite_constraint_kind(info.message()) {
                Some(kind) => kind,
                None => return Error::Database(err),
            },
        };
        let message = info.message().to_owned();
        let constraint = info
            .constraint_name()
            .or(info.column_name())
            .map(str::to_owned)
            .or_else(|| constraint_from_message(&message));
        Error::Integrity {
            kind,
            constraint,
            message,
        }
    }
}

fn sqlite_constraint_kind(message: &str) -> Option<IntegrityKind> {
    [
        ("FOREIGN KEY constraint failed", IntegrityKind::ForeignKey),
        ("UNIQUE constraint failed", IntegrityKind::Unique),
        ("NOT NULL constraint failed", IntegrityKind::NotNull),
        ("CHECK constraint failed", IntegrityKind::Check),
    ]
    .into_iter()
    .find(|(text, _)| message.starts_with(text))
    .map(|(_, kind)| kind)
}

/// SQLite ("UNIQUE constraint failed: blog.name") and MySQL ("... for key 'blog.name'",
/// "CONSTRAINT `entry_blog_id_fk`") name the culprit only in the message.
fn constraint_from_message(message: &str) -> Option<String> {
    if let Some((_, rest)) = message.split_once("constraint failed: ") {
        return Some(rest.trim().to_owned());
    }
    for (open, close) in [
        ("for key '", '\''),
        ("CONSTRAINT `", '`'),
        ("column '", '\''),
    ] {
        if let Some((_, rest)) = message.split_once(open) {
            if let Some((name, _)) = rest.split_once(close) {
                return Some(name.to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn constraint_names_from_messages() {
        use super::constraint_from_message as c;
        assert_eq!(
            c("UNIQUE constraint failed: blog.name").as_deref(),
            Some("blog.name")
        );
        assert_eq!(
            c("Duplicate entry 'x' for key 'name'").as_deref(),
            Some("name")
        );
        assert_eq!(
            c("Cannot add or update a child row: a foreign key constraint fails (`t`.`entry`, CONSTRAINT `entry_blog_id_fk` FOREIGN KEY ...)").as_deref(),
            Some("entry_blog_id_fk")
        );
        assert_eq!(c("something else"), None);
    }
}
