//! With the `serde` feature: a [`Loaded`] value serializes as its model's fields plus one entry
//! per prefetched relation, named by its accessor or `to_attr` name, nested as deep as it was
//! prefetched: `{"id": 1, "name": "Ann", "book_set": [{"id": 3, "title": "..", "reviews": []}]}`.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::loaded::{Loaded, Slot, SlotName};

/// A slot list that can write its entries into a map.
pub trait SerializeSlots {
    /// Writes one entry per slot.
    fn entries<S: SerializeMap>(&self, map: &mut S) -> Result<(), S::Error>;
}

impl SerializeSlots for () {
    fn entries<S: SerializeMap>(&self, _: &mut S) -> Result<(), S::Error> {
        Ok(())
    }
}

impl<K: SlotName, V: Serialize, T: SerializeSlots> SerializeSlots for (Slot<K, V>, T) {
    fn entries<S: SerializeMap>(&self, map: &mut S) -> Result<(), S::Error> {
        // The list is built by prepending: write the tail first, so keys come in the order the
        // paths were written.
        self.1.entries(map)?;
        map.serialize_entry(K::NAME, self.0.value())
    }
}

struct Slots<'a, R>(&'a R);

impl<R: SerializeSlots> Serialize for Slots<'_, R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.0.entries(&mut map)?;
        map.end()
    }
}

#[derive(serde::Serialize)]
#[serde(bound = "M: Serialize, R: SerializeSlots")]
struct Flat<'a, M, R: SerializeSlots> {
    #[serde(flatten)]
    model: &'a M,
    #[serde(flatten)]
    related: Slots<'a, R>,
}

impl<M: Serialize, R: SerializeSlots> Serialize for Loaded<M, R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Flat {
            model: self.model(),
            related: Slots(self.related()),
        }
        .serialize(serializer)
    }
}
