//! What differs between SQLite, PostgreSQL and MySQL: quoting, placeholders, bind limits.

use crate::db::value::ColumnType;

/// A database backend.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    /// `"sqlite"`, `"postgres"` or `"mysql"`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// The most parameters one statement may bind.
    pub fn max_binds(self) -> usize {
        match self {
            Backend::Sqlite => 32_766,
            Backend::Postgres | Backend::Mysql => 65_535,
        }
    }

    /// Whether a key list of `kind` is bound as one array (`= ANY($1)`), which needs no
    /// splitting and keeps one cached statement whatever the number of keys: PostgreSQL, for
    /// integer, text, binary and UUID keys.
    pub fn binds_key_arrays(self, kind: ColumnType) -> bool {
        self == Backend::Postgres
            && matches!(
                kind,
                ColumnType::SmallInt
                    | ColumnType::Integer
                    | ColumnType::BigInt
                    | ColumnType::Text
                    | ColumnType::Binary
                    | ColumnType::Uuid
            )
    }

    /// Up to how many values an `IN` list binds one by one (`IN (?, ?, ..)`); a longer one is
    /// bound as one value, whatever its length (`= ANY($1)` on PostgreSQL, a JSON array read
    /// by `json_each` on SQLite and `JSON_TABLE` on MySQL), so a filter on any number of keys
    /// is one statement on every backend.
    pub fn max_inline_values(self) -> usize {
        INLINE_VALUES
    }

    /// Quotes an identifier: `"name"` on PostgreSQL, `` `name` `` on MySQL and SQLite. SQLite
    /// takes a double-quoted name that matches no column for a string (its "double-quoted
    /// string" misfeature), so a column dropped behind the ORM's back would read as its own name
    /// on every row; a name in backticks is always a name, and such a column is "no such
    /// column".
    pub fn quote(self, ident: &str, out: &mut String) {
        let q = if self == Backend::Postgres { '"' } else { '`' };
        out.push(q);
        for c in ident.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
    }
}

/// See [`Backend::max_inline_values`]: past this, a list of values costs less bound as one
/// value than as many (BENCHMARKS.md, "IN lists").
const INLINE_VALUES: usize = 1_000;
