#!/usr/bin/env bash
# Grading speed of this tree against a base binary, side by side in one run (issue 20: "grading
# speed is unchanged within noise"); called by bench/grade.sh when HELDOUT_BASE_BIN is set, or alone:
#
#   HELDOUT_BASE_BIN=/path/to/base/heldout bench/grade-speed.sh [WORKDIR]
#
# HELDOUT_BASE_BIN: the heldout to compare with (e.g. a release build of the commit before
# issue 20). HELDOUT_BIN: the heldout measured (default: this tree's release build, made here).
# DEBIAN_DIR (default corpora/debian, from corpora/fetch-debian.sh): its gettext.en-fr-de-es.tmx
# is ingested once by the base binary; or GRADE_SPEED_TMX, another TMX (e.g. the generated
# bench/out/bench-250000.tmx of bench/gen_tmx.py, whose units declare domains, so the metadata
# domains and the classifier have work). Each run grades a fresh copy with GRADE_SPEED_ARGS
# (unset: --no-classifier; set and empty, `GRADE_SPEED_ARGS=`: plain `heldout grade`, as
# bench/before-after.sh runs it), alternating base and new, GRADE_SPEED_RUNS times each
# (default 5). Prints min and median wall and CPU seconds and peak RSS of both, and the load
# average: on a shared machine read them together.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
base="${HELDOUT_BASE_BIN:?set HELDOUT_BASE_BIN to the heldout binary to compare with}"
if [ -z "${HELDOUT_BIN:-}" ]; then
    swift build -c release --static-swift-stdlib --scratch-path .build-release --product heldout >&2
    HELDOUT_BIN="$(swift build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path)/heldout"
fi
debian="${DEBIAN_DIR:-corpora/debian}"
tmx="${GRADE_SPEED_TMX:-$debian/gettext.en-fr-de-es.tmx}"
[ -f "$tmx" ] || { echo "bench/grade-speed.sh needs $tmx (corpora/fetch-debian.sh, or bench/gen_tmx.py)" >&2; exit 2; }
read -r -a grade_args <<< "${GRADE_SPEED_ARGS---no-classifier}"

# One ungraded store per TMX (named after it), reused by later runs in the same WORKDIR.
ungraded="$work/speed-$(basename "$tmx" .tmx)-ungraded.sqlite"
if [ ! -f "$ungraded" ]; then
    rm -f "$ungraded-wal" "$ungraded-shm"
    rm -f "$ungraded.tmp" "$ungraded.tmp-wal" "$ungraded.tmp-shm"
    "$base" ingest --store "$ungraded.tmp" --format tmx "$tmx" >&2
    mv "$ungraded.tmp" "$ungraded"
fi
# The same store opened once by the new binary: its migrations (if any) are not timed.
migrated="${ungraded%-ungraded.sqlite}-ungraded-new.sqlite"
cp "$ungraded" "$migrated"
"$HELDOUT_BIN" stats --store "$migrated" >/dev/null
python3 bench/grade_speed.py "$ungraded" "$migrated" "$base" "$HELDOUT_BIN" \
    "${GRADE_SPEED_RUNS:-5}" "$work" ${grade_args[@]+"${grade_args[@]}"}
