import Foundation
import HeldoutCore

// MARK: - Field syntax

/// The field syntax of a delimited file: its separator and how it quotes.
public struct DelimitedDialect: Sendable, Equatable {
    public enum Quoting: Sendable, Equatable {
        /// RFC 4180: a field that starts with `"` runs to the matching `"`, `""` inside it is one
        /// quote, and it may hold separators and line breaks (the record then spans lines).
        case rfc4180
        /// TSV as CSV libraries write it with a tab separator: a field is read as quoted only when
        /// it is a well-formed quoted field on one line *and* needed quoting (it holds a tab or a
        /// doubled quote). Anything else is text, so a sentence such as `"Yes," she said.` or a
        /// Tatoeba sentence that is wholly in quotes keeps its quotes.
        case whenNeeded
        /// No quoting at all: quotes are text (Tatoeba, IANA `text/tab-separated-values`).
        case none
    }

    public var separator: UInt8
    public var quoting: Quoting

    public init(separator: UInt8, quoting: Quoting) {
        self.separator = separator
        self.quoting = quoting
    }

    public static let csv = DelimitedDialect(separator: UInt8(ascii: ","), quoting: .rfc4180)
    public static let tsv = DelimitedDialect(separator: UInt8(ascii: "\t"), quoting: .whenNeeded)
    public static let plainTSV = DelimitedDialect(separator: UInt8(ascii: "\t"), quoting: .none)
}

/// One record of a delimited file, reused from record to record to keep allocation down.
struct DelimitedRecord {
    var fields: [String] = []
    /// The line the record starts on (1-based).
    var line = 0
    /// Where each field starts: the index into ``lines`` and the byte offset in that line.
    var starts: [(lineIndex: Int, byte: Int)] = []
    /// The physical lines of the record; more than one only when a quoted field spans lines.
    var lines: [String] = []

    /// Where field `index` starts, for messages about it.
    func location(ofField index: Int, file: String) -> SourceLocation {
        guard index < starts.count else { return endLocation(file: file) }
        let start = starts[index]
        return SourceLocation(file: file, line: line + start.lineIndex,
                              column: ReaderSupport.column(ofByte: start.byte, in: lines[start.lineIndex]))
    }

    /// Just past the record's last character: where a missing field would have been.
    func endLocation(file: String) -> SourceLocation {
        let last = lines.last ?? ""
        return SourceLocation(file: file, line: line + max(lines.count - 1, 0),
                              column: last.unicodeScalars.count + 1)
    }

    /// A short quote of the record's first line for messages.
    var preview: String {
        let first = lines.first ?? ""
        return first.count > 60 ? String(first.prefix(57)) + "…" : first
    }
}

/// Splits a delimited file into records of fields, on top of ``LineReader`` (so UTF-8, BOM and
/// line-length checks are the same as for every other line-based format).
///
/// Works on the UTF-8 bytes of each line: separators and quotes are ASCII, so cutting there
/// never splits a character, and a field without quotes is one copy of its bytes.
final class DelimitedRecordReader {
    let path: String
    let dialect: DelimitedDialect
    private let lines: LineReader
    /// A quoted field that spans lines may not make a record larger than this; an unclosed quote
    /// would otherwise swallow the rest of the file into memory.
    private let maxRecordBytes: Int
    private var pending: [UInt8] = []

    var bytesRead: Int64 { lines.bytesRead }

    init(path: String, dialect: DelimitedDialect, maxLineBytes: Int) throws {
        self.path = path
        self.dialect = dialect
        self.maxRecordBytes = maxLineBytes
        self.lines = try LineReader(path: path, maxLineBytes: maxLineBytes)
    }

