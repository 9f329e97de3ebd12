import Foundation
import HeldoutCore

/// Reads a gettext PO catalogue: every translated entry is one unit of two sentences, the
/// `msgid` (source) and its `msgstr` (target).
///
/// - **Languages.** The source is `--pair`'s source, or `en`: gettext msgids are English by
///   convention. The target comes from the header's `Language:` field, `--pair`'s target or
///   `--lang`, and the file name (`fr.po`, `coreutils-9.1.pt_BR.po`, `sr@latin.po`); those
///   that are present must agree (the most specific wins, `fr` + `fr_CA` → `fr-CA`), and a
///   contradiction is an error.
/// - **Plurals.** `msgid` pairs with `msgstr[0]` and `msgid_plural` with `msgstr[1]` (two
///   units, metadata `plural` = `0`/`1`); further forms (`msgstr[2]`… of Slavic languages)
///   have no English counterpart and are not stored.
/// - **Skipped and counted:** entries flagged `#, fuzzy` (`fuzzy`), entries with an empty
///   translation (`untranslated`). The header entry (`msgid ""`) is read, not stored; obsolete
///   entries (`#~`) are ignored.
/// - Documents (``DocumentMode``): by default each entry is its own document (its two plural
///   units share one, `entry@LINE` after its msgid's line; a single unit is
///   ``CorpusUnit/ownDocument``, which needs no row in the store): a catalogue is
///   a list of independent messages, and the catalogue as one document would tie every message
///   of it into one component. `--documents context` groups entries by message context
///   (`msgctxt=CONTEXT`; an entry without one stays its own), which suits catalogues whose
///   contexts name a dialog or a screen; `--documents file` makes the catalogue one document.
/// - `msgctxt` is kept in the unit's metadata. Strings are concatenated across lines and their
///   C escapes decoded (`\n \t \" \\ \a \b \f \r \v`, octal `\ooo`, hex `\xHH`; the bytes
///   must form UTF-8).
///
/// Syntax errors are bad input with the line and column.
public struct POReader: CorpusReader {
    public let files: [String]
    let options: IngestOptions
    let documents: DocumentMode
    let sourceLanguage: LanguageTag
    /// The target named on the command line (`--pair` target or `--lang`) and by the file name.
    let requestedTarget: (tag: LanguageTag, option: String)?
    let fileNameTarget: LanguageTag?

    public init(file: String, options: IngestOptions) throws {
        self.files = [file]
        self.options = options
        self.documents = try options.documents.resolved(for: .po)
        let selection = try LanguageSelection(options)
        sourceLanguage = selection.pairTags?.0 ?? LanguageTag("en")!
        if let pair = selection.pairTags {
            requestedTarget = (pair.1, selection.optionName)
        } else if let lang = selection.requested.first {
            requestedTarget = (lang, selection.optionName)
        } else {
            requestedTarget = nil
        }
        fileNameTarget = Self.language(ofFileName: file)
        if let requestedTarget, let fileNameTarget, requestedTarget.tag.reconciled(with: fileNameTarget) == nil {
            throw HeldoutError.usage("\(requestedTarget.option) contradicts the file name \(URL(fileURLWithPath: file).lastPathComponent), which says \(fileNameTarget)")
        }
    }

    /// `fr.po`, `pt_BR.po`, `coreutils-9.1.fr.po` → the language; `messages.po`, `x.pot` → nil.
    static func language(ofFileName path: String) -> LanguageTag? {
        let url = URL(fileURLWithPath: path)
        guard url.pathExtension.lowercased() == "po" else { return nil }
        let stem = url.deletingPathExtension().lastPathComponent
        guard let last = stem.split(separator: ".").last else { return nil }
        return LanguageNames.nameAsLanguage(String(last))
    }

    public func read(into sink: UnitSink) throws {
        let file = files[0]
        let lines = try LineReader(path: file, maxLineBytes: options.maxLineBytes)
        var parser = POParser(file: file, maxValueBytes: options.maxSegmentBytes)
        var state = EmitState(reader: self, file: file)
        var ticker = ProgressTicker()
        var sawLine = false
        while let line = try lines.next() {
            sawLine = true
            ticker.tick(sink, lines.bytesRead)
            if let entry = try parser.feed(line) {
                try state.emit(entry, into: sink)
            }
        }
        guard sawLine else { throw HeldoutError.badInput(SourceLocation(file: file), "file is empty") }
        if let entry = try parser.finish() {
            try state.emit(entry, into: sink)
        }
        sink.progress(bytesRead: lines.bytesRead)
    }

