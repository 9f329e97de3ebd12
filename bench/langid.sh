#!/usr/bin/env bash
# Language identification against lingua on Debian sentences of 6+ words (issue 20); called by
# bench/grade.sh, or alone:
#
#   pip install lingua-language-detector
#   corpora/fetch-langid.sh                   # the held-apart catalogues (corpora/langid/test/)
#   bench/langid.sh [WORKDIR]
#
# Prints the agreement (goal ≥ 98%), heldout's sentences/s on one thread (goal ≥ 100k) and
# lingua's, per-source rates of text not in its tag's language, and writes a seeded sample of 30
# disagreements to WORKDIR/langid-disagreements.tsv for hand-checking.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
python3 -c "import lingua" 2>/dev/null || { echo "bench/langid.sh needs: pip install lingua-language-detector" >&2; exit 2; }
[ -d corpora/langid/test ] || { echo "bench/langid.sh needs corpora/fetch-langid.sh first" >&2; exit 2; }
swift build -c release --static-swift-stdlib --scratch-path .build-release --product heldout-bench >&2
bench="$(swift build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path)/heldout-bench"
python3 bench/langid.py sentences "$work"
"$bench" langid "$work/langid.txt" >"$work/langid.ours.tsv" 2>"$work/langid.rate"
python3 bench/langid.py compare "$work" "$work/langid.ours.tsv" "$work/langid.rate"
