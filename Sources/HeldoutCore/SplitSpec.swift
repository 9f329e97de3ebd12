import Foundation
import Yams

/// What a column's items are for in training (DESIGN's table of roles).
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// Training holds its questions with gold answers; evaluation holds questions with gold.
    case supervised
    /// Training holds its questions with a plausibility rubric only, never the gold answer.
    case plausibility
    /// Nothing of it in training; evaluation only.
    case heldout

    /// Whether any of the column's items may be in training at all.
    public var trains: Bool { self != .heldout }

    public static func < (l: Role, r: Role) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}

/// What the columns of the grid are.
public enum Axis: String, Sendable, Codable, CaseIterable {
    /// Columns are item categories (`grammar`, `definition`, `tone`).
    case category
    /// Columns are directed language pairs of items (`fr-en`).
    case languagePair = "language_pair"
    /// Columns are reading-level bands (`1-5`, `6-8`, …, `ungradable`) of the source segment.
    case complexity
    /// Columns are domains of the source segment (`news`, `software`).
    case domain
}

public enum Partition: String, Sendable, Codable, CaseIterable, Comparable {
    case train, dev, test

    public var isEvaluation: Bool { self != .train }

    public static func < (l: Partition, r: Partition) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}

/// The six ways two items can be tied (DESIGN "Isolation"), each switchable in a spec.
public enum IsolationLink: String, Sendable, Codable, CaseIterable, Comparable {
    case sharedSegment = "shared_segment"
    case translation
    case nearDuplicate = "near_duplicate"
    case document
    case lexeme
    case consistencyGroup = "consistency_group"
    /// A run of 13 folded words shared with another item's segment, or one segment of 8 or more
    /// words contained in another: the same passage, even when the sentences differ around it.
    case sharedPassage = "shared_passage"

    public static func < (l: IsolationLink, r: IsolationLink) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}

/// The smallest unit that is never cut across the split.
public enum IsolationLevel: String, Sendable, Codable, CaseIterable {
    /// Only the item: shared segments are not a link unless `shared_segments: true` says so.
    case item
    /// Items sharing a segment are tied (the default).
    case segment
    /// Items whose segments come from one document are tied, as well as shared segments.
    case document
}

public enum ShingleKind: String, Sendable, Codable, CaseIterable {
    case char, word
}

public enum Stratum: String, Sendable, Codable, CaseIterable {
    case band, domain
}

/// A split spec (DESIGN "Split spec"), read strictly: every key is known, every value checked,
/// and every error names the key path and the line in the file, before anything is read from
/// the store. Defaults are filled in, so ``resolvedYAML`` states the whole experiment.
public struct SplitSpec: Sendable, Equatable {
    /// A corpus `heldout build` ingests. Kept open to every reader's options, but each key is
    /// known: a misspelt option fails here, not silently in a reader.
    public struct Source: Sendable, Equatable {
        public var path: String
        public var format: String?
        public var pair: String?
        public var lang: String?
        public var domain: String?
        public var corpus: String?
        /// TSV/CSV column mapping (`id,lang,text`).
        public var columns: [String]?
        /// JSONL field mapping, language → field.
        public var fields: [String: String]?
        /// The category a label column feeds (questions from labelled data).
        public var label: String?
        public var license: String?
        public var documents: String?
        public var skipInvalid: Bool?
        /// `max_segment_bytes`: the ingest segment limit (`--max-segment-bytes`).
        public var maxSegmentBytes: Int?

        public init(path: String) { self.path = path }
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        public var role: Role
        public init(name: String, role: Role) {
            self.name = name
            self.role = role
        }
    }

    /// `where`: which items are considered at all. Empty lists mean "any".
    public struct Filter: Sendable, Equatable {
        public var pairs: [String] = []
        public var languages: [String] = []
        public var categories: [String] = []
        public var bands: [String] = []
        public var domains: [String] = []
        /// Bounds on the number of whitespace-separated tokens of the source segment.
        public var minTokens: Int?
        public var maxTokens: Int?
        public init() {}
    }

    public struct NearDuplicates: Sendable, Equatable {
        public var enabled = true
        /// Jaccard similarity of shingle sets at or above which two segments are tied.
        public var threshold = 0.8
        /// Words (or characters) of the folded text (``TextFolder``) per shingle. Sets of folded
        /// words by default: what the audit compares, and a one-word change in a sentence of
        /// nine distinct words still reaches 0.8.
        public var shingle: ShingleKind = .word
        public var size = 1
        public init() {}
    }