    /// Turns parsed entries into units, settling the target language at the first one (the
    /// header, when there is one, comes first).
    private struct EmitState {
        let reader: POReader
        let file: String
        var entries = 0
        var headerLanguage: (tag: LanguageTag, line: Int)?
        var target: LanguageTag?

        init(reader: POReader, file: String) {
            self.reader = reader
            self.file = file
        }

        mutating func emit(_ entry: POEntry, into sink: UnitSink) throws {
            entries += 1
            if entry.id.isEmpty, entry.context == nil {
                if entries == 1 { try readHeader(entry) }
                return
            }
            if entry.fuzzy {
                sink.skip("fuzzy")
                return
            }
            var pairs: [(source: String, target: String, plural: String?)] = []
            if let plural = entry.idPlural {
                for (index, source) in [entry.id, plural].enumerated() {
                    if let translation = entry.strings[index], !ReaderSupport.isBlank(translation), !ReaderSupport.isBlank(source) {
                        pairs.append((source, translation, String(index)))
                    }
                }
            } else if let translation = entry.strings[0], !ReaderSupport.isBlank(translation), !ReaderSupport.isBlank(entry.id) {
                pairs.append((entry.id, translation, nil))
            }
            guard !pairs.isEmpty else {
                sink.skip("untranslated")
                return
            }
            let targetTag = try resolveTarget()
            // An entry with plural forms makes two units, which nothing else ties: they share a
            // document named after the entry's line. A single unit needs no document row.
            let own = pairs.count > 1 ? "entry@\(entry.line)" : CorpusUnit.ownDocument
            let document: String
            switch reader.documents {
            case .file: document = ""
            case .context: document = entry.context.map { "msgctxt=\($0)" } ?? own
            default: document = own
            }
            for pair in pairs {
                var metadata: [String: String] = [:]
                if let context = entry.context { metadata["msgctxt"] = context }
                if let plural = pair.plural { metadata["plural"] = plural }
                try sink.add(CorpusUnit(document: document, texts: [.init(lang: reader.sourceLanguage, text: pair.source),
                                                .init(lang: targetTag, text: pair.target)],
                                        metadata: metadata, location: SourceLocation(file: file, line: entry.line)))
            }
        }

        private mutating func readHeader(_ entry: POEntry) throws {
            guard let header = entry.strings[0] else { return }
            for field in header.split(separator: "\n") {
                guard let colon = field.firstIndex(of: ":"),
                      field[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "language" else { continue }
                let value = field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else { return }
                guard let tag = LanguageNames.tag(value) else {
                    throw HeldoutError.badInput(SourceLocation(file: file, line: entry.line, column: 1),
                                                "header: Language: \(value) is not a language tag")
                }
                headerLanguage = (tag, entry.line)
                return
            }
        }

        private mutating func resolveTarget() throws -> LanguageTag {
            if let target { return target }
            var resolved = reader.requestedTarget?.tag
            if let fromName = reader.fileNameTarget {
                resolved = resolved.map { $0.reconciled(with: fromName) ?? $0 } ?? fromName
            }
            if let header = headerLanguage {
                if let current = resolved {
                    guard let merged = current.reconciled(with: header.tag) else {
                        let other = reader.requestedTarget.map { "\($0.option)" }
                            ?? "the file name \(URL(fileURLWithPath: file).lastPathComponent)"
                        throw HeldoutError.badInput(SourceLocation(file: file, line: header.line, column: 1),
                                                    "header Language: \(header.tag) contradicts \(other)")
                    }
                    resolved = merged
                } else {
                    resolved = header.tag
                }
            }
            guard let resolved else {
                throw HeldoutError.usage("\(file): cannot tell the target language (no Language: header); pass --pair en-fr or --lang fr, or name the file fr.po")
            }
            target = resolved
            return resolved
        }
    }
}

/// One PO entry as parsed.
struct POEntry {
    /// The line of the entry's `msgid` (or its first keyword).
    var line = 0
    var context: String?
    var id = ""
    var idPlural: String?
    /// `msgstr` is index 0; `msgstr[n]` is n.
    var strings: [Int: String] = [:]
    var fuzzy = false
}

/// A line-at-a-time PO parser: ``feed(_:)`` returns the previous entry when a line starts the
/// next one; ``finish()`` returns the last.
struct POParser {
    private enum Field: Equatable { case context, id, idPlural, string(Int) }

