#!/usr/bin/env python3
"""Run a heldout spec on Apache Spark and write the split `heldout build` writes (issue 15).

The executors run the `heldout` binary as a stateless mapper (`heldout map units`, `map grade`,
`map items`, `map bands`, `map select`, `map records`, `map dropped`) through RDD.pipe, so every
row is computed by the same Swift code as the local stages. Spark computes, on DataFrames (the
joins in the JVM; only the mappers' lines pass through Python), the alignment groups (connected
components by large-star/small-star, smallest segment id as the group id, like the store), the
grades per segment, the items (segment bundles through `map items`, "first kept" as a reduce on
the order key), the split's isolation components (joined through segments, folded texts,
alignment groups and near-duplicate pairs from the band join over the segments its items use),
the records, `dropped.jsonl`, the manifests' counts and the audit's segments. The driver's only
global steps are over counts: the side choice from one summary per component (`map choose`),
the manifests (`map manifest`), the domain classifier's decision over the declared segments
(`map classifier`), each variant's audit over the written files (`heldout audit --segments`),
and putting the finished split in place (`map place`). No store, and no split, on the driver:
the files are the local build's, byte for byte, whatever the partitions, executors or input
order (the CI check holds them to a local build).

Where the cluster cannot write every file (counts cannot decide the sides, grammar and
definition templates, an `axis: domain` split, a classifier that would predict domains), or with
`--check`, `--replay always` or `--store`, the driver streams the rows, sorted by (source,
corpus, ordinal), into `heldout map replay`, which stores them, grades, splits and audits exactly
as `heldout build` does, taking the cluster's items, sides, records, manifests and audit only if
they are its own (see docs/DESIGN.md "More than one machine"). With `--check` it also compares
Spark's groups, grades and items with its store.

usage: heldout_spark.py SPEC --out DIR|URI [--binary heldout] [--master local[2]] [--partitions N]
                        [--reverse-inputs] [--store PATH] [--check] [--replay auto|always]
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


class StepFailed(Exception):
    """A `heldout` call on the driver refused (it printed why): the job ends with its status."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


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
    p.add_argument("--check", action="store_true",
                   help="run the replay and compare Spark's alignment groups, grades and items with its store")
    p.add_argument("--replay", choices=["auto", "always"], default="auto",
                   help="auto (default): where the cluster wrote every file of the split, put it in place with no store on "
                        "the driver; always: run the replay too, which holds every file to its own byte for byte")
    p.add_argument("--pairs-out", default=None,
                   help="write the near-duplicate pairs Spark's band join confirms, one [id, id] a line, sorted (implies the join)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    return p.parse_args(argv)


def large_star_small_star(edges):
    """Connected components of an undirected edge DataFrame (`src`, `dst`: strings); returns a
    DataFrame of (`node`, `root`: the smallest node of its component) for every node that is not
    that smallest node (checkpointed), and the number of rounds. Large-star links each node's larger neighbours
    to its smallest neighbour (itself included); small-star links a node and its smaller
    neighbours to the smallest of them (Kiveris et al., "Connected Components in MapReduce and
    Beyond", 2014). Both keep connectivity, so once the edges form stars (every node has one
    smaller neighbour, which has none) each star is a component around its minimum. Written in
    DataFrames, so the joins run in the JVM (the RDD version pickled every edge through Python
    twice a round); GraphFrames' jar is not installable from the registries this project uses."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    src, dst = F.col("src"), F.col("dst")
    # Oriented larger → smaller, each edge once.
    # Checkpointed, not persisted: a persisted DataFrame keeps its whole plan, which every
    # reference in each round's plan printed again (the split's graph is a union of joins over
    # kept selections); at 50k units the plan's text ran the 1 GB check driver out of heap.
    first = edges.where(src != dst).select(F.greatest(src, dst).alias("src"), F.least(src, dst).alias("dst")) \
        .distinct().localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)
    edges = first
    rounds = 0
    while True:
        rounds += 1
        both = edges.union(edges.select(dst.alias("src"), src.alias("dst")))
        smallest = both.groupBy("src").agg(F.least(F.min("dst"), F.col("src")).alias("m"))
        # Large-star: (v, m(u)) for every neighbour v > u; v > u >= m(u), so already oriented.
        large = both.join(smallest, "src").where(dst > src).select(dst.alias("src"), F.col("m").alias("dst"))
        # Small-star over those: each node u and its smaller neighbours s go to m = min(s).
        parent = large.groupBy("src").agg(F.min("dst").alias("m"))
        small = large.join(parent, "src").where(dst != F.col("m")).select(dst.alias("src"), F.col("m").alias("dst")) \
            .union(parent.select("src", F.col("m").alias("dst")))
        # Checkpointed (eagerly, on the executors): each round's plan would otherwise hold every
        # earlier round's twice over, and planning ran the 2 GB driver out of heap by round 4.
        # Its blocks go with the DataFrame (Spark's cleaner, once no reference is left).
        result = small.distinct().toDF("node", "root").localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)
        edges = result.select(F.col("node").alias("src"), F.col("root").alias("dst"))
        # Stars: no node with two parents, and no parent that has a parent itself.
        two_parents = result.groupBy("node").count().where(F.col("count") > 1).limit(1).count()
        chained = result.select("node").join(result.select(F.col("root").alias("node")).distinct(), "node").limit(1).count()
        if not two_parents and not chained:
            return result, rounds


def windowed_neighbours(buckets, window):
    """Pairs (`a`, `b`) of each bucket's members (`m`: ids sorted) with their next `window`
    members, as NearDuplicateIndex pairs a bucket: every pair when the bucket holds at most
    window + 1. By `slice` (1-based; `pos` is 0-based), so a bucket costs its size times the
    window, never its size squared."""
    from pyspark.sql import functions as F
    return buckets.select("m", F.posexplode("m").alias("pos", "a")) \
        .select("a", F.explode(F.expr(f"slice(m, pos + 2, {int(window)})")).alias("b"))


def near_duplicate_pairs(spark, lines, bands_command, env, parameters):
    """The local near-duplicate stage (NearDuplicateIndex.search over the segments in id order)
    as a band join. `lines` is an RDD of segment rows as JSON text (`[id, lang, text]`, distinct
    ids); `bands_command` runs `heldout map bands`, which gives each its shingles, tie hash and
    band hashes; `parameters` is `map plan`'s near_duplicates (threshold, bucket window).
    Returns a DataFrame of pairs (`a`, `b`: segment ids, a < b), persisted, and figures. As the
    stage does: rows with identical shingle sets are tied to the first of them in id order and
    only that one enters LSH; band hashes lose the low bits that the stage gives the
    representative's number (so buckets are the stage's); a bucket larger than the window pairs
    each member with its next `window` members in id order only; candidates are kept at
    Jaccard >= threshold - 1e-12. The hashes are unsigned 64-bit: they enter the DataFrame as the
    signed longs of the same bits, so equality, and the mask's AND, are unchanged."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    threshold, window = parameters["threshold"], parameters["window"]

    # Nested, so that cloudpickle ships it by value (executors need not import this module).
    def signed(h):
        return h - (1 << 64) if h >= 1 << 63 else h

    def parsed(line):
        r = json.loads(line)
        return [(r["id"], signed(r["set"]), [signed(h) for h in r["bands"]], [signed(h) for h in r["shingles"]])] \
            if r.get("set") is not None else []
    # Kept on disk: the ties below read it twice (a self-join), and each read would otherwise
    # run every segment through `map bands` and Python again.
    keys = spark.createDataFrame(lines.pipe(bands_command, env=env).flatMap(parsed),
                                 "id string, set long, bands array<long>, shingles array<long>") \
        .persist(StorageLevel.DISK_ONLY)
    # Ties: within equal shingle sets (the hash, then the sets themselves: equal hashes of
    # unequal sets stay apart) the smallest id leads.
    tied = keys.join(keys.groupBy("set", "shingles").agg(F.min("id").alias("leader")), ["set", "shingles"]) \
        .persist(StorageLevel.DISK_ONLY)
    ties = tied.where(F.col("id") != F.col("leader")).select(F.col("leader").alias("a"), F.col("id").alias("b"))
    leaders = tied.where(F.col("id") == F.col("leader")).select("id", "bands", "shingles").persist(StorageLevel.DISK_ONLY)
    representatives = leaders.count()
    mask = (1 << max(1, (representatives - 1).bit_length())) - 1  # NearDuplicateIndex.bucketIndexMask

    buckets = leaders.select("id", F.posexplode("bands").alias("band", "h")) \
        .groupBy("band", F.col("h").bitwiseAND(F.lit(~mask)).alias("bucket")) \
        .agg(F.array_sort(F.collect_list("id")).alias("m")).where(F.size("m") > 1) \
        .persist(StorageLevel.DISK_ONLY)
    candidates = windowed_neighbours(buckets, window).distinct()
    shingles = leaders.select("id", "shingles")
    confirmed = candidates \
        .join(shingles.select(F.col("id").alias("a"), F.col("shingles").alias("sa")), "a") \
        .join(shingles.select(F.col("id").alias("b"), F.col("shingles").alias("sb")), "b") \
        .withColumn("common", F.size(F.array_intersect("sa", "sb"))) \
        .where((F.col("common").cast("double") / (F.size("sa") + F.size("sb") - F.col("common")).cast("double"))
               >= F.lit(threshold - 1e-12)) \
        .select("a", "b")
    pairs = ties.union(confirmed).distinct().persist(StorageLevel.DISK_ONLY)
    figures = {"representatives": representatives, "pairs": pairs.count(),
               "windowed_buckets": buckets.where(F.size("m") > window + 1).count()}
    keys.unpersist()
    tied.unpersist()
    leaders.unpersist()
    buckets.unpersist()
    return pairs, figures


