#!/bin/sh
# The audit page on a big split (issue 19): split a generated store of ITEMS items (the split
# writes audit.json and audit.html), then time `heldout audit` alone, report the page's size,
# and time headless Chromium building its DOM; a screenshot of the first screen is kept in
# bench/out/audit-page/ (git-ignored).
#   bench/audit-page.sh [ITEMS]      default 1000000
set -eu
ITEMS=${1:-1000000}
cd "$(dirname "$0")/.."
WORK=${BENCH_DIR:-.bench}
KEEP=bench/out/audit-page
mkdir -p "$WORK" "$KEEP"
swift build -c release --product heldout >/dev/null
swift build -c release --product heldout-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
STORE="$WORK/bench-$ITEMS.sqlite"
[ -f "$STORE" ] || "$BIN/heldout-bench" generate "$STORE" "$ITEMS"
OUT="$WORK/page-out-$ITEMS"
rm -rf "$OUT"
echo "== heldout split, $ITEMS items (writes audit.html)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$BIN/heldout" split bench/generated-store.yaml --store "$STORE" --out "$OUT" >/dev/null || true
wc -l "$OUT"/train.jsonl "$OUT"/dev.jsonl "$OUT"/test.jsonl
echo "== heldout audit alone"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$BIN/heldout" audit "$OUT" --store "$STORE" >/dev/null || true
echo "== page size"
ls -l "$OUT/audit.html" "$OUT/audit.json" | awk '{print $5, $9}'
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
  echo "== Chromium: build the DOM (--dump-dom), then a screenshot of the first screen"
  /usr/bin/time -o "$KEEP/time.txt" -f "dump-dom wall %e s, peak RSS %M KB" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --dump-dom "file://$PWD/$OUT/audit.html" > "$KEEP/dom-$ITEMS.html" 2>/dev/null
  cat "$KEEP/time.txt"
  grep -o '<div id="verdict"[^>]*>[^<]*</div>' "$KEEP/dom-$ITEMS.html" || echo "no verdict in the DOM"
  /usr/bin/time -o "$KEEP/time.txt" -f "screenshot wall %e s" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --screenshot="$PWD/$KEEP/first-screen-$ITEMS.png" --window-size=1280,900 "file://$PWD/$OUT/audit.html" 2>/dev/null
  cat "$KEEP/time.txt"
  cp "$OUT/audit.html" "$KEEP/audit-$ITEMS.html"
else
  echo "no chromium: apt-get install -y chromium"
fi
