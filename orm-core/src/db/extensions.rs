//! State that the layers above hang off a connection, one value per type (the many-to-many
//! hooks, the content-type cache), so the connection names none of them.

use std::any::Any;

/// State kept per connection by a layer above. A transaction's start and end are passed on, for
/// state that must forget what a rolled-back transaction did.
pub(crate) trait Extension: Any + Send {
    /// A transaction, or a savepoint inside one, began.
    fn begin(&mut self) {}

    /// The innermost transaction ended: committed, or rolled back.
    fn end(&mut self, _committed: bool) {}
}

/// A connection's extensions, one per type. A few at most, so a list, found by downcasting.
#[derive(Default)]
pub(crate) struct Extensions {
    items: Vec<Box<dyn Extension>>,
    /// How many transactions are open: an extension made inside them is told of each.
    depth: u32,
}

impl Extensions {
    /// The `T` of this connection, if one was made.
    pub(crate) fn get<T: Extension>(&self) -> Option<&T> {
        self.items
            .iter()
            .find_map(|item| (item.as_ref() as &dyn Any).downcast_ref())
    }

    /// Runs `f` on the `T` of this connection, made on first use (and told of the
    /// transactions open).
    pub(crate) fn with<T: Extension + Default, R>(&mut self, f: impl FnOnce(&mut T) -> R) -> R {
        let found = self
            .items
            .iter_mut()
            .find_map(|item| (item.as_mut() as &mut dyn Any).downcast_mut::<T>());
        if let Some(item) = found {
            return f(item);
        }
        let mut item = T::default();
        (0..self.depth).for_each(|_| item.begin());
        let out = f(&mut item);
        self.items.push(Box::new(item));
        out
    }

    pub(crate) fn begin(&mut self) {
        self.depth += 1;
        self.items.iter_mut().for_each(|item| item.begin());
    }

    pub(crate) fn end(&mut self, committed: bool) {
        self.depth = self.depth.saturating_sub(1);
        self.items.iter_mut().for_each(|item| item.end(committed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Depth(u32, Vec<bool>);

    impl Extension for Depth {
        fn begin(&mut self) {
            self.0 += 1;
        }
        fn end(&mut self, committed: bool) {
            self.0 -= 1;
            self.1.push(committed);
        }
    }

    #[test]
    fn extensions_are_kept_by_type_and_see_transactions() {
        let mut extensions = Extensions::default();
        assert!(extensions.get::<Depth>().is_none());
        extensions.begin();
        extensions.begin();
        assert_eq!(
            extensions.with(|d: &mut Depth| d.0),
            2,
            "made inside two transactions"
        );
        extensions.end(false);
        extensions.begin();
        assert_eq!(extensions.get::<Depth>().map(|d| d.0), Some(2));
        extensions.end(true);
        extensions.end(true);
        let depth = extensions.get::<Depth>();
        assert_eq!(
            depth.map(|d| (d.0, d.1.clone())),
            Some((0, vec![false, true, true]))
        );
    }
}
