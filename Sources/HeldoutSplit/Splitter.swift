import Crypto
import Foundation
import HeldoutCore
import HeldoutStore

/// `heldout split`: from a store and a spec to `splits/NAME/` (and its comparison and sweep
/// siblings), isolated, audited, and byte-identical for the same store and spec.
public struct Splitter {
    public static let schemaVersion = SplitManifest.currentSchema

    public struct Options {
        /// The primary split's directory; siblings (`-comparison`, `-sweep-…`) go next to it.
        public var output: URL
        public var toolVersion: String
        public var auditor: any SplitAuditor
        /// The spec file, fingerprinted in the manifest.
        public var specPath: String?
        /// Stage names as they start, for a progress line.
        public var progress: ((String) -> Void)?
        /// Counts within the long step (`writing records`: items of the selection), for a progress line.
        public var counts: ProgressReport?
        /// Test hook: called with the temporary directories once they are written and audited,
        /// before they are renamed into place. Throwing aborts the split.
        public var beforeRename: (([URL]) throws -> Void)?
        /// Write the split even when a quota is not met (`--allow-short`); the manifest says so.
        public var allowShort = false
        /// Where the split is read from once written: `output` unless the caller copies it
        /// elsewhere (a cluster driver's URI target). `spec.yaml`'s `base` is relative to it.
        public var readFrom: SplitLocation = .output
        /// Near-duplicate pairs found elsewhere (a cluster's band join over ``Splitter/usedSegments()``),
        /// taken instead of searching here.
        public var givenNearDuplicates: GivenNearDuplicates?
        /// Sides a cluster chose from per-component summaries (``ComponentChoice``), taken
        /// instead of choosing here.
        public var givenSides: GivenSides?
        /// Records a cluster wrote from those sides (``ItemPlacement``): a folder holding
        /// `VARIANT/PARTITION.jsonl`, taken instead of reading the store's items, once each
        /// file is shown to hold exactly the items the split keeps there.
        public var givenRecords: URL?
        /// Fault injection for tests: build the graph with these links instead of the spec's,
        /// to show that the audit, not the graph, is what stands between a bug and the output.
        var graphLinksOverride: [IsolationLink]?

        public init(output: URL, toolVersion: String, auditor: any SplitAuditor, specPath: String? = nil) {
            self.output = output
            self.toolVersion = toolVersion
            self.auditor = auditor
            self.specPath = specPath
        }
    }

    public let spec: SplitSpec
    public let store: Store

    public init(spec: SplitSpec, store: Store) {
        self.spec = spec
        self.store = store
    }

    /// The segments the split's items use, in id order: what the near-duplicate search runs
    /// over, and so what a cluster's band join must run over for ``Options/givenNearDuplicates``.
    public func usedSegments() throws -> [(id: ContentID, lang: String, text: String)] {
        let input = try SplitInputLoader(spec: spec, store: store).load()
        var isUsed = [Bool](repeating: false, count: input.segmentIDs.count)
        for s in input.segmentList { isUsed[Int(s)] = true }
        return (0..<input.segmentIDs.count).filter { isUsed[$0] }
            .map { (input.segmentIDs[$0], input.segmentLang[$0], input.segmentText[$0]) }
            .sorted { $0.id < $1.id }
    }

    /// The split's component summaries, in id order of their smallest item: what a cluster's
    /// summaries must equal for ``ComponentChoice`` to choose this split's sides (nil when counts
    /// cannot decide them: a lexeme or consistency group shared with held-out items, a hub, a
    /// bridge). Near-duplicates are
    /// searched here unless `givenNearDuplicates` (the cluster's pairs) is passed.
    public func componentSummaries(givenNearDuplicates: GivenNearDuplicates? = nil) throws -> [ComponentSummary]? {
        try sideChoice(givenNearDuplicates: givenNearDuplicates).assignment.summaries
    }

    /// The split's input, graph and side assignment, as ``run(_:)`` builds them.
    func sideChoice(givenNearDuplicates: GivenNearDuplicates? = nil) throws -> (input: SplitInput, graph: IsolationGraph, assignment: SideAssignment) {
        let input = try SplitInputLoader(spec: spec, store: store).load()
        let graph = try isolationGraph(input: input, links: spec.isolation.enabledLinks, given: givenNearDuplicates, progress: nil).graph
        return (input, graph, try SideAssignment(graph: graph, input: input, spec: spec))
    }