    /// Reads the next record into `record`; `false` at the end of the file.
    func next(into record: inout DelimitedRecord) throws -> Bool {
        guard var line = try lines.next() else { return false }
        record.fields.removeAll(keepingCapacity: true)
        record.starts.removeAll(keepingCapacity: true)
        record.lines.removeAll(keepingCapacity: true)
        record.line = line.number
        var openQuote: (lineIndex: Int, byte: Int)?
        var recordBytes = 0
        while true {
            record.lines.append(line.text)
            recordBytes += line.text.utf8.count + 1
            try parse(line.text, lineIndex: record.lines.count - 1, record: &record, openQuote: &openQuote)
            guard let open = openQuote else { return true }
            let location = SourceLocation(file: path, line: record.line + open.lineIndex,
                                          column: ReaderSupport.column(ofByte: open.byte, in: record.lines[open.lineIndex]))
            if recordBytes > maxRecordBytes {
                throw HeldoutError.badInput(location, "quoted field is still open after \(maxRecordBytes / 1024) KiB; is a closing quote missing? (a quote inside a quoted field is written twice: \"\")")
            }
            guard let following = try lines.next() else {
                throw HeldoutError.badInput(location, "quoted field is not closed before the end of the file; is a closing quote missing?")
            }
            // A line break inside a quoted field is part of the text. It is kept as LF: the store
            // collapses whitespace anyway, so CRLF and LF give the same segment.
            pending.append(0x0A)
            line = following
        }
    }

    /// Cuts one physical line into fields, continuing a quoted field left open by the previous
    /// line when `openQuote` is set, and leaving it set when this line ends inside quotes.
    private func parse(_ line: String, lineIndex: Int, record: inout DelimitedRecord,
                       openQuote: inout (lineIndex: Int, byte: Int)?) throws {
        var text = line
        let separator = dialect.separator
        let quote = UInt8(ascii: "\"")
        let quoting = dialect.quoting
        try text.withUTF8 { buffer in
            let count = buffer.count
            var index = 0
            var inQuotes = openQuote != nil
            while true {
                if inQuotes {
                    guard let after = scanQuoted(buffer, from: index) else { return } // still open
                    openQuote = nil
                    inQuotes = false
                    record.fields.append(String(decoding: pending, as: UTF8.self))
                    if after == count { return }
                    guard buffer[after] == separator else {
                        let location = SourceLocation(file: path, line: record.line + lineIndex,
                                                      column: ReaderSupport.column(ofByte: after, in: line))
                        throw HeldoutError.badInput(location, "unexpected character after a closing quote; a quote inside a quoted field is written twice (\"\")")
                    }
                    index = after + 1
                    continue
                }
                record.starts.append((lineIndex, index))
                if index < count, buffer[index] == quote {
                    if quoting == .rfc4180 {
                        openQuote = (lineIndex, index)
                        pending.removeAll(keepingCapacity: true)
                        inQuotes = true
                        index += 1
                        continue
                    }
                    if quoting == .whenNeeded, let (value, after) = quotedOnOneLine(buffer, from: index) {
                        record.fields.append(value)
                        if after == count { return }
                        index = after + 1
                        continue
                    }
                }
                var end = index
                while end < count, buffer[end] != separator { end += 1 }
                record.fields.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[index..<end]), as: UTF8.self))
                if end == count { return }
                index = end + 1
            }
        }
    }

    /// Appends the inside of a quoted field to `pending` from `start`; returns the index just past
    /// the closing quote, or `nil` when the line ends inside the quotes.
    private func scanQuoted(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let quote = UInt8(ascii: "\"")
        var index = start
        var runStart = start
        while index < buffer.count {
            if buffer[index] == quote {
                pending.append(contentsOf: buffer[runStart..<index])
                if index + 1 < buffer.count, buffer[index + 1] == quote {
                    pending.append(quote)
                    index += 2
                    runStart = index
                    continue
                }
                return index + 1
            }
            index += 1
        }
        pending.append(contentsOf: buffer[runStart..<buffer.count])
        return nil
    }

    /// The `.whenNeeded` rule: a field starting at `start` with a quote is a quoted field only if
    /// it closes on this line right before a separator or the line end, and held a separator or a
    /// doubled quote (which a writer would have had to quote).
    private func quotedOnOneLine(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> (String, Int)? {
        let quote = UInt8(ascii: "\"")
        var bytes: [UInt8] = []
        var needed = false
        var index = start + 1
        while index < buffer.count {
            let byte = buffer[index]
            if byte == quote {
                if index + 1 < buffer.count, buffer[index + 1] == quote {
                    bytes.append(quote)
                    needed = true
                    index += 2
                    continue
                }
                let after = index + 1
                guard needed, after == buffer.count || buffer[after] == dialect.separator else { return nil }
                return (String(decoding: bytes, as: UTF8.self), after)
            }
            if byte == dialect.separator { needed = true }
            bytes.append(byte)
            index += 1
        }
        return nil
    }
}

// MARK: - Column mapping

