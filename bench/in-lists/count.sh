#!/usr/bin/env bash
# Instructions of one filter on N keys on SQLite, each form (callgrind: 1 and 11 rounds, a tenth of the
# difference). Usage: bash count.sh [N...]
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --example count -q
bin=${CARGO_TARGET_DIR:-target}/release/examples/count
for n in ${*:-10 100 1000 10000 30000}; do
  for form in inline one; do
    one=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$form" "$n" 1 2>&1 | sed -n 's/.*Collected : //p')
    two=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$form" "$n" 11 2>&1 | sed -n 's/.*Collected : //p')
    echo "$form $n $(((two - one) / 10))"
  done
done
