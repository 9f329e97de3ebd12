import Crypto
import Foundation
import HeldoutCore
import HeldoutStore

/// What isolation cost, per column and per link kind (``SplitManifest/IsolationCost``).
typealias IsolationCost = SplitManifest.IsolationCost

extension SplitManifest.IsolationCost {
    init(graph: IsolationGraph, input: SplitInput, spec: SplitSpec, assignment: SideAssignment, fates: [ItemFate],
         holders: KeptKeyHolders) {
        self.init()
        for column in spec.columns { byColumn[column.name] = Column() }
        var direct = [Bool](repeating: false, count: input.count)
        let dropped = (0..<input.count).filter { fates[$0] == .dropped(.isolation) }
        let opposing = dropped.map { KeptKeyHolders.opposingSide(of: $0, input: input, spec: spec, assignment: assignment, graph: graph) }
        for link in graph.links {
            // An item dropped for isolation counts under a link when it shares a key of that link
            // with an item kept on the side it gave way to.
            for (i, side) in zip(dropped, opposing) where holders.partner(of: i, link: link, side: side, graph: graph) != nil {
                direct[i] = true
                byLink[link.rawValue, default: 0] += 1
                byColumn[spec.columns[Int(input.column[i])].name, default: Column()].byLink[link.rawValue, default: 0] += 1
            }
        }
        for i in 0..<input.count {
            let name = spec.columns[Int(input.column[i])].name
            if fates[i] == .dropped(.isolation) {
                total += 1
                byColumn[name, default: Column()].total += 1
                if !direct[i] { byColumn[name, default: Column()].indirect += 1 }
            }
            if assignment.flipped[Int(graph.component[i])], spec.columns[Int(input.column[i])].role.trains {
                byColumn[name, default: Column()].movedToEvaluation += 1
            }
        }
    }
}

/// `manifest.json` (``SplitManifest``, the type every module reads).
typealias Manifest = SplitManifest

extension SplitManifest.Optimality {
    init(bound: SideAssignment.Bound, kept: Int) {
        self.init(kept: kept, upperBound: bound.keptUpperBound,
                  gap: bound.keptUpperBound > 0 ? QuotaTable.rounded(Double(max(0, bound.keptUpperBound - kept)) / Double(bound.keptUpperBound)) : 0,
                  bound: bound.method)
    }
}

extension SplitManifest {
    func write(to url: URL) throws {
        try data().write(to: url)
    }

    /// The local split's manifest: everything it says, counted from the split's own arrays and store.
    static func make(spec: SplitSpec, variant: SplitVariant, input: SplitInput, store: Store,
                     fates: [ItemFate], cost: IsolationCost?, assignment: SideAssignment, graph: IsolationGraph,
                     nearDuplicates: NearDuplicateIndex.Parameters?, nearDuplicatePairs: Int, windowedBuckets: Int, directory: URL,
                     toolVersion: String, specPath: String?, quotas: QuotaTable, bound: SideAssignment.Bound,
                     hubs: [IsolationLink: Int]) throws -> Manifest {
        var evaluationComponents = 0
        for p in assignment.partition where p.isEvaluation { evaluationComponents += 1 }
        return assemble(
            spec: spec, variant: variant, tally: ManifestTally(spec: spec, input: input, fates: fates),
            components: Components(total: graph.componentCount, evaluation: evaluationComponents,
                                   flipped: assignment.flipped.filter { $0 }.count),
            cost: cost,
            nearDuplicates: nearDuplicates.map {
                NearDuplicates(parameters: $0, segments: Set(input.segmentList).count, pairs: nearDuplicatePairs, windowedBuckets: windowedBuckets)
            },
            inputs: try Inputs(spec: spec, specPath: specPath, corpora: try store.corpora().map { ($0.name, $0.sha256) },
                                            items: input.ids.reduce(into: ItemsDigest()) { $0.append($1) }.finalize()),
            outputs: try outputs(of: directory, evaluation: directory), toolVersion: toolVersion, quotas: quotas, bound: bound,
            hubs: hubs, domains: try SplitManifest.DomainEvidence.make(spec: spec, input: input, store: store),
            languageMismatch: input.languageMismatch)
    }

