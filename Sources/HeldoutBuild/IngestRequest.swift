import Foundation
import HeldoutCore
import HeldoutIngest
import HeldoutStore

/// What to ingest and how, whether it comes from `heldout ingest`'s options or from a spec's
/// `sources` entry: one mapping onto `IngestOptions` for both, so that a spec can say
/// whatever the command line can (and the other way round).
public struct IngestRequest: Sendable {
    public var files: [String]
    public var format: CorpusFormat?
    public var pair: DirectedPair?
    public var lang: LanguageTag?
    public var domain: String?
    public var corpus: String?
    public var license: String?
    public var columns: [String]?
    public var fields: [(lang: LanguageTag, field: String)]?
    /// `NAME=COLUMN`, or `NAME` alone for the labels format's label column.
    public var labels: [String] = []
    public var documents: DocumentMode = .auto
    public var maxSegmentBytes = IngestOptions.defaultMaxSegmentBytes
    public var skipInvalid = false
    /// Prefixed to a reader's usage message (`sources[2]: `), so a spec author knows which entry.
    public var context: String?

    public init(files: [String]) { self.files = files }

    /// A spec's `sources[index]`, checked as the command line checks its options. A relative
    /// path is the spec's (`SplitSpec.resolve(_:)`): it resolves against the spec's folder, and
    /// a file that is not there is named, resolved, at the line of the spec that gave it.
    public init(source: SplitSpec.Source, index: Int, in spec: SplitSpec) throws {
        let key = "sources[\(index)]"
        let resolved = spec.resolve(source.path)
        if SpecPaths.isURI(source.path), spec.fetchedSources == nil {
            throw HeldoutError.badInput(spec.location(of: "\(key).path"),
                                        "\(key).path: \(source.path) is a URI, and heldout reads local files: run this spec on Spark (spark/heldout_spark.py fetches it), or copy the file here and name its path")
        }
        guard FileManager.default.fileExists(atPath: resolved) else {
            let from = spec.base.map { "the spec's folder with its base \($0)" } ?? "the spec's folder"
            var how = source.path.hasPrefix("/") ? "" : " (relative paths resolve against \(spec.pathBase), \(from))"
            // A spec written when paths were the working directory's: say how to spell it now.
            if !source.path.hasPrefix("/"), FileManager.default.fileExists(atPath: source.path) {
                how += "; \(source.path) exists relative to the working directory: write it as \(spec.spelling(source.path))"
            }
            throw HeldoutError.badInput(spec.location(of: "\(key).path"), "\(key).path: \(resolved): no such file\(how)")
        }
        // Recorded in the store as `ingest` records a file: from the working directory.
        self.init(files: [SpecPaths.fromWorkingDirectory(resolved)])
        context = key
        if let name = source.format {
            guard let known = CorpusFormat(rawValue: name) else {
                throw HeldoutError.usage("\(key).format: \(name) is not one of \(CorpusFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = known
        }
        pair = source.pair.flatMap(DirectedPair.init)
        lang = source.lang.flatMap(LanguageTag.init)
        domain = source.domain
        corpus = source.corpus
        license = source.license
        columns = source.columns
        fields = source.fields?.sorted { $0.key < $1.key }.compactMap { lang, field in
            LanguageTag(lang).map { ($0, field) }
        }
        labels = source.label.map { [$0] } ?? []
        if let documents = source.documents {
            guard let mode = DocumentMode(documents) else {
                throw HeldoutError.usage("\(key).documents: \(documents) is not one of \(DocumentMode.spellings)")
            }
            self.documents = mode
        }
        skipInvalid = source.skipInvalid ?? false
        if let limit = source.maxSegmentBytes {
            guard limit >= 1 else { throw HeldoutError.usage("\(key).max_segment_bytes: \(limit) must be at least 1") }
            maxSegmentBytes = limit
        }
    }

    /// The ingester and the corpora it will store, decided before anything is read.
    public func plan() throws -> (Ingester, [PlannedCorpus]) {
        var options = IngestOptions()
        options.pair = pair
        options.lang = lang
        options.domain = domain
        options.columns = columns
        options.fields = fields
        options.documents = documents
        options.maxSegmentBytes = maxSegmentBytes
        options.skipInvalid = skipInvalid
        do {
            options.labels = try Self.parseLabels(labels)
            let ingester = Ingester(options: options, licence: license)
            return (ingester, try ingester.plan(files: withMosesSiblings(), format: format, corpusName: corpus))
        } catch let HeldoutError.usage(message) where context != nil {
            // The readers speak of command-line options; say which spec source it is.
            throw HeldoutError.usage("\(context ?? ""): \(message)")
        }
    }

    /// A Moses corpus named by one side (`corpus.en`) with `--pair`: its other side is the
    /// sibling with the pair's other language, in source-then-target order.
    public func withMosesSiblings() -> [String] {
        guard format == .moses, let pair else { return files }
        var out: [String] = []
        for file in files {
            let name = file.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
            guard let dot = name.lastIndex(of: ".") else { out.append(file); continue }
            let isSource = LanguageTag(String(name[name.index(after: dot)...]))?.primary == pair.source.primary
            let stem = file.dropLast(name.distance(from: dot, to: name.endIndex))
            let sibling = stem + "." + (isSource ? pair.target : pair.source).value
            // Both sides given: nothing to add.
            if files.contains(sibling) { out.append(file); continue }
            out += isSource ? [file, sibling] : [sibling, file]
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// `tone=3`, `tone=register`, or `tone` (the labels format's next column).
    public static func parseLabels(_ raw: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for entry in raw {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty, out[name] == nil else {
                throw HeldoutError.usage("--label \(entry): expected NAME or NAME=COLUMN, each name once")
            }
            out[name] = parts.count == 2 ? parts[1] : ""
        }
        return out
    }

    /// `en=source,fr=target`.
    public static func parseFields(_ raw: String) throws -> [(lang: LanguageTag, field: String)] {
        try raw.split(separator: ",").map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let tag = LanguageTag(parts[0]), !parts[1].isEmpty else {
                throw HeldoutError.usage("--fields \(raw): expected LANG=FIELD pairs, e.g. en=source,fr=target")
            }
            return (tag, parts[1])
        }
    }

    /// One line of what an ingest did, for people.
    public static func describe(_ report: IngestReport) -> String {
        switch report.outcome {
        case .unchanged:
            return "\(report.corpus): unchanged (same SHA-256 already stored), nothing to do"
        case .added, .replaced:
            var line = "\(report.corpus): \(report.outcome == .replaced ? "replaced" : "added") \(report.units) units"
            if report.occurrences > 0 {
                line += ", \(report.occurrences) sentences (\(report.newSegments) new segments) in \(report.languages.joined(separator: ", "))"
            }
            let skipped = report.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            if !skipped.isEmpty { line += "; skipped \(skipped.joined(separator: ", "))" }
            return line
        }
    }
}
