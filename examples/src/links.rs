//! Seed 000's monitoring models: link targets and the data polled from them.

use orm_core::prelude::*;

/// A monitored link. `latest_data` names the prefetch that keeps only its newest data row.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(to_attr(latest_data))]
pub struct LinkTarget {
    pub id: i64,
    pub interface_index: Option<String>,
    #[orm(default = false)]
    pub dashboard: bool,
}

/// One poll of a link.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct LinkData {
    pub id: i64,
    #[foreign_key(LinkTarget, related_name = data, on_delete = Protect)]
    pub link_target_id: i64,
    pub interface_description: Option<String>,
}