    /// Runs the split. On any error nothing is left behind and an existing split is untouched.
    @discardableResult
    public func run(_ options: Options) throws -> SplitSummary {
        let parent = options.output.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        // Refuse an output that is not ours before any work (`--out .` once emptied a folder).
        for variant in SplitVariant.all(for: spec) { try Self.checkReplaceable(Self.destination(of: variant, output: options.output, spec: spec)) }
        var temporaries: [URL] = []
        defer { for url in temporaries { try? FileManager.default.removeItem(at: url) } }
        // Everything the split holds in memory (items, graph, fates) is released when `build`
        // returns, before the audit builds its own indexes: the two never peak together.
        let (variants, destinations, summaries) = try build(options, temporaries: &temporaries)

        options.progress?("audit")
        for (index, temporary) in temporaries.enumerated() {
            let verdict = try options.auditor.audit(directory: temporary, spec: spec)
            // The auditor decided what is enforced (from the manifest's `audit.enforce`): every
            // leak it hands back fails the split.
            let failing = verdict.leaks
            if !failing.isEmpty {
                let shown = failing.prefix(10).map { "\($0.kind): train \($0.trainRecord) ↔ evaluation \($0.evaluationRecord) (\($0.detail))" }
                throw HeldoutError.checkFailed("""
                    split \(variants[index].name): the audit found \(failing.count) leak(s); nothing was written
                      \(shown.joined(separator: "\n  "))\(failing.count > 10 ? "\n  …" : "")
                    """)
            }
            // A cluster that wrote the manifest audited its files too (`heldout audit
            // --segments`): its report must be this one, byte for byte.
            if let given = options.givenRecords?.appendingPathComponent(variants[index].name), ManifestFacts.onDriver(spec) == nil {
                for file in [SplitDirectory.audit, SplitDirectory.auditHTML] {
                    try ClusterFiles.take(given.appendingPathComponent(file), over: temporary.appendingPathComponent(file))
                }
            }
        }
        try options.beforeRename?(temporaries)

        for (temporary, destination) in zip(temporaries, destinations) {
            try Self.replace(destination, with: temporary)
        }
        temporaries.removeAll()
        return SplitSummary(outputs: summaries)
    }

    /// Reads, isolates, assigns and writes every variant into `temporaries` (appended as they
    /// are created, so the caller removes them on failure).
    private func build(_ options: Options, temporaries: inout [URL])
        throws -> (variants: [SplitVariant], destinations: [URL], summaries: [SplitSummary.Output]) {
        options.progress?("reading items")
        let input = try SplitInputLoader(spec: spec, store: store).load()

        let links = options.graphLinksOverride ?? spec.isolation.enabledLinks
        let (graph, pairs, windowedBuckets, nearParameters) = try isolationGraph(input: input, links: links, given: options.givenNearDuplicates,
                                                                                progress: options.progress)
        options.progress?("choosing sides")
        let assignment = try SideAssignment(graph: graph, input: input, spec: spec, given: options.givenSides)
        let variants = SplitVariant.all(for: spec)
        var fates = variants.map { variant in (0..<input.count).map { variant.fate(of: $0, input: input, assignment: assignment, graph: graph) } }
        // The comparison trains on as many items as the primary; sweep members on as many as
        // the smallest member, so that only which columns are supervised differs among them.
        let trainingSize = fates.map { $0.filter { $0 == .kept(.train) }.count }
        let sweepMembers = variants.indices.filter { if case .sweep = variants[$0].kind { true } else { false } }
        let smallestSweep = sweepMembers.map { trainingSize[$0] }.min() ?? 0
        for index in variants.indices {
            switch variants[index].kind {
            case .primary: break
            case .comparison: matchTrainingSize(&fates[index], to: trainingSize[0], input: input)
            case .sweep: matchTrainingSize(&fates[index], to: smallestSweep, input: input)
            }
        }
        let primaryHolders = KeptKeyHolders(graph: graph, input: input, fates: fates[0])
        let cost = IsolationCost(graph: graph, input: input, spec: spec, assignment: assignment, fates: fates[0], holders: primaryHolders)

        // Quotas: refused here, before anything is written, unless the spec accepts a short split.
        let quotas = variants.indices.map { QuotaTable(spec: spec, input: input, fates: fates[$0], roles: variants[$0].primaryRoles) }
        let kept = fates[0].filter { if case .kept = $0 { true } else { false } }.count
        if !quotas[0].unmet.isEmpty, !(spec.partitions.allowShort || options.allowShort) {
            throw HeldoutError.checkFailed(QuotaRefusal.message(split: spec.name, table: quotas[0], cost: cost, graph: graph, input: input,
                                                                spec: spec, bound: assignment.bound, kept: kept))
        }

        // Write every variant into a temporary directory next to its destination.
        let destinations = variants.map { Self.destination(of: $0, output: options.output, spec: spec) }
        for destination in destinations {
            let temporary = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).tmp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
            temporaries.append(temporary)
        }

