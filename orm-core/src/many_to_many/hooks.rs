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
use crate::many_to_many::{EndKey, ManyToMany};

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
        self.extensions.get_mut::<Hooks>().add::<R>(Arc::new(hook));
    }

    /// Removes every hook of this connection.
    pub fn clear_hooks(&mut self) {
        self.extensions.get_mut::<Hooks>().clear();
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