# What the driver reads of a `map units` row (ShardRow): its order key, segments, labels, the
# unit's domain and, on a corpus row, the corpus's (for metadata_domains).
ROW_FIELDS = ("source long, corpus long, ordinal long, kind string, document string, segments array<array<string>>, "
              "labels map<string,string>, domain string, descriptor struct<domain: string, name: string, sha256: string>")


def metadata_domains(rows):
    """Each segment's declared domain, as grading derives it in the store (`segment_domain`,
    source `metadata`): every occurrence (a unit of a corpus holding the segment, counted once)
    takes its unit's domain, else its corpus's, each trimmed of spaces as SQLite's `trim` does
    and left out when empty; the segment gets the domain of most occurrences, ties going to the
    smallest (both compare UTF-8 bytes), and as confidence the share of its occurrences with a
    domain that agree. Returns a DataFrame of (`id`, `domain`: the text to splice into a bundle
    after the grade, `,"domain":…,"domain_source":"metadata","domain_confidence":…`; `name`: the
    domain itself, for classifier_predicts)."""
    from pyspark.sql import functions as F
    def declared(column):
        trimmed = F.expr(f"trim(BOTH ' ' FROM {column})")
        return F.when(trimmed != "", trimmed)
    corpora = rows.where(F.col("descriptor").isNotNull()) \
        .select("source", "corpus", declared("descriptor.domain").alias("corpus_domain"))
    # Occurrences without a domain are left out before any shuffle: a corpus that declares none
    # costs one pass over the rows.
    occurrences = rows.where(F.col("segments").isNotNull()) \
        .join(F.broadcast(corpora), ["source", "corpus"], "left") \
        .select("source", "corpus", "ordinal", F.coalesce(declared("domain"), "corpus_domain").alias("domain"),
                F.explode("segments").alias("s")) \
        .where(F.col("domain").isNotNull()) \
        .select("source", "corpus", "ordinal", "domain", F.col("s")[0].alias("id")) \
        .dropDuplicates(["source", "corpus", "ordinal", "id"]) \
        .select("id", "domain")
    counted = occurrences.groupBy("id", "domain").count() \
        .groupBy("id").agg(F.min(F.struct((-F.col("count")).alias("n"), F.col("domain"))).alias("best"),
                           F.sum("count").alias("total")) \
        .select("id", F.col("best.domain").alias("domain"), (-F.col("best.n")).alias("best"), "total")
    # The confidence as Swift prints the store's best / total: Python's float division is the
    # same IEEE division and its repr the shortest text that reads back the same double (the
    # JVM's Double.toString on Java 17 is not always). Few (best, total) pairs exist, so they
    # are computed on the driver and joined back.
    ratios = counted.select("best", "total").distinct().collect()
    if not ratios:
        return None  # nothing declares a domain
    spark = rows.sparkSession
    texts = spark.createDataFrame([(r["best"], r["total"], repr(r["best"] / r["total"])) for r in ratios],
                                  "best long, total long, confidence string")
    named = F.to_json(F.struct("domain"))  # {"domain":"…"}, escaped by the JVM
    return counted.join(F.broadcast(texts), ["best", "total"]).withColumn("named", named) \
        .select("id", F.concat(F.lit(","), F.expr("substring(named, 2, length(named) - 2)"),
                               F.lit(',"domain_source":"metadata","domain_confidence":'), "confidence").alias("domain"),
                F.col("domain").alias("name"))


def classifier_predicts(domains, segments, binary, spec, per_domain):
    """Whether grading's domain classifier would predict any domain on this corpus, with its
    report (`heldout map classifier`): it trains on the segments whose metadata declares a
    domain, the `per_domain` smallest ids of each (`map plan`'s), so those alone decide it;
    they reach the driver a domain at a time (a top-k each, never the whole corpus). When it
    predicts, the store's items carry domains the cluster's lack, and the replay must run.
    `domains` is metadata_domains'; `segments` the distinct (`id`, `lang`, `text`)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    declared = domains.select("id", "name").join(segments.select("id", "text"), "id").persist(StorageLevel.DISK_ONLY)
    classifier = subprocess.Popen([binary, "map", "classifier", spec], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        for (name,) in sorted(declared.select("name").distinct().collect()):
            firsts = declared.where(F.col("name") == name).orderBy("id").limit(per_domain) \
                .select(F.to_json(F.struct("id", "text", F.col("name").alias("domain"))))
            for (line,) in firsts.toLocalIterator():
                classifier.stdin.write((line + "\n").encode("utf-8"))
        classifier.stdin.close()
    except BrokenPipeError:  # it refused a line (its message is on stderr)
        pass
    output = classifier.stdout.read()
    declared.unpersist()
    if classifier.wait() != 0:
        raise StepFailed(classifier.returncode)
    return json.loads(output)


def distinct_segments(rows):
    """The rows' segments (`id`, `lang`, `text`), each id once (equal ids are equal segments)."""
    from pyspark.sql import functions as F
    return rows.select(F.explode("segments").alias("s")) \
        .select(F.col("s")[0].alias("id"), F.col("s")[1].alias("lang"), F.col("s")[2].alias("text")).dropDuplicates(["id"])


def group_members(components, segment="s", group="g"):
    """Every grouped segment with its alignment group (the component's smallest id), the root
    included: large_star_small_star's (`node`, `root`) lists every node but the root."""
    from pyspark.sql import functions as F
    return components.select(F.col("node").alias(segment), F.col("root").alias(group)) \
        .union(components.select(F.col("root").alias(segment), F.col("root").alias(group)).distinct())


def segment_items(spark, rows, segments, components, grades, items_command, env, partitions, bundle_partitions=None,
                  domains=None):
    """The questions stage on Spark: each segment becomes a bundle (`heldout map items`'s input:
    its text, alignment group, the group's other members with their grades, its labels and
    grade), the executors run the spec's translation and label templates over them, and the
    local stage's "first kept" becomes a reduce on the items' order key: per (template,
    question) the smallest key, then per item id the smallest key (`ShardItems.reduce`).
    `rows` is the driver's rows (ROW_FIELDS' columns); `segments` is a DataFrame of distinct
    (`id`, `lang`, `text`); `components` is
    large_star_small_star's (`node`, `root`) for every grouped node but the root; `grades` is a
    DataFrame of (`id`, `grade`: the grade as JSON text, "null" when ungradable); `domains` is
    metadata_domains' (or None: no segment has a domain). The joins, the
    group-by and the reduces run in the JVM; bundles are assembled as JSON text there (the
    grade's text is spliced in as `map grade` gave it, so no double is printed twice), and only
    the finished lines cross to the mappers. `map items` reads its shard whole, so the bundles
    are spread over `bundle_partitions` (about 50,000 each) to keep each mapper's memory flat (at
    1M units in 2 partitions one held 2.6 GB); the reduce does not depend on it. Returns a
    DataFrame of (`id`, `line`: the item record as `map items` wrote it)."""
    from pyspark.sql import functions as F
    # Labels go to every segment of the unit that carries them (as ingest stores them); a
    # segment's values for a name are the distinct ones, sorted, empty values left out.
    labels = rows.where(F.col("labels").isNotNull()).select(F.explode("segments").alias("s"), "labels") \
        .select(F.col("s")[0].alias("id"), F.explode("labels").alias("name", "value")).where(F.col("value") != "") \
        .groupBy("id", "name").agg(F.array_sort(F.collect_set("value")).alias("values")) \
        .groupBy("id").agg(F.to_json(F.map_from_entries(F.collect_list(F.struct("name", "values")))).alias("labels"))
    groups = group_members(components, "id", "group")
    own = F.to_json(F.struct("id", "lang", "text"))  # {"id":…,"lang":…,"text":…}, escaped by the JVM
    opened = F.expr("substring(own, 1, length(own) - 1)")
    graded = segments.join(grades, "id", "left").join(groups, "id", "left").join(labels, "id", "left")
    if domains is not None:
        graded = graded.join(domains, "id", "left")
    else:
        graded = graded.withColumn("domain", F.lit(None).cast("string"))
    # The grading fields as `map grade` printed the grade and metadata_domains wrote the domain.
    grading = F.concat(F.lit(',"grade":'), F.col("grade"), F.coalesce(F.col("domain"), F.lit("")))
    graded = graded \
        .withColumn("own", own) \
        .withColumn("grade", F.coalesce(F.col("grade"), F.lit("null"))) \
        .select("id", "group",
                F.concat(opened, grading, F.lit("}")).alias("member"),
                F.concat(opened, grading,
                         F.lit(',"group":'), F.coalesce(F.concat(F.lit('"'), F.col("group"), F.lit('"')), F.lit("null")),
                         F.lit(',"labels":'), F.coalesce(F.col("labels"), F.lit("null"))).alias("head"))
    # A group's bundles each list the group's other members, in id order (a member's text starts
    # {"id":"HEX", so the strings sort as the ids).
    grouped = graded.where(F.col("group").isNotNull()).groupBy("group") \
        .agg(F.collect_list(F.struct("id", "head", "member")).alias("ms")) \
        .select(F.explode(F.expr(
            "transform(ms, b -> concat(b.head, ',\"members\":[', "
            "array_join(array_sort(transform(filter(ms, x -> x.id != b.id), x -> x.member)), ','), ']}'))")).alias("line"))
    alone = graded.where(F.col("group").isNull()).select(F.concat("head", F.lit("}")).alias("line"))
    bundles = grouped.union(alone).rdd.map(lambda r: r[0])
    if bundle_partitions and bundle_partitions > bundles.getNumPartitions():
        bundles = bundles.repartition(bundle_partitions)
    lines = bundles.pipe(items_command, env=env)
    records = spark.createDataFrame(lines.map(lambda l: (l,)), "line string") \
        .select("line", F.from_json("line", "template string, question string, id string, key string").alias("r"))
    by_question = records.groupBy("r.template", "r.question") \
        .agg(F.min(F.struct(F.col("r.key").alias("key"), F.col("r.id").alias("id"), F.col("line").alias("line"))).alias("m"))
    return by_question.groupBy(F.col("m.id").alias("id")) \
        .agg(F.min(F.struct(F.col("m.key").alias("key"), F.col("m.line").alias("line"))).alias("m")) \
        .select("id", F.col("m.line").alias("line"))


