#!/usr/bin/env bash
# Grading speed of this tree against a base binary, side by side in one run (issue 20: "grading
# speed is unchanged within noise"); called by bench/grade.sh when HELDOUT_BASE_BIN is set, or alone:
#
#   HELDOUT_BASE_BIN=/path/to/base/heldout bench/grade-speed.sh [WORKDIR]
#
# HELDOUT_BASE_BIN: the heldout to compare with (e.g. a release build of the commit before
# issue 20). HELDOUT_BIN: the heldout measured (default: this tree's release build, made here).
# DEBIAN_DIR (default corpora/debian, from corpora/fetch-debian.sh): its gettext.en-fr-de-es.tmx
# is ingested once by the base binary; each run grades a fresh copy with --no-classifier,
# alternating base and new, GRADE_SPEED_RUNS times each (default 5). Prints min and median wall
# and CPU seconds of both, and the load average: on a shared machine read them together.
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
tmx="$debian/gettext.en-fr-de-es.tmx"
[ -f "$tmx" ] || { echo "bench/grade-speed.sh needs $tmx (corpora/fetch-debian.sh)" >&2; exit 2; }

ungraded="$work/speed-ungraded.sqlite"
if [ ! -f "$ungraded" ]; then
    rm -f "$ungraded-wal" "$ungraded-shm"
    rm -f "$ungraded.tmp" "$ungraded.tmp-wal" "$ungraded.tmp-shm"
    "$base" ingest --store "$ungraded.tmp" --format tmx "$tmx" >&2
    mv "$ungraded.tmp" "$ungraded"
fi
# The same store opened once by the new binary: its migrations (if any) are not timed.
cp "$ungraded" "$work/speed-ungraded-new.sqlite"
"$HELDOUT_BIN" stats --store "$work/speed-ungraded-new.sqlite" >/dev/null
python3 bench/grade_speed.py "$ungraded" "$work/speed-ungraded-new.sqlite" "$base" "$HELDOUT_BIN" \
    "${GRADE_SPEED_RUNS:-5}" "$work"