    /// A manifest from its figures, however they were counted: by the local split (``make``)
    /// or by a cluster (``ManifestFacts``), so that both write the same bytes from the same counts.
    static func assemble(spec: SplitSpec, variant: SplitVariant, tally: ManifestTally, components: Components, cost: IsolationCost?,
                         nearDuplicates: NearDuplicates?, inputs: Inputs, outputs: [String: String], toolVersion: String,
                         quotas: QuotaTable, bound: SideAssignment.Bound, hubs: [IsolationLink: Int],
                         domains: DomainEvidence?, languageMismatch: [String: Int]) -> Manifest {
        var records: [String: Int] = [:]
        var dropped: [String: [String: Int]] = [:]
        var kept: [String: [String: Int]] = [:]
        var counts: RecordCounts = [:]
        for (c, column) in spec.columns.enumerated() {
            for (k, partition) in Partition.allCases.enumerated() where tally.kept[c][k] > 0 {
                let n = tally.kept[c][k]
                records[partition.rawValue, default: 0] += n
                kept[column.name, default: [:]][partition.rawValue] = n
                counts[column.name, default: [:]][variant.recordRole(column: c, partition: partition).rawValue, default: [:]][partition.rawValue, default: 0] += n
            }
            for (reason, n) in tally.dropped[c] where n > 0 {
                dropped[column.name, default: [:]][reason.rawValue] = n
            }
        }
        var fractions: [String: [String: Double]] = [:]
        for (column, partitions) in kept {
            let sum = partitions.values.reduce(0, +)
            for (partition, n) in partitions {
                fractions[column, default: [:]][partition] = QuotaTable.rounded(Double(n) / Double(max(sum, 1)))
            }
        }
        let variantName: String
        switch variant.kind {
        case .primary: variantName = "primary"
        case .comparison: variantName = "comparison"
        case let .sweep(columns): variantName = "sweep:" + columns.joined(separator: "+")
        }
        var manifest = Manifest(
            schema: SplitManifest.currentSchema,
            tool: SplitManifest.Tool(name: "heldout", version: toolVersion),
            build: OutputDependencies.versions(tool: toolVersion),
            name: variant.name, variant: variantName,
            roles: Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, variant.roles[$0.offset].rawValue) }),
            evaluationRoles: Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, variant.primaryRoles[$0.offset].rawValue) }),
            counts: counts, records: records, dropped: dropped, fractions: fractions,
            components: components,
            isolationCost: cost,
            isolation: spec.isolation.enabledLinks.map(\.rawValue),
            audit: SplitManifest.AuditEnforcement(links: spec.isolation.enabledLinks),
            nearDuplicates: nearDuplicates,
            inputs: inputs,
            outputs: outputs,
            quotas: quotas,
            optimality: variant.kind == .primary ? Optimality(bound: bound, kept: records.values.reduce(0, +)) : nil,
            cutKeys: Dictionary(uniqueKeysWithValues: hubs.map { ($0.key.rawValue, $0.value) }),
            domains: domains)
        // Only where such items exist: other manifests keep their bytes.
        manifest.languageMismatch = languageMismatch.isEmpty ? nil : languageMismatch
        return manifest
    }

    /// Digests of the files a split directory holds (`SplitDirectory.recordedOutputs`); a
    /// sibling's evaluation files may be read where the primary's are (`evaluation`).
    static func outputs(of directory: URL, evaluation: URL) throws -> [String: String] {
        var outputs: [String: String] = [:]
        let shared = Set(Partition.allCases.filter(\.isEvaluation).map { "\($0.rawValue).jsonl" })
        for file in SplitDirectory.recordedOutputs {
            let folder = shared.contains(file) ? evaluation : directory
            outputs[file] = try FileDigest.sha256(ofFile: folder.appendingPathComponent(file).path).hex
        }
        return outputs
    }
}

extension SplitManifest.NearDuplicates {
    init(parameters: NearDuplicateIndex.Parameters, segments: Int, pairs: Int, windowedBuckets: Int) {
        self.init(threshold: parameters.threshold, shingle: parameters.shingle.rawValue, size: parameters.size, bands: parameters.bands,
                  rows: parameters.rows,
                  missAtThreshold: Double(String(format: "%.3g", 1 - parameters.candidateProbability(similarity: parameters.threshold))) ?? 0,
                  segments: segments, pairs: pairs, windowedBuckets: windowedBuckets)
    }
}

extension SplitManifest.Inputs {
    /// The spec's digest, the corpora's (a later corpus of one name replaces an earlier one, as
    /// ingest does), the items' (``ItemsDigest``) and the sources' files.
    init(spec: SplitSpec, specPath: String?, corpora: some Sequence<(String, String)>, items: String) throws {
        var digests: [String: String] = [:]
        for (name, sha256) in corpora { digests[name] = sha256 }
        var sources: [String: String] = [:]
        for source in spec.sources {
            // Keyed as the spec spells it; read where the spec means it (its folder).
            let url = URL(fileURLWithPath: spec.resolve(source.path))
            if FileManager.default.fileExists(atPath: url.path) {
                sources[source.path] = try FileDigest.sha256(ofFile: url.path).hex
            }
        }
        self.init(spec: try specPath.map { try FileDigest.sha256(ofFile: $0).hex }, corpora: digests,
                  items: items, sources: sources)
    }
}

/// What a variant's manifest counts of its items: per column (`spec.columns`' order), those
/// kept in each partition (`Partition.allCases`' order) and those dropped for each reason.
struct ManifestTally {
    var kept: [[Int]]
    var dropped: [[DropReason: Int]]

    init(columns: Int) {
        kept = [[Int]](repeating: [0, 0, 0], count: columns)
        dropped = [[DropReason: Int]](repeating: [:], count: columns)
    }

    init(spec: SplitSpec, input: SplitInput, fates: [ItemFate]) {
        self.init(columns: spec.columns.count)
        for i in 0..<input.count {
            let c = Int(input.column[i])
            switch fates[i] {
            case let .kept(partition): kept[c][Partition.allCases.firstIndex(of: partition) ?? 0] += 1
            case let .dropped(reason): dropped[c][reason, default: 0] += 1
            }
        }
    }
}

extension SplitManifest.DomainEvidence {
    /// The evidence of an `axis: domain` split, nil for other axes (their manifests are unchanged).
    static func make(spec: SplitSpec, input: SplitInput, store: Store) throws -> Self? {
        guard spec.axis == .domain else { return nil }
        var accuracy: Double?, minimum: Double?
        if let report = try store.gradingState("classifier.report"),
           let object = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any] {
            accuracy = (object["accuracy"] as? NSNumber)?.doubleValue
            minimum = (object["minimum_accuracy"] as? NSNumber)?.doubleValue
        }
        return Self(declared: input.declaredDomainItems, predicted: input.predictedDomainItems,
                    predictedAllowed: spec.predictedDomains, classifierAccuracy: accuracy,
                    classifierMinimumAccuracy: minimum)
    }
}
