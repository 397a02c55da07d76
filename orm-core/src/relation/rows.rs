//! The rows of one prefetch level, read by position in the order the level's statement selects.

use std::collections::hash_map::Entry;

use diesel::backend::Backend;
use diesel::deserialize::{self, QueryableByName};
use diesel::row::NamedRow;

use crate::db::decode::{BuildAt, Column, Columns, Decode, ReadPart, SinkAt};
use crate::model::Model;

/// One prefetched row, read by position in the order `fetch.rs` selects: the parent key
/// (many-to-many), the object (aliases `l*`), the through row (`r*`), and the objects the
/// `select_related` joins brought (`orm_j0`, `j*`, `orm_j1`, ...).
#[derive(Debug)]
pub(crate) struct FetchRow<K, T, E, J> {
    pub key: K,
    pub target: T,
    pub extra: E,
    pub joined: J,
}

impl<DB: Backend, K: ReadPart<DB>, T: BuildAt<DB>, E: ReadPart<DB>, J: ReadPart<DB>>
    QueryableByName<DB> for FetchRow<K, T, E, J>
{
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let target = K::WIDTH;
        let extra = target + T::WIDTH;
        let joined = extra + E::WIDTH;
        Ok(FetchRow {
            key: K::read(row, 0)?,
            target: T::build_at(row, Columns::At(target))?,
            extra: E::read(row, extra)?,
            joined: J::read(row, joined)?,
        })
    }
}

/// The rows of a prefetch level.
///
/// Through a join table one object comes in several rows (a tag once per post that has it):
/// there ([`FetchRows::Shared`]) the rows are split into their parts and each object is kept
/// once; a row whose object came before reads only the parent key, the through part and the
/// object's key, not the object's other columns (the [`SinkAt`] impl). Elsewhere each row is
/// read whole.
#[derive(Debug)]
pub(crate) enum FetchRows<K, T: Model, E, J> {
    /// Each row whole, with its own object.
    Whole(Vec<FetchRow<K, T, E, J>>),
    /// Rows whose objects repeat.
    Shared(Shared<K, T, E, J>),
}

/// Rows whose objects repeat, split into their parts.
#[derive(Debug)]
pub(crate) struct Shared<K, T: Model, E, J> {
    /// Each distinct object, with its joined part.
    pub targets: Vec<(T, J)>,
    /// Each row's parent key.
    pub keys: Vec<K>,
    /// Each row's through part.
    pub extras: Vec<E>,
    /// Each row's object, as its index in `targets`.
    pub objects: Vec<usize>,
    /// The objects read so far, by primary key.
    seen: foldhash::HashMap<T::Key, usize>,
}

impl<K, T: Model, E, J> FetchRows<K, T, E, J> {
    /// Rows whose objects repeat (`shared`), or do not.
    pub fn new(shared: bool) -> Self {
        if shared {
            FetchRows::Shared(Shared {
                targets: Vec::new(),
                keys: Vec::new(),
                extras: Vec::new(),
                objects: Vec::new(),
                seen: foldhash::HashMap::default(),
            })
        } else {
            FetchRows::Whole(Vec::new())
        }
    }
}

impl<DB, K, T, E, J> SinkAt<DB> for FetchRows<K, T, E, J>
where
    DB: Backend,
    K: ReadPart<DB>,
    T: Model + BuildAt<DB>,
    T::Key: Decode<DB>,
    E: ReadPart<DB>,
    J: ReadPart<DB>,
{
    fn row<'a>(&mut self, row: &impl NamedRow<'a, DB>) -> deserialize::Result<()> {
        let shared = match self {
            FetchRows::Whole(whole) => {
                whole.push(FetchRow::build(row)?);
                return Ok(());
            }
            FetchRows::Shared(shared) => shared,
        };
        let target = K::WIDTH;
        let extra = target + <T as BuildAt<DB>>::WIDTH;
        let joined = extra + E::WIDTH;
        shared.keys.push(K::read(row, 0)?);
        shared.extras.push(E::read(row, extra)?);
        let pk = T::Key::decode(row, Column::Index(target + T::PK))?;
        let at = match shared.seen.entry(pk) {
            Entry::Occupied(at) => *at.get(),
            Entry::Vacant(slot) => {
                let object = T::build_at(row, Columns::At(target))?;
                shared.targets.push((object, J::read(row, joined)?));
                *slot.insert(shared.targets.len() - 1)
            }
        };
        shared.objects.push(at);
        Ok(())
    }
}