/// What `--columns` (or a header row) says each column holds.
struct ColumnMapping {
    enum Role: Equatable {
        /// `-` or `_`: not read.
        case ignore
        /// `id`: kept in metadata as `id`.
        case id
        /// `lang`: the language of this row's `text`.
        case lang
        /// `text`: the sentence of a one-sentence-per-row file.
        case text
        /// A language tag (`en`, `pt-BR`, `eng`, or forced with `lang:xx`): that language's sentence.
        case language(LanguageTag)
        /// `source`/`src` and `target`/`tgt`/`trg`: the sides of `--pair`.
        case source, target
        case domain
        /// `doc`/`document`: the document the row belongs to.
        case document
        /// Any other name: kept in metadata under that name.
        case metadata(String)
    }

    var roles: [Role]

    /// The role a column name stands for.
    static func role(of rawName: String) -> Role {
        let name = rawName.trimmingCharacters(in: .whitespaces)
        let lower = name.lowercased()
        switch lower {
        case "-", "_", "": return .ignore
        case "id": return .id
        case "lang", "language": return .lang
        case "text", "sentence": return .text
        case "source", "src": return .source
        case "target", "tgt", "trg": return .target
        case "domain": return .domain
        case "doc", "document": return .document
        default: break
        }
        if lower.hasPrefix("lang:"), let tag = LanguageNames.tag(String(name.dropFirst(5))) {
            return .language(tag)
        }
        if let tag = LanguageNames.nameAsLanguage(name) { return .language(tag) }
        return .metadata(name)
    }

    init(names: [String]) throws {
        roles = names.map(Self.role(of:))
        var seen: [String: Int] = [:]
        for (index, role) in roles.enumerated() {
            let key: String
            switch role {
            case .ignore: continue
            case let .metadata(name): key = "metadata \(name)"
            case let .language(tag): key = "language \(tag)"
            default: key = "\(role)"
            }
            if let earlier = seen[key] {
                throw HeldoutError.usage("columns \(earlier + 1) and \(index + 1) (\(names[earlier]), \(names[index])) both map to \(key); each role may appear once")
            }
            seen[key] = index
        }
    }

    /// A header row can stand in for `--columns` when every name is a role heldout knows (no
    /// metadata names: those would make any first row of data look like a header) and at least
    /// one column holds text.
    static func fromHeader(_ fields: [String]) -> ColumnMapping? {
        guard let mapping = try? ColumnMapping(names: fields) else { return nil }
        var holdsText = false
        for role in mapping.roles {
            switch role {
            case .metadata: return nil
            case .language, .text, .source, .target: holdsText = true
            default: break
            }
        }
        return holdsText ? mapping : nil
    }
}

/// How a row becomes a unit, once the mapping has met `--pair`/`--lang`.
struct RowPlan {
    enum Texts {
        /// One sentence per row; its language from a `lang` column, or `fixed` (`--lang`).
        case perRow(text: Int, lang: Int?, fixed: LanguageTag?)
        /// One column per language.
        case columns([(index: Int, tag: LanguageTag)])
    }

    var width: Int
    var texts: Texts
    var id: Int?
    var domain: Int?
    var document: Int?
    var metadata: [(index: Int, name: String)] = []

