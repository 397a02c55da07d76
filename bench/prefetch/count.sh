#!/usr/bin/env bash
# Instructions per round of each implementation (callgrind: repeatable, unlike wall time on a
# shared machine). Usage: bash count.sh SIZE [IMPL...]. Runs 1 and 2 rounds; prints the difference.
set -euo pipefail
cd "$(dirname "$0")"
size=$1; shift
impls=${*:-orm diesel rusqlite sea_orm n_plus_one}
cargo build --release --example profile -q
for w in $impls; do
  one=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null ./target/release/examples/profile "$w" "$size" 1 2>&1 | sed -n 's/.*Collected : //p')
  two=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null ./target/release/examples/profile "$w" "$size" 2 2>&1 | sed -n 's/.*Collected : //p')
  echo "$w $size $((two - one))"
done
