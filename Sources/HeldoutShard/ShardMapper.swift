import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutGrading
import HeldoutIngest
import HeldoutQuestions
import HeldoutSplit
import HeldoutStore

/// What `heldout map` does, one case per mode (README "More than one machine").
public enum MapMode: String, CaseIterable, Sendable {
    /// The spec's number of sources and near-duplicate parameters, or a refusal.
    case plan
    /// Source indices in, one row per corpus, unit and skip out.
    case units
    /// Segment rows `[id, lang, text]` in, grades out.
    case grade
    /// Segment rows in, the near-duplicate stage's keys out.
    case bands
    /// Segment rows in, the near-duplicate pairs the local stage finds among them out.
    case pairs
    /// Sorted `units` rows in, a store and a split out: the driver's end.
    case replay
    /// A replayed store in, the segments its split's items use out (for the cluster's band join).
    case used
    /// Segment bundles in, the items of the spec's templates out, each with an order key.
    ///
    /// A bundle line (``ShardItems/Bundle``) is one segment with what the `translation` and
    /// `label` selectors read about it: `{"id", "lang", "text", "group" (null without
    /// translation), "labels": {name: [values]}, "grade", "domain", "domain_source",
    /// "domain_confidence", "members": [{"id", "lang", "text", "grade", "domain",
    /// "domain_source", "domain_confidence"}]}`, `members` being the other segments of its
    /// alignment group and the grading fields what the store's `grade`/`segment_domain` tables
    /// hold (null when ungraded, ungradable or without domain). An item line
    /// (``ShardItems/Record``) has every column of `item`, its `segments` in order, and `key`.
    /// Templates whose selector needs treebanks or dictionaries (`word`, `feature`,
    /// `agreement`, `minimal_pair`) are refused (exit 2). The local items are the records of
    /// all shards reduced by ``ShardItems/reduce(_:)``: per (template, question), then per id,
    /// the smallest `key`, whatever the sharding.
    case items
    /// Per-component summaries of the split's isolation components in (any order), the side of
    /// each out, in id order, then the bound (``ShardComponents``): the side choice's global
    /// step, run on the driver over counts, by the local split's code.
    case choose
    /// Item records in (`map items`' lines, plus `"flagged": true` for an item on a segment the
    /// grader flagged), the split's first decision about each out (``ShardSelection``).
    case select
    /// Segment rows in, each segment's shared-passage hashes out (``PassageKeys``): `{"id",
    /// "runs", "whole", "within"}`, 16 hex digits each.
    case passages
    /// The split's items in (`map items`' lines plus `column`, `side`, `dropped` and
    /// `sources`), their records out, a line per variant file, and a line per variant that
    /// leaves the item out (``ShardRecords``).
    case records
    /// Items a variant leaves out, with the partners the cluster joined for them, in; their
    /// `dropped.jsonl` lines out (`ItemPlacement.DroppedItem`).
    case dropped
    /// The ids of the items the split selects in, in id order, with the cluster's counts
    /// (`--facts`), sides and records folder; every variant's `spec.yaml` and `manifest.json`
    /// written there (``ManifestFacts``), `{name, records}` a variant out.
    case manifest
    /// Segments with a declared domain in (`{id, text, domain}`), the domain classifier's
    /// report out, as grading would train it on the same segments: whether it would predict
    /// any domain, which the cluster's items and records cannot carry.
    case classifier
    /// A records folder whose every variant the cluster finished (records, `dropped.jsonl`,
    /// `spec.yaml`, `manifest.json`, audit) put in place as the split's output
    /// (``ClusterSplit``); the split's summary out. Reads nothing on stdin.
    case place
}

/// How `replay` runs beyond its rows: the driver's choices.
/// What `map manifest` says of each variant it wrote.
struct WrittenManifest: Encodable {
    var name: String
    var records: [String: Int]
}