    /// - Parameters:
    ///   - explicit: the mapping came from `--columns` (a mismatch with `--pair` is a usage error)
    ///     rather than from the file's header (a mismatch is then bad input).
    init(mapping: ColumnMapping, selection: LanguageSelection, explicit: Bool, file: String) throws {
        width = mapping.roles.count
        var text: Int?, lang: Int?, source: Int?, target: Int?
        var languages: [(index: Int, tag: LanguageTag)] = []
        for (index, role) in mapping.roles.enumerated() {
            switch role {
            case .ignore: break
            case .id: id = index
            case .lang: lang = index
            case .text: text = index
            case let .language(tag): languages.append((index, tag))
            case .source: source = index
            case .target: target = index
            case .domain: domain = index
            case .document: document = index
            case let .metadata(name): metadata.append((index, name))
            }
        }
        let hasPairColumns = source != nil || target != nil
        if text != nil || lang != nil {
            guard let text else {
                throw HeldoutError.usage("a lang column needs a text column: --columns id,lang,text")
            }
            guard languages.isEmpty, !hasPairColumns else {
                throw HeldoutError.usage("use either text with lang (one sentence per row) or one column per language (--columns en,fr), not both")
            }
            if selection.requested.count > 1 {
                throw HeldoutError.usage("\(selection.optionName) names two languages, but these rows hold one sentence each; use --lang, or map one column per language (--columns en,fr)")
            }
            let fixed = selection.requested.first
            guard lang != nil || fixed != nil else {
                throw HeldoutError.usage("\(file): rows have a text column but no lang column; add --lang L, or map a lang column (--columns id,lang,text)")
            }
            texts = .perRow(text: text, lang: lang, fixed: fixed)
            return
        }
        if hasPairColumns {
            guard languages.isEmpty else {
                throw HeldoutError.usage("use either source/target columns with --pair or language columns (--columns en,fr), not both")
            }
            guard let pair = selection.pairTags, let source, let target else {
                throw HeldoutError.usage("source and target columns take their languages from --pair: add --pair SRC-TGT and map both columns (--columns source,target)")
            }
            texts = .columns([(source, pair.0), (target, pair.1)])
            return
        }
        guard !languages.isEmpty else {
            throw HeldoutError.usage("no column holds text: map one column per language (--columns en,fr) or id,lang,text")
        }
        switch selection.choose(from: languages.map(\.tag), exact: explicit) {
        case let .success(chosen):
            texts = .columns(chosen.map { (languages[$0.index].index, $0.tag) })
        case let .failure(mismatch):
            if explicit { throw HeldoutError.usage(mismatch.message) }
            throw HeldoutError.badInput(SourceLocation(file: file, line: 1, column: 1), "header: \(mismatch.message)")
        }
    }
}

// MARK: - Reader

/// Reads TSV and CSV corpora through a column mapping (`--columns`, or a header row of
/// language tags): one sentence per row (`id,lang,text`), or one column per language (`en,fr`).
///
/// Rows are units in file order. A row whose field count differs from the mapping (a ragged
/// row) is bad input, or a counted skip (`invalid`) with `--skip-invalid`. A blank line, or a row
/// whose sentence is blank on one side of a pair, is skipped as `empty`: half a translation is
/// not an alignment.
public struct DelimitedReader: CorpusReader {
    public let files: [String]
    public let dialect: DelimitedDialect
    let options: IngestOptions
    let selection: LanguageSelection
    let explicitMapping: ColumnMapping?

    /// Checks `--columns` against `--pair`/`--lang` now, so that a usage mistake is reported
    /// before any file is read.
    public init(file: String, dialect: DelimitedDialect, options: IngestOptions) throws {
        self.files = [file]
        self.dialect = dialect
        self.options = options
        self.selection = try LanguageSelection(options)
        if let columns = options.columns {
            let mapping = try ColumnMapping(names: columns)
            _ = try RowPlan(mapping: mapping, selection: selection, explicit: true, file: file)
            explicitMapping = mapping
        } else {
            explicitMapping = nil
        }
    }

    public func read(into sink: UnitSink) throws {
        let file = files[0]
        let records = try DelimitedRecordReader(path: file, dialect: dialect, maxLineBytes: options.maxLineBytes)
        var record = DelimitedRecord()
        guard try records.next(into: &record) else {
            throw HeldoutError.badInput(SourceLocation(file: file), "file is empty")
        }
        let plan: RowPlan
        var firstIsData = true
        if let explicitMapping, let columns = options.columns {
            plan = try RowPlan(mapping: explicitMapping, selection: selection, explicit: true, file: file)
            // A header that repeats --columns is not data.
            let normalized = { (names: [String]) in names.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
            firstIsData = normalized(record.fields) != normalized(columns)
        } else if let mapping = ColumnMapping.fromHeader(record.fields) {
            plan = try RowPlan(mapping: mapping, selection: selection, explicit: false, file: file)
            firstIsData = false
        } else if record.fields.count >= 2, record.fields[0].trimmingCharacters(in: .whitespaces).lowercased() == "text" {
            // `text<TAB>label…`: sentences with labels, which the labels format reads.
            let label = record.fields[1].trimmingCharacters(in: .whitespaces)
            throw HeldoutError.usage("\(file): the first row (\(record.preview)) names a text column and label columns: sentences with labels are read by the labels format, e.g. --format labels --lang LANG --label \(label.isEmpty ? "NAME" : label)")
        } else {
            throw HeldoutError.usage("\(file): no --columns, and the first row (\(record.preview)) is not a header of language tags; pass --columns, e.g. --columns en,fr (one column per language) or --columns id,lang,text (one sentence per row); `-` skips a column, domain and doc name those columns, other names are kept as metadata")
        }
        var rows = RowConverter(plan: plan, file: file, options: options)
        var ticker = ProgressTicker()
        if firstIsData { try rows.convert(record, into: sink) }
        while try records.next(into: &record) {
            try rows.convert(record, into: sink)
            ticker.tick(sink, records.bytesRead)
        }
        sink.progress(bytesRead: records.bytesRead)
    }
}

/// Turns records into units following a ``RowPlan``.
struct RowConverter {
    let plan: RowPlan
    let file: String
    let options: IngestOptions
    /// Per-row language codes repeat (a few hundred at most in Tatoeba-like files); parsing
    /// each once keeps tag parsing off the hot path. Bounded so a broken file cannot grow it.
    private var tagCache: [String: LanguageTag?] = [:]

