#!/usr/bin/env bash
# Benchmark of `heldout questions` (issue 4): items per second over a store of 1M segments with
# FreeDict fra-eng, and definition coverage on the real gettext en–fr corpus.
#
#   bench/questions.sh [GETTEXT_DIR]     # GETTEXT_DIR holds gettext.en-fr.{en,fr} (corpora/fetch-debian.sh)
#
# Needs: apt-get install dict-freedict-fra-eng; a release build (swift build -c release).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gettext="${1:-$here/corpora/debian}"
bin="$here/.build/release/heldout"
dict=/usr/share/dictd/freedict-fra-eng.index
out="$here/bench/out"
mkdir -p "$out"
[ -x "$bin" ] || { echo "build first: swift build -c release" >&2; exit 2; }
[ -r "$dict" ] || { echo "apt-get install dict-freedict-fra-eng" >&2; exit 2; }
[ -r "$gettext/gettext.en-fr.fr" ] || { echo "no $gettext/gettext.en-fr.fr: run corpora/fetch-debian.sh" >&2; exit 2; }
tpl="$out/templates"; rm -rf "$tpl"; mkdir -p "$tpl"
cp "$here/templates/definition-in-context.yaml" "$tpl/"

run() { # store, label
  local store=$1 label=$2 t0 t1
  t0=$(date +%s.%N)
  "$bin" questions --store "$store" --templates "$tpl" --json > "$out/$label.json"
  t1=$(date +%s.%N)
  python3 - "$out/$label.json" "$t0" "$t1" "$label" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); t = float(sys.argv[3]) - float(sys.argv[2]); d = r["templates"][0]
print(f"{sys.argv[4]}: {r['items']} items in {t:.1f} s = {r['items']/t:,.0f} items/s; "
      f"candidates {d['candidates']}, answered {d['answered']}, coverage {100*d['coverage']:.1f}%, "
      f"in context {d['in_context']} ({100*d['in_context']/max(d['answered'],1):.1f}% of answered); lemma {d['lemma_methods']}")
PY
}

# 1. coverage on the real gettext en–fr corpus
real="$out/real.sqlite"; rm -f "$real"*
"$bin" ingest --store "$real" "$dict" > /dev/null
python3 "$here/bench/make_store.py" "$real" "$gettext/gettext.en-fr.fr" "$gettext/gettext.en-fr.en" gettext.en-fr
run "$real" "gettext-fr"

# 2. throughput over 1M segments (500k fr + 500k en; gettext pairs cycled with a numbered suffix)
big="$out/big.sqlite"; rm -f "$big"*
"$bin" ingest --store "$big" "$dict" > /dev/null
python3 "$here/bench/make_store.py" "$big" "$gettext/gettext.en-fr.fr" "$gettext/gettext.en-fr.en" synthetic 1000000
/usr/bin/time -f "peak RSS %M KB" "$bin" stats --store "$big" > /dev/null
run "$big" "1M-segments"
/usr/bin/time -f "questions peak RSS %M KB, %e s" "$bin" questions --store "$big" --templates "$tpl" > /dev/null