def node(prefix, column):
    """A graph node's name: the column's value behind a prefix saying what kind of node it is
    (`i` items, which sort first, then `k…` keys)."""
    from pyspark.sql import functions as F
    return F.concat(F.lit(prefix), F.col(column))


def union_all(frames):
    """The rows of every DataFrame in `frames` (by column name), or None when there is none."""
    from functools import reduce
    return reduce(lambda a, b: a.unionByName(b), frames) if frames else None


def item_keys(candidates, folded, group_of, pairs, passages, links):
    """Each item's keys under each isolation link, in the split's key order (its segments in
    order; a segment's passage hashes ascending), as (`id`, `link`, `pos`, `k`): whom an item
    dropped for isolation gave way to is the holder of its first key that a kept item holds
    (`KeptKeyHolders`). Keys only need to be equal where the split's are: the shared-segment
    class is the folded-text hash (a segment without letters or digits is its own); the
    translation key the closure of alignment groups through folded texts (large-star/small-star
    over group and folded-text nodes, an ungrouped segment joining the closure of its folded
    text), the near-duplicate key the component of the confirmed pairs; a passage hash is a key
    when two segments hold it (a shorter segment's whole text counts where another holds it);
    lexemes and consistency groups are `map select`'s keys. `candidates` (`id`, `segments`,
    `keys`); `folded` (`s`, `folded`); `group_of` (`s`, `g`); `pairs` (`a`, `b`) or None;
    `passages` `map passages`' (`id`, `runs`, `whole`, `within`) or None."""
    from pyspark.sql import functions as F
    at = candidates.select("id", F.posexplode("segments").alias("pos", "s"))
    keyed = []
    if "shared_segment" in links:
        keyed.append(at.join(folded, "s", "left")
                     .select("id", F.lit("shared_segment").alias("link"), "pos",
                             F.coalesce(node("h", "folded"), node("s", "s")).alias("k")))
    closure_edges = []
    if "translation" in links:
        closure_edges.append(group_of.join(folded, "s").select(node("kg", "g").alias("src"), node("kh", "folded").alias("dst")))
    if "near_duplicate" in links and pairs is not None:
        closure_edges.append(pairs.select(node("ks", "a").alias("src"), node("ks", "b").alias("dst")))
    roots = large_star_small_star(union_all(closure_edges))[0] if closure_edges else None
    root_of = lambda column: F.coalesce(F.col("root"), F.col(column))  # noqa: E731  (a root is not listed)
    if "translation" in links:
        grouped = at.join(group_of, "s").select("id", "pos", node("kg", "g").alias("n"))
        # A segment of no group whose folded text a grouped one has joins that text's closure.
        texts = group_of.join(folded, "s").select(node("kh", "folded").alias("n")).distinct()
        ungrouped = at.join(group_of, "s", "left_anti").join(folded, "s").select("id", "pos", node("kh", "folded").alias("n")) \
            .join(texts, "n", "left_semi")
        keyed.append(grouped.unionByName(ungrouped).join(roots.withColumnRenamed("node", "n"), "n", "left")
                     .select("id", F.lit("translation").alias("link"), "pos", root_of("n").alias("k")))
    if "near_duplicate" in links and pairs is not None:
        paired = pairs.select(F.col("a").alias("s")).union(pairs.select(F.col("b").alias("s"))).distinct()
        keyed.append(at.join(paired, "s").select("id", "pos", node("ks", "s").alias("n"))
                     .join(roots.withColumnRenamed("node", "n"), "n", "left")
                     .select("id", F.lit("near_duplicate").alias("link"), "pos", root_of("n").alias("k")))
    for link, prefix in (("lexeme", "lexeme:"), ("consistency_group", "consistency:")):
        if link in links:
            keyed.append(candidates.select("id", F.explode("keys").alias("k")).where(F.col("k").startswith(prefix))
                         .select("id", F.lit(link).alias("link"), F.lit(0).alias("pos"), "k"))
    if "shared_passage" in links and passages is not None:
        wholes = passages.where(F.col("whole").isNotNull()).select(F.col("whole").alias("h")).distinct()
        held = passages.select(F.col("id").alias("s"), F.explode("runs").alias("h")) \
            .unionByName(passages.select(F.col("id").alias("s"), F.explode("within").alias("h")).join(wholes, "h", "left_semi")
                   .select("s", "h")).distinct()
        shared = held.groupBy("h").agg(F.count(F.lit(1)).alias("n")).where(F.col("n") > 1).select("h")
        keyed.append(at.join(held.join(shared, "h", "left_semi"), "s")
                     .select("id", F.lit("shared_passage").alias("link"), "pos", F.col("h").alias("k")))
    return union_all(keyed)


