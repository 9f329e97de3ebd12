#!/usr/bin/env python3
"""Issue 15's CI check, run by Tests/HeldoutCLITests/SparkTests.swift: a generated multi-way
corpus (declaring domains) built locally with `heldout build` and on PySpark (spark/heldout_spark.py) must give the
same split bytes, in local[2] with the default partitions, with 1 and 7 partitions, and with the
sources handed to Spark in reverse order; Spark's alignment groups (large-star/small-star) and
grades must equal the store's; and a pivot planted across two files must be isolated.
One SparkSession serves every variant (JVM start-up is paid once).

usage: check_spark.py HELDOUT_BINARY REPOSITORY WORKDIR [--units N]
Prints one JSON object; exits 1 on the first difference.
"""
import argparse
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout

FILES = ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl", "spec.yaml", "audit.json", "manifest.json"]


def digest(directory):
    """SHA-256 of the split's files, and of its comparison's beside it when there is one."""
    out = {}
    for suffix in ("", "-comparison"):
        for name in FILES:
            path = os.path.join(directory + suffix, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    out[suffix + name] = hashlib.sha256(f.read()).hexdigest()
    return out


def fail(result, message):
    result["error"] = message
    print(json.dumps(result, sort_keys=True))
    sys.exit(1)


def drive(spark, heldout_spark, args, result, name, spec, target, extra, plan):
    """Runs the Spark driver in-process on the shared session (`--json`, the test binary on the
    driver and the executors) and returns its summary; a non-zero exit fails the check."""
    options = heldout_spark.parse_args([spec, "--out", target, "--binary", args.binary, "--json"] + extra)
    captured = io.StringIO()
    with redirect_stdout(captured):
        status = heldout_spark.run(spark, options, spec, args.binary, args.binary, plan["sources"],
                                   plan.get("near_duplicates"), plan.get("fetch", []))
    if status != 0:
        fail(result, f"{name}: the Spark driver exited {status}")
    return json.loads(captured.getvalue())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("repository")
    p.add_argument("workdir")
    p.add_argument("--units", type=int, default=50000)
    args = p.parse_args()
    sys.path.insert(0, os.path.join(args.repository, "spark"))
    import generate_corpus
    import heldout_spark

    work = os.path.abspath(args.workdir)
    corpus = os.path.join(work, "corpus")
    templates = os.path.join(corpus, "templates")
    os.makedirs(templates, exist_ok=True)
    shutil.copy(os.path.join(args.repository, "templates", "translation.yaml"), templates)
    subprocess.run([sys.executable, os.path.join(args.repository, "spark", "generate_corpus.py"), corpus,
                    "--units", str(args.units), "--templates", "templates", "--domains", "--comparison"], check=True)
    spec = os.path.join(corpus, "spec.yaml")
    result = {"units": args.units, "variants": {}}

    started = time.time()
    local = subprocess.run([args.binary, "build", spec, "--store", os.path.join(work, "local.sqlite"),
                            "--out", os.path.join(work, "local")], cwd=corpus, capture_output=True, text=True)
    if local.returncode != 0:
        fail(result, "local build failed: " + local.stderr[-2000:])
    result["local_seconds"] = round(time.time() - started, 2)
    expected = digest(os.path.join(work, "local"))
    result["local"] = expected
    if not all(name in expected for name in ["train.jsonl", "dev.jsonl", "test.jsonl", "manifest.json", "-comparisontrain.jsonl"]):
        fail(result, "the local build wrote no split files")
    # dropped.jsonl names, per item dropped for isolation, the link and kept partner it gave way
    # to; the cluster's join of keys to kept holders must meet both kinds of partner here, and
    # the comparison's size match.
    kinds = {}
    for suffix in ("", "-comparison"):
        with open(os.path.join(work, "local" + suffix, "dropped.jsonl"), encoding="utf-8") as f:
            for line in f:
                entry = json.loads(line)
                kind = suffix + entry["reason"] + ("/" + entry["link"] if entry.get("link") else "")
                kinds[kind] = kinds.get(kind, 0) + 1
    result["dropped"] = kinds
    # The manifest's isolation cost, which the cluster counts from the same partners.
    with open(os.path.join(work, "local", "manifest.json"), encoding="utf-8") as f:
        local_cost = json.load(f)["isolation_cost"]
    if not any(k.startswith("isolation/") for k in kinds) or "-comparisonsize_match" not in kinds:
        fail(result, f"the corpus does not exercise dropped items' partners and the size match: {kinds}")
    # Declared domains (a source's, a unit's) reach the items, and so the records: the cluster's
    # bundles must carry them as grading derived them, ties and shares included. The classifier
    # must predict nothing here, or the replay would make the items itself and the cluster's
    # items would go untested.
    with sqlite3.connect(os.path.join(work, "local.sqlite")) as db:
        domains = dict(db.execute("SELECT source || (CASE WHEN confidence < 1 THEN ' shared' ELSE '' END), count(*) "
                                  "FROM segment_domain GROUP BY 1").fetchall())
    result["segment_domains"] = domains
    if not domains.get("metadata shared") or not domains.get("metadata") or domains.get("classifier") \
            or domains.get("classifier shared"):
        fail(result, f"the corpus does not exercise declared domains as intended: {domains}")

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("heldout-check")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    # Connected components on a random graph whose components need several rounds (the corpus's
    # are small), against union-find, in 1 and 3 partitions.
    import random
    rng = random.Random(7)
    edges = [(f"{rng.randrange(600):04d}", f"{rng.randrange(600):04d}") for _ in range(420)]
    parent = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x
    for a, b in edges:
        ra, rb = find(a), find(b)
        parent.setdefault(a, a), parent.setdefault(b, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    expected_components = {x: find(x) for x in parent if find(x) != x}
    for p in (1, 3):
        spark.conf.set("spark.sql.shuffle.partitions", str(p))
        components, rounds = heldout_spark.large_star_small_star(spark.createDataFrame(edges, "src string, dst string").repartition(p))
        if dict(components.collect()) != expected_components:
            fail(result, f"large-star/small-star differs from union-find in {p} partition(s)")
        result["cc_random_graph_rounds"] = rounds
    if result["cc_random_graph_rounds"] < 3:
        fail(result, f"the random graph converged in {rounds} round(s): it no longer tests the iteration")

    # Windowed buckets (none in the generated corpus: its buckets are small): each member with
    # its next `window` members only, as the local index pairs a bucket, held to a plain loop.
    buckets = [sorted(f"{rng.randrange(10**6):06d}" for _ in range(rng.randrange(2, 40))) for _ in range(30)]
    for window in (1, 3, 8, 64):
        expected_pairs = sorted((m[x], m[y]) for m in buckets for x in range(len(m))
                                for y in range(x + 1, min(len(m), x + 1 + window)))
        got_pairs = sorted((r["a"], r["b"]) for r in heldout_spark.windowed_neighbours(
            spark.createDataFrame([(m,) for m in buckets], "m array<string>"), window).collect())
        if got_pairs != expected_pairs:
            fail(result, f"windowed neighbours (window {window}) differ from the local index's pairing")
    result["windowed_neighbour_pairs_checked"] = len(expected_pairs)

    plan = json.loads(subprocess.run([args.binary, "map", "plan", spec], capture_output=True, text=True, check=True).stdout)
    variants = [("local[2]", [], True), ("1 partition", ["--partitions", "1"], False),
                ("7 partitions", ["--partitions", "7"], False), ("reversed inputs", ["--reverse-inputs"], False)]
    for name, extra, check in variants:
        out = os.path.join(work, "spark-" + name.replace(" ", "-").replace("[", "").replace("]", ""))
        started = time.time()
        summary = drive(spark, heldout_spark, args, result, name, spec, out, extra + (["--check"] if check else []), plan)
        got = digest(out)
        result["variants"][name] = {"seconds": round(time.time() - started, 2), "partitions": summary["partitions"],
                                    "same_bytes": got == expected, "sides": summary.get("sides"),
                                    "replay": summary.get("replay"), "classifier": summary.get("classifier")}
        # Without --check the driver runs no replay: no store, no split on the driver; every
        # file is the cluster's, put in place by `map place` (and the same bytes, below). The
        # corpus declares domains, so the classifier was asked, and abstains.
        ran = (summary.get("replay") or {}).get("ran")
        if ran is not check:
            fail(result, f"{name}: the replay {'did not run' if check else 'ran'}: {summary.get('replay')}")
        if not check and (summary.get("classifier") or {}).get("predicts") is not False:
            fail(result, f"{name}: the classifier was not asked whether it predicts: {summary.get('classifier')}")
        # The sides come from the cluster's component summaries (`map choose`), and the replay
        # takes them: equal bytes then hold the cluster's components to the split's.
        if (summary.get("sides") or {}).get("chosen_on") != "cluster":
            fail(result, f"{name}: the sides were not chosen from the cluster's summaries: {summary.get('sides')}")
        # And the records are written by the cluster from them (`map records`), taken by the
        # replay once each file holds exactly its items: the same bytes above are Spark's.
        result["variants"][name]["records"] = summary.get("records")
        if (summary.get("records") or {}).get("written_on") != "cluster":
            fail(result, f"{name}: the records were not written by the cluster: {summary.get('records')}")
        elif not all(f"{v}/dropped.jsonl" in summary["records"].get("files", {}) for v in ("generated", "generated-comparison")):
            fail(result, f"{name}: dropped.jsonl was not written by the cluster: {summary.get('records')}")
        elif summary["records"].get("isolation_cost") != local_cost:
            fail(result, f"{name}: the cluster's isolation cost {summary['records'].get('isolation_cost')} is not the manifest's {local_cost}")
        # Every variant's spec.yaml and manifest.json are written from the cluster's counts
        # (`map manifest`), and the replay took them as its own bytes.
        result["variants"][name]["manifest"] = summary.get("manifest")
        if [v.get("name") for v in (summary.get("manifest") or {}).get("variants", [])] != ["generated", "generated-comparison"]:
            fail(result, f"{name}: the manifests were not written by the cluster: {summary.get('manifest')}")
        # And audited there, over the cluster's segments file instead of a store.
        result["variants"][name]["audit"] = summary.get("audit")
        if (summary.get("audit") or {}).get("written_on") != "cluster":
            fail(result, f"{name}: the audit did not run over the cluster's files: {summary.get('audit')}")
        # The comparison supervises the held-out column: its training placed more than the
        # primary's and was cut to size on the cluster (the size match's ranks).
        if "generated-comparison" not in summary["records"].get("size_match", {}):
            fail(result, f"{name}: the comparison's training was not size-matched on the cluster: {summary.get('records')}")
        if got != expected:
            different = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
            fail(result, f"{name}: split files differ from the local build: {different}")
        if check:
            result["alignment_groups"] = summary["alignment_groups"]
            result["cc_iterations"] = summary["cc_iterations"]
            if summary["alignment_groups"] != summary["store_alignment_groups"]:
                fail(result, f"Spark found {summary['alignment_groups']} alignment groups, the store {summary['store_alignment_groups']}")
            if summary["bands"] != summary["store_bands"]:
                fail(result, f"Spark's grades {summary['bands']} differ from the store's {summary['store_bands']}")
            result["bands"] = summary["bands"]
            # The questions stage on Spark (map items over bundles, the order-key reduce): the
            # replayed store's items, field for field (in id order, hashed).
            result["items"] = summary.get("items_count")
            if "items_digest" not in summary:
                fail(result, f"Spark made no items: {summary.get('items_skipped')}")
            if (summary["items_count"], summary["items_digest"]) != (summary["store_items_count"], summary["store_items_digest"]):
                fail(result, f"Spark's items ({summary['items_count']}) differ from the store's ({summary['store_items_count']})")

    # The planted pivot: en-fr in the first file, fr-de in the last. Its de-en item gets its
    # English through the French of another file (and so another partition); it and the fr-en
    # item share that English, so they must not sit on both sides of the split.
    with sqlite3.connect(os.path.join(work, "local.sqlite")) as db:
        planted = {row[0].lower(): row[1] for row in
                   db.execute("SELECT hex(id), pair FROM item WHERE question LIKE '%Zorvik%'")}
    if sorted(planted.values()) != ["de-en", "fr-en"]:
        fail(result, f"the planted pivot made items {sorted(planted.values())}, not one fr-en and one de-en")
    sides = {}
    for side in ["train", "dev", "test", "dropped"]:
        with open(os.path.join(work, "spark-local2", side + ".jsonl"), encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record["id"] in planted:
                    sides[planted[record["id"]]] = side
                    if side != "dropped" and record["pair"] == "de-en" and \
                            record["source"]["translation"] != generate_corpus.PLANTED_EN:
                        fail(result, "the planted de-en item did not get its English through the pivot")
    result["planted_sides"] = sides
    if len(sides) != 2:
        fail(result, f"the planted items are not all in the split or dropped.jsonl: {sides}")
    kept = set(sides.values()) - {"dropped"}
    if "train" in kept and kept & {"dev", "test"}:
        fail(result, f"the planted pivot leaks: {sides}")
    audit = subprocess.run([args.binary, "audit", os.path.join(work, "spark-local2"), "--no-write"],
                           cwd=work, capture_output=True, text=True)
    result["audit_status"] = audit.returncode
    if audit.returncode != 0:
        fail(result, "heldout audit on the Spark output: " + audit.stdout[-1000:] + audit.stderr[-1000:])
    check_band_join(spark, args, work, result, heldout_spark, generate_corpus)
    check_samples(spark, args, work, result, heldout_spark)
    check_classifier(spark, args, work, result, heldout_spark)
    spark.stop()
    print(json.dumps(result, sort_keys=True))


SAMPLES_SPEC = """name: samples
seed: 4
sources:
  - {{ path: {samples}/en-fr.tmx, format: tmx, license: CC0-1.0 }}
  - {{ path: {samples}/en-fr.xliff, format: xliff, license: CC0-1.0 }}
  - {{ path: {samples}/fr-tone.tsv, format: labels, lang: fr, label: tone, license: CC0-1.0 }}
templates: templates
axis: category
columns:
  translation: {{ role: supervised }}
  tone: {{ role: heldout }}
partitions: {{ train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }}
"""


def check_samples(spark, args, work, result, heldout_spark):
    """What the generated corpora lack: a label source and label templates (tone questions about
    French sentences and their translations), XLIFF, and segments too short to grade (their
    `map grade` record has no grade). The repository's own samples, through the cluster's items
    (`--items`) and through `--check` (the cluster's items against the store's, grading fields
    included), the split's near-duplicates from the band join as `main` runs it: both splits are
    the local build's bytes."""
    folder = os.path.join(work, "samples")
    os.makedirs(os.path.join(folder, "templates"), exist_ok=True)
    for name in ["translation.yaml", "tone-source.yaml", "tone-translation.yaml", "tone-with-translation.yaml"]:
        shutil.copy(os.path.join(args.repository, "templates", name), os.path.join(folder, "templates"))
    spec = os.path.join(folder, "spec.yaml")
    with open(spec, "w", encoding="utf-8") as f:
        f.write(SAMPLES_SPEC.format(samples=os.path.join(args.repository, "corpora", "samples")))
    local = subprocess.run([args.binary, "build", spec, "--store", os.path.join(folder, "local.sqlite"),
                            "--out", os.path.join(folder, "local")], cwd=folder, capture_output=True, text=True)
    if local.returncode != 0:
        fail(result, "samples: local build failed: " + local.stderr[-2000:])
    expected = digest(os.path.join(folder, "local"))
    with sqlite3.connect(os.path.join(folder, "local.sqlite")) as db:
        ungradable = db.execute("SELECT count(*) FROM grade WHERE grade IS NULL").fetchone()[0]
        labelled = db.execute("SELECT count(*) FROM item WHERE category = 'tone'").fetchone()[0]
        items = db.execute("SELECT count(*) FROM item").fetchone()[0]
    samples = result["samples"] = {"ungradable_segments": ungradable, "tone_items": labelled}
    if not ungradable or not labelled:
        fail(result, f"samples: the corpus no longer has what this check is for: {samples}")
    plan = json.loads(subprocess.run([args.binary, "map", "plan", spec], capture_output=True, text=True, check=True).stdout)
    for name, extra in [("items", []), ("check", ["--check"])]:
        out = os.path.join(folder, "spark-" + name)
        summary = drive(spark, heldout_spark, args, result, "samples " + name, spec, out, extra, plan)
        if name == "items" and summary.get("items") != items:
            fail(result, f"samples: the cluster made {summary.get('items')} items, the local build {items}")
        if name == "check" and (summary["items_count"], summary["items_digest"]) != (summary["store_items_count"], summary["store_items_digest"]):
            fail(result, f"samples: Spark's items ({summary['items_count']}) differ from the store's ({summary['store_items_count']})")
        got = digest(out)
        samples[name] = {"same_bytes": got == expected, "items": summary.get("items", summary.get("items_count")),
                         "manifest": (summary.get("manifest") or {}).get("written_on"),
                         "audit": (summary.get("audit") or {}).get("written_on"),
                         "sides": summary.get("sides"), "records": summary.get("records"), "replay": summary.get("replay"),
                         "classifier": summary.get("classifier")}
        # Where every file is the cluster's, the driver runs the replay only with --check.
        if plan.get("sides_on_driver") is None and (summary.get("classifier") or {}).get("predicts") is not True \
                and (summary.get("replay") or {}).get("ran") is not (name == "check"):
            fail(result, f"samples {name}: replay {summary.get('replay')}")
        if not summary.get("sides"):
            fail(result, f"samples {name}: the driver did not say where the sides were chosen")
        # The tone questions show the English of a French sentence from another unit of its
        # alignment group, which the cluster looks up as the split's loader does: where the
        # plan lets the cluster choose, the sides and the records are the cluster's.
        if plan.get("sides_on_driver") is None and ((summary.get("sides") or {}).get("chosen_on") != "cluster"
                                                    or (summary.get("records") or {}).get("written_on") != "cluster"):
            fail(result, f"samples {name}: sides {summary.get('sides')}, records {summary.get('records')}: not the cluster's")
        if plan.get("sides_on_driver") is None and ((summary.get("manifest") or {}).get("written_on") != "cluster"
                                                    or (summary.get("audit") or {}).get("written_on") != "cluster"):
            fail(result, f"samples {name}: manifest {summary.get('manifest')}, audit {summary.get('audit')}: not the cluster's")
        if got != expected:
            fail(result, f"samples {name}: split files differ from the local build: "
                         f"{sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))}")

    # A category column no template makes an item for fails a local build even when the spec
    # accepts a short split; without a replay the driver must refuse it too, writing nothing.
    empty_spec = os.path.join(folder, "spec-empty-column.yaml")
    with open(empty_spec, "w", encoding="utf-8") as f:
        f.write(SAMPLES_SPEC.format(samples=os.path.join(args.repository, "corpora", "samples"))
                .replace("  tone: { role: heldout }\n", "  tone: { role: heldout }\n  register: { role: supervised }\n")
                .replace("tolerance: 0.05 }", "tolerance: 0.05, allow_short: true }"))
    refused_local = subprocess.run([args.binary, "build", empty_spec, "--store", os.path.join(folder, "empty.sqlite"),
                                    "--out", os.path.join(folder, "empty-local")], cwd=folder, capture_output=True, text=True)
    plan = json.loads(subprocess.run([args.binary, "map", "plan", empty_spec], capture_output=True, text=True, check=True).stdout)
    out = os.path.join(folder, "spark-empty")
    options = heldout_spark.parse_args([empty_spec, "--out", out, "--binary", args.binary, "--json"])
    errors = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(errors):
        status = heldout_spark.run(spark, options, empty_spec, args.binary, args.binary, plan["sources"], plan["near_duplicates"])
    samples["empty_column"] = {"local": refused_local.returncode, "spark": status}
    if refused_local.returncode != 1 or "register" not in refused_local.stderr:
        fail(result, f"samples: a local build with an empty column gave {refused_local.returncode}: {refused_local.stderr[-500:]}")
    if status != 1 or "column register has no item" not in errors.getvalue() or os.path.exists(out):
        fail(result, f"samples: the Spark driver with an empty column gave {status} ({errors.getvalue()[-300:]}), wrote: {os.path.exists(out)}")


# Original sentences from two small vocabularies, written for this check (as the Swift
# classifier tests write theirs): a classifier trained on the two declared corpora learns them.
COOKING = ["butter", "flour", "oven", "simmer", "garlic", "onion", "sauce", "bake", "pan", "salt", "pepper", "dough"]
COMPUTING = ["kernel", "compiler", "server", "packet", "driver", "socket", "thread", "memory", "cache", "binary", "script", "router"]
SHARED = ["the", "a", "with", "and", "then", "we", "it", "is", "slowly", "again"]


def check_classifier(spark, args, work, result, heldout_spark):
    """A corpus whose declared domains the classifier learns, so grading predicts the domain of
    the segments that declare none: the cluster's items would lack those domains, so the driver
    must run the replay (`map classifier` says it predicts) and the split is still the local
    build's bytes."""
    import random
    folder = os.path.join(work, "classifier")
    os.makedirs(os.path.join(folder, "templates"), exist_ok=True)
    shutil.copy(os.path.join(args.repository, "templates", "translation.yaml"), os.path.join(folder, "templates"))
    rng = random.Random(5)

    def sentence(vocabulary):
        return " ".join(rng.choice(vocabulary if k % 2 == 0 else SHARED) for k in range(8)) + "."

    def tmx(name, pairs):
        units = "\n".join(f'<tu><tuv xml:lang="en"><seg>{en}</seg></tuv><tuv xml:lang="fr"><seg>{fr}</seg></tuv></tu>'
                          for en, fr in pairs)
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" datatype="plaintext" '
                    'segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="none"/>\n'
                    f"<body>\n{units}\n</body></tmx>\n")
    tmx("cook.tmx", [(t, "Nous cuisinons : " + t) for t in (sentence(COOKING) for _ in range(40))])
    tmx("comp.tmx", [(t, "Le système : " + t) for t in (sentence(COMPUTING) for _ in range(40))])
    tmx("open.tmx", [(t, "Sans domaine : " + t) for t in (sentence(COOKING if k % 2 else COMPUTING) for k in range(20))])
    spec = os.path.join(folder, "spec.yaml")
    with open(spec, "w", encoding="utf-8") as f:
        f.write("""name: classified
seed: 3
sources:
  - { path: cook.tmx, format: tmx, domain: cooking, license: CC0-1.0 }
  - { path: comp.tmx, format: tmx, domain: computing, license: CC0-1.0 }
  - { path: open.tmx, format: tmx, license: CC0-1.0 }
templates: templates
axis: language_pair
columns:
  fr-en: { role: supervised }
partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }
""")
    local = subprocess.run([args.binary, "build", spec, "--store", os.path.join(folder, "local.sqlite"),
                            "--out", os.path.join(folder, "local")], cwd=folder, capture_output=True, text=True)
    if local.returncode != 0:
        fail(result, "classifier: local build failed: " + local.stderr[-2000:])
    with sqlite3.connect(os.path.join(folder, "local.sqlite")) as db:
        predicted = db.execute("SELECT count(*) FROM segment_domain WHERE source = 'classifier'").fetchone()[0]
    checked = result["classifier"] = {"predicted_segments": predicted}
    if not predicted:
        fail(result, "classifier: grading predicted no domain; the corpus no longer tests the fallback")
    plan = json.loads(subprocess.run([args.binary, "map", "plan", spec], capture_output=True, text=True, check=True).stdout)
    out = os.path.join(folder, "spark")
    summary = drive(spark, heldout_spark, args, result, "classifier", spec, out, [], plan)
    checked.update({"classifier": summary.get("classifier"), "replay": summary.get("replay"),
                    "same_bytes": digest(out) == digest(os.path.join(folder, "local"))})
    if (summary.get("classifier") or {}).get("predicts") is not True or not (summary.get("replay") or {}).get("ran") \
            or "classifier" not in summary["replay"].get("reason", ""):
        fail(result, f"classifier: the driver did not run the replay for a classifier that predicts: {checked}")
    if not checked["same_bytes"]:
        fail(result, "classifier: split files differ from the local build")

    # The same corpora with the third declaring a domain too: the classifier, which would still
    # predict, predicts only for segments that declare none, and there are none: no replay.
    with open(spec, encoding="utf-8") as f:
        text = f.read()
    declared_spec = os.path.join(folder, "spec-declared.yaml")
    with open(declared_spec, "w", encoding="utf-8") as f:
        f.write(text.replace("format: tmx, license", "format: tmx, domain: mixed, license"))
    local = subprocess.run([args.binary, "build", declared_spec, "--store", os.path.join(folder, "declared.sqlite"),
                            "--out", os.path.join(folder, "declared-local")], cwd=folder, capture_output=True, text=True)
    if local.returncode != 0:
        fail(result, "classifier, all declared: local build failed: " + local.stderr[-2000:])
    out = os.path.join(folder, "declared-spark")
    summary = drive(spark, heldout_spark, args, result, "classifier, all declared", declared_spec, out, [], plan)
    checked["all_declared"] = {"replay": summary.get("replay"), "classifier": summary.get("classifier"),
                               "same_bytes": digest(out) == digest(os.path.join(folder, "declared-local"))}
    if (summary.get("replay") or {}).get("ran") is not False or not checked["all_declared"]["same_bytes"]:
        fail(result, f"classifier, all declared: {checked['all_declared']}")


def check_band_join(spark, args, work, result, heldout_spark, generate_corpus):
    """The LSH band join on Spark (map bands, grouped by band key, confirmed by exact Jaccard)
    finds the pairs the local near-duplicate stage finds over the same segments (`map pairs`),
    with 3 partitions and with 1 partition and the inputs reversed; a near-copy planted across
    the first and last file is among them and isolated; the split, which isolates near-duplicates
    here, is the local build's byte for byte. A small corpus: the join is what is tested."""
    corpus = os.path.join(work, "near", "corpus")
    os.makedirs(os.path.join(corpus, "templates"), exist_ok=True)
    shutil.copy(os.path.join(args.repository, "templates", "translation.yaml"), os.path.join(corpus, "templates"))
    subprocess.run([sys.executable, os.path.join(args.repository, "spark", "generate_corpus.py"), corpus,
                    "--units", "3000", "--files", "3", "--near-duplicates", "--templates", "templates", "--train-share", "0.98"],
                   check=True)
    spec = os.path.join(corpus, "spec.yaml")
    near = {}
    result["near_duplicates"] = near
    local = subprocess.run([args.binary, "build", spec, "--store", os.path.join(work, "near", "local.sqlite"),
                            "--out", os.path.join(work, "near", "local")], cwd=corpus, capture_output=True, text=True)
    if local.returncode != 0:
        fail(result, "near-duplicates: local build failed: " + local.stderr[-2000:])
    # With training at 98%, most components holding held-out items stay on training, and the
    # generator's plants leave some held-out items tied to a kept training item only through the
    # translation closure or a near-copy: dropped.jsonl names those partners through those links,
    # which the cluster's join must find as the split does.
    links = {}
    with open(os.path.join(work, "near", "local", "dropped.jsonl"), encoding="utf-8") as f:
        for line in f:
            link = json.loads(line).get("link")
            links[link] = links.get(link, 0) + 1
    near["dropped_links"] = links
    if not links.get("translation") or not links.get("near_duplicate"):
        fail(result, f"near-duplicates: no dropped item names a partner through a translation or a near-copy: {links}")
    with open(os.path.join(work, "near", "local", "manifest.json"), encoding="utf-8") as f:
        near_cost = json.load(f)["isolation_cost"]
    expected = digest(os.path.join(work, "near", "local"))
    plan = json.loads(subprocess.run([args.binary, "map", "plan", spec], capture_output=True, text=True, check=True).stdout)
    if not plan.get("near_duplicates"):
        fail(result, f"map plan gives no near-duplicate parameters for a spec that isolates them: {plan}")

    # The local stage over the corpus's segments, as the mapper reads them.
    units = subprocess.run([args.binary, "map", "units", spec], input="".join(f"{i}\n" for i in range(plan["sources"])),
                           cwd=corpus, capture_output=True, text=True, check=True)
    segments = {}
    for line in units.stdout.splitlines():
        for segment in json.loads(line).get("segments") or []:
            segments[segment[0]] = segment
    pairs = subprocess.run([args.binary, "map", "pairs", spec], cwd=corpus, capture_output=True, text=True, check=True,
                           input="".join(json.dumps(s, ensure_ascii=False) + "\n" for s in segments.values()))
    local_pairs = [json.loads(line) for line in pairs.stdout.splitlines()]
    by_text = {s[2]: s[0] for s in segments.values()}
    planted = sorted(by_text.get(text) for text in generate_corpus.PLANTED_NEAR)
    near["local_pairs"] = len(local_pairs)
    near["segments"] = len(segments)
    if planted not in local_pairs:
        fail(result, f"the local stage does not find the planted near-copy {planted}")
    if len(local_pairs) < 20:
        fail(result, f"the local stage finds {len(local_pairs)} near-duplicate pairs: the corpus no longer tests the join")

    # The second variant writes through Hadoop's FileSystem (`--out` a URI, as hdfs: or s3a: would).
    for name, extra, uri in [("3 partitions", ["--partitions", "3"], False),
                             ("1 partition, reversed, file: URI", ["--partitions", "1", "--reverse-inputs"], True)]:
        out = os.path.join(work, "near", "spark-" + name.replace(" ", "-").replace(",", "").replace(":", ""))
        pairs_out = out + ".pairs"
        target = "file://" + out if uri else out
        started = time.time()
        summary = drive(spark, heldout_spark, args, result, "near-duplicates, " + name, spec, target,
                        ["--pairs-out", pairs_out] + extra, plan)
        with open(pairs_out, encoding="utf-8") as f:
            spark_pairs = [json.loads(line) for line in f]
        near[name] = {"seconds": round(time.time() - started, 2), "same_pairs": spark_pairs == local_pairs,
                      "same_bytes": digest(out) == expected, **summary["near_duplicates"],
                      # The split's own pairs: the join over the segments its items use, fed to the replay.
                      "split_pairs": (summary.get("split_near_duplicates") or {}).get("pairs")}
        if not near[name]["split_pairs"]:
            fail(result, f"near-duplicates, {name}: the split took no pairs from the cluster: {summary.get('split_near_duplicates')}")
        # The components include the near-duplicate pairs: the sides come from the cluster.
        near[name]["sides"] = summary.get("sides")
        if (summary.get("sides") or {}).get("chosen_on") != "cluster":
            fail(result, f"near-duplicates, {name}: the sides were not chosen from the cluster's summaries: {summary.get('sides')}")
        near[name]["records"] = summary.get("records")
        near[name]["replay"] = summary.get("replay")
        if (summary.get("replay") or {}).get("ran") is not False:
            fail(result, f"near-duplicates, {name}: the replay ran: {summary.get('replay')}")
        near[name]["manifest"] = (summary.get("manifest") or {}).get("written_on")
        near[name]["audit"] = (summary.get("audit") or {}).get("written_on")
        if (summary.get("records") or {}).get("written_on") != "cluster":
            fail(result, f"near-duplicates, {name}: the records were not written by the cluster: {summary.get('records')}")
        elif summary["records"].get("isolation_cost") != near_cost:
            fail(result, f"near-duplicates, {name}: the cluster's isolation cost {summary['records'].get('isolation_cost')} "
                         f"is not the manifest's {near_cost}")
        elif (summary.get("manifest") or {}).get("written_on") != "cluster" or (summary.get("audit") or {}).get("written_on") != "cluster":
            fail(result, f"near-duplicates, {name}: manifest {summary.get('manifest')}, audit {summary.get('audit')}: not the cluster's")
        if spark_pairs != local_pairs:
            only_spark = [p for p in spark_pairs if p not in local_pairs][:5]
            only_local = [p for p in local_pairs if p not in spark_pairs][:5]
            fail(result, f"near-duplicates, {name}: Spark's band join differs from the local stage: "
                         f"only Spark {only_spark}, only local {only_local}")
        if digest(out) != expected:
            fail(result, f"near-duplicates, {name}: split files differ from the local build")
        if uri:
            # A URI target holding a file no split writes is refused before any work, and kept.
            with open(os.path.join(out, "notes.txt"), "w") as f:
                f.write("the user's")
            options = heldout_spark.parse_args([spec, "--out", target, "--binary", args.binary, "--json",
                                                "--pairs-out", pairs_out] + extra)
            with redirect_stdout(io.StringIO()):
                refused = heldout_spark.run(spark, options, spec, args.binary, args.binary, plan["sources"], plan["near_duplicates"])
            with open(os.path.join(out, "notes.txt")) as f:
                kept = f.read() == "the user's"
            near[name]["foreign_file_refused"] = refused == 2 and kept and digest(out) == expected
            if not near[name]["foreign_file_refused"]:
                fail(result, f"near-duplicates, {name}: a URI target with a foreign file gave {refused} (kept: {kept})")

    check_uri_sources(spark, args, work, result, heldout_spark, corpus, spec)

    # The planted near-copy's items (fr-en held out, de-en supervised) are not split across sides.
    sides = set()
    for side in ["train", "dev", "test", "dropped"]:
        with open(os.path.join(work, "near", "spark-3-partitions", side + ".jsonl"), encoding="utf-8") as f:
            sides.update(side for line in f if "Quorble" in line)
    near["planted_sides"] = sorted(sides)
    kept = sides - {"dropped"}
    if not sides or ("train" in kept and kept & {"dev", "test"}):
        fail(result, f"the planted near-copy is missing or leaks: {sorted(sides)}")


def check_uri_sources(spark, args, work, result, heldout_spark, corpus, spec):
    """The same corpus named by `file:` URIs (as hdfs: or s3a: would name it): the local build
    refuses it (exit 3, naming the spec's line), `map plan` lists every file to fetch (the Moses
    pair's other side included), Spark fetches them and the split's data files are the local
    build's bytes; the manifest differs only by the spec's spelling, its sources' digests equal."""
    with open(spec, encoding="utf-8") as f:
        text = f.read()
    uri_spec = os.path.join(corpus, "spec-uri.yaml")
    with open(uri_spec, "w", encoding="utf-8") as f:
        f.write(re.sub(r"path: ([\w.-]+),", lambda m: "path: file://" + os.path.join(corpus, m.group(1)) + ",", text))
    local = subprocess.run([args.binary, "build", uri_spec, "--store", os.path.join(work, "near", "uri.sqlite"),
                            "--out", os.path.join(work, "near", "uri-local")], cwd=corpus, capture_output=True, text=True)
    if local.returncode != 3 or "spec-uri.yaml:4:" not in local.stderr or "is a URI" not in local.stderr:
        fail(result, f"a local build of URI sources: exit {local.returncode}, {local.stderr[-500:]}")
    plan = json.loads(subprocess.run([args.binary, "map", "plan", uri_spec], capture_output=True, text=True, check=True).stdout)
    names = sorted(os.path.basename(u) for u in plan.get("fetch", []))
    expected_names = sorted(n for n in os.listdir(corpus) if re.match(r"(tmx-\d+\.tmx|pairs\.\w\w)$", n))
    if names != expected_names:
        fail(result, f"map plan's fetch list {names} is not the corpus's files {expected_names}")
    out = os.path.join(work, "near", "spark-uri-sources")
    options = heldout_spark.parse_args([uri_spec, "--out", out, "--binary", args.binary, "--json"])
    with redirect_stdout(io.StringIO()):
        status = heldout_spark.run(spark, options, uri_spec, args.binary, args.binary, plan["sources"],
                                   plan["near_duplicates"], plan["fetch"])
    if status != 0:
        fail(result, f"URI sources: the Spark driver exited {status}")
    data = ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl"]
    same = {k: v for k, v in digest(out).items() if k in data} == \
        {k: v for k, v in digest(os.path.join(work, "near", "local")).items() if k in data}
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        spark_inputs = json.load(f)["inputs"]
    with open(os.path.join(work, "near", "local", "manifest.json"), encoding="utf-8") as f:
        local_inputs = json.load(f)["inputs"]
    same_inputs = spark_inputs["corpora"] == local_inputs["corpora"] and \
        sorted(spark_inputs["sources"].values()) == sorted(local_inputs["sources"].values())
    result["near_duplicates"]["uri_sources"] = {"fetched": len(names), "same_data_bytes": same, "same_source_digests": same_inputs}
    if not (same and same_inputs):
        fail(result, "URI sources: the split differs from the local build's")


if __name__ == "__main__":
    main()
