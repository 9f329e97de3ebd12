import Crypto
import Foundation
import HeldoutCore
import HeldoutStore

/// What isolation cost, per column and per link kind.
///
/// An item dropped for isolation is counted under a link kind when it shares a key of that kind
/// (a segment, a group, a document…) directly with a record kept on the other side; an item
/// only reached through other dropped items is `indirect`. An item can count under several kinds.
struct IsolationCost: Codable, Equatable {
    struct Column: Codable, Equatable {
        var total = 0
        var byLink: [String: Int] = [:]
        var indirect = 0
        /// Training-column items that went to evaluation with components flipped to save held-out items.
        var movedToEvaluation = 0

        enum CodingKeys: String, CodingKey {
            case total, indirect
            case byLink = "by_link"
            case movedToEvaluation = "moved_to_evaluation"
        }
    }

    var total = 0
    var byLink: [String: Int] = [:]
    var byColumn: [String: Column] = [:]

    enum CodingKeys: String, CodingKey {
        case total
        case byLink = "by_link"
        case byColumn = "by_column"
    }

    init(graph: IsolationGraph, input: SplitInput, spec: SplitSpec, assignment: SideAssignment, fates: [ItemFate],
         holders: KeptKeyHolders) {
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

/// `manifest.json`: everything needed to know what a split is and to check it was rebuilt
/// exactly — and nothing that changes between two identical runs (no time, no host, no path
/// of a temporary directory).
struct Manifest: Codable {
    struct Tool: Codable {
        var name: String
        var version: String
    }

    struct Components: Codable {
        var total: Int
        var evaluation: Int
        var flipped: Int
    }

    struct NearDuplicates: Codable {
        var threshold: Double
        var shingle: String
        var size: Int
        var bands: Int
        var rows: Int
        /// Chance that LSH misses a pair exactly at the threshold (lower above it).
        var missAtThreshold: Double
        var segments: Int
        var pairs: Int
        /// Buckets compared with a sliding window instead of all-pairs (0 in any ordinary corpus).
        var windowedBuckets: Int

        enum CodingKeys: String, CodingKey {
            case threshold, shingle, size, bands, rows, segments, pairs
            case missAtThreshold = "miss_at_threshold"
            case windowedBuckets = "windowed_buckets"
        }
    }

    struct Inputs: Codable {
        /// SHA-256 of the spec file as given.
        var spec: String?
        /// SHA-256 of each corpus as ingested, by corpus name.
        var corpora: [String: String]
        /// SHA-256 over the ids of the items the spec selected, in order.
        var items: String
        /// SHA-256 of each source file of the spec that exists (paths relative to the working
        /// directory, as DESIGN's example spec writes them).
        var sources: [String: String]
    }

    var schema: String
    var tool: Tool
    /// Versions of heldout, the toolchain and the packages that shape the output's bytes.
    var build: [String: String]
    var name: String
    var variant: String
    /// Roles of this split's training records, by column.
    var roles: [String: String]
    /// Roles its dev and test records carry: the primary split's, in every sibling, since they are
    /// the primary's evaluation files byte for byte.
    var evaluationRoles: [String: String]
    var counts: RecordCounts
    var records: [String: Int]
    var dropped: [String: [String: Int]]
    var fractions: [String: [String: Double]]
    var components: Components
    var isolationCost: IsolationCost?
    var isolation: [String]
    /// The audit rules this split promises to pass: what the independent audit enforces.
    var audit: AuditEnforcement
    var nearDuplicates: NearDuplicates?
    var inputs: Inputs
    var outputs: [String: String]
    /// Each column × partition against its target (issue 13).
    var quotas: QuotaTable
    /// How close the kept items come to an upper bound (the primary split only).
    var optimality: Optimality?
    /// Union keys cut because their component was too large to place, per link.
    var cutKeys: [String: Int]
    /// An `axis: domain` split only: how many of its items' domains were declared and how many
    /// predicted, and the classifier's cross-validated accuracy (issue 19).
    var domains: DomainEvidence?

    struct DomainEvidence: Codable {
        var declared: Int
        var predicted: Int
        /// Whether the spec opted in to predicted domains (`predicted_domains: true`).
        var predictedAllowed: Bool
        var classifierAccuracy: Double?
        var classifierMinimumAccuracy: Double?

        enum CodingKeys: String, CodingKey {
            case declared, predicted
            case predictedAllowed = "predicted_allowed"
            case classifierAccuracy = "classifier_accuracy"
            case classifierMinimumAccuracy = "classifier_minimum_accuracy"
        }

        /// The evidence of an `axis: domain` split, nil for other axes (their manifests are unchanged).
        static func make(spec: SplitSpec, input: SplitInput, store: Store) throws -> DomainEvidence? {
            guard spec.axis == .domain else { return nil }
            var accuracy: Double?, minimum: Double?
            if let report = try store.gradingState("classifier.report"),
               let object = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any] {
                accuracy = (object["accuracy"] as? NSNumber)?.doubleValue
                minimum = (object["minimum_accuracy"] as? NSNumber)?.doubleValue
            }
            return DomainEvidence(declared: input.declaredDomainItems, predicted: input.predictedDomainItems,
                                  predictedAllowed: spec.predictedDomains, classifierAccuracy: accuracy,
                                  classifierMinimumAccuracy: minimum)
        }
    }

    struct Optimality: Codable {
        var kept: Int
        var upperBound: Int
        var gap: Double
        var bound: String

        init(bound: SideAssignment.Bound, kept: Int) {
            self.kept = kept
            upperBound = bound.keptUpperBound
            gap = bound.keptUpperBound > 0 ? QuotaTable.rounded(Double(max(0, bound.keptUpperBound - kept)) / Double(bound.keptUpperBound)) : 0
            self.bound = bound.method
        }

        enum CodingKeys: String, CodingKey {
            case kept, gap, bound
            case upperBound = "upper_bound"
        }
    }

    enum CodingKeys: String, CodingKey {
        case schema, tool, build, name, variant, roles, counts, records, dropped, fractions, components, isolation, audit, inputs, outputs
        case quotas, optimality, domains
        case evaluationRoles = "evaluation_roles"
        case cutKeys = "cut_keys"
        case isolationCost = "isolation_cost"
        case nearDuplicates = "near_duplicates"
    }

    /// `{"enforce": [rule, …]}`: the audit's rule names for the links the spec turns on. A shared
    /// segment is also checked after case, punctuation and diacritics are folded. Word n-gram
    /// overlap and answer leakage are not links of DESIGN: the audit reports them, unenforced.
    struct AuditEnforcement: Codable {
        var enforce: [String]

        init(links: [IsolationLink]) {
            var rules: [String] = []
            for link in links {
                switch link {
                case .sharedSegment: rules += ["exact_segment", "folded_segment"]
                case .translation: rules.append("translation")
                case .nearDuplicate: rules.append("near_duplicate")
                case .document: rules.append("same_document")
                case .lexeme: rules.append("same_lexeme")
                case .consistencyGroup: rules.append("consistency_group")
                case .sharedPassage: rules.append("shared_passage")
                }
            }
            enforce = rules.sorted()
        }
    }

    func write(to url: URL) throws {
        var data = try CanonicalJSON.data(self)
        data.append(0x0A)
        try data.write(to: url)
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
            let url = URL(fileURLWithPath: source.path)
            if FileManager.default.fileExists(atPath: url.path) {
                sources[source.path] = try FileDigest.sha256(ofFile: url.path).hex
            }
        }
        var outputs: [String: String] = [:]
        for file in ["train.jsonl", "dev.jsonl", "test.jsonl", "spec.yaml", DroppedItems.fileName] {
            outputs[file] = try FileDigest.sha256(ofFile: directory.appendingPathComponent(file).path).hex
        }
        let variantName: String
        switch variant.kind {
        case .primary: variantName = "primary"
        case .comparison: variantName = "comparison"
        case let .sweep(columns): variantName = "sweep:" + columns.joined(separator: "+")
        }
        return Manifest(
            schema: Splitter.schemaVersion,
            tool: Tool(name: "heldout", version: toolVersion),
            build: OutputDependencies.versions(tool: toolVersion),
            name: variant.name, variant: variantName,
            roles: Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, variant.roles[$0.offset].rawValue) }),
            evaluationRoles: Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, variant.primaryRoles[$0.offset].rawValue) }),
            counts: counts, records: records, dropped: dropped, fractions: fractions,
            components: Components(total: graph.componentCount, evaluation: evaluationComponents,
                                   flipped: assignment.flipped.filter { $0 }.count),
            isolationCost: cost,
            isolation: spec.isolation.enabledLinks.map(\.rawValue),
            audit: AuditEnforcement(links: spec.isolation.enabledLinks),
            nearDuplicates: nearDuplicates.map {
                NearDuplicates(threshold: $0.threshold, shingle: $0.shingle.rawValue, size: $0.size, bands: $0.bands,
                               rows: $0.rows, missAtThreshold: Double(String(format: "%.3g", 1 - $0.candidateProbability(similarity: $0.threshold))) ?? 0,
                               segments: Set(input.segmentList).count, pairs: nearDuplicatePairs, windowedBuckets: windowedBuckets)
            },
            inputs: Inputs(spec: try specPath.map { try FileDigest.sha256(ofFile: $0).hex }, corpora: corpora,
                           items: itemHasher.finalize().map { String(format: "%02x", $0) }.joined(), sources: sources),
            outputs: outputs,
            quotas: quotas,
            optimality: variant.kind == .primary ? Optimality(bound: bound, kept: records.values.reduce(0, +)) : nil,
            cutKeys: Dictionary(uniqueKeysWithValues: hubs.map { ($0.key.rawValue, $0.value) }),
            domains: try DomainEvidence.make(spec: spec, input: input, store: store))
    }
}
