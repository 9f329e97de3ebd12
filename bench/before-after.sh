#!/usr/bin/env bash
# Before and after a change, side by side in one run (issue 16: "no benchmark in bench/ is slower
# by more than its noise"). Two release binaries take turns on the same inputs, REPEAT times each,
# alternating, so load on this shared machine falls on both alike: compare within a run only.
#
#   bench/before-after.sh BEFORE_BIN AFTER_BIN      # e.g. a worktree of the base commit, built with
#                                                   # swift build -c release --static-swift-stdlib
#   REPEAT=3 ITEMS=1000000 UNITS=250000 bench/before-after.sh …
#
# Stages timed: ingest of a generated en-fr TMX (UNITS units, bench/gen_tmx.py), grade of it,
# and split of the generated store of bench/split.sh (ITEMS items, reused from .bench/ when there).
# Each run works on a fresh copy of its input store; the split outputs of both binaries must be
# the same bytes (checked). Prints min and median wall and CPU seconds and peak RSS per stage.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: bench/before-after.sh BEFORE_BIN AFTER_BIN}
after=${2:?usage: bench/before-after.sh BEFORE_BIN AFTER_BIN}
REPEAT=${REPEAT:-3}
ITEMS=${ITEMS:-1000000}
UNITS=${UNITS:-250000}
work=${BENCH_DIR:-.bench}/before-after
mkdir -p "$work"
results="$work/times.tsv"
: > "$results"

# The split's input: bench/split.sh's generated store (heldout-bench generate), made once.
store="${BENCH_DIR:-.bench}/bench-$ITEMS.sqlite"
if [ ! -f "$store" ]; then
    swift build -c release --product heldout-bench >/dev/null
    "$(swift build -c release --show-bin-path)/heldout-bench" generate "$store" "$ITEMS"
fi
tmx="bench/out/bench-$UNITS.tmx"
[ -f "$tmx" ] || python3 bench/gen_tmx.py "$UNITS" -o "$tmx"
cat "$tmx" > /dev/null   # in the page cache for both

timed() {  # LABEL STAGE COMMAND…: one timed run, appended to the results
    local label=$1 stage=$2; shift 2
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" || {
        echo "$label $stage failed:" >&2; cat "$work/stderr.txt" >&2; exit 1; }
    read -r wall user sys rss < "$work/time.txt"
    printf '%s\t%s\t%s\t%s\t%s\n' "$stage" "$label" "$wall" "$(awk "BEGIN{print $user + $sys}")" "$rss" >> "$results"
}

for round in $(seq "$REPEAT"); do
    for label in before after; do
        bin=$before; [ "$label" = after ] && bin=$after
        rm -f "$work/$label".sqlite*
        timed "$label" ingest "$bin" ingest "$tmx" --store "$work/$label.sqlite"
        timed "$label" grade "$bin" grade --store "$work/$label.sqlite"
        cp "$store" "$work/split-$label.sqlite"
        rm -rf "$work/out-$label"
        timed "$label" split "$bin" split bench/generated-store.yaml --store "$work/split-$label.sqlite" --out "$work/out-$label"
        rm -f "$work/split-$label.sqlite"*
    done
    for f in train.jsonl dev.jsonl test.jsonl dropped.jsonl; do
        cmp -s "$work/out-before/$f" "$work/out-after/$f" || { echo "split: $f differs between the binaries" >&2; exit 1; }
    done
    echo "round $round done (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
print(f"{'stage':8} {'binary':7} {'wall min':>9} {'wall med':>9} {'CPU min':>8} {'CPU med':>8} {'peak RSS':>9}")
for stage in ("ingest", "grade", "split"):
    for label in ("before", "after"):
        r = [x for x in rows if x[0] == stage and x[1] == label]
        wall = [float(x[2]) for x in r]; cpu = [float(x[3]) for x in r]; rss = max(int(x[4]) for x in r)
        print(f"{stage:8} {label:7} {min(wall):8.2f}s {statistics.median(wall):8.2f}s {min(cpu):7.2f}s {statistics.median(cpu):7.2f}s {rss/1024:7.0f}MB")
PY
echo "split outputs: same bytes from both binaries" >&2
