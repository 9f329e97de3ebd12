"""Prints a split's optimality (kept against the manifest's upper bound) and its quota table.

    python3 bench/quotas.py SPLIT_DIR/manifest.json

Used by bench/split.sh and bench/domains.sh after each split they time.
"""
import json
import sys

m = json.load(open(sys.argv[1]))
o = m["optimality"]
cut = m.get("cut_keys") or {}
keys = ", ".join(f"{link} {n}" for link, n in sorted(cut.items())) or "none"
print(f"kept {o['kept']} of an upper bound {o['upper_bound']} (gap {o['gap']:.2%}); keys cut: {keys}")
for r in m["quotas"]["rows"]:
    print(f"  {r['column']:>10} {r['partition']:<5} {r['items']:>8} {r['share']:.3f} (target {r['target']:.3f}) {'met' if r['met'] else 'NOT MET'}")
