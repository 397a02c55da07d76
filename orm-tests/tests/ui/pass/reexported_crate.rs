//! A crate that re-exports orm-core under another path derives through that path
//! (`#[orm(crate = "..")]`), relations and their managers included.

mod facade {
    pub use orm_core as orm;
}

use orm_core::Model;

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(crate = "crate::facade::orm")]
pub struct Shelf {
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(crate = "crate::facade::orm", to_attr(first_shelf))]
#[many_to_many(Shelf, name = shelves, related_name = volumes)]
pub struct Volume {
    pub id: i64,
    #[foreign_key(Shelf, related_name = home_volumes)]
    pub home_id: i64,
}

fn main() {
    let shelf = Shelf { id: 1, name: "a".into() };
    let _ = (shelf.home_volumes(), shelf.volumes(), VolumeShelves, VolumeHome, VolumeFirstShelf);
}
