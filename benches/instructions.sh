#!/bin/sh
# Instructions (and L1 data-cache misses) of `screener score` over the shared
# corpora, counted by cachegrind: unlike wall time on a shared machine, the same
# binary gives the same count on every run, so two binaries can be compared
# from one run each.
#
#   benches/instructions.sh [BINARY...]      (default: target/release/screener)
#
# Needs valgrind (apt-get install -y valgrind). About 15 s per binary.
set -e
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found: apt-get install -y valgrind" >&2; exit 1; }
[ $# -gt 0 ] || { cargo build --release --quiet; set -- target/release/screener; }
empty=$(mktemp -d)
for binary in "$@"; do
    for what in corpus start-up; do
        if [ $what = corpus ]; then paths="../shared/corpus/dev ../shared/corpus/spamassassin"; else paths=$empty; fi
        # shellcheck disable=SC2086
        valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null \
            "$binary" score --json $paths 2>&1 >/dev/null |
            awk -v b="$binary" -v w=$what '/I *refs:/ {ir=$4} /D1 *misses:/ {d1=$4} END {printf "%-32s %-8s %15s instructions %12s D1 misses\n", b, w, ir, d1}'
    done
done
rmdir "$empty"