def split_sides(spark, items, grades, components, segments, pairs, select_command, env, links, passages_command=None,
                find_pairs=None):
    """The split's side choice from the cluster's own counts (issue 15): the items the split's
    loader selects (`heldout map select`, item by item), the split's isolation components over
    them by large-star/small-star, one summary per component (its smallest item, and per
    column its items, those with gold and those it can keep), written as `heldout map choose`
    reads them. `items` is segment_items' (`id`, `line`); `grades` holds every segment's
    `flagged` (the grader's language flag) and `folded` (the folded-text hash) as `map grade`
    printed them; `components` is the alignment groups' (`node`, `root`); `segments` the
    distinct (`id`, `lang`, `text`); `pairs` the split's near-duplicate pairs (`a`, `b`) or
    None; `links` the spec's isolation links (`map plan`'s); `passages_command` runs `heldout
    map passages` when it isolates shared passages (None otherwise); `find_pairs`, when `pairs`
    is None and near-duplicates are isolated, finds them over a DataFrame of the segments the
    split's items use (`s`): the split's own search runs over exactly those (`Splitter
    .usedSegments`), so no store is needed to name them.

    The components are those of the split's union links when shared segments are isolated:
    an item joins its segments (`ks`), a used segment its folded text (`kh`, a shared-segment
    class), a grouped segment its group (`kg`) and every grouped segment's folded text joins
    that group (the split's translation closure, through groups no item uses), and each
    near-duplicate pair joins its two segments. Item nodes (`i`) sort before key nodes (`k`),
    so a component's smallest node is its smallest item, the id the local graph numbers it by.
    Returns (DataFrame of summary lines, (DataFrame of (`id`, `c`: its component, `column`,
    `dropped`: step 1 dropped it, `segments`: its own and the translation looked up for it,
    `drop_link`, `drop_partner`: step 1's naming) for placing the records, item_keys' keys or
    None, the items left out for their language per column, the pairs), None), or (None, None,
    why the split must choose itself)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    translations = "translation" in links
    # Items on a segment the grader flagged carry "flagged": true into `map select`.
    item_segments = items.select("id", F.explode(F.from_json("line", "segments array<string>")["segments"]).alias("s"))
    flagged = item_segments.join(grades.where(F.col("flagged")).select(F.col("id").alias("s")), "s") \
        .select("id").distinct().withColumn("f", F.lit(True))
    lines = items.join(flagged, "id", "left").select(
        F.when(F.col("f"), F.concat(F.expr("substring(line, 1, length(line) - 1)"), F.lit(',"flagged":true}')))
        .otherwise(F.col("line")).alias("line"))
    chosen = lines.rdd.map(lambda r: r[0]).pipe(select_command, env=env).map(lambda l: (l,))
    selected = spark.createDataFrame(chosen, "line string") \
        .select(F.from_json("line", "id string, outcome string, column string, gold boolean, keepable boolean, "
                                    "trainable boolean, heldout boolean, keys array<string>, segments array<string>, "
                                    "target string").alias("r")) \
        .select("r.*").persist(StorageLevel.DISK_ONLY)
    # The items left out for their language, per column (the manifest's `language_mismatch`).
    mismatch = {r["column"]: r["count"] for r in selected.where(F.col("outcome") == "language_mismatch").groupBy("column").count().collect()}
    candidates = selected.where(F.col("outcome") == "candidate").drop("outcome").persist(StorageLevel.DISK_ONLY)
    candidates.count()
    selected.unpersist()
    try:
        # An item with a pair none of whose later segments is in the pair's target language
        # gets, as the split's loader gives it, the smallest segment of its first segment's
        # alignment group in that language (the store's group, before the translation closure),
        # appended to its segments: it is then one of the item's segments for isolation too.
        langs = segments.select(F.col("id").alias("s"), "lang")
        wanting = candidates.where(F.col("target").isNotNull())
        own = wanting.select("id", "target", F.posexplode("segments").alias("pos", "s")).where(F.col("pos") > 0) \
            .join(langs, "s").where(F.col("lang") == F.col("target")).select("id").distinct()
        group_of = group_members(components)
        looked_up = wanting.join(own, "id", "left_anti") \
            .select("id", "target", F.col("segments")[0].alias("s")).join(group_of, "s") \
            .join(group_of.join(langs, "s").select(F.col("g"), F.col("s").alias("t"), F.col("lang").alias("target")),
                  ["g", "target"]) \
            .groupBy("id").agg(F.min("t").alias("t"))
        candidates_full = candidates.join(looked_up, "id", "left") \
            .withColumn("segments", F.when(F.col("t").isNotNull(), F.concat("segments", F.array("t"))).otherwise(F.col("segments"))) \
            .drop("t").localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)  # a short plan, as above
        candidates.unpersist()
        candidates = candidates_full
        used = candidates.select("id", F.explode("segments").alias("s"))
        folded = grades.where(F.col("folded").isNotNull()).select(F.col("id").alias("s"), "folded")
        used_segments = used.select("s").distinct()
        if pairs is None and find_pairs is not None:
            pairs = find_pairs(used_segments)
        edges = used.select(node("i", "id").alias("src"), node("ks", "s").alias("dst")) \
            .union(used_segments.join(folded, "s").select(node("ks", "s"), node("kh", "folded")))
        if translations:
            edges = edges.union(used_segments.join(group_of, "s").select(node("ks", "s"), node("kg", "g"))) \
                .union(group_of.join(folded, "s").select(node("kg", "g"), node("kh", "folded")))
        if pairs is not None:
            edges = edges.union(pairs.select(node("ks", "a"), node("ks", "b")))
        passages = None
        if passages_command:
            rows = used_segments.join(segments.select(F.col("id").alias("s"), "lang", "text"), "s") \
                .select(F.to_json(F.array("s", "lang", "text"))).rdd.map(lambda r: r[0])
            passages = spark.createDataFrame(rows.pipe(passages_command, env=env).map(lambda l: (l,)), "line string") \
                .select(F.from_json("line", "id string, runs array<string>, whole string, within array<string>").alias("r")) \
                .select("r.*").persist(StorageLevel.DISK_ONLY)
            wholes = passages.where(F.col("whole").isNotNull()).select(F.col("whole").alias("h")).distinct()
            edges = edges.union(passages.select("id", F.explode("runs").alias("h")).select(node("ks", "id"), node("kp", "h"))) \
                .union(passages.select("id", F.explode("within").alias("h")).join(wholes, "h", "left_semi")
                       .select(node("ks", "id"), node("kp", "h")))
        roots, _ = large_star_small_star(edges)
        # Each item's keys per link, for the partners of items dropped for isolation.
        from_link = item_keys(candidates, folded, group_of, pairs, passages, links)
        keys_of = None if from_link is None else from_link.localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)
        if passages is not None:
            passages.unpersist()
        component = roots.where(F.col("node").startswith("i")) \
            .select(F.expr("substring(node, 2)").alias("id"), F.expr("substring(root, 2)").alias("c"))
        members = candidates.join(component, "id", "left") \
            .select("id", F.coalesce("c", "id").alias("c"), "column", "gold", "keepable", "trainable", "heldout", "keys")
        # Lexemes and consistency groups (SideAssignment step 1, per key): one held by a
        # held-out item across components is live, and counts cannot decide (`keyed`, which
        # `map choose` refuses); within a component, training owns a key when it has at least
        # as many trainable items as held-out ones with gold (dropping those held-out items),
        # evaluation when it has fewer (pinning its training items there).
        held = members.select("id", "c", "heldout", F.explode("keys").alias("k"))
        per_key = members.select("c", "heldout", "gold", "trainable", F.explode("keys").alias("k")).groupBy("k").agg(
            F.max(F.col("heldout").cast("int")).alias("h"), F.countDistinct("c").alias("n"),
            F.sum(F.col("trainable").cast("int")).alias("t"), F.sum((F.col("heldout") & F.col("gold")).cast("int")).alias("e"))
        live = per_key.where((F.col("h") == 1) & (F.col("n") > 1)).select("k")
        to_train = per_key.where((F.col("e") > 0) & (F.col("t") >= F.col("e"))).select("k")
        to_evaluation = per_key.where((F.col("e") > 0) & (F.col("t") < F.col("e"))).select("k")
        flag = lambda keys, name, where: held.where(where).join(keys, "k", "left_semi").select("id").distinct() \
            .withColumn(name, F.lit(1))  # noqa: E731
        for keys, name, where in [(live, "keyed", F.lit(True)), (to_train, "dropped", F.col("heldout")),
                                  (to_evaluation, "pinned", ~F.col("heldout"))]:
            members = members.join(flag(keys, name, where), "id", "left").withColumn(name, F.coalesce(name, F.lit(0)))
        counted = members.groupBy("c", "column").agg(
            F.count(F.lit(1)).alias("n"), F.sum(F.col("gold").cast("long")).alias("a"),
            F.sum((F.col("gold") & (F.col("dropped") == 0)).cast("long")).alias("g"),
            F.sum(F.col("keepable").cast("long")).alias("k"), F.sum("keyed").alias("y"),
            F.sum("dropped").alias("d"), F.sum("pinned").alias("p"))
        entries = lambda column: F.map_from_entries(F.collect_list(F.struct("column", column)))  # noqa: E731
        summaries = counted.groupBy("c").agg(entries("n").alias("items"), entries("a").alias("gold"), entries("g").alias("evaluable"),
                                             entries("k").alias("keepable"), F.sum("y").alias("keyed"), F.sum("d").alias("dropped"),
                                             F.sum("p").alias("pinned")) \
            .select(F.to_json(F.struct(F.col("c").alias("id"), "items", "gold", "evaluable", "keepable", "pinned", "dropped",
                                       "keyed")).alias("line"))
        summaries = summaries.persist(StorageLevel.DISK_ONLY)
        summaries.count()  # computed while the candidates are still kept
        # Step 1's own naming of a dropped item (`dropLink`, `dropPartner`): the first key
        # training owns, lexemes before consistency groups, and its smallest trainable item.
        representative = members.where(F.col("trainable")).select("id", F.explode("keys").alias("k")) \
            .groupBy("k").agg(F.min("id").alias("drop_partner"))
        named = held.where(F.col("heldout")).join(to_train, "k", "left_semi") \
            .select("id", F.struct(F.when(F.col("k").startswith("lexeme:"), 0).otherwise(1).alias("o"), "k").alias("x")) \
            .groupBy("id").agg(F.min("x").alias("x")) \
            .select("id", F.when(F.col("x.o") == 0, "lexeme").otherwise("consistency_group").alias("drop_link"), F.col("x.k").alias("k")) \
            .join(representative, "k", "left").drop("k")
        # What placing the records needs of each item: its component, column and step 1's drop.
        placed = members.join(candidates.select("id", "segments"), "id").join(named, "id", "left") \
            .select("id", "c", "column", (F.col("dropped") == 1).alias("dropped"), "segments", "drop_link", "drop_partner") \
            .localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)  # a short plan for the records' joins
        return summaries, (placed, keys_of, mismatch, pairs), None
    finally:
        candidates.unpersist()


def choose_sides(summaries, binary, spec, folder):
    """Writes the summaries to a file on the driver and runs `heldout map choose` over it: the
    side choice's one global step, over counts. Returns (sides file, figures), or (None, the
    refusal) when counts cannot decide (a cut key, a component too large to place)."""
    path, sides = os.path.join(folder, "components.jsonl"), os.path.join(folder, "sides.jsonl")
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for r in summaries.toLocalIterator():
            f.write(r[0] + "\n")
            count += 1
    summaries.unpersist()
    with open(path, "rb") as source, open(sides, "wb") as target:
        chosen = subprocess.run([binary, "map", "choose", spec], stdin=source, stdout=target, stderr=subprocess.PIPE, text=False)
    os.remove(path)
    if chosen.returncode == 1:
        return None, chosen.stderr.decode("utf-8", "replace").strip()
    if chosen.returncode != 0:
        raise RuntimeError("heldout map choose failed: " + chosen.stderr.decode("utf-8", "replace"))
    return sides, {"components": count}


def documents_of_segments(rows):
    """Each segment's documents as the split's records name them (`corpus/document`, the
    corpus's name from its descriptor): every unit of a named document holding the segment (a
    unit alone, `\\u001fown`, has none, as in the store). Returns (`id`, `documents`)."""
    from pyspark.sql import functions as F
    corpora = rows.where(F.col("kind") == "corpus").select("source", "corpus", F.col("descriptor.name").alias("name"))
    units = rows.where(F.col("document").isNotNull() & (F.col("document") != "\u001fown")) \
        .select("source", "corpus", "document", F.explode("segments").alias("s"))
    return units.join(corpora, ["source", "corpus"]) \
        .select(F.col("s")[0].alias("id"), F.concat_ws("/", "name", "document").alias("d")).distinct() \
        .groupBy("id").agg(F.collect_list("d").alias("documents"))


def cluster_records(spark, items, placed, keys_of, sides, segments, rows, records_command, dropped_command, env, variants, roles,
                    folder, partitions):
    """The split's records written by the cluster (issue 15): each item the split selects gets
    its component's side (from `map choose`'s file), and `heldout map records` places it in
    every variant's files by the split's own fate rule and record layout (`ItemPlacement`).
    The size match is global and done here as `ItemPlacement.reduce` does it: a comparison
    trains on as many items as the primary, a sweep member on as many as the smallest member,
    keeping the smallest ranks (a sort and an index, no id from Spark). Each file is sorted by
    id and streamed to `folder/VARIANT/PARTITION.jsonl` on the driver, a partition at a time;
    the replay (`--records`) holds every file to its own fates, item by item, before taking
    it. Then each variant's `dropped.jsonl` (dropped_items). `items` is segment_items' (`id`,
    `line`); `placed` and `keys_of` split_sides'; `variants` and `roles` `map plan`'s. Returns the
    number of records per file, per sibling cut to size the records placed and kept, the
    primary's isolation cost (dropped_items) and each variant's fates (fate_counts)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    # The sides file, in batches: one line per component is hundreds of thousands of lines at
    # 1M units, and a list of them all held the Python driver at 336 MB.
    batches, batch = [], []

    def flush():
        if batch:
            frame = spark.createDataFrame(spark.sparkContext.parallelize(batch, max(1, partitions)), "c string, side string, flipped boolean")
            batches.append(frame.localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY))
            batch.clear()
    with open(sides, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if "id" in r:
                batch.append((r["id"], r["partition"], bool(r.get("flipped"))))
                if len(batch) == 200000:
                    flush()
    flush()
    side_of = union_all(batches) or spark.createDataFrame([], "c string, side string, flipped boolean")
    docs = documents_of_segments(rows)
    # The item's own segments, then the translation looked up for it (split_sides' `segments`).
    sources = placed.select("id", F.posexplode("segments").alias("pos", "s")) \
        .join(segments.select(F.col("id").alias("s"), "lang", "text"), "s") \
        .join(docs.select(F.col("id").alias("s"), "documents"), "s", "left") \
        .groupBy("id").agg(F.array_sort(F.collect_list(F.struct("pos", "s", "lang", "text", "documents"))).alias("ss")) \
        .select("id", F.expr("transform(ss, x -> named_struct('id', x.s, 'lang', x.lang, 'text', x.text, 'documents', x.documents))")
                .alias("sources"))
    extra = F.to_json(F.struct("column", "side", "dropped", "sources"))
    lines = items.join(placed.drop("segments"), "id").join(side_of.drop("flipped"), "c").join(sources, "id").withColumn("extra", extra) \
        .select(F.concat(F.expr("substring(line, 1, length(line) - 1)"), F.lit(","), F.expr("substring(extra, 2)")).alias("line"))
    # A record line per variant file keeping the item, a drop line per variant leaving it out.
    placed_lines = lines.rdd.map(lambda r: r[0]).pipe(records_command, env=env) \
        .map(lambda l: tuple(l.split("\t", 4))).persist(StorageLevel.DISK_ONLY)
    counts = {(int(v), p): n for (v, p), n in placed_lines.map(lambda t: ((t[0], t[1]), 1)).countByKey().items()}
    train = lambda v: counts.get((v, "train"), 0)  # noqa: E731
    sweeps = [v for v, x in enumerate(variants) if x["kind"] == "sweep"]
    smallest_sweep = min((train(v) for v in sweeps), default=0)
    written, size_match = {}, {}
    # The holders of each variant's keys (dropped_items): (variant, id, side) of its kept records.
    primary_evaluation = placed_lines.filter(lambda t: t[0] == "0" and t[1] in ("dev", "test")).map(lambda t: t[3])
    kept_parts, cut_parts, ranked = [placed_lines.filter(lambda t: t[0] == "0" and t[1] != "dropped")
                                     .map(lambda t: (0, t[3], "train" if t[1] == "train" else "evaluation"))], [], []
    # Each variant's items by fate (variant, id, partition), for the manifest's counts.
    fate_parts = []
    for v, variant in enumerate(variants):
        os.makedirs(os.path.join(folder, variant["name"]), exist_ok=True)
        for p in (["train", "dev", "test"] if v == 0 else ["train"]):
            chosen = placed_lines.filter(lambda t, v=v, p=p: t[0] == str(v) and t[1] == p)
            target = train(0) if variant["kind"] == "comparison" else smallest_sweep
            n = counts.get((v, p), 0)
            if v > 0 and n > target:
                size_match[variant["name"]] = {"placed": n, "kept": target}
                indexed = chosen.map(lambda t: (t[2], t)).sortByKey(numPartitions=max(partitions, n // 25000 + 1)).values() \
                    .zipWithIndex().persist(StorageLevel.DISK_ONLY)
                ranked.append(indexed)
                chosen = indexed.filter(lambda x, target=target: x[1] < target).keys()
                cut_parts.append(indexed.filter(lambda x, target=target: x[1] >= target).map(lambda x, v=v: (v, x[0][3], "size_match")))
                n = target
            if v > 0:
                # A sibling's holders: its own training items and the primary's evaluation ones.
                kept_parts.append(chosen.map(lambda t, v=v: (v, t[3], "train")))
                kept_parts.append(primary_evaluation.map(lambda i, v=v: (v, i, "evaluation")))
            fate_parts.append(chosen.map(lambda t, v=v, p=p: (v, t[3], p)))
            if v > 0:  # its evaluation files are the primary's
                fate_parts.append(placed_lines.filter(lambda t: t[0] == "0" and t[1] in ("dev", "test")).map(lambda t, v=v: (v, t[3], t[1])))
            ordered = chosen.map(lambda t: (t[3], t[4])).sortByKey(numPartitions=max(partitions, n // 25000 + 1)).values()
            with open(os.path.join(folder, variant["name"], p + ".jsonl"), "w", encoding="utf-8", newline="\n") as f:
                for record in ordered.toLocalIterator():
                    f.write(record + "\n")
            written[f"{variant['name']}/{p}.jsonl"] = n
    drops = spark.sparkContext.union([placed_lines.filter(lambda t: t[1] == "dropped").map(lambda t: (int(t[0]), t[3], t[4]))]
                                     + cut_parts)
    kept = spark.sparkContext.union(kept_parts)
    dropped, cost = dropped_items(spark, placed, keys_of, side_of, kept, drops, dropped_command, env, variants, roles, folder,
                                  partitions)
    written.update(dropped)
    fates = fate_counts(spark, placed, spark.sparkContext.union(fate_parts + [drops]), len(variants))
    for indexed in ranked:
        indexed.unpersist()
    placed_lines.unpersist()
    return written, size_match, cost, fates


def segments_file(rows, segments, components, path, partitions):
    """Every segment with its alignment group and the named documents it occurs in, one JSON
    line each, as `heldout audit --segments` reads them (`SegmentsFile`): what the audit asks
    the store, from the cluster's own rows and groups. Streamed to `path` on the driver a
    partition at a time (of at most ~50,000 segments); returns the number of lines."""
    from pyspark.sql import functions as F
    groups = group_members(components).select(F.col("s").alias("id"), F.col("g").alias("group"))
    lines = segments.join(groups, "id", "left").join(documents_of_segments(rows), "id", "left") \
        .select(F.to_json(F.struct("id", "lang", "text", "group",
                                   F.coalesce("documents", F.array().cast("array<string>")).alias("documents"))).alias("line")) \
        .rdd.map(lambda r: r[0]).repartition(partitions)
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines.toLocalIterator():
            f.write(line + "\n")
            n += 1
    return n


def fate_counts(spark, placed, fates, variants):
    """Per variant, per column, the items of each fate (a partition, or the reason a variant
    leaves them out): `ManifestFacts.fates`, from which `map manifest` derives the records,
    drops, fractions, counts and quotas. `fates` is an RDD of (variant, id, fate)."""
    out = [{} for _ in range(variants)]
    frame = spark.createDataFrame(fates, "v int, id string, fate string").join(placed.select("id", "column"), "id")
    for r in frame.groupBy("v", "column", "fate").count().collect():
        out[r["v"]].setdefault(r["column"], {})[r["fate"]] = r["count"]
    return out


def dropped_items(spark, placed, keys_of, side_of, kept, drops, dropped_command, env, variants, roles, folder, partitions):
    """Each variant's `dropped.jsonl` on the cluster: every item the variant leaves out, and for
    one dropped for isolation the kept item it gave way to, per link and side the holder of its
    first key (item_keys' order) that a kept item on that side holds, the smallest holder's id
    (`KeptKeyHolders`); `heldout map dropped` then names the link and partner by the split's
    rule (`DroppedItems`) and writes the line. `kept` is an RDD of (variant, id, `train` or
    `evaluation`), `drops` one of (variant, id, reason). Returns the lines per file and the
    primary's isolation cost as the manifest counts it (`IsolationCost`): per link, the items
    dropped for isolation with a partner through it on the side they gave way to (which `map
    dropped` says, by the split's rule); per column, those, the rest (`indirect`), and the
    training column's items whose component was flipped to evaluation."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    kept = spark.createDataFrame(kept, "v int, id string, side string")
    drops = spark.createDataFrame(drops, "v int, id string, reason string").persist(StorageLevel.DISK_ONLY)
    partners = None
    if keys_of is not None:
        holders = kept.join(keys_of, "id").groupBy("v", "link", "k", "side").agg(F.min("id").alias("holder"))
        partners = drops.where(F.col("reason") == "isolation").select("v", "id").join(keys_of, "id") \
            .join(holders, ["v", "link", "k"]) \
            .groupBy("v", "id", "link", "side").agg(F.min(F.struct("pos", "k", "holder")).alias("x")) \
            .groupBy("v", "id").agg(F.collect_list(F.struct("link", "side", F.col("x.holder").alias("id"))).alias("partners"))
    described = drops.join(placed.select("id", "c", "column", "drop_link", "drop_partner"), "id").join(side_of.drop("flipped"), "c")
    if partners is not None:
        described = described.join(partners, ["v", "id"], "left")
    else:
        described = described.withColumn("partners", F.lit(None).cast("array<struct<link:string,side:string,id:string>>"))
    isolation = F.col("reason") == "isolation"
    lines = described.select(F.to_json(F.struct(
        F.col("v").alias("variant"), "id", "column", "side", "reason",
        F.when(isolation, F.col("drop_link")).alias("drop_link"), F.when(isolation, F.col("drop_partner")).alias("drop_partner"),
        F.array_sort(F.coalesce("partners", F.array())).alias("partners"))).alias("line"))
    # VARIANT, ID, the links the isolation cost counts the item under, its line.
    entries = lines.rdd.map(lambda r: r[0]).pipe(dropped_command, env=env).map(lambda l: tuple(l.split("\t", 3))) \
        .persist(StorageLevel.DISK_ONLY)
    written = {}
    for v, variant in enumerate(variants):
        chosen = entries.filter(lambda t, v=v: t[0] == str(v))
        n = chosen.count()
        ordered = chosen.map(lambda t: (t[1], t[3])).sortByKey(numPartitions=max(partitions, n // 25000 + 1)).values()
        with open(os.path.join(folder, variant["name"], "dropped.jsonl"), "w", encoding="utf-8", newline="\n") as f:
            for line in ordered.toLocalIterator():
                f.write(line + "\n")
        written[f"{variant['name']}/dropped.jsonl"] = n
    cost = isolation_cost(spark, placed, side_of, drops, entries, roles)
    entries.unpersist()
    drops.unpersist()
    return written, cost


def isolation_cost(spark, placed, side_of, drops, entries, roles):
    """The primary's `isolation_cost` (see dropped_items): counts of the primary's isolation
    drops per column, and of the links `map dropped` says each counts under."""
    from pyspark.sql import functions as F
    isolated = drops.where((F.col("v") == 0) & (F.col("reason") == "isolation")).select("id") \
        .join(placed.select("id", "column"), "id")
    counted = spark.createDataFrame(entries.filter(lambda t: t[0] == "0" and t[2]).map(lambda t: (t[1], t[2].split(","))),
                                    "id string, links array<string>").join(isolated, "id")
    columns = {c: {"by_link": {}, "indirect": 0, "moved_to_evaluation": 0, "total": 0} for c in roles}
    cost = {"by_column": columns, "by_link": {}, "total": 0}
    for r in isolated.groupBy("column").count().collect():
        columns[r["column"]]["total"] = columns[r["column"]]["indirect"] = r["count"]
        cost["total"] += r["count"]
    for r in counted.select("column", F.explode("links").alias("link")).groupBy("column", "link").count().collect():
        columns[r["column"]]["by_link"][r["link"]] = r["count"]
        cost["by_link"][r["link"]] = cost["by_link"].get(r["link"], 0) + r["count"]
    for r in counted.groupBy("column").count().collect():
        columns[r["column"]]["indirect"] -= r["count"]
    # A training column's items in components the side choice flipped to evaluation.
    moved = placed.join(side_of.where(F.col("flipped")), "c").where(F.col("column").isin([c for c, r in roles.items() if r != "heldout"]))
    for r in moved.groupBy("column").count().collect():
        columns[r["column"]]["moved_to_evaluation"] = r["count"]
    return cost


ITEM_FIELDS = ["id", "template", "template_version", "category", "lang", "pair", "question", "answer", "rubric", "segments",
               "consistency_group", "grade", "domain", "domain_source", "domain_confidence"]


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
    # The mapper's lines are kept (pickled text, on disk) for the count, the joins and the sort:
    # piping again would give the same rows, but at the cost of reading every source again. On
    # disk, not in the heap: at 1M rows in a 2 GB local-mode JVM, a cached DataFrame of the rows
    # ran it out of heap when read back, and the lines kept in memory left too little to cache
    # the items (exit 52 both times). Cached DataFrames are built in batches of 2,000 rows (not
    # 10,000) for the same reason.
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    spark.conf.set("spark.sql.inMemoryColumnarStorage.batchSize", "2000")
    lines = indices.pipe(command, env=env).repartition(partitions).persist(StorageLevel.DISK_ONLY)
    # Rows stay JSON text: the fields the joins need are read by the JVM (`from_json`, each use
    # from the kept lines), and the replay gets the mapper's own line.
    rows = spark.createDataFrame(lines.map(lambda line: (line,)), "line string") \
        .select("line", F.from_json("line", ROW_FIELDS).alias("r")) \
        .select("line", "r.source", "r.corpus", "r.ordinal", "r.kind", "r.document", "r.segments", "r.labels", "r.domain",
                "r.descriptor")
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    summary = {"partitions": partitions, "sources": sources, "rows": lines.count()}
    # Seconds from the start to the end of each phase, for the bench's breakdown.
    phases = summary["phases"] = {"rows": round(time.time() - started, 2)}

    # The questions stage runs on the cluster when the spec's templates are ones `map items`
    # carries (it refuses the others before reading a line, as it would on an executor); its
    # items are handed to the replay, which stores them instead of making them. With --check the
    # replay makes them itself and the two are compared.
    probe = subprocess.run([binary, "map", "items", spec], input="", capture_output=True, text=True)
    cluster_items = probe.returncode == 0
    if not cluster_items:
        summary["items_on_driver"] = probe.stderr.strip()
    # The split's sides are chosen from the cluster's per-component summaries when the spec's
    # links are ones the cluster joins and its items are made here; else the replay chooses.
    planned = json.loads(subprocess.run([binary, "map", "plan", spec], capture_output=True, text=True, check=True).stdout)
    sides_reason = planned.get("sides_on_driver") if cluster_items else "the items are made on the driver"
    kept = None  # what split_sides reads, kept (on disk) until the sides are chosen
    items_file = None
    # Why the driver must run the replay (ingest, grade and split into a SQLite store), or
    # None: then the cluster writes every file of the split and `map place` puts it in place,
    # with no store and nothing on the driver but the global steps' counts. What is known
    # before the sides are chosen is decided here; where counts cannot decide the sides, the
    # replay runs after all (below).
    replay_reason = "--check compares the cluster's work with the replayed store" if args.check \
        else "--replay always" if args.replay == "always" \
        else "--store keeps the replayed store" if args.store \
        else "the items are made on the driver" if not cluster_items \
        else f"the sides are chosen on the driver: {sides_reason}" if sides_reason is not None \
        else f"the manifest is written on the driver: {planned['manifest_on_driver']}" if planned.get("manifest_on_driver") \
        else None
    if args.check or cluster_items:
        # The grouping and the joins run on DataFrames (in the JVM); only the mappers' input and
        # output lines cross to Python.
        segments = distinct_segments(rows)
        # Alignment groups: edges between each unit's first segment and its others (units of two or more).
        edges = rows.where(F.size("segments") > 1) \
            .select(F.col("segments")[0][0].alias("src"), F.explode(F.expr("slice(segments, 2, size(segments) - 1)")).alias("t")) \
            .select("src", F.col("t")[0].alias("dst"))
        components, iterations = large_star_small_star(edges)
        summary["alignment_groups"] = components.select("root").distinct().count()
        summary["cc_iterations"] = iterations
        grade_cmd = shlex.join([executor_binary, "map", "grade", spec])
        graded = segments.select(F.to_json(F.array("id", "lang", "text"))).rdd.map(lambda r: r[0]) \
            .pipe(grade_cmd, env=env).map(json.loads) \
            .map(lambda g: (g["id"], json.dumps(g.get("grade")), g["band"], bool(g.get("flagged")), g.get("folded")))  # the grade's JSON as Python prints it (exact); absent when ungradable
        grades = spark.createDataFrame(graded, "id string, grade string, band string, flagged boolean, folded string") \
            .persist(StorageLevel.DISK_ONLY)
        # One grade a segment, read from disk: counting `segments` again would redo its shuffle.
        segment_count = grades.count() if args.check or cluster_items else None
        if args.check:
            summary["bands"] = {r["band"]: r["count"] for r in grades.groupBy("band").count().collect()}
            summary["bands"] = dict(sorted(summary["bands"].items()))
            summary["segments"] = segment_count
        if cluster_items:
            declared = metadata_domains(rows)
            # The classifier predicts only for segments that declare no domain; where there are
            # some, it trains on the declared ones, and if it would predict, the store's items
            # carry domains the cluster's lack. (Debian's catalogues declare a domain for every
            # segment, and a classifier that tells software from manual would predict nothing.)
            if replay_reason is None and declared is not None and declared.count() < segment_count:
                try:
                    classifier = classifier_predicts(declared, segments, binary, spec, planned["classifier_training_per_domain"])
                except StepFailed as failed:
                    lines.unpersist()
                    grades.unpersist()
                    return failed.status
                summary["classifier"] = {"predicts": classifier["predicts"],
                                         "why_not": classifier["report"].get("abstention") or classifier["report"]["status"]}
                if classifier["predicts"]:
                    # The replay makes the items (and the rest) itself: none is made here.
                    replay_reason = sides_reason = "the domain classifier predicts domains, which the cluster's items lack"
                    summary["items_on_driver"] = replay_reason
            if "items_on_driver" not in summary:
                items_cmd = shlex.join([executor_binary, "map", "items", spec])
                # About two segments a unit in multi-way corpora: ~50,000 bundles per mapper.
                items = segment_items(spark, rows, segments, components, grades.select("id", "grade"), items_cmd, env, partitions,
                                      bundle_partitions=summary["rows"] * 2 // 50000 + 1, domains=declared) \
                    .persist(StorageLevel.DISK_ONLY)
                # As for the rows below: toLocalIterator holds a whole partition in the driver's JVM,
                # so the sort takes a partition per 25,000 items (at 1M units in 2 partitions the
                # local-mode JVM ran out of its 2 GB heap); the order is the id's whatever the count.
                item_count = items.count()
                if replay_reason is None and planned.get("axis") == "category":
                    # A category column no item falls in fails the build (`BuildPipeline
                    # .checkColumns`), even when the spec accepts a short split; the replay
                    # would refuse it, so without one the driver does.
                    made = {r[0] for r in items.select(F.get_json_object("line", "$.category")).distinct().collect()}
                    empty = sorted(c for c in planned["roles"] if c not in made)
                    if empty:
                        sys.stderr.write("heldout-spark: " + "; ".join(f"column {c} has no item: no template of the spec made one"
                                                                     for c in empty)
                                         + " (`heldout questions` over the same corpora says why); nothing was written\n")
                        items.unpersist()
                        grades.unpersist()
                        lines.unpersist()
                        return 1
                # An RDD sort, as for the rows: DataFrame partitions fetched one job at a time left the
                # local-mode JVM short of heap at 1M units.
                ordered_items = items.rdd.map(lambda r: (r[0], r[1])) \
                    .sortByKey(numPartitions=max(partitions, item_count // 25000 + 1)).values()
                if args.check:
                    summary["items_count"], summary["items_digest"] = items_digest(json.loads(line) for line in ordered_items.toLocalIterator())
                elif replay_reason is not None:
                    # To a file on the driver, one record a line (as `map items` wrote it) in id order, for the replay.
                    handle, items_file = tempfile.mkstemp(prefix="heldout-items-", suffix=".jsonl")
                    with os.fdopen(handle, "w", encoding="utf-8") as f:
                        for line in ordered_items.toLocalIterator():
                            f.write(line + "\n")
                if not args.check:
                    summary["items"] = item_count
                if sides_reason is None:
                    kept = (items, grades, components, segments)
                else:
                    items.unpersist()
        if kept is None:
            grades.unpersist()
        phases["groups, grades, items"] = round(time.time() - started, 2)

    def cluster_manifest(spark, placed, pairs, fates, cost, mismatch, sides, folder):
        """`heldout map manifest` over the cluster's counts (ManifestFacts): the item ids in id
        order on its stdin (their digest), the facts in a file. Returns its lines; raises
        StepFailed with its status if it refuses."""
        corpora = [{"name": r["name"], "sha256": r["sha256"]} for r in
                   rows.where(F.col("kind") == "corpus").select("source", "corpus", F.col("descriptor.name").alias("name"),
                                                                 F.col("descriptor.sha256").alias("sha256"))
                   .orderBy("source", "corpus").collect()]
        near = None
        if pairs is not None:
            near = {"segments": placed.select(F.explode("segments")).distinct().count(), "pairs": pairs.count(),
                    "windowed_buckets": summary["split_near_duplicates"]["windowed_buckets"]}
        facts = os.path.join(temporary, "manifest-facts.json")
        with open(facts, "w", encoding="utf-8") as f:
            json.dump({"fates": fates, "isolation_cost": cost, "near_duplicates": near, "corpora": corpora,
                       "language_mismatch": mismatch}, f, sort_keys=True)
        command = [binary, "map", "manifest", spec, "--facts", facts, "--sides", sides, "--records", folder, "--out", out]
        if fetched is not None:
            command += ["--fetched", fetched]
        if target is not None:
            command += ["--read-from", target.uri]
        writer = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        n = placed.count()
        ids = placed.select("id").rdd.map(lambda r: (r[0], None)).sortByKey(numPartitions=max(partitions, n // 100000 + 1)).keys()
        try:
            for i in ids.toLocalIterator():
                writer.stdin.write((i + "\n").encode("ascii"))
            writer.stdin.close()
        except BrokenPipeError:  # it refused before reading them all (its message is on stderr)
            pass
        output = writer.stdout.read().decode("utf-8")
        if writer.wait() != 0:
            raise StepFailed(writer.returncode)
        return [json.loads(line) for line in output.splitlines() if line.strip()]

    def cluster_audit(segments, components, folder):
        """`heldout audit --segments` over each variant's folder (a sibling's dev and test
        copied from the primary's), with every segment the rows hold in a file. Raises
        StepFailed with its status if it finds a leak or refuses."""
        path = os.path.join(temporary, "segments.jsonl")
        n = segments_file(rows, segments, components, path, max(partitions, summary["rows"] // 25000 + 1))
        variants = planned["variants"]
        for v, variant in enumerate(variants):
            directory = os.path.join(folder, variant["name"])
            if v > 0:
                for name in ("dev.jsonl", "test.jsonl"):
                    shutil.copyfile(os.path.join(folder, variants[0]["name"], name), os.path.join(directory, name))
            audited = subprocess.run([binary, "audit", directory, "--segments", path], stdout=subprocess.DEVNULL)
            if audited.returncode != 0:
                raise StepFailed(audited.returncode)
        return {"written_on": "cluster", "segments": n}

    def sides_from_cluster(pairs, find_pairs=None):
        """The options that hand the replay the cluster's sides (`--sides`) and the records
        written from them (`--records`), or [] (the reason in the summary). `find_pairs`: the
        split's near-duplicate search over its items' segments, when no replay named them."""
        if kept is None:
            summary["sides"] = {"chosen_on": "driver", "reason": sides_reason}
            summary["records"] = {"written_on": "driver", "reason": "the sides are chosen on the driver"}
            summary["manifest"] = {"written_on": "driver", "reason": "the sides are chosen on the driver"}
            summary["audit"] = {"written_on": "driver", "reason": "the sides are chosen on the driver"}
            return []
        items, grades, components, segments = kept
        select_cmd = shlex.join([executor_binary, "map", "select", spec])
        links = planned.get("links", [])
        passages_cmd = shlex.join([executor_binary, "map", "passages", spec]) if "shared_passage" in links else None
        summaries, placement, why = split_sides(spark, items, grades, components, segments, pairs, select_cmd, env, links,
                                                passages_cmd, find_pairs)
        placed, keys_of, mismatch, pairs = placement if placement is not None else (None, None, None, pairs)
        sides = None
        if summaries is not None:
            sides, figures = choose_sides(summaries, binary, spec, temporary)
            why = figures if sides is None else None
            if sides is not None:
                summary["sides"] = {"chosen_on": "cluster", **figures}
        options = []
        if sides is None:
            summary["sides"] = {"chosen_on": "driver", "reason": why}
            summary["records"] = {"written_on": "driver", "reason": "the sides are chosen on the driver"}
            summary["manifest"] = {"written_on": "driver", "reason": "the sides are chosen on the driver"}
            summary["audit"] = {"written_on": "driver", "reason": "the sides are chosen on the driver"}
        else:
            phases["sides"] = round(time.time() - started, 2)
            # The records and dropped items from those sides, on the cluster; the replay holds each
            # record file to its own fates item by item, and dropped.jsonl to its own bytes,
            # before it takes them.
            folder = os.path.join(temporary, "records")
            records_cmd = shlex.join([executor_binary, "map", "records", spec])
            dropped_cmd = shlex.join([executor_binary, "map", "dropped", spec])
            written, size_match, cost, fates = cluster_records(spark, items, placed, keys_of, sides, segments, rows, records_cmd,
                                                               dropped_cmd, env, planned["variants"], planned["roles"], folder,
                                                               partitions)
            summary["records"] = {"written_on": "cluster", "files": written, "size_match": size_match, "isolation_cost": cost}
            options = ["--sides", sides, "--records", folder]
            phases["records"] = round(time.time() - started, 2)
            why = planned.get("manifest_on_driver")
            if why is None:
                # Every variant's spec.yaml and manifest.json from what the cluster counted; the
                # replay takes them only if they are its own bytes.
                manifests = cluster_manifest(spark, placed, pairs, fates, cost, mismatch, sides, folder)
                summary["manifest"] = {"written_on": "cluster", "variants": manifests}
                phases["manifest"] = round(time.time() - started, 2)
                # Each variant's audit over its files and the cluster's segments (no store); the
                # replay takes audit.json and audit.html only if they are its own bytes.
                summary["audit"] = cluster_audit(segments, components, folder)
                phases["audit"] = round(time.time() - started, 2)
            else:
                summary["manifest"] = {"written_on": "driver", "reason": why}
                summary["audit"] = {"written_on": "driver", "reason": why}
        if placed is not None:
            placed.unpersist()
        if keys_of is not None:
            keys_of.unpersist()
        if find_pairs is not None and pairs is not None:  # found here, for this split alone
            pairs.unpersist()
        items.unpersist()
        grades.unpersist()
        if sides is None:
            phases["sides"] = round(time.time() - started, 2)
        return options
    if (args.check or args.pairs_out) and near_duplicates:
        # The LSH band join over every segment, confirmed by exact Jaccard, held to `map pairs`
        # (the split's own join, over the segments its items use, runs after the first replay).
        distinct = distinct_segments(rows).select(F.to_json(F.array("id", "lang", "text"))).rdd.map(lambda r: r[0])
        bands_cmd = shlex.join([executor_binary, "map", "bands", spec])
        pairs, figures = near_duplicate_pairs(spark, distinct, bands_cmd, env, near_duplicates)
        summary["near_duplicates"] = figures
        if args.pairs_out:
            with open(args.pairs_out, "w", encoding="utf-8") as f:
                for r in pairs.orderBy("a", "b").toLocalIterator():
                    f.write(json.dumps([r[0], r[1]], separators=(",", ":")) + "\n")  # as `map pairs` writes them
        pairs.unpersist()

    # The driver's end: rows in order into `heldout map replay` (one row at a time on the driver).
    store = args.store
    temporary = tempfile.mkdtemp(prefix="heldout-spark-")  # the driver's own files
    if store is None:
        store = os.path.join(temporary, "store.sqlite")
    out = os.path.join(temporary, "split") if target is not None else os.path.abspath(args.out)
    try:
        output = None
        if replay_reason is None:
            find_pairs = None
            if near_duplicates:
                def find_pairs(used):
                    """The split's near-duplicate pairs: the band join over the segments its
                    items use, as the replay's `map used` would list them."""
                    texts = kept[3].join(used.select(F.col("s").alias("id")), "id") \
                        .select(F.to_json(F.array("id", "lang", "text"))).rdd.map(lambda r: r[0])
                    bands_cmd = shlex.join([executor_binary, "map", "bands", spec])
                    found, figures = near_duplicate_pairs(spark, texts, bands_cmd, env, near_duplicates)
                    summary["split_near_duplicates"] = figures
                    return found
            options = sides_from_cluster(None, find_pairs)
            if options:
                # Every file of every variant is the cluster's, audited: put them in place.
                folder = options[options.index("--records") + 1]
                command = [binary, "map", "place", spec, "--records", folder, "--out", out]
                placed = subprocess.run(command, stdout=subprocess.PIPE)
                if placed.returncode != 0:
                    return placed.returncode
                output = placed.stdout
                phases["place"] = round(time.time() - started, 2)
            else:
                # Counts cannot decide the sides: the replay splits (and makes the items) itself.
                replay_reason = sides_reason = summary["sides"].get("reason")
                kept = None
        summary["replay"] = {"ran": output is None}
        if output is None:
            summary["replay"]["reason"] = replay_reason
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
            if not near_duplicates:
                first += sides_from_cluster(None)
            replay = subprocess.Popen(first, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            # toLocalIterator holds one partition at a time on the driver: at least one partition per
            # 50,000 rows keeps that bounded (at 1M rows in 2 partitions the local-mode JVM ran out of
            # its 2 GB). The order is the key's whatever the partitions, so the bytes do not change.
            # An RDD sort of the kept lines: a DataFrame's, fetched a partition per job, ran the 2 GB
            # local-mode JVM out of heap two thirds of the way through 1M rows, at 10,000 rows a
            # partition as at 50,000.
            def row_key(line):
                r = json.loads(line)
                return (r["source"], r["corpus"], r["ordinal"])
            ordered = lines.map(lambda line: (row_key(line), line)) \
                .sortByKey(numPartitions=max(partitions, summary["rows"] // 50000 + 1)).values()
            for line in ordered.toLocalIterator():
                replay.stdin.write((line + "\n").encode("utf-8"))
            replay.stdin.close()
            output = replay.stdout.read()
            status = replay.wait()
            phases["replay"] = round(time.time() - started, 2)
            if status != 0:
                return status
            if near_duplicates:
                # Only the ids cross from the driver, read as `map used` prints them; the texts are
                # the cluster's own segments. (The whole rows through `parallelize` held the Python
                # driver at 1.4 GB at 1M units, and each task carried its slice of the texts.)
                used = subprocess.Popen([binary, "map", "used", spec, "--store", store], stdout=subprocess.PIPE, text=True)
                ids = [(json.loads(line)[0],) for line in used.stdout]
                if used.wait() != 0:
                    return used.returncode
                wanted = spark.createDataFrame(sc.parallelize(ids, partitions), "id string")
                del ids
                segments = distinct_segments(rows).join(wanted, "id") \
                    .select(F.to_json(F.array("id", "lang", "text"))).rdd.map(lambda r: r[0])
                bands_cmd = shlex.join([executor_binary, "map", "bands", spec])
                pairs, figures = near_duplicate_pairs(spark, segments, bands_cmd, env, near_duplicates)
                pairs_file = os.path.join(temporary, "near-duplicates.jsonl")
                with open(pairs_file, "w", encoding="utf-8") as f:
                    for r in pairs.orderBy("a", "b").toLocalIterator():
                        f.write(json.dumps([r[0], r[1]], separators=(",", ":")) + "\n")
                summary["split_near_duplicates"] = figures
                phases["band join"] = round(time.time() - started, 2)
                second = command + ["--resume", "--out", out, "--near-duplicates", pairs_file,
                                    "--windowed-buckets", str(figures["windowed_buckets"])]
                second += sides_from_cluster(pairs)
                pairs.unpersist()
                if target is not None:
                    second += ["--read-from", target.uri]
                finished = subprocess.run(second, stdout=subprocess.PIPE)
                if finished.returncode != 0:
                    return finished.returncode
                output = finished.stdout
                phases["split"] = round(time.time() - started, 2)
        summary["split"] = json.loads(output) if output.strip() else None
        # What the replay took of the cluster's work, and what it made itself instead (once the
        # classifier predicted domains, which the cluster's items and records lack).
        taken = (summary["split"] or {}).pop("taken", None) or {}
        if taken.get("items") is False:
            summary["items_made_on"] = "driver"
        if taken.get("records") is False:
            summary["records"] = {"written_on": "driver",
                                  "reason": "the classifier predicted domains, which the cluster's records lack"}
            summary["manifest"] = {"written_on": "driver", "reason": "the records are written on the driver"}
            summary["audit"] = {"written_on": "driver", "reason": "the records are written on the driver"}
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
    except StepFailed as failed:
        return failed.status
    finally:
        lines.unpersist()
        if kept is not None:  # a replay that failed before the sides were chosen
            kept[0].unpersist()
            kept[1].unpersist()
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