    init(plan: RowPlan, file: String, options: IngestOptions) {
        self.plan = plan
        self.file = file
        self.options = options
    }

    mutating func convert(_ record: DelimitedRecord, into sink: UnitSink) throws {
        let fields = record.fields
        guard fields.count == plan.width else {
            if fields.count == 1, ReaderSupport.isBlank(fields[0]) {
                sink.skip("empty")
                return
            }
            let location = fields.count > plan.width
                ? record.location(ofField: plan.width, file: file)
                : record.endLocation(file: file)
            try ReaderSupport.invalid(.badInput(location, "ragged row: \(fields.count) field\(fields.count == 1 ? "" : "s") where the column mapping has \(plan.width)\(dialect(record))"),
                                      sink: sink, options: options)
            return
        }
        var texts: [CorpusUnit.Text] = []
        switch plan.texts {
        case let .perRow(text, langIndex, fixed):
            var tag = fixed
            if let langIndex {
                let raw = fields[langIndex]
                guard let declared = parseTag(raw) else {
                    try ReaderSupport.invalid(.badInput(record.location(ofField: langIndex, file: file), "not a language tag: \"\(raw)\""),
                                              sink: sink, options: options)
                    return
                }
                if let fixed {
                    guard let reconciled = declared.reconciled(with: fixed) else {
                        throw HeldoutError.badInput(record.location(ofField: langIndex, file: file),
                                                    "row is in \(declared), which contradicts --lang \(fixed)")
                    }
                    tag = reconciled
                } else {
                    tag = declared
                }
            }
            guard let tag else { return }
            if ReaderSupport.isBlank(fields[text]) {
                sink.skip("empty")
                return
            }
            texts.append(.init(lang: tag, text: fields[text]))
        case let .columns(columns):
            for column in columns where !ReaderSupport.isBlank(fields[column.index]) {
                texts.append(.init(lang: column.tag, text: fields[column.index]))
            }
            if texts.isEmpty || (columns.count > 1 && texts.count < 2) {
                sink.skip("empty")
                return
            }
        }
        var metadata: [String: String] = [:]
        if let id = plan.id, !fields[id].isEmpty { metadata["id"] = fields[id] }
        for (index, name) in plan.metadata where !fields[index].isEmpty {
            metadata[name] = fields[index]
        }
        let domain = plan.domain.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        try sink.add(CorpusUnit(document: plan.document.map { fields[$0] } ?? "", texts: texts, domain: domain,
                                metadata: metadata, location: SourceLocation(file: file, line: record.line),
                                labels: LabelColumns.values(options.labels, byName: metadata, fields: fields)))
    }

    private mutating func parseTag(_ raw: String) -> LanguageTag? {
        if let cached = tagCache[raw] { return cached }
        let tag = LanguageNames.tag(raw)
        if tagCache.count < 4096 { tagCache[raw] = tag }
        return tag
    }