        options.progress?("writing records")
        let writer = RecordWriter(spec: try statedSpec().stored(in: options.readFrom.folder(output: options.output)), input: input,
                                  variants: variants, fates: fates, directories: temporaries, progress: options.counts)
        if let given = options.givenRecords { try writer.take(given: given) } else { try writer.write(store: store) }

        options.progress?("manifest")
        var summaries: [SplitSummary.Output] = []
        for (index, variant) in variants.enumerated() {
            let holders = index == 0 ? primaryHolders : KeptKeyHolders(graph: graph, input: input, fates: fates[index])
            let dropped = temporaries[index].appendingPathComponent(DroppedItems.fileName)
            try DroppedItems.write(to: dropped, spec: spec, input: input, fates: fates[index], assignment: assignment, graph: graph,
                                   holders: holders)
            var quota = quotas[index]
            quota.acceptedShort = !quota.unmet.isEmpty
            let manifest = try Manifest.make(spec: spec, variant: variant, input: input, store: store,
                                             fates: fates[index], cost: variant.kind == .primary ? cost : nil,
                                             assignment: assignment, graph: graph, nearDuplicates: nearParameters,
                                             nearDuplicatePairs: pairs.count, windowedBuckets: windowedBuckets, directory: temporaries[index],
                                             toolVersion: options.toolVersion, specPath: options.specPath,
                                             quotas: quota, bound: assignment.bound, hubs: graph.hubs)
            try manifest.write(to: temporaries[index].appendingPathComponent(SplitDirectory.manifest))
            if let given = options.givenRecords?.appendingPathComponent(variant.name) {
                // What the cluster wrote whole must be the split's bytes (its records were held
                // to the split's fates by `take`): dropped.jsonl, and, where the cluster can
                // count it, spec.yaml and the manifest.
                var files = [DroppedItems.fileName]
                if ManifestFacts.onDriver(spec) == nil { files += [SplitDirectory.spec, SplitDirectory.manifest] }
                for file in files {
                    try ClusterFiles.take(given.appendingPathComponent(file), over: temporaries[index].appendingPathComponent(file))
                }
            }
            summaries.append(SplitSummary.Output(name: variant.name, directory: destinations[index].path,
                                                 records: manifest.records ?? [:], isolationCost: manifest.isolationCost?.total))
        }

