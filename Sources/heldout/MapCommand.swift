import ArgumentParser
import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutShard
import HeldoutStore

/// `heldout map MODE SPEC`: the stateless mappers a cluster runs (issue 15; spark/heldout_spark.py).
/// Each reads lines on stdin and writes lines on stdout, with no store, through the code the
/// local stages run; `replay` is the driver's end, which turns the cluster's rows into a store
/// and splits it exactly as `heldout build` does.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Stateless mappers for running a spec on a cluster (stdin lines to stdout lines).",
        discussion: """
        Modes: plan prints {"sources": N, "near_duplicates": {threshold, bands, rows, window} or null, "fetch": the URIs of sources named by URI, "links", "sides_on_driver", "manifest_on_driver", "variants" and "roles"}, or refuses a spec the cluster path does not carry. units reads source indices of SPEC, one a line (after a tab, the folder holding fetched copies), and writes one JSON row per corpus, unit and skip. grade reads segment rows [id, lang, text] and writes {id, grade, band, words, syllables}. bands reads segment rows and writes {id, folded, folded_hash, set, bands, shingles}, the near-duplicate stage's keys. pairs reads segment rows and writes the near-duplicate pairs [id, id] the local stage finds among them. replay reads units rows sorted by (source, corpus, ordinal) into --store, then grades, makes questions, splits and audits as `heldout build` does, without reading the sources again. With --stop-before-split it stops once the items are made; used then lists the segments the split's items use (segment rows, id order), the cluster joins their bands, and replay --resume --near-duplicates PAIRS --windowed-buckets N splits with those pairs. items reads segment bundles {id, lang, text, group, labels, grade, domain, domain_source, domain_confidence, members} and writes the items of the spec's translation and label templates, one JSON object a line with every item column, its segments and an order key; keep, per (template, question) and then per id, the smallest key. choose reads one summary per isolation component of the split {id: its smallest item id, items, training, evaluable: {column: n}, keepable: {column: n}} and writes each component's side {id, partition, flipped} in id order, then {bound}: the side choice from counts alone, for a split without cut keys or bridges. select reads item records as map items writes them (plus "flagged": true for an item on a segment the grader flagged as not in its tag's language) and writes {id, outcome, column, gold, rubric, keyed, segments}: the split's column for each item, or the step that leaves it out. passages reads segment rows and writes {id, runs, whole, within}, the shared-passage hashes the split links segments by. records reads the split's items (map items records plus column, side, dropped and sources: their segments with lang, text and documents) and writes VARIANT<TAB>PARTITION<TAB>RANK<TAB>ID<TAB>RECORD per variant file that keeps each; and VARIANT<TAB>dropped<TAB>-<TAB>ID<TAB>REASON per variant that leaves it out; sort each file by id, cut siblings' training to the size match's smallest ranks, and give the folder to replay --records. dropped reads one item a variant leaves out {variant, id, column, side, reason, drop_link, drop_partner, partners: [{link, side, id}]} and writes VARIANT<TAB>ID<TAB>COST<TAB>its dropped.jsonl line, COST the links (comma-separated) under which it counts in the manifest's isolation cost; sort by id into VARIANT/dropped.jsonl beside the records. manifest reads the ids of the items the split selects, one a line in id order, with --facts (what the cluster counted), --sides and --records (the folder to write into), and writes every variant's spec.yaml and manifest.json there as the split would ({name, records} a variant on stdout); the replay takes them only if they are its own bytes. classifier reads the segments whose metadata declares a domain {id, text, domain} and writes {predicts, report}: the domain classifier grading would train on them, and whether it would predict any domain (then the replay must run: the cluster's items lack predicted domains). place puts the split the cluster finished in --records (every variant's records, dropped.jsonl, spec.yaml, manifest.json, audit.json and audit.html, each folder checked to be the variant's whole split: its files digested by its manifest, its audit clean) at --out as the split puts its own, and prints the split's summary; no replay, no store. See README "More than one machine".
        """
    )

    @Argument(help: "What to map (see above).")
    var mode: MapMode

    @Argument(help: "The split spec (YAML).")
    var spec: String

    @Option(help: "replay: the store to fill (a new file); used: the store replay filled.")
    var store: String?

    @Option(help: "replay, manifest, place: output directory (default: splits/NAME).")
    var out: String?

    @Option(name: .customLong("read-from"),
            help: "replay, manifest: where the split will be read from when the driver copies it away from --out (a folder or file: URI: spec.yaml's base is relative to it; hdfs:, s3a: and other URIs: base is absolute).")
    var readFrom: String?

    @Option(help: "replay, manifest: the folder holding local copies of the sources the spec names by URI (the manifest digests them there).")
    var fetched: String?

    @Option(help: "replay: the spec's items, made on the cluster (`map items` records, reduced: one per item), stored instead of running the questions stage.")
    var items: String?

    @Flag(help: "replay: stop once the items are made, before the split (then `map used`).")
    var stopBeforeSplit = false

    @Flag(help: "replay: the store already holds the rows (a second call): read no stdin.")
    var resume = false

    @Option(help: "replay: near-duplicate pairs [id, id] a line, found by the cluster over `map used`'s segments, taken instead of searching.")
    var nearDuplicates: String?

    @Option(help: "replay: with --near-duplicates, the buckets the cluster's join cut to its window (recorded in the manifest).")
    var windowedBuckets = 0

    @Option(help: "replay: the sides `map choose` wrote over the cluster's summaries of the split's components, taken instead of choosing them. manifest: the same file (components and bound).")
    var sides: String?

    @Option(help: "replay: with --sides, the records the cluster wrote from them (`map records`, sorted, size-matched): a folder of VARIANT/PARTITION.jsonl, each held to the split's own fates item by item, and VARIANT/dropped.jsonl, spec.yaml and manifest.json (from map manifest; not for an axis: domain split), held to the split's own byte for byte, taken instead of writing them from the store. manifest: the folder to write into. place: the folder to put in place.")
    var records: String?

    @Option(help: "manifest: the figures the cluster counted for the manifests (fates per variant and column, isolation_cost, near_duplicates, corpora, language_mismatch), as JSON.")
    var facts: String?

    @Flag(help: "replay: print the split's summary as JSON.")
    var json = false

    func run() throws {
        let mapper = try ShardMapper(specPath: spec)
        let output = StdoutLines()
        defer { output.flush() }
        switch mode {
        case .plan: output.write(try mapper.plan())
        case .units: try mapper.units(StdinLines(), write: output.write)
        case .grade: try mapper.grades(StdinLines(), write: output.write)
        case .bands: try mapper.bands(StdinLines(), write: output.write)
        case .pairs: try mapper.pairs(StdinLines(), write: output.write)
        case .items: try mapper.items(StdinLines(), write: output.write)
        case .choose: try mapper.choose(StdinLines(), write: output.write)
        case .select: try mapper.select(StdinLines(), write: output.write)
        case .passages: try mapper.passages(StdinLines(), write: output.write)
        case .records: try mapper.records(StdinLines(), write: output.write)
        case .dropped: try mapper.dropped(StdinLines(), write: output.write)
        case .manifest:
            guard let facts, let sides, let records else { throw HeldoutError.usage("map manifest: --facts, --sides and --records are required") }
            try mapper.manifest(StdinLines(), factsPath: facts, sidesPath: sides, recordsPath: records, output: out,
                                readFrom: readFrom.map(SplitLocation.init(argument:)) ?? .output, fetched: fetched,
                                toolVersion: Heldout.version, write: output.write)
        case .classifier: try mapper.classifier(StdinLines(), write: output.write)
        case .place:
            guard let records else { throw HeldoutError.usage("map place: --records is required") }
            try mapper.place(recordsPath: records, output: out, write: output.write)
        case .replay:
            guard let store else { throw HeldoutError.usage("map replay: --store PATH is required") }
            var options = ReplayOptions()
            options.output = out
            options.readFrom = readFrom.map(SplitLocation.init(argument:)) ?? .output
            options.fetchedSources = fetched
            options.itemsPath = items
            options.resume = resume
            options.stopBeforeSplit = stopBeforeSplit
            options.nearDuplicatesPath = nearDuplicates
            options.windowedBuckets = windowedBuckets
            options.sidesPath = sides
            options.recordsPath = records
            let summary = try mapper.replay(StdinLines(), storePath: store, options: options, toolVersion: Heldout.version,
                                            log: { Console.error($0) })
            output.flush()
            if json { try Console.json(summary) } else { summary.printLines() }
        case .used:
            guard let store else { throw HeldoutError.usage("map used: --store PATH is required") }
            try mapper.used(storePath: store, write: output.write)
        }
    }
}

extension MapMode: ExpressibleByArgument {}

/// Standard input as lines, read in blocks (a replay reads millions of them).
struct StdinLines: Sequence, IteratorProtocol {
    private var buffer: [UInt8] = []
    private var start = 0
    private var done = false

    mutating func next() -> String? {
        while true {
            if let end = buffer[start...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 1
                return line
            }
            if done {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = FileHandle.standardInput.readData(ofLength: 1 << 20)
            if chunk.isEmpty { done = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// Standard output in blocks: a line at a time would be a write call per row.
final class StdoutLines {
    private var pending = Data()

    func write(_ data: Data) {
        pending.append(data)
        if pending.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard !pending.isEmpty else { return }
        FileHandle.standardOutput.write(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
