import Foundation
import HeldoutCore

/// The input formats heldout reads. Chosen by `--format`, or detected from the file name and,
/// for XML, from the root element.
public enum CorpusFormat: String, CaseIterable, Sendable, Codable {
    case tmx, xliff, moses, tsv, csv, jsonl, po, xces, text
    // Answer sources (issue 4): dictionaries, treebanks, labelled sentences.
    case dictd, tei, glossary, conllu, labels

    /// How many files one corpus of this format takes (`nil`: one, or a fixed companion).
    public var summary: String {
        switch self {
        case .tmx: "TMX 1.1/1.4b translation memory"
        case .xliff: "XLIFF 1.2 or 2.x"
        case .moses: "two aligned plain-text files, one sentence per line"
        case .tsv: "tab-separated, mapped with --columns"
        case .csv: "comma-separated, mapped with --columns; Tatoeba sentences.csv + links.csv"
        case .jsonl: "JSON lines, mapped with --fields"
        case .po: "gettext PO catalogue"
        case .xces: "OPUS XCES cesAlign with its sentence documents"
        case .text: "monolingual plain text, split into sentences"
        case .dictd: "FreeDict dictd dictionary: .index with .dict or .dict.dz"
        case .tei: "FreeDict TEI XML dictionary"
        case .glossary: "bilingual glossary, headword<TAB>pos<TAB>gloss"
        case .conllu: "Universal Dependencies CoNLL-U treebank"
        case .labels: "labelled sentences, text<TAB>label, named with --label"
        }
    }

    /// Guesses the format of `path` from its extension, then from its first bytes.
    public static func detect(path: String) throws -> CorpusFormat {
        let url = URL(fileURLWithPath: path)
        var ext = url.pathExtension.lowercased()
        if let answerSource = detectAnswerSource(url) { return answerSource }
        if ["gz", "xz", "bz2", "zst"].contains(ext) {
            throw HeldoutError.badInput(SourceLocation(file: path),
                                        "compressed input is not read directly; decompress it first (e.g. gunzip -k)")
        }
        if ext == "xlf" || ext == "sdlxliff" { ext = "xliff" }
        if ext == "txt" { ext = "text" }
        if let format = CorpusFormat(rawValue: ext), format != .moses { return format }
        if ext == "json" || ext == "ndjson" { return .jsonl }
        if ext == "pot" { return .po }
        if ext == "xml" { return try sniffXML(path: path) }
        if isMosesSide(url) { return .moses }
        throw HeldoutError.usage("\(path): cannot tell the format from the name; pass --format (one of \(CorpusFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    /// `corpus.en` beside `corpus.fr`: an extension that is a language tag, and a sibling with
    /// the same stem and another language tag, is one side of a Moses pair.
    static func isMosesSide(_ url: URL) -> Bool {
        let ext = url.pathExtension
        guard ext.count >= 2, ext.count <= 3, LanguageTag(ext) != nil else { return false }
        let stem = url.deletingPathExtension().lastPathComponent
        let directory = url.deletingLastPathComponent()
        let siblings = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return siblings.contains { name in
            let sibling = URL(fileURLWithPath: name)
            return sibling.deletingPathExtension().lastPathComponent == stem
                && sibling.pathExtension != ext && LanguageTag(sibling.pathExtension) != nil
                && (2...3).contains(sibling.pathExtension.count)
        }
    }

    /// Reads the first few KB of an XML file to find its root element.
    static func sniffXML(path: String) throws -> CorpusFormat {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        defer { try? handle.close() }
        let head = String(decoding: try handle.read(upToCount: 8192) ?? Data(), as: UTF8.self)
        if head.contains("<tmx") { return .tmx }
        if head.contains("<xliff") { return .xliff }
        if head.contains("<cesAlign") { return .xces }
        if head.contains("<TEI") { return .tei }
        throw HeldoutError.usage("\(path): an XML file that is neither TMX, XLIFF nor XCES; pass --format")
    }
}

/// How `text` input is cut into documents.
public enum DocumentMode: String, Sendable, CaseIterable {
    /// One document per file.
    case file
    /// One document per paragraph (blank-line separated).
    case paragraph
}

/// Everything the command line can tell a reader.
public struct IngestOptions: Sendable {
    /// `--pair en-fr`: the languages of a bilingual file, source first. A file that declares
    /// other languages is refused.
    public var pair: DirectedPair?
    /// `--lang fr`: the language of a monolingual file.
    public var lang: LanguageTag?
    /// `--domain D`: the domain of every unit that does not declare its own.
    public var domain: String?
    /// `--columns id,lang,text` or `--columns en,fr` for TSV/CSV.
    public var columns: [String]?
    /// `--fields en=source,fr=target` for JSONL: language tag → field name.
    public var fields: [(lang: LanguageTag, field: String)]?
    public var documents: DocumentMode = .file
    /// `--skip-invalid`: a bad unit is counted and skipped instead of failing the file.
    /// A file that is not well-formed still fails whole.
    public var skipInvalid = false
    public var maxLineBytes = LineReader.defaultMaxLineBytes
    /// `--label tone=column`: label name → the column or field that holds it, stored per segment.
    public var labels: [String: String] = [:]

    public init() {}

    /// Everything that changes what is read from the same bytes, as canonical JSON: stored with
    /// the corpus, so re-reading a file another way replaces it instead of being skipped.
    public func fingerprint(format: CorpusFormat) throws -> String {
        var parts: [String: String] = ["format": format.rawValue, "documents": documents.rawValue,
                                       "skip_invalid": String(skipInvalid)]
        parts["pair"] = pair?.description
        parts["lang"] = lang?.value
        parts["domain"] = domain
        parts["columns"] = columns?.joined(separator: ",")
        parts["fields"] = fields?.map { "\($0.lang)=\($0.field)" }.joined(separator: ",")
        if !labels.isEmpty {
            parts["labels"] = labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
        }
        return try CanonicalJSON.string(parts)
    }
}

/// A reader of one corpus. It streams: memory does not grow with the input.
public protocol CorpusReader {
    /// The files it reads, in the order their hashes make up the corpus hash.
    var files: [String] { get }
    /// Reads every unit into `sink`, or throws ``HeldoutError/badInput(_:_:)`` naming the
    /// file, line and column of the first problem.
    func read(into sink: UnitSink) throws
}
