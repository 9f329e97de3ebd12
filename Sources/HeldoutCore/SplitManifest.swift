import Foundation

/// `manifest.json`: everything needed to know what a split is and to check it was rebuilt
/// exactly — and nothing that changes between two identical runs (no time, no host, no path
/// of a temporary directory).
///
/// One type for every module: Split writes it; Audit reads its policy and thresholds from it and
/// repeats its cost, quotas and drops; Publish reads its names, roles, digests and quotas. Every
/// field is optional when read, so that a manifest written by hand (tests, an older heldout) is
/// read as far as it goes; Split always writes them all. `schema` carries the version (``currentSchema``); a manifest of another
/// major version is refused by ``read(from:)``.
public struct SplitManifest: Codable, Sendable {
    /// The version written; bump the number when a field changes meaning.
    public static let currentSchema = "\(schemaName)/\(schemaVersion)"
    public static let schemaName = "heldout.split"
    public static let schemaVersion = 1

    public struct Tool: Codable, Sendable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct Components: Codable, Sendable {
        public var total: Int
        public var evaluation: Int
        public var flipped: Int
        public init(total: Int, evaluation: Int, flipped: Int) {
            self.total = total
            self.evaluation = evaluation
            self.flipped = flipped
        }
    }

    public struct NearDuplicates: Codable, Sendable {
        public var threshold: Double?
        public var shingle: String?
        public var size: Int?
        public var bands: Int?
        public var rows: Int?
        /// Chance that LSH misses a pair exactly at the threshold (lower above it).
        public var missAtThreshold: Double?
        public var segments: Int?
        public var pairs: Int?
        /// Buckets compared with a sliding window instead of all-pairs (0 in any ordinary corpus).
        public var windowedBuckets: Int?

        public init(threshold: Double, shingle: String, size: Int, bands: Int, rows: Int, missAtThreshold: Double,
                    segments: Int, pairs: Int, windowedBuckets: Int) {
            self.threshold = threshold
            self.shingle = shingle
            self.size = size
            self.bands = bands
            self.rows = rows
            self.missAtThreshold = missAtThreshold
            self.segments = segments
            self.pairs = pairs
            self.windowedBuckets = windowedBuckets
        }

        enum CodingKeys: String, CodingKey {
            case threshold, shingle, size, bands, rows, segments, pairs
            case missAtThreshold = "miss_at_threshold"
            case windowedBuckets = "windowed_buckets"
        }
    }

    public struct Inputs: Codable, Sendable {
        /// SHA-256 of the spec file as given.
        public var spec: String?
        /// SHA-256 of each corpus as ingested, by corpus name.
        public var corpora: [String: String]?
        /// SHA-256 over the ids of the items the spec selected, in order.
        public var items: String?
        /// SHA-256 of each source file of the spec that exists (paths as the spec gives them).
        public var sources: [String: String]?

        public init(spec: String?, corpora: [String: String], items: String, sources: [String: String]) {
            self.spec = spec
            self.corpora = corpora
            self.items = items
            self.sources = sources
        }
    }

    /// What isolation cost, per column and per link kind.
    ///
    /// An item dropped for isolation is counted under a link kind when it shares a key of that kind
    /// (a segment, a group, a document…) directly with a record kept on the other side; an item
    /// only reached through other dropped items is `indirect`. An item can count under several kinds.
    public struct IsolationCost: Codable, Equatable, Sendable {
        public struct Column: Codable, Equatable, Sendable {
            public var total = 0
            public var byLink: [String: Int] = [:]
            public var indirect = 0
            /// Training-column items that went to evaluation with components flipped to save held-out items.
            public var movedToEvaluation = 0

            public init() {}

            enum CodingKeys: String, CodingKey {
                case total, indirect
                case byLink = "by_link"
                case movedToEvaluation = "moved_to_evaluation"
            }

            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                total = try c.decodeIfPresent(Int.self, forKey: .total) ?? 0
                byLink = try c.decodeIfPresent([String: Int].self, forKey: .byLink) ?? [:]
                indirect = try c.decodeIfPresent(Int.self, forKey: .indirect) ?? 0
                movedToEvaluation = try c.decodeIfPresent(Int.self, forKey: .movedToEvaluation) ?? 0
            }
        }

        public var total = 0
        public var byLink: [String: Int] = [:]
        public var byColumn: [String: Column] = [:]

        public init() {}

