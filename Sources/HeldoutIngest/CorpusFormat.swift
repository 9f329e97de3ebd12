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

/// What a reader records as a unit's document: the unit `isolation.level: document` keeps on
/// one side of a split. A document should be a piece of text whose parts belong together (a
/// paragraph, a message, a source file), never a whole corpus by default: a corpus as one
/// document ties all of it into one component, and a document-level split of it is empty.
///
/// `auto` is each format's own meaningful unit:
/// - text: the paragraph (blank-line separated);
/// - TMX: the `<tu>`'s document property (`x-document`, `x-file` or `x-filename`, any case) when
///   it has one, else the `<tu>` itself;
/// - PO: the entry (a message with its plural forms);
///
/// A unit that is a document of its own is recorded as ``CorpusUnit/ownDocument``: it shares
/// nothing with another unit, so it makes no link and needs no row in the store (a row per unit
/// cost 67% more time and 65 MiB more memory on a 1M-unit TMX).
/// - XLIFF: the `<file>` (its `original`); XCES: the `linkGrp`'s `fromDoc`; CoNLL-U:
///   `# newdoc`; TSV/CSV/JSONL: a `doc` column or field. A unit these formats leave without a
///   document (every Moses line pair, a TSV row without a `doc` column, a CoNLL-U sentence
///   before any `# newdoc`, a labelled sentence) is a document of its own; `file` makes the
///   corpus one document instead, as it was before modes existed.
public enum DocumentMode: Sendable, Hashable, CustomStringConvertible {
    /// Each format's own unit (see above). The default.
    case auto
    /// The whole file (text) or corpus (TMX, PO): only on request.
    case file
    /// Text: each blank-line-separated paragraph.
    case paragraph
    /// Every unit its own document: a sentence of text, a TMX `<tu>`, a PO entry.
    case unit
    /// TMX: the `<tu>`'s `tuid` (units sharing a tuid share a document; a unit without one is its own).
    case tuid
    /// PO: the message context — entries with the same `msgctxt` share a document; an entry
    /// without one is its own.
    case context
    /// TMX: the value of `<prop type="TYPE">` of the `<tu>` (type matched in any case); a unit
    /// without that prop is its own document.
    case property(String)

    /// Parses `auto`, `file`, `paragraph`, `unit`, `tuid`, `context` or `prop:TYPE`.
    public init?(_ raw: String) {
        switch raw {
        case "auto": self = .auto
        case "file": self = .file
        case "paragraph": self = .paragraph
        case "unit": self = .unit
        case "tuid": self = .tuid
        case "context": self = .context
        default:
            guard raw.hasPrefix("prop:"), raw.count > 5 else { return nil }
            self = .property(String(raw.dropFirst(5)))
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .file: "file"
        case .paragraph: "paragraph"
        case .unit: "unit"
        case .tuid: "tuid"
        case .context: "context"
        case let .property(type): "prop:\(type)"
        }
    }

    /// The spellings, for messages.
    public static let spellings = "auto, file, paragraph, unit, tuid, context or prop:TYPE"

    /// The mode `format` reads with: `auto` made concrete where a format has one answer, or a
    /// usage error for a mode the format has no use for (rather than ignoring it silently).
    public func resolved(for format: CorpusFormat) throws -> DocumentMode {
        let allowed: [DocumentMode]
        switch format {
        case .text:
            if self == .auto { return .paragraph }
            allowed = [.file, .paragraph, .unit]
        case .tmx:
            if case .property = self { return self }
            allowed = [.auto, .file, .unit, .tuid]
        case .po:
            if self == .auto { return .unit }
            allowed = [.file, .unit, .context]
        case .xliff:
            if self == .auto { return .file }
            allowed = [.file]
        case _ where format.emptyDocumentIsOwn:
            allowed = [.auto, .file]
        default:
            allowed = [.auto]
        }
        guard allowed.contains(self) else {
            let options = ([.auto] + allowed.filter { $0 != .auto } + (format == .tmx ? [.property("TYPE")] : [])).map(\.description)
            throw HeldoutError.usage("--documents \(self) does not apply to \(format.rawValue); it takes \(options.joined(separator: ", ")) (see the README's ingest table)")
        }
        return self
    }

    /// How the mode is recorded in the corpus's read options. Formats whose documents it does
    /// not change record `file`, as before modes existed, so that their corpora are not re-read.
    func fingerprint(for format: CorpusFormat) throws -> String {
        switch format {
        case .text, .tmx, .po: try resolved(for: format).description
        case _ where format.emptyDocumentIsOwn: try resolved(for: format).description
        default: "file"
        }
    }
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
    /// `--documents`: what a unit's document is (see ``DocumentMode``).
    public var documents: DocumentMode = .auto
    /// `--skip-invalid`: a bad unit is counted and skipped instead of failing the file.
    /// A file that is not well-formed still fails whole.
    public var skipInvalid = false
    /// `--max-segment-bytes`: the longest segment (one sentence or string, in UTF-8 bytes) any
    /// reader accepts; a longer one fails the file with its location. No sentence is a megabyte
    /// long: such a "segment" is a broken file or a wrong format, and storing it would make
    /// grading and memory grow with it.
    public var maxSegmentBytes = IngestOptions.defaultMaxSegmentBytes
    /// The longest line a line-based reader accepts: a line may hold several segments (a TSV
    /// row, a JSON object, a paragraph of prose written on one line) and their markup, so it is
    /// four times the segment limit (derived, so the two can never disagree).
    public var maxLineBytes: Int { Self.lineLimit(forSegmentLimit: maxSegmentBytes) }

    /// 1 MiB.
    public static let defaultMaxSegmentBytes = 1 << 20

    static func lineLimit(forSegmentLimit limit: Int) -> Int {
        limit > Int.max / 4 ? Int.max : max(limit * 4, 4096)
    }
    /// `--label tone=column`: label name → the column or field that holds it, stored per segment.
    public var labels: [String: String] = [:]

    public init() {}

    /// Everything that changes what is read from the same bytes, as canonical JSON: stored with
    /// the corpus, so re-reading a file another way replaces it instead of being skipped.
    public func fingerprint(format: CorpusFormat) throws -> String {
        var parts: [String: String] = ["format": format.rawValue, "documents": try documents.fingerprint(for: format),
                                       "skip_invalid": String(skipInvalid)]
        // The limit changes what is read only when it is not the default (it may fail a file
        // that another limit accepts); the default is left out so older corpora are not re-read.
        if maxSegmentBytes != Self.defaultMaxSegmentBytes { parts["max_segment_bytes"] = String(maxSegmentBytes) }
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

extension CorpusFormat {
    /// Formats whose units may come without a document (`""`): under `auto` such a unit is a
    /// document of its own, under `file` the corpus is one document.
    var emptyDocumentIsOwn: Bool {
        switch self {
        case .moses, .tsv, .csv, .jsonl, .conllu, .labels: true
        default: false
        }
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