public struct ReplayOptions: Sendable {
    /// The split's directory (default: `splits/NAME`).
    public var output: String?
    /// Where the split is read from once the driver has copied it (``SplitLocation``).
    public var readFrom: SplitLocation = .output
    /// The folder holding the driver's copies of sources named by URI.
    public var fetchedSources: String?
    /// The cluster's items (`map items` records, reduced), stored instead of made.
    public var itemsPath: String?
    /// The store already holds the rows (the second call): read none.
    public var resume = false
    /// Stop once the items are made, before the split (the first of two calls).
    public var stopBeforeSplit = false
    /// The cluster's near-duplicate pairs over ``ShardMapper/used(storePath:write:)``'s segments,
    /// `[id, id]` a line, taken instead of searching; with the count of buckets it windowed.
    public var nearDuplicatesPath: String?
    public var windowedBuckets = 0
    /// The sides `map choose` wrote over the cluster's component summaries, taken instead of
    /// the split's own choice.
    public var sidesPath: String?
    /// The records the cluster wrote from those sides (`VARIANT/PARTITION.jsonl`), taken
    /// instead of writing them from the store.
    public var recordsPath: String?

    public init() {}
}

/// The stateless mappers a cluster runs, as functions of lines in and bytes out, so the command
/// only wires them to standard input and output and tests can call them in-process. Each runs
/// the local stage's own code (IngestRequest, ShardGrades, ShardBands, BuildPipeline), which is
/// what keeps a cluster's split the same bytes as a local build.
public struct ShardMapper {
    /// Formats whose readers deliver more than units of text (word analyses, dictionary entries).
    public static let unsupportedFormats: Set<String> = ["conllu", "dictd", "tei", "glossary"]
    /// The formats the cluster path carries, as the refusal names them.
    public static let supportedFormats = "tmx, xliff, moses, tsv, csv, jsonl, po, xces, text, labels"

    /// The spec's path as given (messages name it).
    public let specPath: String
    /// The parsed spec.
    public let spec: SplitSpec
    private let encoder: JSONEncoder

