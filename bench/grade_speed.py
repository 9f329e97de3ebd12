#!/usr/bin/env python3
"""Side-by-side timing of `heldout grade` by two binaries on copies of one ingested store
(bench/grade-speed.sh). Runs alternate base/new so that both see the same machine load.

    grade_speed.py UNGRADED_BASE UNGRADED_NEW BASE_BIN NEW_BIN RUNS WORKDIR [GRADE_ARG...]

UNGRADED_BASE is the store as the base binary ingested it; UNGRADED_NEW the same file opened
once by the new binary (its migrations applied), so neither run pays for a migration. Each run
grades a fresh copy (`heldout grade` skips what is graded) with the GRADE_ARGs (none: plain
`heldout grade`). Prints each run, then per binary min and median of wall and CPU (user +
system, all threads) seconds and the largest peak resident set, and the machine's load average
before and after.
"""
import json
import os
import subprocess
import sys
import tempfile
import time


def run_timed(argv):
    """Wall seconds, CPU seconds, peak RSS (MB) and first stdout line of one run. The child's
    own rusage comes from wait4 (RUSAGE_CHILDREN would give the largest RSS of all runs)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)   # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed ({child.returncode}):\n{err.read()}")
        lines = out.read().splitlines()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, lines[0] if lines else ""


def fresh_copy(source, target):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    subprocess.run(["cp", source, target], check=True)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ungraded_base, ungraded_new, base_bin, new_bin, runs, work = sys.argv[1:7]
    grade_args = sys.argv[7:]
    runs = int(runs)
    binaries = {"base": (base_bin, ungraded_base), "new": (new_bin, ungraded_new)}
    times = {name: {"wall": [], "cpu": [], "rss": []} for name in binaries}
    load_before = load()
    for run in range(runs):
        # Alternate which goes first, so neither always follows the other's page-cache state.
        order = ["base", "new"] if run % 2 == 0 else ["new", "base"]
        for name in order:
            binary, ungraded = binaries[name]
            store = os.path.join(work, f"speed-{name}.sqlite")
            fresh_copy(ungraded, store)
            wall, cpu, rss, line = run_timed([binary, "grade", "--store", store] + grade_args)
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu)
            times[name]["rss"].append(rss)
            print(f"run {run + 1} {name}: {wall:.3f} s wall, {cpu:.3f} s CPU, {rss:.0f} MB, load {load()}; {line}",
                  file=sys.stderr)
    load_after = load()
    summary = {"runs": runs, "grade_args": grade_args, "load_before": load_before, "load_after": load_after}
    for name, t in times.items():
        walls, cpus = sorted(t["wall"]), sorted(t["cpu"])
        summary[name] = {"min_wall": round(walls[0], 3), "median_wall": round(walls[len(walls) // 2], 3),
                         "min_cpu": round(cpus[0], 3), "median_cpu": round(cpus[len(cpus) // 2], 3),
                         "peak_rss_mb": round(max(t["rss"]))}
    print(f"heldout grade {' '.join(grade_args)}, {runs} runs each, alternating")
    for name in binaries:
        s = summary[name]
        print(f"{name:4}  wall min {s['min_wall']:.2f} s, median {s['median_wall']:.2f} s;"
              f"  CPU min {s['min_cpu']:.2f} s, median {s['median_cpu']:.2f} s;  peak RSS {s['peak_rss_mb']} MB")
    print(f"load average before {load_before}, after {load_after} ({os.cpu_count()} cores)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
