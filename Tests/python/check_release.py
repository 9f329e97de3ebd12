#!/usr/bin/env python3
"""Loads a heldout release the way its users will, and fails on anything they would trip on.

    python3 Tests/python/check_release.py RELEASE_DIR

1. `datasets.load_dataset(RELEASE_DIR)` reads the card's YAML header: train/validation/test
   exist and hold exactly the records of train.jsonl/dev.jsonl/test.jsonl.
2. `mlcroissant` validates croissant.json (errors fail; warnings are printed), and its
   `records` record set yields every record with its split.
Exit 0 when both hold, 1 otherwise. Needs `pip install datasets mlcroissant`; runs offline.
"""
import os
import sys

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def main(release):
    import datasets
    import mlcroissant as mlc

    failures = []
    expected = {split: count_lines(os.path.join(release, file))
                for split, file in [("train", "train.jsonl"), ("validation", "dev.jsonl"), ("test", "test.jsonl")]}
    loaded = datasets.load_dataset(release)
    for split, n in expected.items():
        if split not in loaded and n == 0:
            continue  # an empty file is no split for datasets
        if split not in loaded:
            failures.append(f"datasets: no {split} split (has {sorted(loaded)})")
        elif loaded[split].num_rows != n:
            failures.append(f"datasets: {split} has {loaded[split].num_rows} rows, the file {n}")
    for split in loaded:
        if "id" not in loaded[split].column_names:
            failures.append(f"datasets: {split} has no id column")

    dataset = mlc.Dataset(jsonld=os.path.join(release, "croissant.json"))
    seen = {}
    for record in dataset.records(record_set="records"):
        split = record["records/split"]
        split = split.decode() if isinstance(split, bytes) else str(split)
        seen[split] = seen.get(split, 0) + 1
    for split, file in [("train", "train.jsonl"), ("dev", "dev.jsonl"), ("test", "test.jsonl")]:
        n = count_lines(os.path.join(release, file))
        if seen.get(split, 0) != n:
            failures.append(f"mlcroissant: {seen.get(split, 0)} {split} records, the file has {n}")

    for failure in failures:
        print(failure, file=sys.stderr)
    if not failures:
        print(f"{release}: datasets loads {dict(expected)}; croissant.json valid, records {seen}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
