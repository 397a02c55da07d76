#!/usr/bin/env bash
# Build times of a 50-model crate: with #[derive(Model)] and the schema build step, and the same
# models with plain diesel derives (table!, Queryable, Selectable, Insertable, Identifiable,
# Associations). Prints clean (the crate alone, dependencies already built) and incremental
# (one model file touched) times. Usage: bash bench/build-times.sh [N_MODELS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-50}"
work="$root/target/build-bench"
rm -rf "$work" && mkdir -p "$work/ours/src" "$work/diesel/src"

cat > "$work/Cargo.toml" <<TOML
[workspace]
resolver = "2"
members = ["ours", "diesel"]
[profile.dev.package."*"]
debug = false
TOML
cat > "$work/ours/Cargo.toml" <<TOML
[package]
name = "bench-ours"
version = "0.0.0"
edition = "2021"
[dependencies]
orm-core = { path = "$root/orm-core" }
diesel = { version = "2.3", default-features = false, features = ["sqlite"] }
[build-dependencies]
orm-codegen = { path = "$root/orm-codegen" }
TOML
cat > "$work/diesel/Cargo.toml" <<TOML
[package]
name = "bench-diesel"
version = "0.0.0"
edition = "2021"
[dependencies]
diesel = { version = "2.3", default-features = false, features = ["sqlite"] }
libsqlite3-sys = { version = ">=0.30, <0.39", features = ["bundled"] }
TOML
echo 'fn main() { orm_codegen::Build::new().file("src/models.rs").generate().unwrap(); }' > "$work/ours/build.rs"
printf '#![allow(dead_code)]\npub mod models;\norm_core::include_schema!();\n' > "$work/ours/src/lib.rs"
printf '#![allow(dead_code)]\npub mod models;\npub mod schema;\n' > "$work/diesel/src/lib.rs"

{
  echo "use orm_core::prelude::*;"
  for i in $(seq 1 "$n"); do
    echo "#[derive(Model, Debug, Clone, PartialEq)]"
    echo "pub struct M$i {"
    echo "    pub id: i64,"
    echo "    pub name: String,"
    echo "    pub score: i32,"
    echo "    pub ratio: Option<f64>,"
    echo "    pub flag: bool,"
    if [ "$i" -gt 1 ]; then
      echo "    #[foreign_key(M$((i - 1)), related_name = children_of_m$i)]"
      echo "    pub parent_id: i64,"
    fi
    echo "}"
  done
} > "$work/ours/src/models.rs"

{
  echo "use diesel::prelude::*;"
  echo "use crate::schema::*;"
  for i in $(seq 1 "$n"); do
    echo "#[derive(Queryable, Selectable, Identifiable, Debug, Clone, PartialEq$([ "$i" -gt 1 ] && echo ", Associations"))]"
    echo "#[diesel(table_name = m$i)]"
    [ "$i" -gt 1 ] && echo "#[diesel(belongs_to(M$((i - 1)), foreign_key = parent_id))]"
    echo "pub struct M$i { pub id: i64, pub name: String, pub score: i32, pub ratio: Option<f64>, pub flag: bool$([ "$i" -gt 1 ] && echo ", pub parent_id: i64") }"
    echo "#[derive(Insertable)]"
    echo "#[diesel(table_name = m$i)]"
    echo "pub struct NewM$i { pub name: String, pub score: i32, pub ratio: Option<f64>, pub flag: bool$([ "$i" -gt 1 ] && echo ", pub parent_id: i64") }"
  done
} > "$work/diesel/src/models.rs"
{
  for i in $(seq 1 "$n"); do
    echo "diesel::table! { m$i (id) { id -> BigInt, name -> Text, score -> Integer, ratio -> Nullable<Double>, flag -> Bool,$([ "$i" -gt 1 ] && echo " parent_id -> BigInt,") } }"
  done
  for i in $(seq 2 "$n"); do echo "diesel::joinable!(m$i -> m$((i - 1)) (parent_id));"; done
  echo -n "diesel::allow_tables_to_appear_in_same_query!("
  for i in $(seq 1 "$n"); do echo -n "m$i,"; done
  echo ");"
} > "$work/diesel/src/schema.rs"

cd "$work"
export CARGO_TARGET_DIR="$work/target"
cargo build -q -p bench-ours -p bench-diesel   # dependencies, untimed
t() { local s e; s=$(date +%s.%N); cargo build -q -p "$1"; e=$(date +%s.%N); echo "$e - $s" | bc; }
for crate in bench-ours bench-diesel; do
  dir=${crate#bench-}
  cargo clean -q -p "$crate"
  clean=$(t "$crate")
  touch "$dir/src/models.rs"
  incr=$(t "$crate")
  printf '%-14s models=%s clean=%6.2fs incremental=%6.2fs\n' "$crate" "$n" "$clean" "$incr"
done
