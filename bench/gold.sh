#!/usr/bin/env bash
# Gold-answer bench (issue 17): runs the project's templates on UD French-GSD's development file
# with FreeDict fra-eng, then checks every grammar gold against the treebank's annotation with an
# independent checker (bench/gold_check.py), and times `heldout questions`.
#
#   bench/gold.sh [TREEBANK.conllu]
#   BEFORE_BIN=/path/to/old/heldout BEFORE_REF=<commit> bench/gold.sh   # also check an older build,
#                                   with that commit's templates, for the "before" figures
#   NO_BUILD=1 bench/gold.sh         # use the existing .build-release binary
#
# The treebank is read by path and never copied into the repository. Output: bench/out/gold/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
treebank="${1:-$here/../shared/data/ud-french-gsd/fr_gsd-ud-dev.conllu}"
[ -r "$treebank" ] || treebank=/work/shared/data/ud-french-gsd/fr_gsd-ud-dev.conllu
[ -r "$treebank" ] || { echo "no treebank at $treebank" >&2; exit 2; }
dict=/usr/share/dictd/freedict-fra-eng.index
out="$here/bench/out/gold"; mkdir -p "$out"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

if [ ! -r "$dict" ]; then
  echo "installing FreeDict fra-eng (Debian package dict-freedict-fra-eng)" >&2
  apt-get install -y dict-freedict-fra-eng > "$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; exit 2; }
fi

bin="$here/.build-release/release/heldout"
if [ -z "${NO_BUILD:-}" ]; then
  (cd "$here" && swift build -c release --build-path .build-release --product heldout > "$tmp/build.log" 2>&1) \
    || { tail -30 "$tmp/build.log" >&2; exit 1; }
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 2; }
sentences=$(grep -c '^# text = ' "$treebank")

# run LABEL BINARY TEMPLATES_DIR: fresh store, ingest, questions (timed), items, check
run() {
  local label=$1 binary=$2 templates=$3 store="$tmp/$1.sqlite"
  "$binary" ingest --store "$store" --lang fr "$treebank" > /dev/null
  "$binary" ingest --store "$store" "$dict" > /dev/null
  /usr/bin/time -v -o "$out/$label.time" "$binary" questions --store "$store" --templates "$templates" --json > "$out/$label.report.json"
  "$binary" items --store "$store" --jsonl > "$out/$label.items.jsonl"
  python3 "$here/bench/gold_check.py" "$treebank" "$out/$label.items.jsonl" --dict "$dict" --label "$label" \
    --json "$out/$label.check.json" --examples "${EXAMPLES:-2}" | tee "$out/$label.check.txt"
  # grammar templates alone: the speed of the grammar builder
  mkdir -p "$tmp/$label-grammar"; cp "$templates"/grammar-*.yaml "$tmp/$label-grammar/"
  /usr/bin/time -v -o "$out/$label.grammar.time" "$binary" questions --store "$store" --templates "$tmp/$label-grammar" --json > /dev/null
  python3 - "$out/$label.time" "$out/$label.grammar.time" "$out/$label.report.json" "$sentences" "$label" <<'PY'
import json, re, sys
def parse(path):
    t = open(path).read()
    def field(name):
        return re.search(re.escape(name) + r":\s*(.+)", t).group(1).strip()
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return seconds, cpu, int(field("Maximum resident set size (kbytes)")) // 1024
report = json.load(open(sys.argv[3])); n = int(sys.argv[4]); label = sys.argv[5]
for name, path in (("all templates", sys.argv[1]), ("grammar templates", sys.argv[2])):
    wall, cpu, rss = parse(path)
    print(f"{label}: questions ({name}) on {n} sentences: {wall:.2f} s wall, {cpu:.2f} s CPU = "
          f"{n / max(cpu, 1e-9):,.0f} sentences/CPU-s ({n / max(wall, 1e-9):,.0f}/s wall); peak RSS {rss} MB   goal: ≥ 10,000 sentences/s")
print(f"{label}: template report (items, candidates, answered, skipped):")
for t in report["templates"]:
    skipped = ", ".join(f"{k}: {v}" for k, v in sorted(t.get("skipped", {}).items(), key=lambda kv: -kv[1]))
    print(f"  {t['template']:28} {t['items']:6} {t['candidates']:6} {t['answered']:6}  {skipped}")
PY
}

if [ -n "${BEFORE_BIN:-}" ]; then
  mkdir -p "$tmp/before-templates"
  git -C "$here" archive "${BEFORE_REF:-main}" templates | tar -x -C "$tmp/before-templates"
  run before "$BEFORE_BIN" "$tmp/before-templates/templates" | tee "$out/before.txt"
fi
run after "$bin" "$here/templates" | tee "$out/after.txt"