    public struct Isolation: Sendable, Equatable {
        public var level: IsolationLevel = .segment
        public var sharedSegments = true
        public var translations = true
        public var nearDuplicates = NearDuplicates()
        public var lexemes = true
        public var consistencyGroups = true
        public var sharedPassages = true
        public init() {}

        public func isEnabled(_ link: IsolationLink) -> Bool {
            switch link {
            case .sharedSegment: sharedSegments
            case .translation: translations
            case .nearDuplicate: nearDuplicates.enabled
            case .document: level == .document
            case .lexeme: lexemes
            case .consistencyGroup: consistencyGroups
            case .sharedPassage: sharedPassages
            }
        }

        public var enabledLinks: [IsolationLink] { IsolationLink.allCases.filter(isEnabled) }
    }

    public struct Partitions: Sendable, Equatable {
        public var train = 0.8
        public var dev = 0.1
        public var test = 0.1
        /// How far a column's share of a partition may move from its fraction so that fewer
        /// items are dropped for isolation.
        public var tolerance = 0.02
        /// Accept a split whose quotas are not met (a partition short or empty); the manifest and
        /// the card then say so. Off by default: a short split is refused.
        public var allowShort = false
        public init() {}

        public func fraction(_ partition: Partition) -> Double {
            switch partition {
            case .train: train
            case .dev: dev
            case .test: test
            }
        }
    }

    public struct Balance: Sendable, Equatable {
        /// Most items any column keeps.
        public var cap: Int?
        /// Most items of named columns (overrides `cap`).
        public var caps: [String: Int] = [:]
        /// Inside a capped column, take the same number from each stratum where they have it.
        public var stratify: Stratum?
        public init() {}

        public func cap(forColumn column: String) -> Int? { caps[column] ?? cap }
    }

    public struct Sweep: Sendable, Equatable {
        /// Sizes of the subsets of supervised columns to write one split for.
        public var supervised: [Int]
        public init(supervised: [Int]) { self.supervised = supervised }
    }

    public var name: String
    public var seed: UInt64 = 0
    public var sources: [Source] = []
    public var templates: String?
    public var axis: Axis = .category
    /// Sorted by name.
    public var columns: [Column]
    public var filter = Filter()
    public var isolation = Isolation()
    public var partitions = Partitions()
    public var balance = Balance()
    public var bands = BandScheme.default
    public var comparison = false
    /// `language_mismatch: keep`: items on segments whose text the grader found confidently in
    /// another language than their tag stay in the split (default `exclude`; docs/grading.md).
    public var keepLanguageMismatch = false
    public var sweep: Sweep?
    /// `predicted_domains: true`: an `axis: domain` split may use domains the classifier
    /// predicted; by default it uses declared (metadata) domains only, and an item whose domain
    /// was predicted counts as having none (issue 19: a split on guessed domains is a split on noise).
    public var predictedDomains = false

    /// `base`: the folder relative `sources` and `templates` paths resolve against, itself
    /// relative to the spec's folder (default: the spec's folder). Heldout writes it into every
    /// `spec.yaml` it stores in a split directory, so that copy still means the same files.
    public var base: String?

    /// The file the spec was read from, and where each key was, for error messages.
    public var file: String = "spec"
    public var locations: [String: SourceLocation] = [:]
    /// Backs ``directory``: the spec file's folder, absolute, when it was read from a file.
    var _directory: String?
    /// The local folder holding copies of the sources the spec names by URI (`hdfs:`, `s3a:`),
    /// by file name: a Spark task's `SparkFiles` folder. Not part of the spec's text.
    public var fetchedSources: String?

    public init(name: String, columns: [Column]) {
        self.name = name
        self.columns = columns.sorted { $0.name < $1.name }
    }

    public func role(ofColumn name: String) -> Role? { columns.first { $0.name == name }?.role }

    /// Where `keyPath` (`columns.tone`, `partitions`) was written, or its nearest written parent.
    public func location(of keyPath: String) -> SourceLocation {
        var path = keyPath
        while true {
            if let found = locations[path] { return found }
            guard let dot = path.lastIndex(of: ".") else { return SourceLocation(file: file) }
            path = String(path[..<dot])
        }
    }

