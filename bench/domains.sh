#!/bin/sh
# Benchmark of a domain split on real multi-domain data (apart from the tests), issue 13's
# "document-level and domain splits over a 250k-segment store of real multi-way data ≤ 60 s".
#   corpora/fetch-debian.sh && bench/domains.sh [DOCUMENTS]
# Sources (all from corpora/fetch-debian.sh, nothing committed):
#   software  gettext.en-fr-de-es.tmx    Debian's message catalogues, English pivot with fr/de/es
#   manual    debian-reference.LANG.txt  the Debian Reference, en/fr/de/es, one document per paragraph
#   informal  fortunes.LANG.txt          fortune cookies, en/de/es, one document per cookie
# plus FreeDict fra-eng/deu-eng/spa-eng for the definition questions. The spec supervises software
# and manual and holds informal out, at `isolation.level: document` (and then `segment`). Prints
# each step's wall time and peak RSS, then the manifest's quota table and optimality.
# DOCUMENTS: how the TMX's documents are cut (default auto: each <tu>; prop:x-package makes each
# catalogue one document, the hardest case).
set -eu
DOCUMENTS=${1:-auto}
cd "$(dirname "$0")/.."
ROOT=$(pwd)
D="$ROOT/corpora/debian"
[ -f "$D/prose/fortunes.de.txt" ] || { echo "run corpora/fetch-debian.sh first (needs $D/prose/)" >&2; exit 1; }
WORK=${BENCH_DIR:-.bench}/domains-$(echo "$DOCUMENTS" | tr ':' '-')
mkdir -p "$WORK"
swift build -c release --product heldout >/dev/null
BIN=$(swift build -c release --show-bin-path)
TIME="/usr/bin/time -f wall_%e_s,_CPU_%U_user_+_%S_sys_s,_peak_RSS_%M_KB"

for level in document segment; do
  cat > "$WORK/domains-$level.yaml" <<YAML
name: domains-$level
seed: 7
sources:
  - { path: $D/gettext.en-fr-de-es.tmx, format: tmx, domain: software, documents: $DOCUMENTS }
  - { path: $D/prose/debian-reference.en.txt, format: text, lang: en, domain: manual }
  - { path: $D/prose/debian-reference.fr.txt, format: text, lang: fr, domain: manual }
  - { path: $D/prose/debian-reference.de.txt, format: text, lang: de, domain: manual }
  - { path: $D/prose/debian-reference.es.txt, format: text, lang: es, domain: manual }
  - { path: $D/prose/fortunes.en.txt, format: text, lang: en, domain: informal }
  - { path: $D/prose/fortunes.de.txt, format: text, lang: de, domain: informal }
  - { path: $D/prose/fortunes.es.txt, format: text, lang: es, domain: informal }
  - { path: $D/freedict/freedict-fra-eng.index, format: dictd, pair: fr-en }
  - { path: $D/freedict/freedict-deu-eng.index, format: dictd, pair: de-en }
  - { path: $D/freedict/freedict-spa-eng.index, format: dictd, pair: es-en }
templates: $ROOT/templates/
axis: domain
columns:
  software: { role: supervised }
  manual:   { role: supervised }
  informal: { role: heldout }
isolation:
  level: $level
  translations: true
  near_duplicates: { threshold: 0.8 }
  lexemes: true
  consistency_groups: true
partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.02 }
YAML
done

STORE="$WORK/domains.sqlite"
if [ ! -f "$STORE" ]; then
  echo "== build the store (ingest, grade, questions) once"
  $TIME "$BIN/heldout" build "$WORK/domains-document.yaml" --store "$STORE" --out "$WORK/out-document" --json > "$WORK/build.json" || true
fi
"$BIN/heldout" stats --store "$STORE" 2>/dev/null | head -40 || true
for level in document segment; do
  echo "== heldout split, domain axis, informal held out, level: $level"
  rm -rf "$WORK/out-$level"
  HELDOUT_STAGE_TIMES=1 $TIME "$BIN/heldout" split "$WORK/domains-$level.yaml" --store "$STORE" --out "$WORK/out-$level" || true
  python3 bench/quotas.py "$WORK/out-$level/manifest.json" || true
done
