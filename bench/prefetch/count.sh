#!/usr/bin/env bash
# Instructions per round of each implementation (callgrind: repeatable, unlike wall time on a
# shared machine). Usage: bash count.sh SIZE [IMPL...]. Runs 1 and 2 rounds; prints the difference.
# Honours CARGO_TARGET_DIR, so a second build (other LIBSQLITE3_FLAGS) can sit beside the first.
set -euo pipefail
cd "$(dirname "$0")"
size=$1; shift
impls=${*:-orm diesel rusqlite sea_orm sea_orm_sync n_plus_one}
cargo build --release --example profile -q
bin=${CARGO_TARGET_DIR:-target}/release/examples/profile
for w in $impls; do
  one=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$w" "$size" 1 2>&1 | sed -n 's/.*Collected : //p')
  two=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$w" "$size" 2 2>&1 | sed -n 's/.*Collected : //p')
  echo "$w $size $((two - one))"
done
