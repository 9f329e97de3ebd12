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

run() { # store, label — wall and CPU time: on a shared machine, items per CPU-second is the stable figure
  local store=$1 label=$2
  /usr/bin/time -f "%e %U %S %M" -o "$out/$label.time" "$bin" questions --store "$store" --templates "$tpl" --json > "$out/$label.json"
  python3 - "$out/$label.json" "$out/$label.time" "$label" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); wall, user, sys_, rss = open(sys.argv[2]).read().split()[-4:]
wall, cpu = float(wall), float(user) + float(sys_); d = r["templates"][0]
print(f"{sys.argv[3]}: {r['items']} items in {wall:.1f} s wall / {cpu:.1f} s CPU = {r['items']/wall:,.0f} items/s wall, "
      f"{r['items']/cpu:,.0f} items/CPU-s; peak RSS {int(rss)//1024} MB; candidates {d['candidates']}, answered {d['answered']}, "
      f"coverage {100*d['coverage']:.1f}%, in context {d['in_context']} ({100*d['in_context']/max(d['answered'],1):.1f}% of answered); "
      f"lemma {d['lemma_methods']}")
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
run "$big" "1M-segments"