    let file: String
    private var entry = POEntry()
    private var sawID = false
    private var sawContext = false
    /// The keyword whose string is being read; continuation lines (`"…"`) append to it.
    private var current: Field?
    /// Bytes of that string (escapes decode to bytes; checked as UTF-8 when it ends).
    private var value: [UInt8] = []
    private var valueLine = 0
    /// A `#, fuzzy` line was read for the entry that has not started yet.
    private var pendingFuzzy = false

    /// The segment limit: a string growing past it over continuation lines fails the file
    /// where it starts, before memory grows with it.
    let maxValueBytes: Int

    init(file: String, maxValueBytes: Int = .max) {
        self.file = file
        self.maxValueBytes = maxValueBytes
    }

    mutating func feed(_ line: LineReader.Line) throws -> POEntry? {
        var text = line.text
        return try text.withUTF8 { buffer -> POEntry? in
            var index = 0
            while index < buffer.count, buffer[index] == 0x20 || buffer[index] == 0x09 { index += 1 }
            guard index < buffer.count else {
                try closeValue() // a blank line ends a string; a "…" after it has no keyword
                return nil
            }
            if buffer[index] == UInt8(ascii: "#") {
                // `#~` obsolete entries are ignored whole.
                if index + 1 < buffer.count, buffer[index + 1] == UInt8(ascii: "~") { return nil }
                try closeValue()
                var finished: POEntry?
                if !entry.strings.isEmpty {
                    finished = try finishIfComplete()
                } else if sawID || sawContext {
                    throw location(line, index, "comment inside an entry (before its msgstr)")
                }
                if index + 1 < buffer.count, buffer[index + 1] == UInt8(ascii: ",") {
                    let flags = String(decoding: UnsafeBufferPointer(rebasing: buffer[(index + 2)...]), as: UTF8.self)
                    if flags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "fuzzy" }) {
                        pendingFuzzy = true
                    }
                }
                return finished
            }
            if buffer[index] == UInt8(ascii: "\"") {
                guard current != nil else {
                    throw location(line, index, "a string with no keyword before it (msgid, msgstr, …)")
                }
                try appendStrings(buffer, from: index, line: line)
                try checkLength()
                return nil
            }
            var end = index
            while end < buffer.count, buffer[end] != 0x20, buffer[end] != 0x09, buffer[end] != UInt8(ascii: "\"") { end += 1 }
            let keyword = String(decoding: UnsafeBufferPointer(rebasing: buffer[index..<end]), as: UTF8.self)
            let field: Field
            switch keyword {
            case "msgctxt": field = .context
            case "msgid": field = .id
            case "msgid_plural": field = .idPlural
            case "msgstr": field = .string(0)
            default:
                if keyword.hasPrefix("msgstr["), keyword.hasSuffix("]"),
                   let n = Int(keyword.dropFirst(7).dropLast()), (0..<64).contains(n) {
                    field = .string(n)
                } else {
                    throw location(line, index, "unknown keyword \"\(keyword.prefix(40))\"; expected msgctxt, msgid, msgid_plural, msgstr or msgstr[n]")
                }
            }
            try closeValue()
            var finished: POEntry?
            switch field {
            case .context, .id:
                if !entry.strings.isEmpty {
                    finished = try finishIfComplete()
                } else if sawID {
                    throw location(line, index, "the msgid on line \(entry.line) has no msgstr")
                } else if field == .context, sawContext {
                    throw location(line, index, "msgctxt twice in one entry")
                }
            case .idPlural:
                guard sawID, entry.strings.isEmpty, entry.idPlural == nil else {
                    throw location(line, index, "msgid_plural must follow a msgid, once")
                }
            case let .string(n):
                guard sawID else { throw location(line, index, "\(keyword) without a msgid") }
                guard entry.strings[n] == nil else { throw location(line, index, "\(keyword) twice in one entry") }
            }
            if !sawID, !sawContext {
                entry.fuzzy = pendingFuzzy
                pendingFuzzy = false
                entry.line = line.number
            }
            if field == .id {
                sawID = true
                entry.line = line.number
            }
            if field == .context { sawContext = true }
            current = field
            valueLine = line.number
            var after = end
            while after < buffer.count, buffer[after] == 0x20 || buffer[after] == 0x09 { after += 1 }
            guard after < buffer.count, buffer[after] == UInt8(ascii: "\"") else {
                throw location(line, after, "\(keyword) needs a quoted string")
            }
            try appendStrings(buffer, from: after, line: line)
            try checkLength()
            return finished
        }
    }

    /// The last entry, at the end of the file.
    mutating func finish() throws -> POEntry? {
        try closeValue()
        return try finishIfComplete()
    }

    /// Ends the entry being read; one cut short (no msgid, no msgstr) is an error.
    private mutating func finishIfComplete() throws -> POEntry? {
        guard sawID || sawContext else { return nil }
        guard sawID, !entry.strings.isEmpty else {
            throw HeldoutError.badInput(SourceLocation(file: file, line: entry.line, column: 1),
                                        sawID ? "msgid without a msgstr" : "msgctxt without a msgid")
        }
        if entry.idPlural != nil, entry.strings[0] == nil {
            throw HeldoutError.badInput(SourceLocation(file: file, line: entry.line, column: 1),
                                        "plural entry without msgstr[0]")
        }
        let done = entry
        entry = POEntry()
        sawID = false
        sawContext = false
        return done
    }

    private func checkLength() throws {
        if value.count > maxValueBytes {
            throw HeldoutError.badInput(SourceLocation(file: file, line: valueLine, column: 1),
                                        SegmentLimit.message(size: nil, limit: maxValueBytes))
        }
    }

    /// Stores the string of the keyword being read into the entry.
    private mutating func closeValue() throws {
        guard let field = current else { return }
        current = nil
        guard let text = String(validating: value, as: UTF8.self) else {
            throw HeldoutError.badInput(SourceLocation(file: file, line: valueLine, column: 1),
                                        "the escapes in this string do not form UTF-8")
        }
        value.removeAll(keepingCapacity: true)
        switch field {
        case .context: entry.context = text
        case .id: entry.id = text
        case .idPlural: entry.idPlural = text
        case let .string(n): entry.strings[n] = text
        }
    }

    /// Reads the quoted strings from `start` to the end of the line (`"a" "b"` is `ab`).
    private mutating func appendStrings(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, line: LineReader.Line) throws {
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == 0x20 || byte == 0x09 { index += 1; continue }
            guard byte == UInt8(ascii: "\"") else {
                throw location(line, index, "unexpected text after a string; strings are in double quotes")
            }
            index = try scanString(buffer, from: index, line: line)
        }
    }

    /// Decodes the string whose opening quote is at `start` into ``value``; returns the index
    /// after its closing quote.
    private mutating func scanString(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, line: LineReader.Line) throws -> Int {
        var index = start + 1
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") { return index + 1 }
            guard byte == UInt8(ascii: "\\") else {
                value.append(byte)
                index += 1
                continue
            }
            let escape = index
            index += 1
            guard index < buffer.count else { break }
            let code = buffer[index]
            index += 1
            switch code {
            case UInt8(ascii: "n"): value.append(0x0A)
            case UInt8(ascii: "t"): value.append(0x09)
            case UInt8(ascii: "r"): value.append(0x0D)
            case UInt8(ascii: "a"): value.append(0x07)
            case UInt8(ascii: "b"): value.append(0x08)
            case UInt8(ascii: "f"): value.append(0x0C)
            case UInt8(ascii: "v"): value.append(0x0B)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "?"): value.append(code)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var number = UInt32(code - 0x30)
                var digits = 1
                while digits < 3, index < buffer.count, (0x30...0x37).contains(buffer[index]) {
                    number = number * 8 + UInt32(buffer[index] - 0x30)
                    index += 1
                    digits += 1
                }
                guard number <= 0xFF else { throw location(line, escape, "octal escape above \\377") }
                value.append(UInt8(number))
            case UInt8(ascii: "x"):
                var number: UInt32 = 0
                var digits = 0
                while index < buffer.count, let digit = Self.hexValue(buffer[index]) {
                    number = number * 16 + UInt32(digit)
                    index += 1
                    digits += 1
                    if number > 0xFF { throw location(line, escape, "hex escape above \\xFF") }
                }
                guard digits > 0 else { throw location(line, escape, "\\x needs hex digits") }
                value.append(UInt8(number))
            default:
                throw location(line, escape, "unknown escape; PO strings know \\n \\t \\\" \\\\ \\a \\b \\f \\r \\v, octal \\ooo and hex \\xHH")
            }
        }
        throw location(line, start, "string is not closed on its line")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    private func location(_ line: LineReader.Line, _ byte: Int, _ message: String) -> HeldoutError {
        .badInput(SourceLocation(file: file, line: line.number, column: ReaderSupport.column(ofByte: byte, in: line.text)), message)
    }
}
