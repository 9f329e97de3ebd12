#!/usr/bin/env bash
# Speed of `heldout questions` on a tagged corpus (issue 17, item 7): sentences per CPU-second and
# peak RSS for the shipped templates on UD French-GSD's development file with FreeDict fra-eng,
# release builds, "before" and "after" side by side in one run (the machine is shared: compare
# within a run, never across runs). Also checks that both builds store the same items, byte for
# byte, and measures a floor: what SQLite alone costs to insert the same item rows.
#
#   bench/questions-speed.sh [TREEBANK.conllu]
#   BEFORE_BIN=/path/to/heldout bench/questions-speed.sh   # reuse a "before" binary
#   BEFORE_REF=<commit>   # what to build as "before" (default 9b94ceb, the commit before the speed work)
#   NO_BUILD=1            # use the existing .build-release binary as "after"
#   REPEAT=3              # runs per binary; the best CPU time is reported
#
# The treebank is read by path, never copied. Output: bench/out/questions-speed/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
treebank="${1:-$here/../shared/data/ud-french-gsd/fr_gsd-ud-dev.conllu}"
[ -r "$treebank" ] || treebank=/work/shared/data/ud-french-gsd/fr_gsd-ud-dev.conllu
[ -r "$treebank" ] || { echo "no treebank at $treebank" >&2; exit 2; }
dict=/usr/share/dictd/freedict-fra-eng.index
out="$here/bench/out/questions-speed"; mkdir -p "$out"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
repeat="${REPEAT:-3}"
before_ref="${BEFORE_REF:-9b94ceb}"

if [ ! -r "$dict" ]; then
  echo "installing FreeDict fra-eng (Debian package dict-freedict-fra-eng)" >&2
  apt-get install -y dict-freedict-fra-eng > "$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; exit 2; }
fi
command -v sqlite3 > /dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 2; }

after="$here/.build-release/release/heldout"
if [ -z "${NO_BUILD:-}" ]; then
  (cd "$here" && swift build -c release --build-path .build-release --product heldout > "$tmp/build.log" 2>&1) \
    || { tail -30 "$tmp/build.log" >&2; exit 1; }
fi
[ -x "$after" ] || { echo "no binary at $after" >&2; exit 2; }

# "before": built from $before_ref in a scratch checkout outside the repository, kept between runs.
before="${BEFORE_BIN:-}"
if [ -z "$before" ]; then
  scratch="${TMPDIR:-/tmp}/heldout-before-$before_ref"
  before="$scratch/.build-release/release/heldout"
  if [ ! -x "$before" ]; then
    echo "building the before binary ($before_ref) in $scratch (a clean release build: minutes)" >&2
    rm -rf "$scratch/src"; mkdir -p "$scratch/src"
    git -C "$here" archive "$before_ref" | tar -x -C "$scratch/src"
    (cd "$scratch/src" && swift build -c release --build-path "$scratch/.build-release" --product heldout > "$tmp/before-build.log" 2>&1) \
      || { tail -30 "$tmp/before-build.log" >&2; exit 1; }
  fi
fi

sentences=$(grep -c '^# text = ' "$treebank")
"$after" ingest --store "$tmp/base.sqlite" --lang fr "$treebank" > /dev/null
"$after" ingest --store "$tmp/base.sqlite" "$dict" > /dev/null

# measure LABEL BINARY TEMPLATES_DIR: best of $repeat runs on a fresh copy of the store
measure() {
  local label=$1 binary=$2 templates=$3 i
  for i in $(seq "$repeat"); do
    cp "$tmp/base.sqlite" "$tmp/$label.sqlite"
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/$label.$i.time" "$binary" questions --store "$tmp/$label.sqlite" \
      --templates "$templates" --json > "$out/$label.report.json" 2> /dev/null
  done
  cat "$tmp/$label".*.time > "$out/$label.times"
}

mkdir -p "$tmp/grammar"; cp "$here"/templates/grammar-*.yaml "$tmp/grammar/"
for set in all grammar; do
  templates="$here/templates"; [ "$set" = grammar ] && templates="$tmp/grammar"
  # interleaved, so that both builds see the same load on a shared machine
  measure "before-$set" "$before" "$templates"
  measure "after-$set" "$after" "$templates"
done