        return (variants, destinations, summaries)
    }

    /// The isolation graph of `input`: near-duplicate pairs (searched, or `given` by a
    /// cluster), shared-segment classes, passages, and the components with hubs cut.
    private func isolationGraph(input: SplitInput, links: [IsolationLink], given: GivenNearDuplicates?, progress: ((String) -> Void)?)
        throws -> (graph: IsolationGraph, pairs: [(Int32, Int32)], windowedBuckets: Int, parameters: NearDuplicateIndex.Parameters?) {
        // Only segments an item uses: the rest cannot carry anything into a record.
        var isUsed = [Bool](repeating: false, count: input.segmentIDs.count)
        for s in input.segmentList { isUsed[Int(s)] = true }
        let used = (0..<input.segmentIDs.count).filter { isUsed[$0] }
        isUsed = []

        var pairs: [(Int32, Int32)] = []
        var foldedHashes: [UInt64]?
        var windowedBuckets = 0
        var nearParameters: NearDuplicateIndex.Parameters?
        if spec.isolation.isEnabled(.nearDuplicate) {
            progress?("near-duplicates")
            let nd = spec.isolation.nearDuplicates
            let parameters = NearDuplicateIndex.Parameters(threshold: nd.threshold, shingle: nd.shingle, size: nd.size)
            nearParameters = parameters
            if let given {
                pairs = try given.indexed(segmentIDs: input.segmentIDs, used: used)
                windowedBuckets = given.windowedBuckets
            } else {
                let found = NearDuplicateIndex(parameters: parameters).search(used.map { input.segmentText[$0] })
                windowedBuckets = found.windowedBuckets
                foldedHashes = found.foldedHashes
                pairs = found.pairs.map { (Int32(used[Int($0.0)]), Int32(used[Int($0.1)])) }
            }
        }
        let segmentClass: [Int32]
        if !spec.isolation.isEnabled(.sharedSegment) {
            segmentClass = (0..<Int32(input.segmentIDs.count)).map { $0 }
        } else if let foldedHashes {
            segmentClass = FoldedSegmentClasses.compute(count: input.segmentIDs.count, used: used, foldedHashes: foldedHashes)
        } else {
            segmentClass = FoldedSegmentClasses.compute(texts: input.segmentText, used: used)
        }
        var passages: SharedPassages?
        if links.contains(.sharedPassage) {
            progress?("shared passages")
            passages = SharedPassages(texts: input.segmentText, used: used)
        }

        progress?("isolation graph")
        let graph = IsolationGraph(input: input, links: links, nearDuplicatePairs: pairs,
                                   segmentClass: segmentClass, segmentCount: input.segmentIDs.count,
                                   passages: passages, componentLimits: SideAssignment.placementLimits(input: input, spec: spec))
        return (graph, pairs, windowedBuckets, nearParameters)
    }

    /// The spec as `spec.yaml` states it: the spec itself, or, for a split made step by step
    /// (ingest, grade, questions, split; no `sources`), completed from what the store recorded —
    /// each corpus with its files and read options, and the templates `questions` read — so that
    /// `heldout rebuild` can make it again. When a corpus was read with an option a spec cannot
    /// state, no source is stated at all, and rebuild says it cannot rebuild.
    func statedSpec() throws -> SplitSpec {
        guard spec.sources.isEmpty else { return spec }
        var stated = spec
        // The store keeps paths as given on the command line: spelled here from the spec's base.
        if stated.templates == nil { stated.templates = try store.stageFingerprint(Store.templatesPathKey).map(spec.spelling) }
        var sources: [SplitSpec.Source] = []
        let known: Set<String> = ["format", "pair", "lang", "domain", "documents", "skip_invalid", "labels", "max_segment_bytes",
                                  "columns", "fields"]
        for corpus in try store.corpusReadOptions() {
            guard let path = corpus.files.first, corpus.options.keys.allSatisfy(known.contains) else { return stated }
            var source = SplitSpec.Source(path: spec.spelling(path))
            source.format = corpus.options["format"]
            source.pair = corpus.options["pair"]
            source.lang = corpus.options["lang"]
            // Ingest records the mode it used: `auto` as such, and `file` both for formats the
            // option does not apply to and for a whole-file choice; stating neither is what
            // reads them back alike (a whole-file TMX then rebuilds differently, and rebuild says so).
            if let documents = corpus.options["documents"], documents != "auto", documents != "file" { source.documents = documents }
            if let columns = corpus.options["columns"] { source.columns = columns.split(separator: ",").map(String.init) }
            if let fields = corpus.options["fields"] {
                var mapping: [String: String] = [:]
                for part in fields.split(separator: ",") {
                    let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2 else { return stated }
                    mapping[kv[0]] = kv[1]
                }
                source.fields = mapping
            }
            if corpus.options["skip_invalid"] == "true" { source.skipInvalid = true }
            if let labels = corpus.options["labels"] {
                // `tone=` (a label file's one label): anything else is a mapping a spec cannot state.
                guard labels.hasSuffix("="), !labels.dropLast().contains(where: { $0 == "=" || $0 == "," }) else { return stated }
                source.label = String(labels.dropLast())
            }
            if let limit = corpus.options["max_segment_bytes"] { source.maxSegmentBytes = Int(limit) }
            source.domain = corpus.options["domain"] ?? corpus.domain
            source.license = corpus.licence
            source.corpus = corpus.name
            sources.append(source)
        }
        stated.sources = sources
        return stated
    }

    /// Where a variant goes: the primary at `output`, siblings beside it with their suffix.
    static func destination(of variant: SplitVariant, output: URL, spec: SplitSpec) -> URL {
        output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + variant.name.dropFirst(spec.name.count))
    }

    /// Files a split directory may hold: what `split` writes, what `audit` adds, and the
    /// releases `publish` makes inside it. Anything else is the user's.
    static let ownFiles = SplitDirectory.ownFiles

    /// An existing `destination` must be a split heldout wrote and hold nothing else, or it is
    /// left alone: `--out .` or a folder of notes is refused, not emptied.
    static func checkReplaceable(_ destination: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: destination.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw HeldoutError.usage("--out \(destination.path): exists and is not a directory; choose another output directory")
        }
        let manifest = destination.appendingPathComponent(SplitDirectory.manifest)
        let isSplit = (try? SplitManifest.read(from: manifest))?.schema == SplitManifest.currentSchema
        let contents = (try? fm.contentsOfDirectory(atPath: destination.path)) ?? []
        guard isSplit || contents.isEmpty else {
            throw HeldoutError.usage("--out \(destination.path): exists and is not a heldout split (no manifest.json of \(SplitManifest.currentSchema)); nothing in it was touched. Choose a new or empty directory")
        }
        let foreign = contents.filter { !ownFiles.contains($0) }.sorted()
        guard foreign.isEmpty else {
            throw HeldoutError.usage("--out \(destination.path): holds files heldout did not write (\(foreign.prefix(5).joined(separator: ", "))); a split directory is replaced whole, so move them out first. Nothing was touched")
        }
    }

    /// Renames `temporary` to `destination`; an existing destination is renamed aside first and
    /// removed only once the new one is in place, so a reader sees the old split or the new one.
    static func replace(_ destination: URL, with temporary: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: destination.path) else {
            try fm.moveItem(at: temporary, to: destination)
            return
        }
        try checkReplaceable(destination)
        // Published releases live inside the split directory (DESIGN: `splits/NAME/releases/`)
        // and are immutable: they are carried into the new directory before the swap — copied,
        // so that a failed swap still leaves the old directory whole.
        let releases = destination.appendingPathComponent("releases")
        if fm.fileExists(atPath: releases.path) {
            try fm.copyItem(at: releases, to: temporary.appendingPathComponent("releases"))
        }
        let aside = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).old-\(UUID().uuidString)")
        try fm.moveItem(at: destination, to: aside)
        do {
            try fm.moveItem(at: temporary, to: destination)
        } catch {
            try? fm.moveItem(at: aside, to: destination)
            throw error
        }
        try? fm.removeItem(at: aside)
    }

    /// Siblings train on as many items as the smallest of them: keep that many, choosing by
    /// SHA-256(seed, "comparison", id) — deterministic, and blind to column, so the kept mix
    /// follows each variant's own.
    private func matchTrainingSize(_ fates: inout [ItemFate], to target: Int, input: SplitInput) {
        let train = fates.indices.filter { fates[$0] == .kept(.train) }
        guard train.count > target else { return }
        let ranked = train.map { (ItemPlacement.sizeMatchRank(seed: spec.seed, id: input.ids[$0]), $0) }.sorted { $0.0 < $1.0 }
        for (_, index) in ranked.dropFirst(target) { fates[index] = .dropped(.sizeMatch) }
    }
}