    /// Reads and validates the spec at `specPath`.
    public init(specPath: String) throws {
        self.specPath = specPath
        spec = try SplitSpec.load(path: specPath)
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// `plan`'s line: the number of sources, the near-duplicate stage's parameters that the
    /// cluster's band join must use (null when the spec does not isolate near-duplicates), the
    /// isolation links, why the split's sides cannot be chosen from the cluster's summaries
    /// (null when they can), the variants whose files a cluster writes, each column's role, the
    /// axis, and how many declared segments per domain `classifier` trains on.
    /// A spec with a source the cluster path does not carry is refused here, before any executor starts.
    public func plan() throws -> Data {
        for (index, source) in spec.sources.enumerated() {
            if let format = source.format, Self.unsupportedFormats.contains(format) {
                throw HeldoutError.usage("sources[\(index)]: format \(format) is not carried by the cluster path yet (it supports \(Self.supportedFormats)); build this spec locally with `heldout build`")
            }
        }
        guard !spec.sources.isEmpty else {
            throw HeldoutError.usage("\(specPath): no sources; the cluster path reads a spec's sources")
        }
        struct Plan: Encodable {
            var sources: Int
            var nearDuplicates: ShardBands.Parameters?
            var fetch: [String]
            var sidesOnDriver: String?
            var manifestOnDriver: String?
            var links: [String]
            var variants: [ItemPlacement.Variant]
            var roles: [String: String]
            /// The spec's axis: a `category` split refuses a column no item falls in (`BuildPipeline`).
            var axis: String
            /// Declared segments per domain the classifier trains on (`map classifier`'s input).
            var classifierTrainingPerDomain = Grader.Options().classifier.maxTrainingPerDomain
            enum CodingKeys: String, CodingKey {
                case sources, nearDuplicates = "near_duplicates", fetch, sidesOnDriver = "sides_on_driver"
                case manifestOnDriver = "manifest_on_driver", links, variants, roles
                case classifierTrainingPerDomain = "classifier_training_per_domain", axis
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(sources, forKey: .sources)
                try c.encode(nearDuplicates, forKey: .nearDuplicates)  // null, not absent
                if !fetch.isEmpty { try c.encode(fetch, forKey: .fetch) }
                try c.encode(sidesOnDriver, forKey: .sidesOnDriver)  // null, not absent
                try c.encode(manifestOnDriver, forKey: .manifestOnDriver)
                try c.encode(links, forKey: .links)
                try c.encode(variants, forKey: .variants)
                try c.encode(roles, forKey: .roles)
                try c.encode(classifierTrainingPerDomain, forKey: .classifierTrainingPerDomain)
                try c.encode(axis, forKey: .axis)
            }
        }
        let near = spec.isolation.isEnabled(.nearDuplicate) ? ShardBands(spec: spec).parameters : nil
        return try line(Plan(sources: spec.sources.count, nearDuplicates: near, fetch: try fetchList(), sidesOnDriver: sidesOnDriver,
                                 manifestOnDriver: ManifestFacts.onDriver(spec),
                                 links: spec.isolation.enabledLinks.map(\.rawValue), variants: ItemPlacement(spec: spec).variants,
                                 roles: Dictionary(uniqueKeysWithValues: spec.columns.map { ($0.name, $0.role.rawValue) }),
                                 axis: spec.axis.rawValue))
    }

    /// Why the split's sides cannot be chosen from the cluster's component summaries for this
    /// spec (`plan`'s `sides_on_driver`), or nil when they can: the cluster builds the split's
    /// components over segments, alignment groups and near-duplicate pairs only, with every
    /// item the loader selects item by item. Documents and passages, the `where` filters on
    /// the source text and the `balance` caps are not computed there yet.
    public var sidesOnDriver: String? {
        let isolation = spec.isolation
        if !isolation.isEnabled(.sharedSegment) { return "the spec does not isolate shared segments (the cluster's components key on them)" }
        if isolation.isEnabled(.document) { return "isolation.level: document (documents are not joined on the cluster yet)" }
        if spec.filter.minTokens != nil || spec.filter.maxTokens != nil { return "where: min_tokens/max_tokens (a filter on the source text)" }
        if spec.balance.cap != nil || !spec.balance.caps.isEmpty { return "balance caps (a choice over all the items of a column)" }
        return nil
    }

    /// The URIs a driver must fetch for the sources the spec names by URI (`plan`'s `fetch`):
    /// each such source, with its Moses sibling side. Local copies keep the file name, so two
    /// of them with one name cannot both be fetched, and are refused here.
    func fetchList() throws -> [String] {
        var out: [String] = []
        var names: [Substring: String] = [:]
        for (index, source) in spec.sources.enumerated() where SpecPaths.isURI(source.path) {
            var request = IngestRequest(files: [source.path])
            request.format = source.format.flatMap(CorpusFormat.init(rawValue:))
            request.pair = source.pair.flatMap(DirectedPair.init)
            for uri in request.withMosesSiblings() where !out.contains(uri) {
                let name = uri.split(separator: "/").last ?? ""
                if let other = names[name] {
                    throw HeldoutError.usage("sources[\(index)]: \(uri) and \(other) have the same file name, and fetched copies are kept by name: rename one")
                }
                names[name] = uri
                out.append(uri)
            }
        }
        return out
    }

    /// `units`: each line a source index of the spec, optionally followed by a tab and the
    /// folder holding local copies of the sources named by URI (a Spark task's `SparkFiles`
    /// folder; `plan` lists what to fetch); every corpus the source plans becomes a `corpus`
    /// row followed by its units, read by the same reader `heldout build` uses.
    public func units<Lines: Sequence<String>>(_ lines: Lines, write: @escaping (Data) -> Void) throws {
        let writer = ShardRowWriter(emit: write)
        for (number, text) in lines.enumerated() {
            let fields = text.split(separator: "\t", maxSplits: 1).map(String.init)
            guard let first = fields.first, let index = Int(first.trimmingCharacters(in: .whitespaces)),
                  spec.sources.indices.contains(index) else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: number + 1),
                                            "not a source index of \(specPath) (0..<\(spec.sources.count)): \(text)")
            }
            var spec = self.spec
            spec.fetchedSources = fields.count > 1 ? fields[1] : nil
            let (ingester, corpora) = try IngestRequest(source: spec.sources[index], index: index, in: spec).plan()
            for (corpusIndex, corpus) in corpora.enumerated() {
                let (reader, descriptor) = try ingester.describe(corpus)
                var head = ShardRow(kind: .corpus, source: index, corpus: corpusIndex, ordinal: 0)
                head.descriptor = descriptor
                try writer.write(head)
                try Self.reported { try reader.read(into: ShardRowSink(writer: writer, source: index, corpus: corpusIndex)) }
            }
        }
    }

    /// `grade`: each segment row's grade and band, by the spec's bands.
    public func grades<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let grades = ShardGrades(bands: spec.bands)
        for (index, text) in lines.enumerated() {
            write(try line(try grades.grade(try Self.segment(text, line: index + 1), line: index + 1)))
        }
    }

    /// `bands`: each segment row's near-duplicate keys.
    public func bands<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let bands = try nearDuplicateStage(.bands)
        for (index, text) in lines.enumerated() {
            write(try line(try bands.keys(try Self.segment(text, line: index + 1), line: index + 1)))
        }
    }

    /// `pairs`: the local stage over all the rows (read whole), each pair a line `[id, id]`.
    public func pairs<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let bands = try nearDuplicateStage(.pairs)
        let segments = try lines.enumerated().map { try Self.segment($0.element, line: $0.offset + 1) }
        for pair in try bands.pairs(segments) { write(try line(pair)) }
    }

    /// `replay`: `units` rows sorted by (source, corpus, ordinal) into a new store at
    /// `storePath`, then the rest of `heldout build` on it, without reading the sources again.
    /// A driver that runs the band join on the cluster calls it twice: first with
    /// `stopBeforeSplit` (then `used` lists the segments to join), then with `resume` and the pairs.
    public func replay<Lines: Sequence<String>>(_ lines: Lines, storePath: String, options: ReplayOptions,
                                                toolVersion: String, log: @escaping (String) -> Void) throws -> SplitSummary {
        if !options.resume {
            var iterator = lines.makeIterator()
            var number = 0
            try Self.reported {
                _ = try ShardReplay().replay(next: {
                    guard let text = iterator.next() else { return nil }
                    number += 1
                    return try Self.row(text, line: number)
                }, into: try Store(path: storePath))
            }
        }
        var request = BuildPipeline.Request(specPath: specPath, storePath: storePath, toolVersion: toolVersion)
        request.output = options.output
        request.log = log
        request.ingested = true
        request.readFrom = options.readFrom
        request.fetchedSources = options.fetchedSources
        if let itemsPath = options.itemsPath {
            request.importedItems = { try Self.items(at: itemsPath) }
        }
        request.stopBeforeSplit = options.stopBeforeSplit
        if let pairsPath = options.nearDuplicatesPath {
            let windowed = options.windowedBuckets
            request.givenNearDuplicates = { GivenNearDuplicates(pairs: try Self.pairs(at: pairsPath), windowedBuckets: windowed) }
        }
        if let sidesPath = options.sidesPath {
            request.givenSides = { try ShardComponents.sides(at: sidesPath) }
        }
        request.givenRecords = options.recordsPath.map { URL(fileURLWithPath: $0) }
        return try BuildPipeline.run(request).summary
    }

    /// `select`: each item record's column, or why the split leaves it out, a line each.
    public func select<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let selection = ShardSelection(spec: spec)
        let decoder = JSONDecoder()
        for (index, text) in lines.enumerated() where !text.isEmpty {
            let item: ShardSelection.Input
            do {
                item = try decoder.decode(ShardSelection.Input.self, from: Data(text.utf8))
            } catch {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1),
                                            "not an item record {id, category, lang, pair, answer, rubric, grade, domain, segments, …}: \(Self.reason(error))")
            }
            write(try line(selection.select(item)))
        }
    }

    /// `records`: each item's records, a line per variant file that keeps it (``ShardRecords``).
    public func records<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let records = ShardRecords(spec: spec)
        let decoder = JSONDecoder()
        for (index, text) in lines.enumerated() where !text.isEmpty {
            let location = SourceLocation(file: "<stdin>", line: index + 1)
            let record: ShardItems.Record, placement: ShardRecords.Placement
            do {
                let data = Data(text.utf8)
                record = try decoder.decode(ShardItems.Record.self, from: data)
                placement = try decoder.decode(ShardRecords.Placement.self, from: data)
            } catch {
                throw HeldoutError.badInput(location, "not an item to place (a map items record with column, side, dropped and sources): \(Self.reason(error))")
            }
            do {
                for var line in try records.records(record, placement) {
                    line.append(0x0A)
                    write(Data(line))
                }
            } catch let error as ReportableError {
                throw HeldoutError.badInput(location, error.userMessage)
            }
        }
    }

    /// `dropped`: each item a variant leaves out (`ItemPlacement.DroppedItem`) as
    /// `VARIANT<TAB>ID<TAB>COST<TAB>LINE`: COST the links under which it counts in the
    /// manifest's isolation cost, comma-separated (empty for none), LINE its `dropped.jsonl`
    /// line as the split writes it.
    public func dropped<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let placement = ItemPlacement(spec: spec)
        let decoder = JSONDecoder()
        for (index, text) in lines.enumerated() where !text.isEmpty {
            let location = SourceLocation(file: "<stdin>", line: index + 1)
            let item: ItemPlacement.DroppedItem
            do {
                item = try decoder.decode(ItemPlacement.DroppedItem.self, from: Data(text.utf8))
            } catch {
                throw HeldoutError.badInput(location, "not a dropped item {variant, id, column, side, reason, drop_link, drop_partner, partners}: \(Self.reason(error))")
            }
            do {
                let (line, costLinks) = try placement.droppedLine(item)
                var out = Array("\(item.variant)\t\(item.id)\t\(costLinks.map(\.rawValue).joined(separator: ","))\t".utf8)
                out.append(contentsOf: line)
                write(Data(out))
            } catch let error as ReportableError {
                throw HeldoutError.badInput(location, error.userMessage)
            }
        }
    }

    /// `manifest`: every variant's `spec.yaml` and `manifest.json`, written into the records
    /// folder beside what `records` and `dropped` gave (``ManifestFacts``): the facts the cluster
    /// counted (`factsPath`), the sides `choose` wrote (`sidesPath`) and, on `ids`, the ids of
    /// the items the split selects, one a line in id order (the items' digest). `output`,
    /// `readFrom` and `fetched` are the replay's own. Writes `{name, records}` a variant.
    public func manifest<Lines: Sequence<String>>(_ ids: Lines, factsPath: String, sidesPath: String, recordsPath: String,
                                                  output: String?, readFrom: SplitLocation, fetched: String?, toolVersion: String,
                                                  write: (Data) -> Void) throws {
        guard let data = FileManager.default.contents(atPath: factsPath) else {
            throw HeldoutError.badInput(SourceLocation(file: factsPath), "cannot read the manifest's facts")
        }
        let facts: ManifestFacts
        do {
            facts = try JSONDecoder().decode(ManifestFacts.self, from: data)
        } catch {
            throw HeldoutError.badInput(SourceLocation(file: factsPath), "not the facts of a manifest {fates, isolation_cost, near_duplicates, corpora, language_mismatch}: \(Self.reason(error))")
        }
        var digest = ItemsDigest()
        var previous: ContentID?
        for (index, text) in ids.enumerated() where !text.isEmpty {
            guard let id = ContentID(hex: text) else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1), "not an item id (32 hex digits): \(text)")
            }
            if let previous, id <= previous {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1), "item \(text) is not after \(previous.hex): the ids must come sorted, each once")
            }
            previous = id
            digest.append(id)
        }
        var spec = self.spec
        spec.fetchedSources = fetched
        // A spec with sources (the cluster path reads them) is stated as it is (`Splitter.statedSpec`).
        let written = try facts.write(spec: spec, stated: spec, specPath: specPath, into: URL(fileURLWithPath: recordsPath),
                                      output: URL(fileURLWithPath: output ?? "splits/\(spec.name)"), readFrom: readFrom,
                                      sides: try ShardComponents.sides(at: sidesPath), itemsDigest: digest.finalize(),
                                      toolVersion: toolVersion, origin: SourceLocation(file: factsPath))
        for variant in written { write(try line(WrittenManifest(name: variant.name, records: variant.records))) }
    }

    /// `classifier`: the report grading's domain classifier gives when trained on these
    /// segments (each with the domain its metadata declares), as `{"predicts": …, "report":
    /// …}`. The classifier learns from the whole store, so a cluster cannot carry its
    /// predictions; but it trains only on the declared segments, at most
    /// `maxTrainingPerDomain` per domain (the smallest ids), and when it abstains, as it does
    /// below its accuracy bar, it predicts nothing: the cluster's items and records are then
    /// the local build's. Lines in any order; a domain's lines beyond the cap are left out here
    /// as grading leaves them out, so a cluster may send only the smallest ids of each.
    public func classifier<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        // Grading's own settings (`GradeStage` in a build): the same training, the same verdict.
        let options = Grader.Options().classifier
        var declared: [String: [(id: ContentID, text: String)]] = [:]
        let decoder = JSONDecoder()
        for (index, text) in lines.enumerated() where !text.isEmpty {
            guard let row = try? decoder.decode(DeclaredDomain.self, from: Data(text.utf8)), let id = ContentID(hex: row.id) else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1),
                                            "not a segment with its declared domain {id: 32 hex digits, text, domain}")
            }
            declared[row.domain, default: []].append((id, row.text))
        }
        var examples: [(id: ContentID, text: String, domain: String)] = []
        for (domain, segments) in declared {
            examples += segments.sorted { $0.id < $1.id }.prefix(options.maxTrainingPerDomain).map { ($0.id, $0.text, domain) }
        }
        examples.sort { $0.id < $1.id }
        let report = DomainClassifier(options: options).train(examples).1
        write(try line(ClassifierLine(predicts: report.predicts, report: report)))
    }

    /// `place`: the records folder the cluster finished (every variant's records,
    /// `dropped.jsonl`, `spec.yaml`, `manifest.json` and audit) put in place as the split's
    /// output, as the split puts its own (``ClusterSplit``); the split's summary, as the replay
    /// prints it, out.
    public func place(recordsPath: String, output: String?, write: (Data) -> Void) throws {
        let summary = try ClusterSplit.place(from: URL(fileURLWithPath: recordsPath), spec: spec,
                                             output: URL(fileURLWithPath: output ?? "splits/\(spec.name)"))
        write(try line(PlacedSplit(outputs: summary.outputs, splits: try summary.outputs.map(BuildPipeline.SplitResult.read))))
    }

    /// `passages`: each segment row's shared-passage hashes, as the split computes them.
    public func passages<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let folder = TextFolder()
        for (index, text) in lines.enumerated() {
            let segment = try Self.segment(text, line: index + 1)
            guard segment.count >= 3 else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1), "a segment row is [id, lang, text]")
            }
            let keys = PassageKeys(text: segment[2], folder: folder)
            write(try line(PassageLine(id: segment[0], runs: keys.runs.map(ShardGrades.hex), whole: keys.whole.map(ShardGrades.hex),
                                within: keys.within.map(ShardGrades.hex))))
        }
    }

    /// `choose`: every component summary (read whole: the choice is global), each component's
    /// side a line in id order, then `{"bound": …}`.
    public func choose<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let (sides, bound) = try ShardComponents(spec: spec).choose(lines)
        for side in sides { write(try line(side)) }
        write(try line(["bound": bound]))
    }

    /// `used`: the segments the split's items use, from a store the replay stopped before the
    /// split (`stopBeforeSplit`), as segment rows `[id, lang, text]` in id order: what the
    /// cluster's band join must run over for its pairs to be the local search's.
    public func used(storePath: String, write: (Data) -> Void) throws {
        guard FileManager.default.fileExists(atPath: storePath) else {
            throw HeldoutError.usage("map used: \(storePath): no such store (run `map replay --stop-before-split` first)")
        }
        for segment in try Splitter(spec: spec, store: try Store(path: storePath)).usedSegments() {
            write(try line([segment.id.hex, segment.lang, segment.text]))
        }
    }

    /// A pairs file as `map pairs` and the cluster's band join write it: `[id, id]` a line.
    static func pairs(at path: String) throws -> [(ContentID, ContentID)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), "cannot read the near-duplicate pairs file")
        }
        var out: [(ContentID, ContentID)] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let ids = try? JSONDecoder().decode([String].self, from: Data(line)), ids.count == 2,
                  let a = ContentID(hex: ids[0]), let b = ContentID(hex: ids[1]) else {
                throw HeldoutError.badInput(SourceLocation(file: path, line: index + 1), "not a pair [id, id] of 32-hex-digit segment ids")
            }
            out.append((a, b))
        }
        return out
    }

    /// `items`: the shard's bundles (read whole: a pass reads its segments in id order) through
    /// the questions stage's own code (``QuestionBuilder/run(source:)``); one record a line, in
    /// the order the shard made them.
    public func items<Lines: Sequence<String>>(_ lines: Lines, write: (Data) -> Void) throws {
        let templates = try clusterTemplates()
        let decoder = JSONDecoder()
        var bundles: [(line: Int, bundle: ShardItems.Bundle)] = []
        for (index, text) in lines.enumerated() {
            do {
                bundles.append((index + 1, try decoder.decode(ShardItems.Bundle.self, from: Data(text.utf8))))
            } catch {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: index + 1), "not a segment bundle {id, lang, text, group, …}: \(Self.reason(error))")
            }
        }
        let source = try ShardAnswerSource(bundles: bundles)
        _ = try QuestionBuilder(templates: templates).run(source: source)
        for record in source.records { write(try line(record)) }
    }

    /// The spec's templates, loaded as `heldout build` loads them (relative to the spec's
    /// folder), or a refusal naming the first one the cluster path cannot run.
    func clusterTemplates() throws -> [Template] {
        guard let directory = spec.templates.map(spec.resolve) else {
            throw HeldoutError.usage("map items: \(specPath) names no templates directory")
        }
        let templates = try TemplateLoader.load(directory: directory)
        for template in templates where ![.translation, .label].contains(template.selector.kind) {
            throw HeldoutError.usage("map items: template \(template.id) (\(template.file)) selects \(template.selector.kind.rawValue), which needs treebanks or dictionaries; the cluster path runs translation and label templates only: build this spec locally with `heldout build`")
        }
        return templates
    }

    /// A decoding error in one line: which field and why, without Foundation's debug dump.
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        }
        switch error {
        case let .keyNotFound(key, _): return "field \(key.stringValue) is missing"
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context): return path(context)
        @unknown default: return "\(error)"
        }
    }

    /// The item records of `path` (`map items` lines, reduced: one per item), as items; a line
    /// that is not one is bad input naming the file and line.
    static func items(at path: String) throws -> [Item] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), "cannot read the items file")
        }
        var items: [Item] = []
        var seen: Set<ContentID> = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let location = SourceLocation(file: path, line: index + 1)
            guard let record = try? JSONDecoder().decode(ShardItems.Record.self, from: Data(line)), let item = record.item else {
                throw HeldoutError.badInput(location, "not a `heldout map items` record")
            }
            guard seen.insert(item.id).inserted else {
                throw HeldoutError.badInput(location, "item \(record.id) is listed twice: give the records reduced (ShardItems.reduce)")
            }
            items.append(item)
        }
        return items
    }

    /// A shard error as the user-facing error the command line reports: a bad row is bad input
    /// (exit 3), what the cluster path does not carry is a usage error (exit 2).
    private static func reported(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ShardError {
            switch error {
            case .badRow: throw HeldoutError.badInput(SourceLocation(file: "<stdin>"), error.description)
            case .unsupported: throw HeldoutError.usage(error.description)
            }
        }
    }

    /// One `units` row, or a bad-input error naming its line.
    public static func row(_ text: String, line number: Int) throws -> ShardRow {
        do {
            return try JSONDecoder().decode(ShardRow.self, from: Data(text.utf8))
        } catch {
            throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: number), "not a `heldout map units` row: \(error)")
        }
    }

    private static func segment(_ text: String, line number: Int) throws -> [String] {
        guard let segment = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: number), "not a segment row [id, lang, text]")
        }
        return segment
    }

    private func nearDuplicateStage(_ mode: MapMode) throws -> ShardBands {
        guard spec.isolation.isEnabled(.nearDuplicate) else {
            throw HeldoutError.usage("map \(mode.rawValue): \(specPath) does not isolate near-duplicates (isolation.near_duplicates is off)")
        }
        return ShardBands(spec: spec)
    }

    private func line(_ value: some Encodable) throws -> Data {
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

/// A `map classifier` input line: a segment and the domain its metadata declares.
struct DeclaredDomain: Decodable {
    var id: String
    var text: String
    var domain: String
}

/// A `map classifier` line: whether the classifier would predict, and its report.
struct ClassifierLine: Encodable {
    var predicts: Bool
    var report: ClassifierReport
}

/// A `map place` line: the split's outputs and each one's audit verdict and drops.
struct PlacedSplit: Encodable {
    var outputs: [SplitSummary.Output]
    var splits: [BuildPipeline.SplitResult]
}

/// A `map passages` line: a segment's shared-passage hashes, 16 hex digits each.
struct PassageLine: Encodable {
    var id: String
    var runs: [String]
    var whole: String?
    var within: [String]
}
}
