//! The one statement per relation level: which rows, for which parents, and the SQL.
//!
//! ```sql
//! SELECT [j.owner AS orm_k,] t.a AS l0, .. [, j.x AS r0, ..] [, <found> AS orm_j0, s0.a AS j0, ..]
//! FROM target t
//! [INNER JOIN link j ON j.other = t.pk]        -- many-to-many
//! [LEFT JOIN joined s0 ON s0.pk = t.fk ...]    -- select_related, one join per foreign key
//! WHERE <group> IN (..) | <group> = ANY($1)    -- the parents' keys
//!   AND <filters> [ORDER BY <order>]
//! ```
//!
//! With a limit or an offset the select is wrapped, and `ROW_NUMBER() OVER (PARTITION BY
//! <group> ORDER BY <order>)` keeps each parent's slice.

use std::collections::hash_map::Entry;
use std::hash::Hash;

use crate::db::backend::Backend;
use crate::db::connection::Connection;
use crate::db::decode::{ReadPartAll, JOINED, LEFT, RIGHT};
use crate::db::sql::{SqlWriter, Stmt};
use crate::db::value::{ColumnType, Field, KeyList, Value};
use crate::error::{Error, Result};
use crate::model::{FieldDef, Model};
use crate::query::{Expr, InSelect, QuerySet};

use super::kind::{Fetched, JoinSpec, Part, Scope};
use super::rows::{FetchRow, FetchRows};

/// Parents by key: foldhash (hashbrown's default hasher) is several times faster than SipHash
/// on these short keys, and hashing them is a few percent of a prefetch.
type HashMap<K, V> = foldhash::HashMap<K, V>;

const TARGET: &str = "t";
const LINK: &str = "j";
const JOIN: &str = "s";

/// Where the parents' keys are matched.
pub(crate) enum KeysIn {
    /// No parents: every row the query matches (a query's own `select_related`).
    All,
    /// A column of the related rows.
    Table { group: &'static str },
    /// A join table: its column holding the parent's key, the one holding the row's, and the
    /// row's column that the latter holds (its primary key, or a `to_field`).
    Link {
        table: &'static str,
        owner: &'static str,
        other: &'static str,
        held: &'static str,
    },
}

/// The parents by key, and the distinct keys in first-seen order, as binds when the level's
/// statement binds them.
pub(crate) struct ByKey<'p, K: ?Sized> {
    parents: HashMap<&'p K, Parents>,
    keys: Vec<Value>,
    scope: Scope,
}

/// What a level's statement selects its rows by.
#[derive(Clone, Copy)]
pub(crate) enum Keys<'a> {
    /// No parent has a key: no statement.
    None,
    /// These distinct keys, bound (an IN list, or PostgreSQL's one array).
    Bound(&'a [Value]),
    /// Every row whose parent key is set: the parents are their whole table ([`Scope::Table`]).
    Whole,
}

/// A parent key as the value bound to match it: a key field, or a generic object id (`str`).
pub(crate) trait BindKey {
    fn bind_value(&self) -> Value;
}

impl<K: Field> BindKey for K {
    fn bind_value(&self) -> Value {
        self.to_value()
    }
}

impl BindKey for str {
    fn bind_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

/// The parents with one key: nearly always one, so no allocation for it.
enum Parents {
    One(usize),
    Many(Vec<usize>),
}

impl Parents {
    fn push(&mut self, parent: usize) {
        match self {
            Parents::One(first) => *self = Parents::Many(vec![*first, parent]),
            Parents::Many(all) => all.push(parent),
        }
    }

    fn as_slice(&self) -> &[usize] {
        match self {
            Parents::One(one) => std::slice::from_ref(one),
            Parents::Many(all) => all,
        }
    }
}

impl<'p, K: BindKey + Eq + Hash + ?Sized> ByKey<'p, K> {
    /// Groups the parents by key; with [`Scope::Keys`], keeps each distinct key as a bind.
    pub(crate) fn new(keys: impl Iterator<Item = (usize, Option<&'p K>)>, scope: Scope) -> Self {
        let mut by = ByKey {
            parents: HashMap::default(),
            keys: Vec::new(),
            scope,
        };
        for (i, key) in keys {
            let Some(key) = key else { continue };
            match by.parents.entry(key) {
                Entry::Occupied(mut parents) => parents.get_mut().push(i),
                Entry::Vacant(slot) => {
                    if scope == Scope::Keys {
                        by.keys.push(key.bind_value());
                    }
                    slot.insert(Parents::One(i));
                }
            }
        }
        by
    }

    /// What the level's statement selects by.
    pub(crate) fn keys(&self) -> Keys<'_> {
        match self.scope {
            _ if self.parents.is_empty() => Keys::None,
            Scope::Table => Keys::Whole,
            Scope::Keys => Keys::Bound(&self.keys),
        }
    }

