//! Seed 000: "prefetch only the latest record against the parent record".
//!
//! Django cannot slice a `Prefetch` queryset (`order_by('-id')[0:1]` raises "Cannot filter a
//! query once a slice has been taken"), so the answers fall back to an annotation and a second
//! hand-stitched query, or to PostgreSQL's `DISTINCT ON`. Here a limit on the prefetch path is
//! the newest row per parent, in one statement on every backend (`ROW_NUMBER() OVER (PARTITION
//! BY link_target_id ORDER BY id DESC)`), stored under its own name so `data` never lies.
//!
//! `cargo run --example latest_link_data`

use orm_core::prelude::*;
use orm_core::testing::count_queries;
use orm_examples::links::*;
use orm_examples::MIGRATION;

fn main() -> orm_core::Result<()> {
    let mut conn = Connection::open("sqlite::memory:")?;
    MIGRATION.apply(&mut conn)?;

    let targets = LinkTarget::bulk_create(
        &mut conn,
        [("eth0", true), ("eth1", true), ("eth2", false)].map(|(index, dashboard)| NewLinkTarget {
            interface_index: Some(index.into()),
            dashboard,
        }),
    )?;
    // Six polls, two per link, interleaved as a poller would write them.
    for round in 1..=2 {
        for t in &targets {
            LinkData::create(
                &mut conn,
                NewLinkData {
                    link_target_id: t.id,
                    interface_description: Some(format!("poll {round} of link {}", t.id)),
                },
            )?;
        }
    }

    let (dashboard, statements) = count_queries(&mut conn, |conn| {
        LinkTarget::query()
            .filter(LinkTarget::dashboard.eq(true))
            .order_by(LinkTarget::id.asc())
            .prefetch(
                LinkTargetData
                    .order_by(LinkData::id.desc())
                    .limit(1)
                    .to(LinkTargetLatestData),
            )
            .all(conn)
    });
    let dashboard = dashboard?;
    println!("dashboard links with their latest data ({statements} statements):");
    for target in &dashboard {
        // Reading the prefetched row costs nothing; `target.get(LinkTargetData)` would not
        // compile, because only the latest row was prefetched, under its own name.
        let latest = target.get(LinkTargetLatestData);
        println!(
            "  {} -> {:?}",
            target.interface_index.as_deref().unwrap_or("?"),
            latest
                .first()
                .and_then(|d| d.interface_description.as_deref())
        );
    }
    assert_eq!(statements, 2);
    assert_eq!(dashboard.len(), 2);
    for target in &dashboard {
        let latest = target.get(LinkTargetLatestData);
        assert_eq!(latest.len(), 1);
        assert_eq!(
            latest[0].interface_description.as_deref(),
            Some(format!("poll 2 of link {}", target.id).as_str())
        );
    }
    Ok(())
}
