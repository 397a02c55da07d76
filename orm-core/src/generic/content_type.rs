//! Content types: one row per model in the table `orm_content_type`, which the build step adds to
//! every schema (with a row for each model it knows). A generic relation stores a content-type id beside an object id, so these ids
//! must come from the database the rows live in: they are looked up per database, created when
//! missing, and cached per connection, never assumed equal across databases.

use std::collections::HashMap;

use crate::db::backend::Backend;
use crate::db::connection::Connection;
use crate::db::decode::One;
use crate::db::extensions::Extension;
use crate::db::sql::SqlWriter;
use crate::db::value::Value;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::query::CONTENT_TYPE_TABLE;

/// A connection's cache of content-type ids, by model table. An id first seen inside a
/// transaction is kept only if that transaction commits: a rolled-back insert must not leave an
/// id behind that no row has.
#[derive(Debug, Default)]
pub(crate) struct ContentTypes {
    /// Table -> (id, the transaction depth it was seen at).
    ids: HashMap<&'static str, (i64, u32)>,
    depth: u32,
}

impl Extension for ContentTypes {
    fn begin(&mut self) {
        self.depth += 1;
    }

    /// Ends the innermost transaction: its ids move to the enclosing one on commit, and are
    /// forgotten on rollback.
    fn end(&mut self, committed: bool) {
        let depth = self.depth;
        self.depth = depth.saturating_sub(1);
        if committed {
            for entry in self.ids.values_mut() {
                if entry.1 == depth {
                    entry.1 = depth - 1;
                }
            }
        } else {
            self.ids.retain(|_, entry| entry.1 < depth);
        }
    }
}

impl Connection {
    /// The content-type id of model `M` in this connection's database. The first call on a
    /// connection reads it (one statement; three when the row is missing and is created); later
    /// calls cost nothing.
    pub fn content_type<M: Model>(&mut self) -> Result<i64> {
        let cached = self.extensions.get::<ContentTypes>();
        if let Some(&(id, _)) = cached.and_then(|cache| cache.ids.get(M::TABLE)) {
            return Ok(id);
        }
        let id = match self.find_content_type(M::TABLE)? {
            Some(id) => id,
            None => {
                self.create_content_type(M::TABLE)?;
                self.find_content_type(M::TABLE)?.ok_or(Error::NotFound {
                    model: "ContentType",
                })?
            }
        };
        self.extensions.with(|cache: &mut ContentTypes| {
            cache.ids.insert(M::TABLE, (id, cache.depth));
        });
        Ok(id)
    }

    fn find_content_type(&mut self, table: &str) -> Result<Option<i64>> {
        let mut w = SqlWriter::new(self.backend());
        w.push("SELECT ").ident("id").push(" AS v FROM ");
        w.ident(CONTENT_TYPE_TABLE).push(" WHERE ").ident("model");
        w.push(" = ").bind(Value::Text(table.to_owned()));
        let rows: Vec<One<i64>> = self.load(&w.finish())?;
        Ok(rows.first().map(|r| r.0))
    }

    /// Inserts the row unless another connection just did.
    fn create_content_type(&mut self, table: &str) -> Result<()> {
        let backend = self.backend();
        let mut w = SqlWriter::new(backend);
        w.push("INSERT INTO ").ident(CONTENT_TYPE_TABLE).push(" (");
        w.ident("model").push(") VALUES (");
        w.bind(Value::Text(table.to_owned())).push(")");
        if backend == Backend::Mysql {
            w.push(" ON DUPLICATE KEY UPDATE ")
                .ident("model")
                .push(" = ");
            w.ident("model");
        } else {
            w.push(" ON CONFLICT DO NOTHING");
        }
        self.execute(&w.finish()).map(drop)
    }
}
