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

    static func make(spec: SplitSpec, variant: SplitVariant, input: SplitInput, store: Store, counts: RecordCounts,
                     fates: [ItemFate], cost: IsolationCost?, assignment: SideAssignment, graph: IsolationGraph,
                     nearDuplicates: NearDuplicateIndex.Parameters?, nearDuplicatePairs: Int, windowedBuckets: Int, directory: URL,
                     toolVersion: String, specPath: String?, quotas: QuotaTable, bound: SideAssignment.Bound,
                     hubs: [IsolationLink: Int]) throws -> Manifest {
        var records: [String: Int] = [:]
        var dropped: [String: [String: Int]] = [:]
        var kept: [String: [String: Int]] = [:]
        var totals: [String: Int] = [:]
        for i in 0..<input.count {
            let column = spec.columns[Int(input.column[i])].name
            totals[column, default: 0] += 1
            switch fates[i] {
            case let .kept(partition):
                records[partition.rawValue, default: 0] += 1
                kept[column, default: [:]][partition.rawValue, default: 0] += 1
            case let .dropped(reason):
                dropped[column, default: [:]][reason.rawValue, default: 0] += 1
            }
        }
        var fractions: [String: [String: Double]] = [:]
        for (column, partitions) in kept {
            let sum = partitions.values.reduce(0, +)
            for (partition, n) in partitions {
                fractions[column, default: [:]][partition] = QuotaTable.rounded(Double(n) / Double(max(sum, 1)))
            }
        }
        var evaluationComponents = 0
        for p in assignment.partition where p.isEvaluation { evaluationComponents += 1 }

        var corpora: [String: String] = [:]
        for corpus in try store.corpora() { corpora[corpus.name] = corpus.sha256 }
        var itemHasher = SHA256()
        for id in input.ids { itemHasher.update(data: id.bytes) }
        var sources: [String: String] = [:]
        for source in spec.sources {
            // Keyed as the spec spells it; read where the spec means it (its folder).
            let url = URL(fileURLWithPath: spec.resolve(source.path))
            if FileManager.default.fileExists(atPath: url.path) {
                sources[source.path] = try FileDigest.sha256(ofFile: url.path).hex
            }
        }
        var outputs: [String: String] = [:]
        for file in SplitDirectory.recordedOutputs {
            outputs[file] = try FileDigest.sha256(ofFile: directory.appendingPathComponent(file).path).hex
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
            components: SplitManifest.Components(total: graph.componentCount, evaluation: evaluationComponents,
                                   flipped: assignment.flipped.filter { $0 }.count),
            isolationCost: cost,
            isolation: spec.isolation.enabledLinks.map(\.rawValue),
            audit: SplitManifest.AuditEnforcement(links: spec.isolation.enabledLinks),
            nearDuplicates: nearDuplicates.map {
                SplitManifest.NearDuplicates(threshold: $0.threshold, shingle: $0.shingle.rawValue, size: $0.size, bands: $0.bands,
                               rows: $0.rows, missAtThreshold: Double(String(format: "%.3g", 1 - $0.candidateProbability(similarity: $0.threshold))) ?? 0,
                               segments: Set(input.segmentList).count, pairs: nearDuplicatePairs, windowedBuckets: windowedBuckets)
            },
            inputs: SplitManifest.Inputs(spec: try specPath.map { try FileDigest.sha256(ofFile: $0).hex }, corpora: corpora,
                           items: itemHasher.finalize().map { String(format: "%02x", $0) }.joined(), sources: sources),
            outputs: outputs,
            quotas: quotas,
            optimality: variant.kind == .primary ? Optimality(bound: bound, kept: records.values.reduce(0, +)) : nil,
            cutKeys: Dictionary(uniqueKeysWithValues: hubs.map { ($0.key.rawValue, $0.value) }),
            domains: try SplitManifest.DomainEvidence.make(spec: spec, input: input, store: store))
        // Only where such items exist: other manifests keep their bytes.
        manifest.languageMismatch = input.languageMismatch.isEmpty ? nil : input.languageMismatch
        return manifest
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
