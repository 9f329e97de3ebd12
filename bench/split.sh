#!/bin/sh
# Benchmark of `heldout split` (apart from the tests): end-to-end time and peak RSS on a generated
# store, and the near-duplicate stage against datasketch's MinHashLSH on the same sentences.
#   bench/split.sh [ITEMS] [NEARDUP_SENTENCES] [HARD_ITEMS]   defaults: 1000000 100000 250000
#     (0: skip that part). HARD_ITEMS: the hard cases of issue 13 — four-way pivots, one lexeme
#     in 30% of two columns, one document holding half the corpus, 10k documents — each split
#     with its own spec; kept items beside the manifest's upper bound, time and peak RSS.
# Stage times and peak RSS so far go to stderr (HELDOUT_STAGE_TIMES).
set -eu
ITEMS=${1:-1000000}
SENTENCES=${2:-100000}
HARD=${3:-250000}
cd "$(dirname "$0")/.."
WORK=${BENCH_DIR:-.bench}
mkdir -p "$WORK"
swift build -c release --product heldout >/dev/null
swift build -c release --product heldout-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)

STORE="$WORK/bench-$ITEMS.sqlite"
[ -f "$STORE" ] || "$BIN/heldout-bench" generate "$STORE" "$ITEMS"
echo "== heldout split, $ITEMS items"
HELDOUT_STAGE_TIMES=1 /usr/bin/time -f "wall %e s, CPU %U user + %S sys s, peak RSS %M KB" "$BIN/heldout" split bench/generated-store.yaml --store "$STORE" --out "$WORK/out-$ITEMS"
if [ "$HARD" -gt 0 ]; then
  for CASE in pivot lexeme document documents; do
    HSTORE="$WORK/hard-$CASE-$HARD.sqlite"
    [ -f "$HSTORE" ] || "$BIN/heldout-bench" hard "$HSTORE" "$CASE" "$HARD"
    "$BIN/heldout-bench" hard-spec "$CASE" > "$WORK/hard-$CASE.yaml"
    echo "== hard case $CASE, $HARD items"
    rm -rf "$WORK/hard-out-$CASE"
    /usr/bin/time -f "wall %e s, CPU %U user + %S sys s, peak RSS %M KB" "$BIN/heldout" split "$WORK/hard-$CASE.yaml" --store "$HSTORE" --out "$WORK/hard-out-$CASE" || true
    python3 bench/quotas.py "$WORK/hard-out-$CASE/manifest.json" || true
  done
fi
[ "$SENTENCES" -gt 0 ] || exit 0
echo "== near-duplicates, $SENTENCES sentences: heldout vs datasketch"
python3 -c "import datasketch" 2>/dev/null || pip install -q datasketch
python3 bench/neardup_compare.py "$SENTENCES" 0.8 "$BIN/heldout-bench" "$WORK"
