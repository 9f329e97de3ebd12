import ArgumentParser
import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutIngest
import HeldoutStore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read corpora into the store.",
        discussion: """
        Formats: \(CorpusFormat.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")). Each corpus is stored in one transaction: a file that fails leaves the store as it was. A file already stored with the same SHA-256 is skipped; a changed file replaces its earlier version.
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
        var request = IngestRequest(files: files)
        request.format = format
        request.pair = pair.flatMap(DirectedPair.init)
        request.lang = lang.flatMap(LanguageTag.init)
        request.domain = domain
        request.corpus = corpus
        request.license = license
        request.columns = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        request.fields = try fields.map(IngestRequest.parseFields)
        request.documents = documents
        request.maxSegmentBytes = maxSegmentBytes
        request.skipInvalid = skipInvalid
        request.labels = labels
        let (ingester, planned) = try request.plan()
        let store = try common.open()
        // The command always reads what it is given (the store itself skips bytes it holds).
        let runner = StageRunner(store: store, showProgress: Console.stderrIsTerminal, skipUnchanged: false)
        var reports: [IngestReport] = []
        for corpus in planned {
            guard let report = try runner.run(IngestCorpusStage(ingester: ingester, corpus: corpus)) else { continue }
            reports.append(report)
            if !common.json { Console.out(IngestRequest.describe(report)) }
        }
        if common.json { try Console.json(reports) }
    }
}

extension CorpusFormat: ExpressibleByArgument {}
extension DocumentMode: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }
}