        enum CodingKeys: String, CodingKey {
            case total
            case byLink = "by_link"
            case byColumn = "by_column"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            total = try c.decodeIfPresent(Int.self, forKey: .total) ?? 0
            byLink = try c.decodeIfPresent([String: Int].self, forKey: .byLink) ?? [:]
            byColumn = try c.decodeIfPresent([String: Column].self, forKey: .byColumn) ?? [:]
        }
    }

    /// Each column's partitions against what the spec asks.
    public struct Quotas: Codable, Equatable, Sendable {
        public struct Row: Codable, Equatable, Sendable {
            public var column: String
            public var role: String
            public var partition: String
            public var target: Double
            public var items: Int
            public var share: Double
            public var met: Bool

            public init(column: String, role: String, partition: String, target: Double, items: Int, share: Double, met: Bool) {
                self.column = column
                self.role = role
                self.partition = partition
                self.target = target
                self.items = items
                self.share = share
                self.met = met
            }
        }

        public var tolerance: Double
        public var rows: [Row]
        /// True when some partition is not met and the spec accepted it (`partitions.allow_short`).
        public var acceptedShort: Bool

        public init(tolerance: Double, rows: [Row], acceptedShort: Bool) {
            self.tolerance = tolerance
            self.rows = rows
            self.acceptedShort = acceptedShort
        }

        enum CodingKeys: String, CodingKey {
            case tolerance, rows
            case acceptedShort = "accepted_short"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? 0
            rows = try c.decodeIfPresent([Row].self, forKey: .rows) ?? []
            acceptedShort = try c.decodeIfPresent(Bool.self, forKey: .acceptedShort) ?? false
        }

        public var unmet: [Row] { rows.filter { !$0.met } }
    }

    /// How close the kept items come to an upper bound (the primary split only).
    public struct Optimality: Codable, Sendable {
        public var kept: Int
        public var upperBound: Int
        public var gap: Double
        public var bound: String

        public init(kept: Int, upperBound: Int, gap: Double, bound: String) {
            self.kept = kept
            self.upperBound = upperBound
            self.gap = gap
            self.bound = bound
        }

        enum CodingKeys: String, CodingKey {
            case kept, gap, bound
            case upperBound = "upper_bound"
        }
    }

    /// `{"enforce": [rule, …]}`: the audit's rule names for the links the spec turns on
    /// (``IsolationLink/auditRules``).
    public struct AuditEnforcement: Codable, Sendable {
        public var enforce: [String]

        public init(links: [IsolationLink]) {
            enforce = IsolationLink.auditRules(for: links)
        }
    }

    /// `isolation`: the links the split tied, as Split writes it; or, in a manifest written by
    /// hand, the spec's isolation block (`{"level": "document", "lexemes": false, …}`).
    public enum Isolation: Codable, Sendable {
        case links([String])
        case settings(Settings)

        /// An isolation block: its level, the switches turned off, a near-duplicate threshold.
        public struct Settings: Sendable, Equatable {
            public var level: String?
            public var off: Set<String> = []
            public var nearDuplicateThreshold: Double?
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        enum ThresholdKey: String, CodingKey { case threshold }

        public init(from decoder: any Decoder) throws {
            if let links = try? decoder.singleValueContainer().decode([String].self) {
                self = .links(links)
                return
            }
            let c = try decoder.container(keyedBy: Key.self)
            var settings = Settings()
            for key in c.allKeys {
                if key.stringValue == "level" {
                    settings.level = try c.decode(String.self, forKey: key)
                } else if let on = try? c.decode(Bool.self, forKey: key) {
                    if !on { settings.off.insert(key.stringValue) }
                } else if key.stringValue == "near_duplicates" {
                    let nested = try c.nestedContainer(keyedBy: ThresholdKey.self, forKey: key)
                    settings.nearDuplicateThreshold = try nested.decodeIfPresent(Double.self, forKey: .threshold)
                }
            }
            self = .settings(settings)
        }

        /// The links, as Split writes them; none for a hand-written isolation block.
        public var links: [String] {
            if case let .links(links) = self { return links }
            return []
        }

        /// The near-duplicate threshold of a hand-written isolation block.
        public var settingsThreshold: Double? {
            if case let .settings(settings) = self { return settings.nearDuplicateThreshold }
            return nil
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case let .links(links):
                var c = encoder.singleValueContainer()
                try c.encode(links)
            case let .settings(settings):
                var c = encoder.container(keyedBy: Key.self)
                if let level = settings.level { try c.encode(level, forKey: Key(stringValue: "level")) }
                for name in settings.off.sorted() { try c.encode(false, forKey: Key(stringValue: name)) }
                if let threshold = settings.nearDuplicateThreshold {
                    var nested = c.nestedContainer(keyedBy: ThresholdKey.self, forKey: Key(stringValue: "near_duplicates"))
                    try nested.encode(threshold, forKey: .threshold)
                }
            }
        }
    }

    public var schema: String?
    public var tool: Tool?
    /// Versions of heldout, the toolchain and the packages that shape the output's bytes.
    public var build: [String: String]?
    public var name: String?
    public var variant: String?
    /// Roles of this split's training records, by column.
    public var roles: [String: String]?
    /// Roles its dev and test records carry: the primary split's, in every sibling, since they are
    /// the primary's evaluation files byte for byte.
    public var evaluationRoles: [String: String]?
    /// Records per column, partition and role.
    public var counts: [String: [String: [String: Int]]]?
    public var records: [String: Int]?
    /// Items left out, per column and reason.
    public var dropped: [String: [String: Int]]?
    /// Items left out before splitting because the grader found their segment's text
    /// confidently in another language than its tag (issue 20), per column; absent when none
    /// was (or the spec keeps them: `language_mismatch: keep`).
    public var languageMismatch: [String: Int]?
    public var fractions: [String: [String: Double]]?
    public var components: Components?
    public var isolationCost: IsolationCost?
    public var isolation: Isolation?
    /// The audit rules this split promises to pass: what the independent audit enforces.
    public var audit: AuditEnforcement?
    public var nearDuplicates: NearDuplicates?
    public var inputs: Inputs?
    /// SHA-256 of each file Split wrote (``SplitDirectory/recordedOutputs``).
    public var outputs: [String: String]?
    /// Each column × partition against its target.
    public var quotas: Quotas?
    public var optimality: Optimality?
    /// Union keys cut because their component was too large to place, per link.
    public var cutKeys: [String: Int]?
    /// An `axis: domain` split only: how many of its items' domains were declared and how many
    /// predicted, and the classifier's cross-validated accuracy (issue 19).
    public var domains: DomainEvidence?

    public struct DomainEvidence: Codable, Sendable, Equatable {
        public var declared: Int
        public var predicted: Int
        /// Whether the spec opted in to predicted domains (`predicted_domains: true`).
        public var predictedAllowed: Bool
        public var classifierAccuracy: Double?
        public var classifierMinimumAccuracy: Double?

        public init(declared: Int, predicted: Int, predictedAllowed: Bool, classifierAccuracy: Double?, classifierMinimumAccuracy: Double?) {
            self.declared = declared
            self.predicted = predicted
            self.predictedAllowed = predictedAllowed
            self.classifierAccuracy = classifierAccuracy
            self.classifierMinimumAccuracy = classifierMinimumAccuracy
        }

        enum CodingKeys: String, CodingKey {
            case declared, predicted
            case predictedAllowed = "predicted_allowed"
            case classifierAccuracy = "classifier_accuracy"
            case classifierMinimumAccuracy = "classifier_minimum_accuracy"
        }
    }

    public init(schema: String, tool: Tool, build: [String: String], name: String, variant: String, roles: [String: String],
                evaluationRoles: [String: String], counts: [String: [String: [String: Int]]], records: [String: Int],
                dropped: [String: [String: Int]], fractions: [String: [String: Double]], components: Components,
                isolationCost: IsolationCost?, isolation: [String], audit: AuditEnforcement, nearDuplicates: NearDuplicates?,
                inputs: Inputs, outputs: [String: String], quotas: Quotas, optimality: Optimality?, cutKeys: [String: Int],
                domains: DomainEvidence? = nil) {
        self.schema = schema
        self.tool = tool
        self.build = build
        self.name = name
        self.variant = variant
        self.roles = roles
        self.evaluationRoles = evaluationRoles
        self.counts = counts
        self.records = records
        self.dropped = dropped
        self.fractions = fractions
        self.components = components
        self.isolationCost = isolationCost
        self.isolation = .links(isolation)
        self.audit = audit
        self.nearDuplicates = nearDuplicates
        self.inputs = inputs
        self.outputs = outputs
        self.quotas = quotas
        self.optimality = optimality
        self.cutKeys = cutKeys
        self.domains = domains
    }

    enum CodingKeys: String, CodingKey {
        case schema, tool, build, name, variant, roles, counts, records, dropped, fractions, components, isolation, audit, inputs, outputs
        case quotas, optimality, domains
        case evaluationRoles = "evaluation_roles"
        case cutKeys = "cut_keys"
        case isolationCost = "isolation_cost"
        case nearDuplicates = "near_duplicates"
        case languageMismatch = "language_mismatch"
    }

    /// The manifest in `directory`, `nil` when there is none; a file that is not a manifest of a
    /// version this heldout reads is bad input (exit 3), named.
    public static func read(directory: URL) throws -> SplitManifest? {
        let url = directory.appendingPathComponent(SplitDirectory.manifest)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try read(from: url)
    }

    public static func read(from url: URL) throws -> SplitManifest {
        let manifest: SplitManifest
        do {
            manifest = try JSONDecoder().decode(SplitManifest.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw HeldoutError.badInput(SourceLocation(file: url.path), "not a split manifest: \(Self.describe(error))")
        } catch {
            throw HeldoutError.badInput(SourceLocation(file: url.path), "not valid JSON: \(error.localizedDescription)")
        }
        if let schema = manifest.schema {
            let parts = schema.split(separator: "/")
            let readable = parts.count == 2 && parts[0] == schemaName && (Int(parts[1]).map { $0 <= schemaVersion } ?? false)
            guard !readable else { return manifest }
            throw HeldoutError.badInput(SourceLocation(file: url.path),
                                        "schema \(schema): this heldout reads \(currentSchema); use the heldout that wrote it, or build the split again")
        }
        return manifest
    }

    /// The bytes Split writes: sorted keys, pretty-printed (people read it), a final newline.
    public func data() throws -> Data {
        var data = try CanonicalJSON.prettyData(self)
        data.append(0x0A)
        return data
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .keyNotFound(_, context), let .dataCorrupted(context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "\(path): ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
