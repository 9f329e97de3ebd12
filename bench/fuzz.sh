#!/usr/bin/env bash
# Fuzzes every reader (issue 18): builds heldout-fuzz with libFuzzer and AddressSanitizer
# (scratch path .build-fuzz) and runs each target for SECONDS, seeded from the project's samples
# and test fixtures (by path) and from Tests/HeldoutFuzzTests/Regressions/TARGET/.
#
#   bench/fuzz.sh [SECONDS] [TARGET...]        (default 60 s, every target)
#
# Environment: FUZZ_JOBS targets at once (default 1; one per core is fair), FUZZ_OUT work
# directory (default bench/out/fuzz: each target's corpus, log and crash inputs), FUZZ_CONFIG
# debug (default: quicker to build, as CI does) or release (should give more executions per
# second, for long runs), FUZZ_NO_BUILD=1 to reuse the last build.
#
# Limits (a finding, not a refusal): -timeout=10 s for one input (a hang); -malloc_limit_mb=128,
# one allocation above the flat ingest bound (bench/ingest.sh: 100–128 MiB peak on any file size);
# -rss_limit_mb=1024, the process under ASan (its quarantine alone is 256 MiB); inputs up to
# 16 KiB, with a 512-byte segment limit so that the segment and line limits are reached.
#
# Prints per target: executions, executions per second, peak RSS, corpus size, and the findings
# (crash, leak, timeout, oom inputs written under FUZZ_OUT/TARGET/). Exits 1 if any target found one.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
jobs=${FUZZ_JOBS:-1}
out=${FUZZ_OUT:-bench/out/fuzz}
mkdir -p "$out"
out=$(cd "$out" && pwd)
config=${FUZZ_CONFIG:-debug}
scratch=.build-fuzz
bin=$scratch/$config/heldout-fuzz

if [[ "${FUZZ_NO_BUILD:-0}" != 1 ]]; then
    echo "building heldout-fuzz (libFuzzer + ASan) in $scratch ..." >&2
    swift build --scratch-path "$scratch" -c "$config" --product heldout-fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DHELDOUT_FUZZ >&2
fi

declare -A seeds
while IFS=$'\t' read -r name list; do seeds[$name]=$list; done < <(HELDOUT_FUZZ_LIST=1 "$bin")
if [[ $# -gt 0 ]]; then targets=("$@"); else
    targets=()
    while IFS=$'\t' read -r name _; do targets+=("$name"); done < <(HELDOUT_FUZZ_LIST=1 "$bin")
fi

run_target() {
    local t=$1 dir=$out/$1
    [[ -n "${seeds[$t]+x}" ]] || { echo "unknown target: $t" >&2; return 2; }
    rm -rf "$dir/scratch" "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* "$dir"/slow-unit-*
    mkdir -p "$dir/corpus"
    local inputs=${seeds[$t]}
    local regressions=Tests/HeldoutFuzzTests/Regressions/$t
    if [[ -d $regressions ]]; then
        for f in "$regressions"/*; do [[ -f $f ]] && inputs+=",$f"; done
    fi
    set +e
    HELDOUT_FUZZ_TARGET=$t HELDOUT_FUZZ_SCRATCH=$dir/scratch ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no \
        "$bin" "$dir/corpus" -seed_inputs="$inputs" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=1024 -malloc_limit_mb=128 -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="$dir/" > "$dir/log" 2>&1
    echo $? > "$dir/status"
    set -e
    rm -rf "$dir/scratch"
}

running=0
for t in "${targets[@]}"; do
    run_target "$t" &
    running=$((running + 1))
    if (( running >= jobs )); then wait -n || true; running=$((running - 1)); fi
done
wait || true

stat() { grep -m1 "^stat::$1:" "$2" | awk '{print $2}'; }
failed=0
printf '%-12s %12s %8s %9s %7s  %s\n' target executions exec/s "peak RSS" corpus findings
for t in "${targets[@]}"; do
    dir=$out/$t log=$out/$t/log
    findings=$(cd "$dir" && ls -1 crash-* leak-* timeout-* oom-* 2>/dev/null | tr '\n' ' ' || true)
    status=$(cat "$dir/status" 2>/dev/null || echo "?")
    if [[ $status != 0 ]]; then
        failed=1
        [[ -n $findings ]] || findings="exit $status (see $log)"
    fi
    printf '%-12s %12s %8s %6s MB %7s  %s\n' "$t" "$(stat number_of_executed_units "$log")" \
        "$(stat average_exec_per_sec "$log")" "$(stat peak_rss_mb "$log")" \
        "$(ls -1 "$dir/corpus" | wc -l)" "${findings:-none}"
done
if [[ $failed != 0 ]]; then
    echo "fuzzing found problems: reproduce with HELDOUT_FUZZ_TARGET=TARGET $bin INPUT" >&2
    for t in "${targets[@]}"; do
        [[ $(cat "$out/$t/status" 2>/dev/null) == 0 ]] || { echo "--- $t" >&2; grep -m5 -E "ERROR|Fatal error|SUMMARY|==[0-9]+==" "$out/$t/log" >&2 || true; }
    done
fi
exit $failed
