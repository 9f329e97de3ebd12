#!/usr/bin/env python3
"""Run a heldout spec on Apache Spark and write the split `heldout build` writes (issue 15).

The executors run the `heldout` binary as a stateless mapper (`heldout map units`, `map grade`,
`map items`, `map bands`) through RDD.pipe, so every row is computed by the same Swift code as the
local stages. Spark computes the alignment groups (connected components by large-star/small-star,
smallest segment id as the group id, like the store), the grades per segment and, when the spec's
templates are translation and label templates, the items (segment bundles through `map items`,
"first kept" as a reduce on the order key). The driver then streams the rows, sorted by (source,
corpus, ordinal), into `heldout map replay`, which stores them, grades, stores the cluster's items
(`--items`) or makes them, splits and audits exactly as `heldout build` does: the split files are
the local build's, byte for byte, whatever the partitions, executors or input order.

What is not distributed yet (see docs/DESIGN.md "More than one machine"): the isolation graph,
side choice and record writing run in the replay on the driver from a SQLite store, as do the
grading it stores and, for grammar and definition templates, the questions. With `--check` the
replay makes the items itself and Spark's groups, grades and items are compared with its store.

usage: heldout_spark.py SPEC --out DIR|URI [--binary heldout] [--master local[2]] [--partitions N]
                        [--reverse-inputs] [--store PATH] [--check]
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

# What a split directory may hold (SplitDirectory.ownFiles): a target holding anything else is
# not a split, and nothing there is overwritten.
SPLIT_FILES = {"train.jsonl", "dev.jsonl", "test.jsonl", "spec.yaml", "manifest.json", "audit.json",
               "audit.html", "dropped.jsonl", "releases"}


def is_uri(path):
    """`hdfs://…`, `s3a://…`, `file:/…`: a scheme of two letters or more (not a Windows drive)."""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", path) is not None


class SplitTarget:
    """Where the split goes when `--out` is a URI: the replay writes it to a local folder on the
    driver, and it is then copied file by file through Hadoop's FileSystem, which reads every
    scheme Spark does (hdfs:, s3a: with their jars and credentials, file:). Checked before the
    job starts: a target that holds a file a split does not write is refused, never overwritten."""

    def __init__(self, spark, uri):
        jvm = spark.sparkContext._jvm
        self.Path = jvm.org.apache.hadoop.fs.Path
        self.uri = uri.rstrip("/")
        self.path = self.Path(self.uri)
        self.fs = self.path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        self.fs.setWriteChecksum(False)  # file: would otherwise add a .crc beside every file

    def sibling(self, suffix):
        """The target of a sibling split (`-comparison`, `-sweep-…`), beside this one as locally."""
        return self.uri + suffix, self.Path(self.uri + suffix)

    def foreign_files(self, suffix=""):
        uri, path = self.sibling(suffix)
        if not self.fs.exists(path):
            return []
        if not self.fs.getFileStatus(path).isDirectory():
            return [uri]
        return sorted(s.getPath().getName() for s in self.fs.listStatus(path)
                      if s.getPath().getName() not in SPLIT_FILES)

    def copy_from(self, local, suffix=""):
        """Copies the split files of local folder `local` to the target (or its sibling)."""
        uri, path = self.sibling(suffix)
        self.fs.mkdirs(path)
        for name in sorted(os.listdir(local)):
            source = os.path.join(local, name)
            if os.path.isfile(source):
                # delSrc false, overwrite true (only split files can be there: foreign_files)
                self.fs.copyFromLocalFile(False, True, self.Path("file://" + source), self.Path(path, name))
        return uri


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("spec", help="the spec YAML (its sources must be readable at the same path on every executor)")
    p.add_argument("--out", required=True,
                   help="output directory of the split: a local path, or any URI Spark writes (file:, hdfs:, s3a:)")
    p.add_argument("--binary", default=os.environ.get("HELDOUT_BINARY", "heldout"),
                   help="heldout binary on the driver; executors use --executor-binary")
    p.add_argument("--executor-binary", default=None,
                   help="the binary as executors see it (e.g. ./heldout when shipped with --files); default: --binary")
    p.add_argument("--master", default=None, help="Spark master (default: spark-submit's, else local[2])")
    p.add_argument("--partitions", type=int, default=None, help="partitions for every stage (default: Spark's parallelism)")
    p.add_argument("--reverse-inputs", action="store_true", help="hand the sources to Spark in reverse order (a test)")
    p.add_argument("--store", default=None, help="the driver's store (default: a temporary file, removed after)")
    p.add_argument("--check", action="store_true", help="compare Spark's alignment groups and grades with the replayed store")
    p.add_argument("--pairs-out", default=None,
                   help="write the near-duplicate pairs Spark's band join confirms, one [id, id] a line, sorted (implies the join)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    return p.parse_args(argv)


def large_star_small_star(edges, partitions):
    """Connected components of an undirected edge RDD of (u, v); returns an RDD of (node, the
    smallest node of its component) for every node that is not that smallest node, and the
    number of rounds. Large-star links each node's larger neighbours to its smallest neighbour
    (itself included); small-star links a node and its smaller neighbours to the smallest of
    them (Kiveris et al., "Connected Components in MapReduce and Beyond", 2014). Both keep
    connectivity, so once the edges form stars (every node has one smaller neighbour, which has
    none) each star is a component around its minimum. Written in plain RDDs: GraphFrames'
    jar is not installable from the registries this project uses."""
    def oriented(e):
        return (e[0], e[1]) if e[0] > e[1] else (e[1], e[0])

    def large(kv):
        node, neighbours = kv
        m = min(min(neighbours), node)
        return [(v, m) for v in set(neighbours) if v > node]

    def small(kv):
        node, neighbours = kv
        smaller = set(v for v in neighbours if v < node)
        m = min(smaller | {node})
        out = [(v, m) for v in smaller if v != m]
        if m != node:
            out.append((node, m))
        return out

    def not_a_star(kv):
        _, marks = kv
        parents = set(p for kind, p in marks if kind == "up")
        return len(parents) > 1 or (parents and any(kind == "down" for kind, _ in marks))

    edges = edges.filter(lambda e: e[0] != e[1]).map(oriented)
    rounds = 0
    while True:
        rounds += 1
        both = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])])
        larger = both.groupByKey(partitions).flatMap(large)
        result = larger.map(oriented).groupByKey(partitions).flatMap(small).distinct(partitions).cache()
        done = result.flatMap(lambda e: [(e[0], ("up", e[1])), (e[1], ("down", None))]) \
            .groupByKey(partitions).filter(not_a_star).isEmpty()
        edges.unpersist()
        edges = result
        if done:
            return edges, rounds


def near_duplicate_pairs(segments, bands_command, env, partitions, parameters):
    """The local near-duplicate stage (NearDuplicateIndex.search over the segments in id order)
    as a band join. `segments` is an RDD of [id, lang, text] with distinct ids; `bands_command`
    runs `heldout map bands`, which gives each its shingles, tie hash and band hashes;
    `parameters` is `map plan`'s near_duplicates (threshold, bucket window). Returns an RDD of
    (id, id) pairs, smaller id first, and figures. As the stage does: rows with identical shingle
    sets are tied to the first of them in id order and only that one enters LSH; band hashes
    lose the low bits that the stage gives the representative's number (so buckets are the
    stage's); a bucket larger than the window pairs each member with its next `window` members
    in id order only; candidates are kept at Jaccard >= threshold - 1e-12."""
    from pyspark import StorageLevel
    threshold, window = parameters["threshold"], parameters["window"]

    # Nested, so that cloudpickle ships it by value (executors need not import this module).
    def jaccard(a, b):
        """Exact Jaccard similarity of two sorted distinct shingle lists: the local stage's
        formula (common / union, both integers, one correctly rounded division)."""
        common = len(set(a).intersection(b))
        return common / (len(a) + len(b) - common)

    keys = segments.map(lambda s: json.dumps(s, ensure_ascii=False)).pipe(bands_command, env=env) \
        .map(json.loads).filter(lambda r: r.get("set") is not None) \
        .map(lambda r: (r["id"], r["bands"], r["shingles"], r["set"]))

    def tie(kv):
        leaders, out = [], []
        for member in sorted(kv[1]):  # by id: ids are distinct
            leader = next((l for l in leaders if l[2] == member[2]), None)  # equal hashes of unequal sets stay apart
            if leader is None:
                leaders.append(member)
                out.append(("leader", member[:3]))
            else:
                out.append(("tie", (leader[0], member[0])))
        return out
    tied = keys.map(lambda r: (r[3], r)).groupByKey(partitions).flatMap(tie).persist(StorageLevel.MEMORY_AND_DISK)
    ties = tied.filter(lambda t: t[0] == "tie").map(lambda t: t[1])
    leaders = tied.filter(lambda t: t[0] == "leader").map(lambda t: t[1])
    representatives = leaders.count()
    mask = (1 << max(1, (representatives - 1).bit_length())) - 1  # NearDuplicateIndex.bucketIndexMask

    buckets = leaders.flatMap(lambda r: [((band, h & ~mask), r[0]) for band, h in enumerate(r[1])]) \
        .groupByKey(partitions).mapValues(sorted).filter(lambda kv: len(kv[1]) > 1).persist(StorageLevel.MEMORY_AND_DISK)

    def neighbours(members):
        n = len(members)
        return [(members[x], members[y]) for x in range(n) for y in range(x + 1, min(n, x + 1 + window))]
    candidates = buckets.flatMap(lambda kv: neighbours(kv[1])).distinct(partitions)
    shingles = leaders.map(lambda r: (r[0], r[2]))
    confirmed = candidates.join(shingles, partitions).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))) \
        .join(shingles, partitions) \
        .filter(lambda kv: jaccard(kv[1][0][1], kv[1][1]) >= threshold - 1e-12) \
        .map(lambda kv: (kv[1][0][0], kv[0]))
    pairs = ties.union(confirmed).distinct(partitions).persist(StorageLevel.MEMORY_AND_DISK)
    figures = {"representatives": representatives, "pairs": pairs.count(),
               "windowed_buckets": buckets.filter(lambda kv: len(kv[1]) > window + 1).count()}
    tied.unpersist()
    buckets.unpersist()
    return pairs, figures


def segment_items(rows, components, grades, items_command, env, partitions, bundle_partitions=None):
    """The questions stage on Spark: each segment becomes a bundle (`heldout map items`'s input:
    its text, alignment group, the group's other members with their grades, its labels and
    grade), the executors run the spec's translation and label templates over them, and the
    local stage's "first kept" becomes a reduce on the items' order key: per (template,
    question) the smallest key, then per item id the smallest key (`ShardItems.reduce`).
    `components` is large_star_small_star's (node, smallest node) for every grouped node but
    the smallest; `grades` maps a segment id to its `map grade` record. `map items` reads its
    shard whole, so the bundles are spread over `bundle_partitions` (about 50,000 each) to keep
    each mapper's memory flat (at 1M units in 2 partitions one held 2.6 GB); the reduce does not
    depend on it. Returns an RDD of item records (dicts, as `map items` writes them)."""
    segments = rows.flatMap(lambda kv: kv[1].get("segments") or []).map(lambda s: (s[0], s)) \
        .reduceByKey(lambda a, b: a, partitions)
    # Labels go to every segment of the unit that carries them (as ingest stores them); a
    # segment's values for a name are the distinct ones, sorted, empty values left out.
    labels = rows.flatMap(lambda kv: [(s[0], (name, value)) for s in (kv[1].get("segments") or [])
                                      for name, value in (kv[1].get("labels") or {}).items() if value]) \
        .distinct(partitions).groupByKey(partitions) \
        .mapValues(lambda pairs: {name: sorted(v for n, v in pairs if n == name) for name in sorted(set(n for n, _ in pairs))})
    groups = components.union(components.map(lambda e: (e[1], e[1]))).distinct(partitions)
    graded = segments.leftOuterJoin(grades, partitions).leftOuterJoin(groups, partitions) \
        .leftOuterJoin(labels, partitions) \
        .map(lambda kv: (kv[0], {"id": kv[0], "lang": kv[1][0][0][0][1], "text": kv[1][0][0][0][2],
                                 "grade": (kv[1][0][0][1] or {}).get("grade"), "group": kv[1][0][1],
                                 "labels": kv[1][1]}))

    def member(b):
        return {"id": b["id"], "lang": b["lang"], "text": b["text"], "grade": b["grade"]}

    def with_members(kv):
        bundles = sorted(kv[1], key=lambda b: b["id"])
        members = [member(b) for b in bundles]
        return [dict(b, members=[m for m in members if m["id"] != b["id"]]) for b in bundles]
    grouped = graded.filter(lambda kv: kv[1]["group"] is not None).map(lambda kv: (kv[1]["group"], kv[1])) \
        .groupByKey(partitions).flatMap(with_members)
    alone = graded.filter(lambda kv: kv[1]["group"] is None).map(lambda kv: kv[1])
    bundles = grouped.union(alone)
    if bundle_partitions and bundle_partitions > bundles.getNumPartitions():
        bundles = bundles.repartition(bundle_partitions)
    records = bundles.map(lambda b: json.dumps(b, ensure_ascii=False)).pipe(items_command, env=env) \
        .map(json.loads)
    by_question = records.map(lambda r: ((r["template"], r["question"]), r)) \
        .reduceByKey(lambda a, b: a if a["key"] <= b["key"] else b, partitions).values()
    return by_question.map(lambda r: (r["id"], r)).reduceByKey(lambda a, b: a if a["key"] <= b["key"] else b, partitions).values()


ITEM_FIELDS = ["id", "template", "category", "pair", "question", "answer", "rubric", "segments", "consistency_group"]


def items_digest(records):
    """Count and SHA-256 of items in id order, over the fields both `map items` and
    `heldout items --jsonl` write: the check that Spark's items are the store's."""
    import hashlib
    digest, count = hashlib.sha256(), 0
    for r in records:
        digest.update((json.dumps([r.get(k) for k in ITEM_FIELDS], ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        count += 1
    return count, digest.hexdigest()


def main(argv=None):
    args = parse_args(argv)
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    spec = os.path.abspath(args.spec)
    binary = shutil.which(args.binary) or args.binary
    executor_binary = args.executor_binary or binary
    plan = subprocess.run([binary, "map", "plan", spec], capture_output=True, text=True)
    if plan.returncode != 0:
        sys.stderr.write(plan.stderr)
        return plan.returncode
    planned = json.loads(plan.stdout)
    sources = planned["sources"]

    builder = SparkSession.builder.appName("heldout").config("spark.ui.showConsoleProgress", "false")
    if args.master:
        builder = builder.master(args.master)
    elif not SparkConf().contains("spark.master"):  # spark-submit sets it; plain python does not
        builder = builder.master("local[2]")
    spark = builder.getOrCreate()
    return run(spark, args, spec, binary, executor_binary, sources, planned.get("near_duplicates"), planned.get("fetch", []))


def run(spark, args, spec, binary, executor_binary, sources, near_duplicates=None, fetch=()):
    """The job itself, on a session the caller owns (tests reuse one for every variant).
    `fetch`: `map plan`'s URIs of sources the spec names by URI (hdfs:, s3a:, file:)."""
    sc = spark.sparkContext
    target = None
    if is_uri(args.out):
        target = SplitTarget(spark, args.out)
        foreign = target.foreign_files()
        if foreign:
            sys.stderr.write(f"heldout-spark: {args.out} holds files a split does not write ({', '.join(foreign[:5])}): "
                             "give --out an empty or new directory; nothing was written\n")
            return 2
    partitions = args.partitions or sc.defaultParallelism
    started = time.time()
    order = list(range(sources))
    if args.reverse_inputs:
        order.reverse()
    # One element per source: a source is read whole by one task (a TMX file is not cut).
    indices = sc.parallelize([str(i) for i in order], min(partitions, max(1, sources)))
    fetched = None
    if fetch:
        # Sources named by URI: Spark fetches each (hdfs:, s3a:, file:, http:) into every
        # executor's SparkFiles folder, and the driver's, and the mapper reads them there by
        # file name. Every executor gets every such source: fine for corpora of a few GB; for
        # more, mount the file system on the executors and name the sources by path.
        from pyspark import SparkFiles
        for uri in fetch:
            sc.addFile(uri)  # the same URI again (a second run on one session) is a no-op
        fetched = SparkFiles.getRootDirectory()
        indices = indices.map(lambda i: i + "\t" + SparkFiles.getRootDirectory())  # on the executor
    env = {"PATH": os.environ.get("PATH", "")}
    # Sources are relative to the spec's folder, and heldout resolves them so from any working
    # directory: the mapper runs where the task runs. `spec` is absolute (main).
    # RDD.pipe takes one string and splits it with shlex: quote each word.
    # A relative binary (`./heldout` shipped with --files) is taken from the task's directory.
    script = (f'h={shlex.quote(executor_binary)}; case "$h" in /*) ;; */*) h="$PWD/$h" ;; esac; '
              f'exec "$h" map units {shlex.quote(spec)}')
    command = shlex.join(["/bin/sh", "-c", script])
    lines = indices.pipe(command, env=env)
    rows = lines.map(json.loads).map(lambda r: ((r["source"], r["corpus"], r["ordinal"]), r))
    # Kept (spilling to disk) for the count, the checks and the sort: piping again would give
    # the same rows, but at the cost of reading every source again.
    from pyspark import StorageLevel
    rows = rows.repartition(partitions).persist(StorageLevel.MEMORY_AND_DISK)
    summary = {"partitions": partitions, "sources": sources, "rows": rows.count()}

    # The questions stage runs on the cluster when the spec's templates are ones `map items`
    # carries (it refuses the others before reading a line, as it would on an executor); its
    # items are handed to the replay, which stores them instead of making them. With --check the
    # replay makes them itself and the two are compared.
    probe = subprocess.run([binary, "map", "items", spec], input="", capture_output=True, text=True)
    cluster_items = probe.returncode == 0
    if not cluster_items:
        summary["items_on_driver"] = probe.stderr.strip()
    items_file = None
    if args.check or cluster_items:
        segments = rows.flatMap(lambda kv: kv[1].get("segments") or [])
        # Alignment groups: edges between each unit's first segment and its others (units of two or more).
        edges = rows.flatMap(lambda kv: [(s[0][0], t[0]) for s in [kv[1].get("segments") or []] if len(s) > 1 for t in s[1:]])
        components, iterations = large_star_small_star(edges, partitions)
        roots = components.map(lambda e: e[1]).distinct().count()
        summary["alignment_groups"] = roots
        summary["cc_iterations"] = iterations
        distinct = segments.map(lambda s: (s[0], s)).reduceByKey(lambda a, b: a, partitions).values()
        grade_cmd = shlex.join([executor_binary, "map", "grade", spec])
        grades = distinct.map(lambda s: json.dumps(s, ensure_ascii=False)).pipe(grade_cmd, env=env).map(json.loads)
        if args.check:
            summary["bands"] = dict(sorted(grades.map(lambda g: (g["band"], 1)).reduceByKey(lambda a, b: a + b).collect()))
            summary["segments"] = distinct.count()
        if cluster_items:
            items_cmd = shlex.join([executor_binary, "map", "items", spec])
            # About two segments a unit in multi-way corpora: ~50,000 bundles per mapper.
            items = segment_items(rows, components, grades.map(lambda g: (g["id"], g)), items_cmd, env, partitions,
                                  bundle_partitions=summary["rows"] * 2 // 50000 + 1) \
                .persist(StorageLevel.MEMORY_AND_DISK)
            # As for the rows below: toLocalIterator holds a whole partition in the driver's JVM,
            # so the sort takes a partition per 25,000 items (at 1M units in 2 partitions the
            # local-mode JVM ran out of its 2 GB heap); the order is the id's whatever the count.
            item_count = items.count()
            ordered_items = items.map(lambda r: (r["id"], r)) \
                .sortByKey(numPartitions=max(partitions, item_count // 25000 + 1)).values()
            if args.check:
                summary["items_count"], summary["items_digest"] = items_digest(ordered_items.toLocalIterator())
            else:
                # To a file on the driver, one record a line in id order, for the replay.
                handle, items_file = tempfile.mkstemp(prefix="heldout-items-", suffix=".jsonl")
                with os.fdopen(handle, "w", encoding="utf-8") as f:
                    count = 0
                    for record in ordered_items.toLocalIterator():
                        f.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                        count += 1
                summary["items"] = count
            items.unpersist()
    if (args.check or args.pairs_out) and near_duplicates:
        # The LSH band join over every segment, confirmed by exact Jaccard, held to `map pairs`
        # (the split's own join, over the segments its items use, runs after the first replay).
        distinct = rows.flatMap(lambda kv: kv[1].get("segments") or []).map(lambda s: (s[0], s)) \
            .reduceByKey(lambda a, b: a, partitions).values()
        bands_cmd = shlex.join([executor_binary, "map", "bands", spec])
        pairs, figures = near_duplicate_pairs(distinct, bands_cmd, env, partitions, near_duplicates)
        summary["near_duplicates"] = figures
        if args.pairs_out:
            with open(args.pairs_out, "w", encoding="utf-8") as f:
                for a, b in pairs.sortBy(lambda p: p, numPartitions=partitions).toLocalIterator():
                    f.write(json.dumps([a, b], separators=(",", ":")) + "\n")  # as `map pairs` writes them
        pairs.unpersist()

    # The driver's end: rows in order into `heldout map replay` (one row at a time on the driver).
    store = args.store
    temporary = tempfile.mkdtemp(prefix="heldout-spark-")  # the driver's own files
    if store is None:
        store = os.path.join(temporary, "store.sqlite")
    out = os.path.join(temporary, "split") if target is not None else os.path.abspath(args.out)
    try:
        command = [binary, "map", "replay", spec, "--store", store, "--json"]
        if fetched is not None:  # the manifest digests the driver's copies
            command += ["--fetched", fetched]
        if items_file is not None:  # the cluster's items, stored instead of made again
            command += ["--items", items_file]
        # With near-duplicates isolated, the replay stops once the items are made, the cluster
        # joins the bands of the segments the split's items use (`map used`), and a second
        # replay call splits with those pairs: the search's input is the split's own, so the
        # pairs, and the manifest's counts, are the local search's.
        first = command + (["--stop-before-split"] if near_duplicates else ["--out", out])
        if target is not None and not near_duplicates:  # spec.yaml's way back starts from the target
            first += ["--read-from", target.uri]
        replay = subprocess.Popen(first, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        # toLocalIterator holds one partition at a time on the driver: at least one partition per
        # 50,000 rows keeps that bounded (at 1M rows in 2 partitions the local-mode JVM ran out of
        # its 2 GB). The order is the key's whatever the partitions, so the bytes do not change.
        ordered = rows.sortByKey(numPartitions=max(partitions, summary["rows"] // 50000 + 1)).values()
        for row in ordered.toLocalIterator():
            replay.stdin.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        replay.stdin.close()
        output = replay.stdout.read()
        status = replay.wait()
        if status != 0:
            return status
        if near_duplicates:
            used = subprocess.run([binary, "map", "used", spec, "--store", store], capture_output=True, text=True)
            if used.returncode != 0:
                sys.stderr.write(used.stderr)
                return used.returncode
            segments = sc.parallelize(used.stdout.splitlines(), partitions).map(json.loads)
            bands_cmd = shlex.join([executor_binary, "map", "bands", spec])
            pairs, figures = near_duplicate_pairs(segments, bands_cmd, env, partitions, near_duplicates)
            pairs_file = os.path.join(temporary, "near-duplicates.jsonl")
            with open(pairs_file, "w", encoding="utf-8") as f:
                for a, b in pairs.sortBy(lambda p: p, numPartitions=partitions).toLocalIterator():
                    f.write(json.dumps([a, b], separators=(",", ":")) + "\n")
            pairs.unpersist()
            summary["split_near_duplicates"] = figures
            second = command + ["--resume", "--out", out, "--near-duplicates", pairs_file,
                                "--windowed-buckets", str(figures["windowed_buckets"])]
            if target is not None:
                second += ["--read-from", target.uri]
            finished = subprocess.run(second, stdout=subprocess.PIPE)
            if finished.returncode != 0:
                return finished.returncode
            output = finished.stdout
        summary["split"] = json.loads(output) if output.strip() else None
        if target is not None and summary["split"]:
            # The primary split and its siblings, all checked before any is copied.
            outputs = summary["split"]["outputs"]
            suffixes = [os.path.basename(o["directory"])[len("split"):] for o in outputs]
            foreign = [f for suffix in suffixes for f in target.foreign_files(suffix)]
            if foreign:
                sys.stderr.write(f"heldout-spark: {target.uri}: a sibling holds files a split does not write "
                                 f"({', '.join(foreign[:5])}); nothing was copied\n")
                return 2
            for o, suffix in zip(outputs, suffixes):
                o["directory"] = target.copy_from(os.path.join(temporary, os.path.basename(o["directory"])), suffix)
            out = target.uri
        if args.check:
            stats = subprocess.run([binary, "stats", "--store", store, "--json"], capture_output=True, text=True, check=True)
            local = json.loads(stats.stdout)
            summary["store_alignment_groups"] = local.get("alignment_groups")
            summary["store_bands"] = dict(sorted(local.get("bands", {}).items()))
            if "items_digest" in summary:
                listed = subprocess.Popen([binary, "items", "--store", store, "--jsonl"], stdout=subprocess.PIPE, text=True)
                summary["store_items_count"], summary["store_items_digest"] = items_digest(json.loads(l) for l in listed.stdout)
                listed.wait()
    finally:
        rows.unpersist()
        shutil.rmtree(temporary, ignore_errors=True)
        if items_file:
            os.remove(items_file)
    summary["seconds"] = round(time.time() - started, 2)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        sys.stderr.write(f"heldout-spark: {summary['rows']} rows from {sources} sources in {partitions} partitions, "
                         f"split written to {out} in {summary['seconds']} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