    /// Pairs each row with the parents whose key `parent_of` gives (from the row's parent key
    /// column, if any, and its object).
    pub(crate) fn link<R, T: Model, E, J>(
        &self,
        read: FetchRows<R, T, E, J>,
        parent_of: impl for<'r> Fn(&'r R, &'r T) -> Option<&'r K>,
    ) -> Fetched<T, E, J> {
        let mut links = Vec::with_capacity(match &read {
            FetchRows::Whole(rows) => rows.len(),
            FetchRows::Shared(shared) => shared.keys.len(),
        });
        let mut link = |i: usize, parents: Option<&Parents>| {
            if let Some(parents) = parents {
                links.extend(parents.as_slice().iter().map(|&p| (p, i)));
            }
        };
        match read {
            FetchRows::Whole(rows) => {
                for (i, row) in rows.iter().enumerate() {
                    link(
                        i,
                        parent_of(&row.key, &row.target).and_then(|k| self.parents.get(k)),
                    );
                }
                let mut extras = Vec::with_capacity(rows.len());
                let targets = rows
                    .into_iter()
                    .map(|row| {
                        extras.push(row.extra);
                        (row.target, row.joined)
                    })
                    .collect();
                Fetched {
                    targets,
                    extras,
                    objects: None,
                    links,
                }
            }
            FetchRows::Shared(shared) => {
                for (i, (key, &at)) in shared.keys.iter().zip(&shared.objects).enumerate() {
                    let parents = shared
                        .targets
                        .get(at)
                        .and_then(|(target, _)| parent_of(key, target))
                        .and_then(|k| self.parents.get(k));
                    link(i, parents);
                }
                Fetched {
                    targets: shared.targets,
                    extras: shared.extras,
                    objects: Some(shared.objects),
                    links,
                }
            }
        }
    }
}

/// A model's primary-key column.
pub(crate) fn pk<M: Model>() -> &'static str {
    M::FIELDS[M::PK].column
}

pub(crate) fn in_select(
    left: &'static str,
    left_as_text: Option<ColumnType>,
    table: &'static str,
    select: &'static str,
    select_as_text: Option<ColumnType>,
    filters: Vec<Expr>,
) -> Expr {
    Expr::InSelect(Box::new(InSelect {
        left,
        left_as_text,
        table,
        select,
        select_as_text,
        filters,
    }))
}

/// Runs the level's statement for the parents' `keys`: one, or one per chunk where the backend's
/// bind limit forces it. Keys are distinct, so no row comes twice. No keys, no statement. For
/// a whole table, one statement that binds no keys.
///
/// Through a join table one object comes once per link (a tag once per post that has it, even
/// within one chunk): it is read once, and its other rows read only its key.
pub(crate) fn fetch_rows<K: ReadPartAll, T: Model, E: Part, J: ReadPartAll>(
    conn: &mut Connection,
    query: &QuerySet<T>,
    from: KeysIn,
    joins: &[JoinSpec],
    keys: Keys<'_>,
    kind: ColumnType,
) -> Result<FetchRows<K, T, E, J>> {
    let mut read = FetchRows::new(matches!(from, KeysIn::Link { .. }));
    let keys = match keys {
        Keys::None => return Ok(read),
        Keys::Whole => None,
        Keys::Bound(keys) => Some(keys),
    };
    check_width(joins)?;
    let backend = conn.backend();
    // The statement is prepared once per connection when its SQL takes few forms: an array
    // bind, or an IN list padded to a power of two; and no IN list among the filters. Not on
    // MySQL, whose prepared statements count against a server-wide limit
    // (`max_prepared_stmt_count`) that many connections times many forms could reach.
    let cache = backend != Backend::Mysql && !query.filters.iter().any(Expr::has_list);
    let mut run = |conn: &mut Connection, chunk: Option<&[Value]>| {
        let stmt = select(backend, query, &from, joins, E::FIELDS, chunk, kind);
        match &mut read {
            FetchRows::Shared(_) => conn.load_into(&stmt, cache, &mut read),
            // Every row read whole: diesel's own loop.
            FetchRows::Whole(whole) => {
                let rows = if cache {
                    conn.load_cached::<FetchRow<K, T, E, J>>(&stmt)?
                } else {
                    conn.load::<FetchRow<K, T, E, J>>(&stmt)?
                };
                if whole.is_empty() {
                    *whole = rows;
                } else {
                    whole.extend(rows);
                }
                Ok(())
            }
        }
    };
    let Some(keys) = keys else {
        run(conn, None)?;
        return Ok(read);
    };
    let per_statement = if backend.binds_key_arrays(kind) {
        keys.len()
    } else {
        let mut probe = SqlWriter::new(backend);
        for filter in &query.filters {
            filter.write(&mut probe);
        }
        // The filters' binds and the top-N bounds share the limit with the keys.
        backend
            .max_binds()
            .saturating_sub(probe.bind_count() + 2)
            .max(1)
    };
    for chunk in keys.chunks(per_statement) {
        let padded;
        let chunk = if backend.binds_key_arrays(kind) || !cache {
            chunk
        } else {
            padded = pad(chunk, per_statement);
            &padded[..]
        };
        run(conn, Some(chunk))?;
    }
    Ok(read)
}

