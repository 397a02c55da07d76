//! orm-core's layers import only downward (docs/ARCHITECTURE.md, "orm-core, layer by layer"):
//! a file names, through `crate::`, only modules of its own layer or of a layer below, and never
//! an item through the crate root's re-exports, which stand at the top. This reads no database.

use std::fs;
use std::path::{Path, PathBuf};

/// orm-core's layers, lowest first. A file's layer is the entry its path (from `src/`) starts
/// with; `model/` and `query/` are one layer, the one circle the design allows.
const LAYERS: &[&[&str]] = &[
    &["error.rs", "on_delete.rs"],
    &["db/"],
    &["model/", "query/"],
    &["migration.rs", "testing.rs"],
    &["relation/"],
    &["foreign_key/"],
    &["many_to_many/", "generic/"],
    &["prefetch.rs", "lib.rs"],
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../orm-core/src")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("orm-core/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer of a path from `src/` (`db/connection.rs`), or of a module named at the crate root
/// (`db`, `error`).
fn layer(path: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| {
        layer.iter().any(|entry| {
            path.starts_with(entry)
                || entry.strip_suffix('/').or(entry.strip_suffix(".rs")) == Some(path)
        })
    })
}

/// The first segment of every `crate::` path in `code` (`crate::{a, b}` gives both), without
/// comments, tests and `$crate::` (which a macro expands in the user's crate).
fn crate_paths(code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or(code);
    let code: String = code
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + "crate::".len()..];
        rest = after;
        if before.is_some_and(|c| c == '$' || c.is_alphanumeric() || c == '_') {
            continue;
        }
        match after.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(group.split(',').map(|name| ident(name.trim())));
            }
            None => out.push(ident(after)),
        }
    }
    out.retain(|name| !name.is_empty());
    out
}

#[test]
fn orm_core_files_import_only_their_own_layer_or_those_below() {
    let root = src();
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let (mut seen, mut upward) = (0, Vec::new());
    for path in &paths {
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(here) = layer(&name) else {
            panic!("{name} is on no layer: add it to LAYERS and to docs/ARCHITECTURE.md");
        };
        for target in crate_paths(&fs::read_to_string(path).unwrap()) {
            seen += 1;
            // A module's layer; any other name is an item of the root (a re-export, a macro).
            let there = layer(&target).unwrap_or(LAYERS.len() - 1);
            if there > here {
                upward.push(format!("{name} -> crate::{target}"));
            }
        }
    }
    assert!(
        seen > 300,
        "only {seen} `crate::` paths read: is the parser broken?"
    );
    assert!(
        upward.is_empty(),
        "imports against the layers:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_reader_finds_grouped_and_plain_paths_but_not_macro_or_commented_ones() {
    let code = "use crate::db::connection::Connection;\nuse crate::{error, query::Filter};\n\
                let x = crate::Model::NAME; // crate::relation\nmacro_rules! m { () => { $crate::prefetch } }\n\
                #[cfg(test)]\nmod tests { use crate::lib; }";
    assert_eq!(crate_paths(code), ["db", "error", "query", "Model"]);
    assert_eq!(layer("db/connection.rs"), Some(1));
    assert_eq!(layer("query"), layer("model/delete.rs"));
    assert_eq!(layer("generic"), Some(6));
    assert_eq!(layer("nowhere.rs"), None);
}