# Same items, byte for byte: the JSON Lines export and the stored rows of both builds.
"$before" items --store "$tmp/before-all.sqlite" --jsonl > "$tmp/before.items.jsonl"
"$after" items --store "$tmp/after-all.sqlite" --jsonl > "$tmp/after.items.jsonl"
rows() {
  sqlite3 "$1" "SELECT hex(id), template, template_version, category, lang, pair, question, answer, rubric, target_lemma,
                        target_lang, consistency_group, grade, domain, typeof(grade) FROM item ORDER BY id;
                SELECT hex(item_id), ordinal, hex(segment) FROM item_segment ORDER BY 1, 2;" | sha256sum | cut -c1-16
}
identical="yes"
cmp -s "$tmp/before.items.jsonl" "$tmp/after.items.jsonl" || identical="NO (items --jsonl differ)"
[ "$(rows "$tmp/before-all.sqlite")" = "$(rows "$tmp/after-all.sqlite")" ] || identical="NO (stored rows differ)"
items=$(wc -l < "$tmp/after.items.jsonl")

# Floor: SQLite alone inserting the same item rows and links into empty tables with the store's
# schema and indexes, in one transaction, in question order (ids arrive in no order, as in a run).
sqlite3 "$tmp/after-all.sqlite" ".schema item" ".schema item_segment" > "$tmp/schema.sql"
rm -f "$tmp/floor.sqlite"; sqlite3 "$tmp/floor.sqlite" < "$tmp/schema.sql"
cat > "$tmp/floor.sql" <<SQL
ATTACH '$tmp/after-all.sqlite' AS src;
BEGIN;
INSERT INTO main.item SELECT * FROM src.item ORDER BY question;
INSERT INTO main.item_segment SELECT s.* FROM src.item_segment s JOIN src.item i ON i.id = s.item_id ORDER BY i.question, s.ordinal;
COMMIT;
SQL
# The same reads and sorts without the inserts, subtracted: what is left is the inserting.
cat > "$tmp/read.sql" <<SQL
ATTACH '$tmp/after-all.sqlite' AS src;
SELECT count(*), sum(length(x.question)) FROM (SELECT * FROM src.item ORDER BY question) x;
SELECT count(*), sum(x.ordinal) FROM (SELECT s.* FROM src.item_segment s JOIN src.item i ON i.id = s.item_id ORDER BY i.question, s.ordinal) x;
SQL
for i in $(seq "$repeat"); do
  rm -f "$tmp/floor-run.sqlite"; cp "$tmp/floor.sqlite" "$tmp/floor-run.sqlite"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/floor.$i.time" sqlite3 "$tmp/floor-run.sqlite" < "$tmp/floor.sql"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/read.$i.time" sqlite3 "$tmp/floor-run.sqlite" < "$tmp/read.sql" > /dev/null
done
cat "$tmp"/floor.*.time > "$out/floor.times"
cat "$tmp"/read.*.time > "$out/read.times"

python3 - "$out" "$sentences" "$items" "$identical" "$before_ref" <<'PY' | tee "$out/summary.txt"
import sys
out, n, items, identical, ref = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
def best(name):
    runs = [tuple(map(float, l.split())) for l in open(f"{out}/{name}.times") if l.strip()]
    wall, user, sys_, rss = min(runs, key=lambda r: r[1] + r[2])
    return wall, user + sys_, int(rss) // 1024
print(f"questions on {n:,} sentences (UD French-GSD dev + FreeDict fra-eng), release builds, best of {len(open(f'{out}/floor.times').readlines())} runs")
print(f"{'':36}{'CPU s':>8}{'sent/CPU-s':>12}{'wall s':>8}{'peak RSS':>10}")
rates = {}
for set_ in ("all", "grammar"):
    for label in ("before", "after"):
        wall, cpu, rss = best(f"{label}-{set_}")
        rates[(label, set_)] = n / max(cpu, 1e-9)
        name = f"{label} ({ref})" if label == "before" else "after"
        print(f"{name + ', ' + set_ + ' templates':36}{cpu:8.2f}{n / max(cpu, 1e-9):12,.0f}{wall:8.2f}{rss:8} MB")
for set_ in ("all", "grammar"):
    print(f"speed-up, {set_} templates: x{rates[('after', set_)] / rates[('before', set_)]:.2f}")
_, total, _ = best("floor")
_, reading, _ = best("read")
cpu = max(total - reading, 1e-3)
print(f"floor: sqlite3 alone inserting the {items:,} item rows and their links ({total:.2f} s CPU, less {reading:.2f} s "
      f"reading them): {cpu:.2f} s CPU = {n / cpu:,.0f} sentences/CPU-s at {items / n:.1f} items per sentence")
print(f"goal: >= 10,000 sentences/s; 1M sentences at the after rate (all templates): "
      f"{1e6 / rates[('after', 'all')] / 60:,.0f} min of CPU")
print(f"same items before and after (items --jsonl and stored rows): {identical}")
PY
[ "$identical" = "yes" ]
