#!/usr/bin/env bash
# Issue 15 bench: a generated multi-way corpus built locally (`heldout build`) and on Spark
# (spark/heldout_spark.py) in local[1] and local[2]: wall time, peak memory, bytes shuffled
# (from Spark's event log), and whether the split files are the same bytes.
#
#   bench/spark.sh [UNITS]      (default 1000000; needs pyspark and java 17; HELDOUT_BIN=release binary;
#                                CORES="1 2" the local[N] runs; NEAR=1 a spec that isolates
#                                near-duplicates, with 4% near-copies, so Spark runs the band join;
#                                COMPARISON=1 a spec that writes the comparison too, size-matched)
#
# Peak memory: `/usr/bin/time -v`'s maximum resident set of the largest process of each run (for
# Spark that is the local-mode JVM, which is driver and executor at once, or the replay); the
# mapper processes' own peak is measured apart, on one source, since Spark starts them itself.
# During each Spark run a sampler also reads every process's own peak (VmHWM) once a second and
# reports the largest per role: the JVM, Python workers, `map units` mappers, the replay (where it
# runs), and each of the driver's own heldout steps (`map choose`, `map manifest`, `map classifier`,
# the audit, `map place`).
set -euo pipefail
cd "$(dirname "$0")/.."
UNITS=${1:-1000000}
# HELDOUT_BIN: a release binary already built (else it is built here).
if [ -z "${HELDOUT_BIN:-}" ]; then
  swift build -c release --product heldout >/dev/null
  HELDOUT_BIN=$PWD/.build/release/heldout
fi
BIN=$HELDOUT_BIN
WORK=$(mktemp -d /tmp/heldout-spark-bench.XXXXXX)
# On failure the logs are kept in $WORK-logs (the corpus and stores are removed either way).
# `set +e` first: under `set -e` a `kill` with no job left to kill ended the trap there, so a
# finished run exited 1 and left its corpus and stores (4.5 GB at 1M) behind.
trap 'status=$?; set +e; kill $(jobs -p) 2>/dev/null; [ $status -eq 0 ] || { mkdir -p "$WORK-logs"; cp "$WORK"/*.time "$WORK"/*.json "$WORK-logs/" 2>/dev/null; echo "logs kept in $WORK-logs"; }; rm -rf "$WORK"; exit $status' EXIT
mkdir -p "$WORK/corpus/templates"
cp templates/translation.yaml "$WORK/corpus/templates/"
python3 spark/generate_corpus.py "$WORK/corpus" --units "$UNITS" --templates templates ${NEAR:+--near-duplicates} ${COMPARISON:+--comparison}
du -sh "$WORK/corpus" | sed 's/^/corpus size: /'