    /// An error about the spec's key `keyPath`, with its file, line and column; exit status 3.
    public func error(_ keyPath: String, _ message: String) -> HeldoutError {
        .badInput(location(of: keyPath), "\(keyPath): \(message)")
    }

    public static func load(path: String) throws -> SplitSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HeldoutError.badInput(SourceLocation(file: path), "not UTF-8 text")
        }
        return try SplitSpec(yaml: text, file: path)
    }
}

// MARK: - Reading

extension SplitSpec {
    /// Parses and validates a spec. Every problem is a ``HeldoutError/badInput(_:_:)`` naming
    /// the key path, e.g. `isolation.near_duplicates.treshold: unknown key; expected one of …`.
    public init(yaml: String, file: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw SpecReader.translate(error, file: file)
        }
        guard let root else { throw HeldoutError.badInput(SourceLocation(file: file), "the spec is empty") }
        var reader = SpecReader(file: file)
        self = try reader.spec(root)
        self.file = file
        self._directory = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path
        self.locations = reader.locations
        try validate()
    }

    /// Rules that tie keys together (run after every key has been read on its own).
    func validate() throws {
        let sum = partitions.train + partitions.dev + partitions.test
        guard abs(sum - 1) <= 1e-9 else {
            throw error("partitions", "train + dev + test must sum to 1, not \(sum)")
        }
        guard partitions.dev + partitions.test > 0 else {
            throw error("partitions", "dev + test is 0: nothing would be evaluated")
        }
        guard !columns.isEmpty else { throw error("columns", "no columns") }
        guard columns.contains(where: { $0.role.trains }) else {
            throw error("columns", "no column trains: give at least one the role supervised or plausibility")
        }
        if axis == .complexity {
            let known = Set(bands.names + [BandScheme.ungradable])
            for column in columns where !known.contains(column.name) {
                throw error("columns.\(column.name)", "not a band of `bands` (\(bands.names.joined(separator: ", ")), or \(BandScheme.ungradable))")
            }
        }
        for band in filter.bands where !(bands.names + [BandScheme.ungradable]).contains(band) {
            throw error("where.bands", "\(band) is not a band of `bands` (\(bands.names.joined(separator: ", ")))")
        }
        if let min = filter.minTokens, let max = filter.maxTokens, min > max {
            throw error("where.min_tokens", "min_tokens \(min) is above max_tokens \(max)")
        }
        for name in balance.caps.keys.sorted() where role(ofColumn: name) == nil {
            throw error("balance.caps.\(name)", "not a column of this spec (\(columns.map(\.name).joined(separator: ", ")))")
        }
        if comparison, !columns.contains(where: { $0.role != .supervised }) {
            throw error("comparison", "every column is already supervised: there is no evaluated column to compare")
        }
        if let sweep {
            let supervised = columns.filter { $0.role == .supervised }.count
            guard !sweep.supervised.isEmpty else { throw error("sweep.supervised", "empty list") }
            for size in sweep.supervised where size < 1 || size > supervised {
                throw error("sweep.supervised", "subset size \(size) is not between 1 and the \(supervised) supervised column(s)")
            }
        }
    }
}

/// Walks the YAML node tree with the key path in hand.
struct SpecReader {
    let file: String
    var locations: [String: SourceLocation] = [:]

    init(file: String) { self.file = file }

