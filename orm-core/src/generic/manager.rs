//! The generic relation manager (`book.tags()`), Django's generic related manager.

use crate::db::connection::Connection;
use crate::error::{Error, Result};
use crate::generic::ItemsKey;
use crate::generic::{GenericForeignKey, GenericRelation, ObjectId};
use crate::model::{insert_one_if, lock_rows, pk_filter, Deleted, Model, Needs};
use crate::query::{CmpOp, Expr, Filter, QuerySet};
use crate::relation::{CreateRelated, RelatedManager};
use std::fmt;

use crate::db::sql::SqlWriter;
use crate::db::value::{Field, Value};

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

    fn pointing_at(target: (i64, String)) -> Filter<R::Items> {
        Filter::new(Expr::Cmp(
            ItemsKey::<R>::CONTENT_TYPE_COLUMN,
            CmpOp::Eq,
            Value::BigInt(target.0),
        )) & Filter::new(Expr::Cmp(
            ItemsKey::<R>::OBJECT_ID_COLUMN,
            CmpOp::Eq,
            Value::Text(target.1),
        ))
    }

    /// A query set of the related rows, to refine further. It names the owner's content type
    /// by a subquery, so it needs no connection; `all`, `count` and the writes use the id the
    /// connection caches instead.
    pub fn query(&self) -> QuerySet<R::Items> {
        let is_owner_type = Expr::ContentType(
            ItemsKey::<R>::CONTENT_TYPE_COLUMN,
            <R::Owner as Model>::TABLE,
        );
        let is_owner_key = Expr::Cmp(
            ItemsKey::<R>::OBJECT_ID_COLUMN,
            CmpOp::Eq,
            Value::Text(self.owner.key().to_object_id()),
        );
        R::Items::query().filter(Filter::new(Expr::And(vec![is_owner_type, is_owner_key])))
    }

    /// The related rows matching `filter`, as a query set.
    pub fn filter(&self, filter: Filter<R::Items>) -> QuerySet<R::Items> {
        self.query().filter(filter)
    }

    /// The related rows, by the content-type id the connection caches (read once).
    fn pointing(&self, conn: &mut Connection) -> Result<QuerySet<R::Items>> {
        let target = self.target(conn)?;
        Ok(R::Items::query().filter(Self::pointing_at(target)))
    }

    /// Points every object at the owner: one `UPDATE` (or one `save` each with `bulk(false)`,
    /// after one statement that looks for the owner's row), the objects updated in memory too.
    /// An object without a row is [`Error::Unsaved`], and so is an owner without one (no
    /// foreign key would refuse it); nothing is written.
    pub fn add<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o mut R::Items>,
    ) -> Result<()> {
        let mut objs: Vec<&mut R::Items> = objs.into_iter().collect();
        let (content_type, object_id) = self.target(conn)?;
        let before: Vec<Option<(i64, String)>> = objs
            .iter()
            .map(|o| ItemsKey::<R>::get(o).map(|(ct, id)| (ct, id.to_owned())))
            .collect();
        for obj in objs.iter_mut() {
            ItemsKey::<R>::set(obj, Some((content_type, object_id.clone())));
        }
        let write = |conn: &mut Connection| {
            if !self.bulk {
                // No foreign key refuses an owner without a row: look first.
                self.owner_exists(conn)?;
                return objs.iter().try_for_each(|o| o.save_or_insert(conn));
            }
            let keys: Vec<Value> = objs.iter().map(|o| o.key().to_value()).collect();
            if keys.is_empty() {
                return Ok(());
            }
            let mut w = SqlWriter::new(conn.backend());
            w.push("UPDATE ").ident(R::Items::TABLE).push(" SET ");
            w.ident(ItemsKey::<R>::CONTENT_TYPE_COLUMN).push(" = ");
            w.bind(Value::BigInt(content_type)).push(", ");
            w.ident(ItemsKey::<R>::OBJECT_ID_COLUMN).push(" = ");
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
                    conn, &objs,
                ));
            }
            Ok(())
        };
        let res = self.write(conn, write);
        if res.is_err() {
            for (obj, was) in objs.iter_mut().zip(before) {
                ItemsKey::<R>::set(obj, was);
            }
        }
        res
    }

    /// Runs a write in one transaction, retried after a deadlock ([`Connection::atomic`]) unless
    /// `bulk(false)` runs save hooks, which a retry would run twice.
    fn write<T>(
        &self,
        conn: &mut Connection,
        f: impl FnMut(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        if self.bulk {
            conn.atomic(f)
        } else {
            conn.transaction(f)
        }
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

    /// Deletes the objects (they belong to the owner, else [`Error::NotRelated`] and nothing is
    /// deleted). One statement, plus what their `on_delete` rules cascade to.
    pub fn remove<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o R::Items>,
    ) -> Result<Deleted> {
        let objs: Vec<&R::Items> = objs.into_iter().collect();
        let (content_type, object_id) = self.target(conn)?;
        if let Some(stray) = objs
            .iter()
            .find(|o| ItemsKey::<R>::get(o) != Some((content_type, object_id.as_str())))
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
        self.pointing(conn)?.delete(conn)
    }

    /// Makes `objs` the related rows: related rows not among them are deleted, the others are
    /// added. One read, then at most one `DELETE` and one `UPDATE`, in one transaction.
    pub fn set<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o mut R::Items>,
    ) -> Result<()> {
        let mut objs: Vec<&mut R::Items> = objs.into_iter().collect();
        let query = self.pointing(conn)?;
        self.write(conn, |conn| {
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
            self.add(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }

    /// Django's `set(objs, clear=True)`: deletes every related row, then adds `objs`, in one
    /// transaction. The `clear`'s statements, then the `add`'s.
    pub fn set_with_clear<'o>(
        &self,
        conn: &mut Connection,
        objs: impl IntoIterator<Item = &'o mut R::Items>,
    ) -> Result<()> {
        let mut objs: Vec<&mut R::Items> = objs.into_iter().collect();
        let query = self.pointing(conn)?;
        self.write(conn, |conn| {
            query.delete(conn)?;
            self.add(conn, objs.iter_mut().map(|o| &mut **o))
        })
    }
}

/// A generic foreign key whose insert form can be pointed at an owner (the derive implements it
/// when both fields are in the insert form, as they are unless one is the primary key).
pub trait GenericInsert: GenericForeignKey {
    /// Sets both fields of an insert form.
    fn set_new(new: &mut <Self::Source as Model>::New, content_type: i64, object_id: String);
}

impl<R: GenericRelation> RelatedManager for GenericManager<'_, R>
where
    <R::Owner as Model>::Key: ObjectId,
{
    type Row = R::Items;

    fn related(&self, conn: &mut Connection) -> Result<QuerySet<R::Items>> {
        self.pointing(conn)
    }
}

impl<R: GenericRelation> CreateRelated<<R::Items as Model>::New> for GenericManager<'_, R>
where
    <R::Owner as Model>::Key: ObjectId,
    ItemsKey<R>: GenericInsert,
{
    /// Inserts a row pointing at the owner and returns it. `new` builds the insert form; its
    /// generic foreign key fields are overwritten. One statement (two on MySQL), which inserts
    /// nothing when the owner has no row: then [`Error::Unsaved`] (no foreign key would refuse
    /// a row pointing at nothing).
    fn create(&self, conn: &mut Connection, new: <R::Items as Model>::New) -> Result<R::Items> {
        let (content_type, object_id) = self.target(conn)?;
        let mut new = new;
        <ItemsKey<R> as GenericInsert>::set_new(&mut new, content_type, object_id);
        insert_one_if::<R::Items>(conn, &new, self.owner_row())?.ok_or_else(|| self.unsaved())
    }
}
