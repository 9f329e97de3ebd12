#!/usr/bin/env python3
"""Digests of what `heldout grade` wrote, to check that a speed change changed no result:

    grade_digest.py STORE [STORE...]

For each store, one SHA-256 per table of grading output: `grade` (every column: counts,
formulas, grade, band, ungradable reason, detected language, flag; rows by segment),
`segment_domain` (rows by segment) and `grading_state` (bands, classifier report and
fingerprints). Floats are hashed by their exact repr (Python's shortest round-trip form), not
the sqlite3 shell's 15 digits, so a change in the last bit shows. Two stores graded from copies
of one ingested store by two binaries must print the same digests.
"""
import hashlib
import sqlite3
import sys

TABLES = {
    "grade": "SELECT * FROM grade ORDER BY segment",
    "segment_domain": "SELECT * FROM segment_domain ORDER BY segment",
    "grading_state": "SELECT * FROM grading_state ORDER BY key",
}


def digest(path, sql):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    h = hashlib.sha256()
    rows = 0
    cursor = db.execute(sql)
    h.update(repr([d[0] for d in cursor.description]).encode())
    for row in cursor:
        h.update(repr(row).encode())
        h.update(b"\n")
        rows += 1
    db.close()
    return h.hexdigest()[:16], rows


def main():
    for path in sys.argv[1:]:
        parts = []
        for table, sql in TABLES.items():
            d, n = digest(path, sql)
            parts.append(f"{table} {n} rows {d}")
        print(f"{path}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