    static func translate(_ error: YamlError, file: String) -> HeldoutError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .badInput(SourceLocation(file: file, line: mark.line, column: mark.column), "not valid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, _):
            return .badInput(SourceLocation(file: file), "duplicated keys: \(duplicates.joined(separator: ", "))")
        default:
            return .badInput(SourceLocation(file: file), "not valid YAML: \(error)")
        }
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    func fail(_ path: String, _ node: Node, _ message: String) -> HeldoutError {
        .badInput(location(node), "\(path.isEmpty ? "spec" : path): \(message)")
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The pairs of a mapping, refusing keys not in `allowed` (nil: any key) and duplicates.
    mutating func mapping(_ node: Node, _ path: String, allowed: [String]?) throws -> [(key: String, value: Node)] {
        guard case let .mapping(mapping) = node else {
            throw fail(path, node, "expected a mapping of keys to values")
        }
        var seen: Set<String> = []
        var out: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard case let .scalar(scalar) = keyNode else { throw fail(path, keyNode, "keys must be plain words") }
            let key = scalar.string
            let keyPath = join(path, key)
            if let allowed, !allowed.contains(key) {
                throw fail(keyPath, keyNode, "unknown key; expected one of \(allowed.joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else { throw fail(keyPath, keyNode, "given twice") }
            locations[keyPath] = location(keyNode)
            out.append((key, value))
        }
        return out
    }

    func string(_ node: Node, _ path: String) throws -> String {
        guard case let .scalar(scalar) = node else { throw fail(path, node, "expected a single value") }
        return scalar.string
    }

    func nonEmptyString(_ node: Node, _ path: String) throws -> String {
        let value = try string(node, path).trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw fail(path, node, "must not be empty") }
        return value
    }

    func int(_ node: Node, _ path: String, min: Int = Int.min) throws -> Int {
        let raw = try string(node, path)
        guard let value = Int(raw), value >= min else {
            throw fail(path, node, min == Int.min ? "expected an integer, not \(raw)" : "expected an integer ≥ \(min), not \(raw)")
        }
        return value
    }

    func double(_ node: Node, _ path: String, in range: ClosedRange<Double>) throws -> Double {
        let raw = try string(node, path)
        guard let value = Double(raw), value.isFinite, range.contains(value) else {
            throw fail(path, node, "expected a number between \(range.lowerBound) and \(range.upperBound), not \(raw)")
        }
        return value
    }

    func bool(_ node: Node, _ path: String) throws -> Bool {
        switch try string(node, path).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw fail(path, node, "expected true or false, not \(other)")
        }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _: E.Type) throws -> E where E.RawValue == String {
        let raw = try string(node, path)
        guard let value = E(rawValue: raw) else {
            throw fail(path, node, "\(raw) is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A list of strings; a single scalar is a list of one; `a, b` in a scalar is split on commas.
    func strings(_ node: Node, _ path: String) throws -> [String] {
        switch node {
        case let .sequence(sequence):
            return try sequence.enumerated().map { try nonEmptyString($0.element, "\(path)[\($0.offset)]") }
        case .scalar:
            return try nonEmptyString(node, path).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        default:
            throw fail(path, node, "expected a list")
        }
    }

    mutating func spec(_ root: Node) throws -> SplitSpec {
        let keys = ["name", "seed", "sources", "templates", "base", "axis", "columns", "where", "isolation",
                    "partitions", "balance", "bands", "comparison", "sweep", "predicted_domains", "language_mismatch"]
        let pairs = try mapping(root, "", allowed: keys)
        let byKey = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let nameNode = byKey["name"] else { throw HeldoutError.badInput(location(root), "name: missing; every split needs a name") }
        let name = try nonEmptyString(nameNode, "name")
        guard name.first != ".", name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw fail("name", nameNode, "\(name): use letters, digits, '-', '_' and '.' only (it names the output directory)")
        }
        guard let columnsNode = byKey["columns"] else { throw HeldoutError.badInput(location(root), "columns: missing; name the columns and their roles") }
        var spec = SplitSpec(name: name, columns: try columns(columnsNode))
        // Bands first: columns of a complexity axis and `where.bands` are checked against them.
        for (key, value) in pairs {
            switch key {
            case "seed":
                let raw = try string(value, key)
                guard let seed = UInt64(raw) else { throw fail(key, value, "expected a non-negative integer, not \(raw)") }
                spec.seed = seed
            case "sources": spec.sources = try sources(value)
            case "templates": spec.templates = try nonEmptyString(value, key)
            case "base": spec.base = try nonEmptyString(value, key)
            case "axis": spec.axis = try enumeration(value, key, Axis.self)
            case "where": spec.filter = try filter(value)
            case "isolation": spec.isolation = try isolation(value)
            case "partitions": spec.partitions = try partitions(value)
            case "balance": spec.balance = try balance(value)
            case "bands": spec.bands = try bands(value)
            case "comparison": spec.comparison = try bool(value, key)
            case "predicted_domains": spec.predictedDomains = try bool(value, key)
            case "language_mismatch":
                let raw = try string(value, key)
                guard raw == "keep" || raw == "exclude" else { throw fail(key, value, "expected keep or exclude, not \(raw)") }
                spec.keepLanguageMismatch = raw == "keep"
            case "sweep":
                let entries = try mapping(value, key, allowed: ["supervised"])
                var sizes: [Int] = []
                for (k, v) in entries {
                    guard case let .sequence(list) = v else { throw fail("sweep.\(k)", v, "expected a list of subset sizes, e.g. [1, 2, 3]") }
                    sizes = try list.map { try int($0, "sweep.\(k)", min: 1) }
                }
                spec.sweep = SplitSpec.Sweep(supervised: Array(Set(sizes)).sorted())
            default: break
            }
        }
        return spec
    }

    mutating func columns(_ node: Node) throws -> [SplitSpec.Column] {
        var out: [SplitSpec.Column] = []
        for (name, value) in try mapping(node, "columns", allowed: nil) {
            let path = "columns.\(name)"
            var role: Role?
            switch value {
            case .scalar: // `tone: heldout` as a shorthand
                role = try enumeration(value, path, Role.self)
            default:
                for (k, v) in try mapping(value, path, allowed: ["role"]) where k == "role" {
                    role = try enumeration(v, "\(path).role", Role.self)
                }
            }
            guard let role else { throw fail(path, value, "missing role (supervised, plausibility or heldout)") }
            out.append(SplitSpec.Column(name: name, role: role))
        }
        return out
    }

    mutating func sources(_ node: Node) throws -> [SplitSpec.Source] {
        guard case let .sequence(list) = node else { throw fail("sources", node, "expected a list of sources") }
        let keys = ["path", "format", "pair", "lang", "domain", "corpus", "columns", "fields", "label",
                    "license", "documents", "skip_invalid", "max_segment_bytes"]
        return try list.enumerated().map { index, entry in
            let path = "sources[\(index)]"
            let pairs = try mapping(entry, path, allowed: keys)
            guard let pathNode = pairs.first(where: { $0.key == "path" })?.value else {
                throw fail(path, entry, "missing path")
            }
            var source = SplitSpec.Source(path: try nonEmptyString(pathNode, "\(path).path"))
            for (key, value) in pairs {
                let keyPath = "\(path).\(key)"
                switch key {
                case "format": source.format = try nonEmptyString(value, keyPath)
                case "pair":
                    let raw = try nonEmptyString(value, keyPath)
                    guard DirectedPair(raw) != nil else { throw fail(keyPath, value, "\(raw): expected two language tags, e.g. fr-en") }
                    source.pair = raw
                case "lang":
                    let raw = try nonEmptyString(value, keyPath)
                    guard LanguageTag(raw) != nil else { throw fail(keyPath, value, "\(raw): not a language tag") }
                    source.lang = raw
                case "domain": source.domain = try nonEmptyString(value, keyPath)
                case "corpus": source.corpus = try nonEmptyString(value, keyPath)
                case "columns": source.columns = try strings(value, keyPath)
                case "fields":
                    var fields: [String: String] = [:]
                    if case .scalar = value {
                        for entry in try strings(value, keyPath) {
                            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                            guard parts.count == 2 else { throw fail(keyPath, value, "expected LANG=FIELD pairs, e.g. en=source,fr=target") }
                            fields[parts[0]] = parts[1]
                        }
                    } else {
                        for (k, v) in try mapping(value, keyPath, allowed: nil) { fields[k] = try nonEmptyString(v, "\(keyPath).\(k)") }
                    }
                    source.fields = fields
                case "label": source.label = try nonEmptyString(value, keyPath)
                case "license": source.license = try nonEmptyString(value, keyPath)
                case "documents": source.documents = try nonEmptyString(value, keyPath)
                case "skip_invalid": source.skipInvalid = try bool(value, keyPath)
                case "max_segment_bytes": source.maxSegmentBytes = try int(value, keyPath, min: 1)
                default: break
                }
            }
            if source.pair != nil, source.lang != nil { throw fail(path, entry, "pair and lang exclude each other") }
            return source
        }
    }

    mutating func filter(_ node: Node) throws -> SplitSpec.Filter {
        var filter = SplitSpec.Filter()
        for (key, value) in try mapping(node, "where", allowed: ["pairs", "languages", "categories", "bands", "domains", "min_tokens", "max_tokens"]) {
            let path = "where.\(key)"
            switch key {
            case "pairs":
                filter.pairs = try strings(value, path).map { raw in
                    guard let pair = DirectedPair(raw) else { throw fail(path, value, "\(raw): expected two language tags, e.g. fr-en") }
                    return "\(pair.source.primary)-\(pair.target.primary)"
                }
            case "languages":
                filter.languages = try strings(value, path).map { raw in
                    guard let tag = LanguageTag(raw) else { throw fail(path, value, "\(raw): not a language tag") }
                    return tag.primary
                }
            case "categories": filter.categories = try strings(value, path)
            case "bands": filter.bands = try strings(value, path)
            case "domains": filter.domains = try strings(value, path)
            case "min_tokens": filter.minTokens = try int(value, path, min: 0)
            case "max_tokens": filter.maxTokens = try int(value, path, min: 0)
            default: break
            }
        }
        return filter
    }

    mutating func isolation(_ node: Node) throws -> SplitSpec.Isolation {
        var isolation = SplitSpec.Isolation()
        var sharedStated: Bool?
        let keys = ["level", "translations", "near_duplicates", "lexemes", "consistency_groups", "shared_segments", "shared_passages"]
        for (key, value) in try mapping(node, "isolation", allowed: keys) {
            let path = "isolation.\(key)"
            switch key {
            case "level": isolation.level = try enumeration(value, path, IsolationLevel.self)
            case "translations": isolation.translations = try bool(value, path)
            case "lexemes": isolation.lexemes = try bool(value, path)
            case "consistency_groups": isolation.consistencyGroups = try bool(value, path)
            case "shared_passages": isolation.sharedPassages = try bool(value, path)
            case "shared_segments": sharedStated = try bool(value, path)
            case "near_duplicates":
                if case .scalar = value {
                    isolation.nearDuplicates.enabled = try bool(value, path)
                    continue
                }
                for (k, v) in try mapping(value, path, allowed: ["enabled", "threshold", "shingle", "size"]) {
                    let p = "\(path).\(k)"
                    switch k {
                    case "enabled": isolation.nearDuplicates.enabled = try bool(v, p)
                    case "threshold":
                        let t = try double(v, p, in: 0...1)
                        guard t > 0 else { throw fail(p, v, "must be above 0 (every pair of segments would be tied)") }
                        isolation.nearDuplicates.threshold = t
                    case "shingle": isolation.nearDuplicates.shingle = try enumeration(v, p, ShingleKind.self)
                    case "size": isolation.nearDuplicates.size = try int(v, p, min: 1)
                    default: break
                    }
                }
            default: break
            }
        }
        // `level: item` means segments alone do not tie items, unless the spec says they do.
        isolation.sharedSegments = sharedStated ?? (isolation.level != .item)
        return isolation
    }

    mutating func partitions(_ node: Node) throws -> SplitSpec.Partitions {
        var partitions = SplitSpec.Partitions()
        for (key, value) in try mapping(node, "partitions", allowed: ["train", "dev", "test", "tolerance", "allow_short"]) {
            if key == "allow_short" {
                partitions.allowShort = try bool(value, "partitions.\(key)")
                continue
            }
            let number = try double(value, "partitions.\(key)", in: 0...1)
            switch key {
            case "train": partitions.train = number
            case "dev": partitions.dev = number
            case "test": partitions.test = number
            case "tolerance": partitions.tolerance = number
            default: break
            }
        }
        return partitions
    }

    mutating func balance(_ node: Node) throws -> SplitSpec.Balance {
        var balance = SplitSpec.Balance()
        for (key, value) in try mapping(node, "balance", allowed: ["cap", "caps", "stratify"]) {
            let path = "balance.\(key)"
            switch key {
            case "cap": balance.cap = try int(value, path, min: 1)
            case "caps":
                for (column, v) in try mapping(value, path, allowed: nil) {
                    balance.caps[column] = try int(v, "\(path).\(column)", min: 1)
                }
            case "stratify": balance.stratify = try enumeration(value, path, Stratum.self)
            default: break
            }
        }
        return balance
    }

    mutating func bands(_ node: Node) throws -> BandScheme {
        // A list of bands; grades no band covers form a gap (`[1-5, 8+]`).
        let names = try strings(node, "bands")
        do {
            return try BandScheme(names: names)
        } catch let error as BandError {
            throw fail("bands", node, error.description)
        }
    }
}

// MARK: - Writing

extension SplitSpec {
    /// The spec with every default filled in, as YAML written by hand in a fixed key order, so
    /// the file is byte-identical for the same spec (Yams' encoder keeps no key order and writes
    /// 0.1 as 1e-1). Strings are written as JSON strings, which YAML reads back unchanged.
    public var resolvedYAML: String {
        var out = ""
        func q(_ s: String) -> String { (try? CanonicalJSON.string(s)) ?? "\"\"" }
        func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }
        func num(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)" }
        out += "name: \(q(name))\n"
        out += "seed: \(seed)\n"
        if sources.isEmpty {
            out += "sources: []\n"
        } else {
            out += "sources:\n"
            for s in sources {
                var fields = ["path: \(q(s.path))"]
                if let v = s.format { fields.append("format: \(q(v))") }
                if let v = s.pair { fields.append("pair: \(q(v))") }
                if let v = s.lang { fields.append("lang: \(q(v))") }
                if let v = s.domain { fields.append("domain: \(q(v))") }
                if let v = s.corpus { fields.append("corpus: \(q(v))") }
                if let v = s.columns { fields.append("columns: \(list(v))") }
                if let v = s.fields {
                    fields.append("fields: {" + v.keys.sorted().map { "\(q($0)): \(q(v[$0] ?? ""))" }.joined(separator: ", ") + "}")
                }
                if let v = s.label { fields.append("label: \(q(v))") }
                if let v = s.license { fields.append("license: \(q(v))") }
                if let v = s.documents { fields.append("documents: \(q(v))") }
                if let v = s.skipInvalid { fields.append("skip_invalid: \(v)") }
                if let v = s.maxSegmentBytes { fields.append("max_segment_bytes: \(v)") }
                out += "  - { " + fields.joined(separator: ", ") + " }\n"
            }
        }
        if let templates { out += "templates: \(q(templates))\n" }
        if let base { out += "base: \(q(base))\n" }
        out += "axis: \(axis.rawValue)\n"
        if predictedDomains { out += "predicted_domains: true\n" }
        out += "columns:\n"
        for column in columns { out += "  \(q(column.name)): { role: \(column.role.rawValue) }\n" }
        out += "where:\n"
        out += "  pairs: \(list(filter.pairs))\n"
        out += "  languages: \(list(filter.languages))\n"
        out += "  categories: \(list(filter.categories))\n"
        out += "  bands: \(list(filter.bands))\n"
        out += "  domains: \(list(filter.domains))\n"
        if let v = filter.minTokens { out += "  min_tokens: \(v)\n" }
        if let v = filter.maxTokens { out += "  max_tokens: \(v)\n" }
        let nd = isolation.nearDuplicates
        out += "isolation:\n"
        out += "  level: \(isolation.level.rawValue)\n"
        out += "  shared_segments: \(isolation.sharedSegments)\n"
        out += "  translations: \(isolation.translations)\n"
        out += "  near_duplicates: { enabled: \(nd.enabled), threshold: \(num(nd.threshold)), shingle: \(nd.shingle.rawValue), size: \(nd.size) }\n"
        out += "  lexemes: \(isolation.lexemes)\n"
        out += "  consistency_groups: \(isolation.consistencyGroups)\n"
        out += "  shared_passages: \(isolation.sharedPassages)\n"
        out += "partitions: { train: \(num(partitions.train)), dev: \(num(partitions.dev)), test: \(num(partitions.test)), tolerance: \(num(partitions.tolerance))\(partitions.allowShort ? ", allow_short: true" : "") }\n"
        var balanceFields: [String] = []
        if let cap = balance.cap { balanceFields.append("cap: \(cap)") }
        if !balance.caps.isEmpty {
            balanceFields.append("caps: {" + balance.caps.keys.sorted().map { "\(q($0)): \(balance.caps[$0] ?? 0)" }.joined(separator: ", ") + "}")
        }
        if let s = balance.stratify { balanceFields.append("stratify: \(s.rawValue)") }
        out += "balance: {" + (balanceFields.isEmpty ? "" : " " + balanceFields.joined(separator: ", ") + " ") + "}\n"
        out += "bands: \(list(bands.names))\n"
        out += "comparison: \(comparison)\n"
        if let sweep { out += "sweep: { supervised: [\(sweep.supervised.map(String.init).joined(separator: ", "))] }\n" }
        return out
    }
}