peak() { grep "Maximum resident" "$1" | awk '{printf "%.0f MB", $6/1024}'; }
wall() { grep "Elapsed (wall" "$1" | awk '{print $8}'; }
digest() {
  (cd "$1" && sha256sum train.jsonl dev.jsonl test.jsonl dropped.jsonl manifest.json spec.yaml audit.json)
  if [ -n "${COMPARISON:-}" ]; then (cd "$1-comparison" && sha256sum train.jsonl dev.jsonl test.jsonl dropped.jsonl manifest.json); fi
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$WORK/corpus" && /usr/bin/time -v "$BIN" build spec.yaml --store "$WORK/local.sqlite" --out "$WORK/local" >/dev/null 2>"$WORK/local.time")
echo "local build:      wall $(wall "$WORK/local.time"), peak $(peak "$WORK/local.time"), load $(cut -d' ' -f1-3 /proc/loadavg)"
digest "$WORK/local" >"$WORK/local.sha"

# One mapper on the largest source, alone: what each executor's `heldout map units` holds.
(cd "$WORK/corpus" && echo 0 | /usr/bin/time -v "$BIN" map units spec.yaml >/dev/null 2>"$WORK/mapper.time")
echo "mapper (1 source): wall $(wall "$WORK/mapper.time"), peak $(peak "$WORK/mapper.time")"

# Largest VmHWM per role among the processes of this run (those whose command line names $WORK,
# and their descendants: the JVM's Python workers), sampled every second until $1 exists.
sample() {
  python3 - "$1" "$2" "$WORK" <<'PY'
import os, sys, time
stop, out, work = sys.argv[1:4]
peaks = {}
def role(cmd):
    if "map units" in cmd: return "mapper"
    if "map items" in cmd: return "items-mapper"
    if "map grade" in cmd or "map bands" in cmd: return "grade/bands-mapper"
    if "map select" in cmd or "map passages" in cmd: return "select/passages-mapper"
    if "map records" in cmd or "map dropped" in cmd: return "records/dropped-mapper"
    if "map replay" in cmd: return "replay"
    for mode in ("map choose", "map manifest", "map classifier", "map place", "map used"):
        if mode in cmd: return mode.replace(" ", "-")
    if " audit " in cmd: return "audit"
    if cmd.startswith("java") or "/java " in cmd.split(" -")[0] or "/bin/java" in cmd: return "jvm"
    if "heldout_spark.py" in cmd: return "python-driver"
    if "python" in cmd: return "python-worker"
    return None
while not os.path.exists(stop):
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit(): continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
            ppid = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]
            procs[pid] = (ppid, cmd)
        except (OSError, IndexError):
            continue
    def ours(pid, depth=0):
        if pid not in procs or depth > 20: return False
        return work in procs[pid][1] or ours(procs[pid][0], depth + 1)
    for pid, (ppid, cmd) in procs.items():
        r = role(cmd)
        if r is None or not ours(pid): continue
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmHWM:"):
                    peaks[r] = max(peaks.get(r, 0), int(line.split()[1]))
        except OSError:
            continue
    time.sleep(1)
with open(out, "w") as f:
    f.write(", ".join(f"{k} {v / 1024:.0f} MB" for k, v in sorted(peaks.items())) + "\n")
PY
}

for cores in ${CORES:-1 2}; do
  events="$WORK/events-$cores"; mkdir -p "$events"
  sample "$WORK/stop-$cores" "$WORK/peaks-$cores" &
  sampler=$!
  trap 'kill $sampler 2>/dev/null' ERR
  /usr/bin/time -v spark-submit --master "local[$cores]" --driver-memory 2g \
      --conf spark.eventLog.enabled=true --conf spark.eventLog.compress=false --conf spark.eventLog.dir="file://$events" \
      --conf spark.ui.showConsoleProgress=false \
      spark/heldout_spark.py "$WORK/corpus/spec.yaml" --out "$WORK/spark-$cores" --binary "$BIN" --json \
      >"$WORK/spark-$cores.json" 2>"$WORK/spark-$cores.time"
  touch "$WORK/stop-$cores"; wait "$sampler"
  shuffled=$(python3 - "$events" <<'PY' || echo unknown
import json, os, sys
total = 0
# Spark 4 may write a directory per application (eventlog_v2_*) holding the event files.
paths = [os.path.join(d, n) for d, _, names in os.walk(sys.argv[1]) for n in names if not n.startswith("appstatus")]
for path in paths:
    with open(path) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("Event") == "SparkListenerTaskEnd":
                m = e.get("Task Metrics") or {}
                total += (m.get("Shuffle Write Metrics") or {}).get("Shuffle Bytes Written", 0)
print(f"{total / 1e6:.1f} MB")
PY
)
  digest "$WORK/spark-$cores" >"$WORK/spark-$cores.sha"
  same=$(cmp -s "$WORK/local.sha" "$WORK/spark-$cores.sha" && echo yes || echo NO)
  echo "spark local[$cores]: wall $(wall "$WORK/spark-$cores.time"), peak $(peak "$WORK/spark-$cores.time"), shuffled $shuffled, same bytes: $same"
  echo "  peak per process (VmHWM, sampled): $(cat "$WORK/peaks-$cores"); load $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print("  driver: %s s, %s rows, items made on the cluster: %s; phases ended at (s): %s" % (s.get("seconds"), s.get("rows"), s.get("items", "no (" + str(s.get("items_on_driver")) + ")"), s.get("phases"))); n=s.get("split_near_duplicates"); n and print("  band join over the split'"'"'s used segments: %s" % n); print("  sides: %s" % s.get("sides")); print("  records: %s" % s.get("records")); print("  replay: %s; classifier: %s" % (s.get("replay"), s.get("classifier")))' "$WORK/spark-$cores.json"
done