/// The rows of `query`, each with the rows its foreign keys `joins` point at: one statement
/// (`select_related` on a query).
pub(crate) fn select_joined<T: Model, J: ReadPartAll>(
    conn: &mut Connection,
    query: &QuerySet<T>,
    joins: &[JoinSpec],
) -> Result<Vec<(T, J)>> {
    check_width(joins)?;
    let stmt = select(
        conn.backend(),
        query,
        &KeysIn::All,
        joins,
        &[],
        None,
        ColumnType::BigInt,
    );
    let rows = conn.load::<FetchRow<(), T, (), J>>(&stmt)?;
    Ok(rows.into_iter().map(|r| (r.target, r.joined)).collect())
}

/// The joined columns must fit the aliases (`j0` ...).
fn check_width(joins: &[JoinSpec]) -> Result<()> {
    let joined: usize = joins.iter().map(|j| j.fields.len()).sum();
    if joined > JOINED.len() {
        return Err(Error::InvalidInput(format!(
            "`select_related` joins {joined} columns into one statement; at most {} fit",
            JOINED.len()
        )));
    }
    Ok(())
}

/// `keys` lengthened to the next power of two (at most `limit`) by repeating the last key, which
/// matches no other row: a level then has a few IN-list lengths, so a few statements to prepare.
fn pad(keys: &[Value], limit: usize) -> Vec<Value> {
    let len = keys.len().checked_next_power_of_two().unwrap_or(keys.len());
    let len = len.min(limit).max(keys.len());
    let mut padded = Vec::with_capacity(len);
    padded.extend_from_slice(keys);
    if let Some(last) = keys.last() {
        padded.resize(len, last.clone());
    }
    padded
}

