#!/usr/bin/env bash
# Audit benchmark (issue 6): 1M training records against 100k evaluation records, release build.
# Goal: ≤ 60 s wall and ≤ 2 GB peak RSS. Prints wall time and peak RSS from /usr/bin/time -v.
#   bench/audit.sh [TRAIN] [EVAL]        (defaults 1000000 100000; data cached in bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
TRAIN=${1:-1000000}
EVAL=${2:-100000}
DIR=bench/out/audit-$TRAIN-$EVAL
if [ ! -s "$DIR/train.jsonl" ]; then
    echo "generating $TRAIN training and $EVAL evaluation records in $DIR" >&2
    python3 bench/generate.py "$DIR" "$TRAIN" "$EVAL"
fi
swift build -c release --product heldout >&2
BIN=$(swift build -c release --show-bin-path)/heldout
du -sh "$DIR"/*.jsonl >&2
# Run for real: no store (none is needed for the synthetic split).
/usr/bin/time -v -o "$DIR/time.txt" "$BIN" audit "$DIR" > "$DIR/summary.txt" || status=$?
echo "exit status: ${status:-0} (1 expected: the generator plants leaks)"
grep -E "^(audited|clean|LEAKING)|^(exact|folded|near|ngram|answer|translation|same|consistency)" "$DIR/summary.txt"
grep -E "Elapsed \(wall clock\)|Maximum resident set size|Percent of CPU|User time|System time" "$DIR/time.txt"