    /// A hint for the commonest cause of ragged rows: the wrong separator.
    private func dialect(_ record: DelimitedRecord) -> String {
        guard record.fields.count == 1, let line = record.lines.first else { return "" }
        if line.contains("\t") { return " (the line holds tabs: is this TSV? pass --format tsv)" }
        if line.contains(",") { return " (the line holds commas: is this CSV? pass --format csv)" }
        return ""
    }
}

// MARK: - Shared by the line-based readers

/// Small pieces every line-based reader (Moses, TSV/CSV, Tatoeba, JSONL, PO) needs.
enum ReaderSupport {
    /// Would the store's normalisation (``TextNormalization``) leave nothing of `text`? Readers
    /// count such a side as skipped ("empty") rather than store half a translation.
    static func isBlank(_ text: String) -> Bool {
        // Nearly every sentence starts with an ASCII letter: answer from the first bytes, and
        // ask Unicode properties (slow, a table lookup per scalar) only past ASCII.
        for byte in text.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) { continue }
            if byte < 0x80 { return false }
            return text.unicodeScalars.allSatisfy { $0.properties.isWhitespace || $0 == "\u{200B}" || $0 == "\u{FEFF}" }
        }
        return true
    }

    /// The 1-based column of byte `offset` of `line`, counted in Unicode scalars as
    /// ``LineReader`` counts them in its own messages.
    static func column(ofByte offset: Int, in line: String) -> Int {
        var column = 1
        var index = 0
        for byte in line.utf8 {
            if index >= offset { break }
            if byte & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return column
    }

    /// A bad unit: thrown, or with `--skip-invalid` counted as skipped ("invalid").
    static func invalid(_ error: HeldoutError, sink: UnitSink, options: IngestOptions) throws {
        guard options.skipInvalid else { throw error }
        sink.skip("invalid")
    }
}

/// Reports progress every ``interval`` records: often enough for a progress line, rarely enough
/// to cost nothing on a 10M-line file.
struct ProgressTicker {
    static let interval = 1000
    private var count = 0

    mutating func tick(_ sink: UnitSink, _ bytesRead: @autoclosure () -> Int64) {
        count &+= 1
        if count % Self.interval == 0 { sink.progress(bytesRead: bytesRead()) }
    }
}

/// What `--pair` or `--lang` ask for, checked against what a file declares.
///
/// A file that declares more languages than asked for (a header `en de fr` with `--pair en-fr`)
/// is narrowed to those asked for; a file that lacks one is refused: a contradiction is an
/// error, never a guess.
struct LanguageSelection {
    struct Mismatch: Error { var message: String }

    /// Source first for `--pair`; empty when neither option is given. ISO 639-3 codes as Tatoeba
    /// users write them (`--pair eng-fra`) are mapped to the tags the readers produce.
    let requested: [LanguageTag]
    let optionName: String

    init(_ options: IngestOptions) throws {
        switch (options.pair, options.lang) {
        case let (pair?, nil):
            requested = [LanguageNames.canonical(pair.source), LanguageNames.canonical(pair.target)]
            optionName = "--pair \(pair)"
        case let (nil, lang?):
            requested = [LanguageNames.canonical(lang)]
            optionName = "--lang \(lang)"
        case (nil, nil):
            requested = []
            optionName = ""
        case (_?, _?):
            throw HeldoutError.usage("pass --pair (a bilingual file) or --lang (a monolingual one), not both")
        }
    }

    var pairTags: (LanguageTag, LanguageTag)? {
        requested.count == 2 ? (requested[0], requested[1]) : nil
    }

    /// For each requested language the index of the declared one it matches and the more
    /// specific of the two tags, in requested order; every declared language when none is asked for.
    /// - Parameter exact: the declaration comes from the user as well (`--columns`, `--fields`),
    ///   so it must name the requested languages and no others.
    func choose(from declared: [LanguageTag], exact: Bool) -> Result<[(index: Int, tag: LanguageTag)], Mismatch> {
        guard !requested.isEmpty else { return .success(declared.enumerated().map { ($0.offset, $0.element) }) }
        var chosen: [(index: Int, tag: LanguageTag)] = []
        let list = declared.map(\.value).joined(separator: ", ")
        for wanted in requested {
            guard let index = declared.firstIndex(where: { $0.reconciled(with: wanted) != nil }),
                  let tag = declared[index].reconciled(with: wanted) else {
                return .failure(Mismatch(message: "\(optionName) asks for \(wanted), but the file declares \(list)"))
            }
            chosen.append((index, tag))
        }
        if exact, declared.count != chosen.count {
            return .failure(Mismatch(message: "\(optionName) contradicts the mapping, which declares \(list)"))
        }
        return .success(chosen)
    }
}