#[allow(clippy::too_many_arguments)]
fn select<T: Model>(
    backend: Backend,
    query: &QuerySet<T>,
    from: &KeysIn,
    joins: &[JoinSpec],
    through: &[FieldDef],
    keys: Option<&[Value]>,
    kind: ColumnType,
) -> Stmt {
    let mut w = SqlWriter::new(backend);
    // A slice per parent; without parents, a slice of the whole (`LIMIT`, below).
    let top_n = (query.limit.is_some() || query.offset.is_some()) && !matches!(from, KeysIn::All);
    let group = |w: &mut SqlWriter| {
        match from {
            KeysIn::All => w,
            KeysIn::Table { group } => w.qualified(TARGET, group),
            KeysIn::Link { owner, .. } => w.qualified(LINK, owner),
        };
    };
    let order = |w: &mut SqlWriter| {
        if query.order.is_empty() {
            w.qualified(TARGET, T::FIELDS[T::PK].column);
        }
        w.list(&query.order, ", ", |w, o| {
            w.qualify(TARGET, |w| o.write(w, TARGET));
        });
    };

    if top_n {
        w.push("SELECT * FROM (");
    }
    w.push("SELECT ");
    if let KeysIn::Link { owner, .. } = from {
        w.qualified(LINK, owner).push(" AS orm_k, ");
    }
    fields(&mut w, TARGET, T::FIELDS, LEFT);
    if !through.is_empty() {
        w.push(", ");
        fields(&mut w, LINK, through, RIGHT);
    }
    // Each join: a flag column, 0 when the LEFT JOIN found no row, then the row's columns.
    let mut aliases = JOINED;
    for (i, j) in joins.iter().enumerate() {
        let (names, rest) = aliases.split_at(j.fields.len().min(aliases.len()));
        aliases = rest;
        w.push(", CAST(CASE WHEN ").qualified(&join_alias(i), j.key);
        w.push(" IS NULL THEN 0 ELSE 1 END AS ");
        w.push(match backend {
            Backend::Mysql => "SIGNED",
            _ => "BIGINT",
        });
        w.push(&format!(") AS orm_j{i}, "));
        fields(&mut w, &join_alias(i), j.fields, names);
    }
    if top_n {
        w.push(", ROW_NUMBER() OVER (PARTITION BY ");
        group(&mut w);
        w.push(" ORDER BY ");
        order(&mut w);
        w.push(") AS orm_rn");
    }
    w.push(" FROM ").ident(T::TABLE).push(" ").ident(TARGET);
    if let KeysIn::Link {
        table, other, held, ..
    } = from
    {
        w.push(" INNER JOIN ").ident(table).push(" ").ident(LINK);
        w.push(" ON ").qualified(LINK, other).push(" = ");
        w.qualified(TARGET, held);
    }
    for (i, j) in joins.iter().enumerate() {
        let alias = join_alias(i);
        w.push(" LEFT JOIN ").ident(j.table).push(" ").ident(&alias);
        w.push(" ON ").qualified(&alias, j.key).push(" = ");
        match j.from {
            Some(from) => w.qualified(&join_alias(from), j.column),
            None => w.qualified(TARGET, j.column),
        };
    }
    let mut conditions = 0;
    if !matches!(from, KeysIn::All) {
        w.push(" WHERE ");
        group(&mut w);
        match keys {
            // Every parent row: every related row that has one.
            None => {
                w.push(" IS NOT NULL");
            }
            Some(keys) if backend.binds_key_arrays(kind) => {
                w.push(" = ANY(")
                    .bind(Value::Keys(KeyList::new(kind, keys)))
                    .push(")");
            }
            Some(keys) => {
                w.push(" IN (");
                w.list(keys, ", ", |w, k| {
                    w.bind(k.clone());
                });
                w.push(")");
            }
        }
        conditions += 1;
    }
    for filter in &query.filters {
        w.push(if conditions == 0 { " WHERE " } else { " AND " });
        w.qualify(TARGET, |w| filter.write(w));
        conditions += 1;
    }
    if top_n {
        let offset = clamp(query.offset.unwrap_or(0));
        w.push(") orm_p WHERE orm_rn > ")
            .bind(Value::BigInt(offset));
        if let Some(limit) = query.limit {
            w.push(" AND orm_rn <= ")
                .bind(Value::BigInt(offset.saturating_add(clamp(limit))));
        }
        w.push(" ORDER BY orm_rn");
    } else if !query.order.is_empty() {
        w.push(" ORDER BY ");
        order(&mut w);
    }
    if matches!(from, KeysIn::All) {
        query.write_limit(&mut w);
    }
    w.finish()
}

/// The alias of the `i`th joined table.
fn join_alias(i: usize) -> String {
    format!("{JOIN}{i}")
}

/// `alias.column AS name, ...`
fn fields(w: &mut SqlWriter, alias: &str, fields: &[FieldDef], names: &[&str]) {
    w.list(fields.iter().zip(names), ", ", |w, (f, name)| {
        w.qualified(alias, f.column).push(" AS ").push(name);
    });
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::pad;
    use crate::db::value::Value;

    fn keys(n: i64) -> Vec<Value> {
        (1..=n).map(Value::BigInt).collect()
    }

    #[test]
    fn key_lists_pad_to_a_power_of_two_within_the_limit_repeating_the_last_key() {
        assert_eq!(pad(&keys(3), 100), [1, 2, 3, 3].map(Value::BigInt));
        assert_eq!(pad(&keys(4), 100), keys(4));
        assert_eq!(pad(&keys(1), 100), keys(1));
        assert_eq!(pad(&keys(5), 6).len(), 6);
        assert_eq!(pad(&keys(1000), 32_766).len(), 1024);
        assert!(pad(&[], 10).is_empty());
    }
}