/// What `split` reports on stdout.
public struct SplitSummary: Codable, Sendable {
    public struct Output: Codable, Sendable {
        public var name: String
        public var directory: String
        public var records: [String: Int]
        public var isolationCost: Int?

        enum CodingKeys: String, CodingKey {
            case name, directory, records
            case isolationCost = "isolation_cost"
        }
    }

    public var outputs: [Output]
    /// For a build handed results made elsewhere (a cluster's items, records): whether each was
    /// taken (`true`) or made here instead (`false`). Absent for a plain split.
    public var taken: [String: Bool]?

    public init(outputs: [Output], taken: [String: Bool]? = nil) {
        self.outputs = outputs
        self.taken = taken
    }
}

/// Near-duplicate pairs found outside the split (a cluster's band join), with what the manifest
/// records of the search. They must be exactly what `NearDuplicateIndex.search` finds over the
/// split's used segments (``Splitter/usedSegments()``) in id order: the CI check holds the
/// split's bytes equal to a local build's.
public struct GivenNearDuplicates: Sendable {
    /// Each pair's segment ids.
    public var pairs: [(ContentID, ContentID)]
    /// Buckets the search cut to its window (`near_duplicates.windowed_buckets` in the manifest).
    public var windowedBuckets: Int

    public init(pairs: [(ContentID, ContentID)], windowedBuckets: Int) {
        self.pairs = pairs
        self.windowedBuckets = windowedBuckets
    }

    /// The pairs as the split's segment indices, in the order the search gives them (smaller
    /// index first, sorted, each once); a pair naming a segment no item uses is refused.
    func indexed(segmentIDs: [ContentID], used: [Int]) throws -> [(Int32, Int32)] {
        var index: [ContentID: Int32] = [:]
        index.reserveCapacity(used.count)
        for s in used { index[segmentIDs[s]] = Int32(s) }
        var out: [(Int32, Int32)] = []
        out.reserveCapacity(pairs.count)
        for (a, b) in pairs {
            guard let x = index[a], let y = index[b] else {
                throw HeldoutError.badInput(SourceLocation(file: "near-duplicate pairs"),
                                            "the pair \(a.hex) \(b.hex) names a segment no item of the split uses")
            }
            out.append(x < y ? (x, y) : (y, x))
        }
        out.sort { $0 < $1 }
        var unique: [(Int32, Int32)] = []
        unique.reserveCapacity(out.count)
        for pair in out where unique.last.map({ $0 != pair }) ?? true { unique.append(pair) }
        return unique
    }
}
