//! State that the layers above hang off a connection, one value per type (the many-to-many
//! hooks, the content-type cache), so the connection names none of them.

use std::any::{Any, TypeId};

/// State kept per connection by a layer above. A transaction's start and end are passed on, for
/// state that must forget what a rolled-back transaction did.
pub(crate) trait Extension: Any + Send {
    /// A transaction, or a savepoint inside one, began.
    fn begin(&mut self) {}

    /// The innermost transaction ended: committed, or rolled back.
    fn end(&mut self, _committed: bool) {}
}

/// A connection's extensions, by type. A few at most, so a list.
#[derive(Default)]
pub(crate) struct Extensions {
    items: Vec<(TypeId, Box<dyn Extension>)>,
    /// How many transactions are open: an extension made inside them is told of each.
    depth: u32,
}

impl Extensions {
    /// The `T` of this connection, if one was made.
    pub(crate) fn get<T: Extension>(&self) -> Option<&T> {
        let (_, item) = self.items.iter().find(|(id, _)| *id == TypeId::of::<T>())?;
        (item.as_ref() as &dyn Any).downcast_ref()
    }

    /// The `T` of this connection, made on first use (and told of the transactions open).
    pub(crate) fn get_mut<T: Extension + Default>(&mut self) -> &mut T {
        let at = match self
            .items
            .iter()
            .position(|(id, _)| *id == TypeId::of::<T>())
        {
            Some(at) => at,
            None => {
                let mut item = T::default();
                (0..self.depth).for_each(|_| item.begin());
                self.items.push((TypeId::of::<T>(), Box::new(item)));
                self.items.len() - 1
            }
        };
        let item = self.items[at].1.as_mut() as &mut dyn Any;
        match item.downcast_mut::<T>() {
            Some(item) => item,
            // Entries are keyed by their own type.
            None => unreachable!("an extension is stored under its own type"),
        }
    }

    pub(crate) fn begin(&mut self) {
        self.depth += 1;
        self.items.iter_mut().for_each(|(_, item)| item.begin());
    }

    pub(crate) fn end(&mut self, committed: bool) {
        self.depth = self.depth.saturating_sub(1);
        self.items
            .iter_mut()
            .for_each(|(_, item)| item.end(committed));
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
            extensions.get_mut::<Depth>().0,
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
