import ArgumentParser
import Foundation
import HeldoutCore
import HeldoutIngest
import HeldoutStore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read corpora into the store.",
        discussion: """
        Formats: \(CorpusFormat.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
        Each corpus is stored in one transaction: a file that fails leaves the store as it was.
        A file already stored with the same SHA-256 is skipped; a changed file replaces its
        earlier version.
        """
    )

    @OptionGroup var common: StoreOptions

    @Argument(help: "Input files.")
    var files: [String]

    @Option(help: "Input format (detected from the file name or content when omitted).")
    var format: CorpusFormat?

    @Option(help: "Languages of a bilingual file, source first: en-fr (or en-GB:fr-CA).")
    var pair: String?

    @Option(help: "Language of a monolingual file.")
    var lang: String?

    @Option(help: "Domain of every unit that does not declare its own (news, fiction, software…).")
    var domain: String?

    @Option(help: "Corpus name (default: the file name).")
    var corpus: String?

    @Option(help: "Licence of the corpus, as an SPDX identifier.")
    var license: String?

    @Option(help: "TSV/CSV column mapping: id,lang,text or en,fr (- skips a column).")
    var columns: String?

    @Option(help: "JSONL field mapping: en=source,fr=target.")
    var fields: String?

    @Option(help: ArgumentHelp(
        "What a unit's document is (what isolation.level: document keeps on one side): auto, file, paragraph, unit, tuid, context or prop:TYPE.",
        discussion: "auto (default): a paragraph of text, a TMX <tu>'s x-document/x-file/x-filename prop or else the <tu> itself, a PO entry, an XLIFF <file>. file: the whole file. paragraph (text). unit: every sentence, <tu> or entry alone. tuid (TMX). context (PO msgctxt). prop:TYPE (TMX, e.g. prop:x-package).",
        valueName: "mode"))
    var documents: DocumentMode = .auto

    @Option(help: ArgumentHelp("The longest segment any format accepts, in UTF-8 bytes (default 1 MiB); a longer one fails the file.", valueName: "bytes"))
    var maxSegmentBytes: Int = IngestOptions.defaultMaxSegmentBytes

    @Flag(help: "Count and skip invalid units instead of failing the file (malformed files still fail).")
    var skipInvalid = false

    @Option(name: .customLong("label"), help: "A label stored per segment: NAME=COLUMN (repeatable), e.g. --label tone=3; NAME alone for the labels format.")
    var labels: [String] = []

    func validate() throws {
        if pair != nil, lang != nil { throw ValidationError("--pair and --lang exclude each other") }
        if let pair, DirectedPair(pair) == nil { throw ValidationError("--pair \(pair): expected two language tags, e.g. en-fr") }
        if let lang, LanguageTag(lang) == nil { throw ValidationError("--lang \(lang): not a language tag") }
        if maxSegmentBytes < 1 { throw ValidationError("--max-segment-bytes \(maxSegmentBytes): must be at least 1") }
    }

    func run() throws {
        var options = IngestOptions()
        options.pair = pair.flatMap(DirectedPair.init)
        options.lang = lang.flatMap(LanguageTag.init)
        options.domain = domain
        options.columns = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        options.fields = try fields.map(Self.parseFields)
        options.documents = documents
        options.maxSegmentBytes = maxSegmentBytes
        options.skipInvalid = skipInvalid
        options.labels = try Self.parseLabels(labels)
        let ingester = Ingester(options: options, licence: license)
        let planned = try ingester.plan(files: files, format: format, corpusName: corpus)
        let store = try Store(path: common.store)
        var reports: [IngestReport] = []
        for corpus in planned {
            let progress = ProgressLine("ingest \(corpus.name)")
            let report = try ingester.ingest(corpus, into: store) { bytes, total, units in
                progress.update(bytesRead: bytes, totalBytes: total, units: units)
            }
            progress.finish()
            reports.append(report)
            if !common.json { Console.out(Self.describe(report)) }
        }
        if common.json { try Console.json(reports) }
    }

    static func parseFields(_ raw: String) throws -> [(lang: LanguageTag, field: String)] {
        try raw.split(separator: ",").map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let tag = LanguageTag(parts[0]), !parts[1].isEmpty else {
                throw ValidationError("--fields \(raw): expected LANG=FIELD pairs, e.g. en=source,fr=target")
            }
            return (tag, parts[1])
        }
    }

    /// `tone=3`, `tone=register`, or `tone` (the labels format's next column).
    static func parseLabels(_ raw: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for entry in raw {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty, out[name] == nil else {
                throw ValidationError("--label \(entry): expected NAME or NAME=COLUMN, each name once")
            }
            out[name] = parts.count == 2 ? parts[1] : ""
        }
        return out
    }

    static func describe(_ report: IngestReport) -> String {
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

extension CorpusFormat: ExpressibleByArgument {}
extension DocumentMode: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }
}
