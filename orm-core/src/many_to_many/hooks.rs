//! Change hooks on many-to-many relations: Django's `m2m_changed`, typed per relation and
//! registered on a connection (no global registry: two connections, or two tests, never see
//! each other's hooks).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::db::connection::Connection;
use crate::db::extensions::Extension;
use crate::error::Result;
use crate::many_to_many::ManyToMany;

pub use super::definition::{M2mAction, M2mChanged};

/// A hook on relation `R`. It runs inside the change's transaction, on its connection; an error
/// rolls the change back and is returned to the caller.
pub type M2mHook<R> =
    Arc<dyn for<'e> Fn(&mut Connection, &M2mChanged<'e, R>) -> Result<()> + Send + Sync>;

/// The hooks of one connection, by relation type.
#[derive(Default)]
pub(crate) struct Hooks {
    m2m: HashMap<TypeId, Box<dyn Any + Send>>,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("relations", &self.m2m.len())
            .finish()
    }
}

impl Extension for Hooks {}

impl Hooks {
    pub(crate) fn add<R: ManyToMany>(&mut self, hook: M2mHook<R>) {
        let entry = self
            .m2m
            .entry(TypeId::of::<R>())
            .or_insert_with(|| Box::new(Vec::<M2mHook<R>>::new()));
        match entry.downcast_mut::<Vec<M2mHook<R>>>() {
            Some(hooks) => hooks.push(hook),
            // Unreachable (entries are keyed by their own type), but never a panic.
            None => *entry = Box::new(vec![hook]),
        }
    }

    pub(crate) fn get<R: ManyToMany>(&self) -> Vec<M2mHook<R>> {
        self.m2m
            .get(&TypeId::of::<R>())
            .and_then(|hooks| hooks.downcast_ref::<Vec<M2mHook<R>>>())
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn clear(&mut self) {
        self.m2m.clear();
    }
}

impl Connection {
    /// Registers a hook that runs before and after every `add`, `remove`, `clear` and `set` on
    /// relation `R` through this connection (Django's `m2m_changed`).
    ///
    /// ```
    /// # use orm_core::hooks::{M2mAction, M2mChanged};
    /// # fn register<R: orm_core::ManyToMany>(conn: &mut orm_core::Connection) {
    /// conn.on_m2m_changed::<R>(|_conn, change| {
    ///     if change.action() == M2mAction::PostAdd {
    ///         tracing::info!(reverse = change.is_reverse(), "linked");
    ///     }
    ///     Ok(())
    /// });
    /// # }
    /// ```
    pub fn on_m2m_changed<R: ManyToMany>(
        &mut self,
        hook: impl for<'e> Fn(&mut Connection, &M2mChanged<'e, R>) -> Result<()> + Send + Sync + 'static,
    ) {
        self.extensions
            .with(|hooks: &mut Hooks| hooks.add::<R>(Arc::new(hook)));
    }

    /// Removes every hook of this connection.
    pub fn clear_hooks(&mut self) {
        self.extensions.with(Hooks::clear);
    }

    pub(crate) fn m2m_hooks<R: ManyToMany>(&self) -> Vec<M2mHook<R>> {
        self.extensions
            .get::<Hooks>()
            .map(Hooks::get::<R>)
            .unwrap_or_default()
    }
}

/// Runs `hooks` with `change`.
pub(crate) fn fire<R: ManyToMany>(
    conn: &mut Connection,
    hooks: &[M2mHook<R>],
    change: &M2mChanged<'_, R>,
) -> Result<()> {
    for hook in hooks {
        hook(conn, change)?;
    }
    Ok(())
}
