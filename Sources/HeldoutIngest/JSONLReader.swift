import Foundation
import HeldoutCore

/// Reads JSON Lines: one JSON object per line, its sentences found through a field mapping.
///
/// - `--fields en=source,fr=target` names the field of each language; a dotted path
///   (`translation.en`) reaches into nested objects, as in Hugging Face `datasets` WMT exports.
///   A key that itself contains a dot is found first.
/// - Without `--fields`, the first object decides: `{"translation": {"en": …, "fr": …}}`, or
///   the top-level keys that are language tags (`{"en": …, "fr": …}`).
/// - `domain` feeds the unit's domain and `doc`/`document` its document; every other top-level
///   field is kept as metadata: strings as they are, numbers as written, `true`/`false`, nested
///   objects and arrays as canonical JSON (sorted keys, no spaces); `null` is left out.
///
/// A line that is not JSON is bad input with its line and column. A unit whose mapped field is
/// missing, `null` or not a string is invalid (an error, or a counted skip with
/// `--skip-invalid`); a blank sentence on either side of a pair is skipped as `empty`.
///
/// JSON is parsed by a small parser of its own rather than `JSONSerialization`: it reports the
/// exact column of an error, keeps numbers as written (`1.10` stays `1.10`), tells `true` from
/// `1`, bounds nesting depth, and is faster on millions of small objects.
public struct JSONLReader: CorpusReader {
    public let files: [String]
    let options: IngestOptions
    let selection: LanguageSelection
    let explicitMapping: [FieldMapping]?

    struct FieldMapping {
        var tag: LanguageTag
        var path: String
        /// `path` split at its dots, once rather than on every line.
        var components: [String]

        init(tag: LanguageTag, path: String) {
            self.tag = tag
            self.path = path
            self.components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Checks `--fields` against `--pair`/`--lang` before anything is read.
    public init(file: String, options: IngestOptions) throws {
        self.files = [file]
        self.options = options
        self.selection = try LanguageSelection(options)
        if let fields = options.fields {
            guard !fields.isEmpty else { throw HeldoutError.usage("--fields is empty; e.g. --fields en=source,fr=target") }
            let mapping = fields.map { FieldMapping(tag: LanguageNames.canonical($0.lang), path: $0.field) }
            var seen: Set<String> = []
            for entry in mapping where !seen.insert(entry.tag.value).inserted {
                throw HeldoutError.usage("--fields maps \(entry.tag) twice")
            }
            switch selection.choose(from: mapping.map(\.tag), exact: true) {
            case let .success(chosen):
                explicitMapping = chosen.map { FieldMapping(tag: $0.tag, path: mapping[$0.index].path) }
            case let .failure(mismatch):
                throw HeldoutError.usage(mismatch.message)
            }
        } else {
            explicitMapping = nil
        }
    }

    public func read(into sink: UnitSink) throws {
        let file = files[0]
        let lines = try LineReader(path: file, maxLineBytes: options.maxLineBytes)
        var mapping = explicitMapping
        var ticker = ProgressTicker()
        var sawLine = false
        while let line = try lines.next() {
            sawLine = true
            ticker.tick(sink, lines.bytesRead)
            if ReaderSupport.isBlank(line.text) {
                sink.skip("empty")
                continue
            }
            let object = try parseObject(line, file: file)
            if mapping == nil {
                mapping = try inferMapping(from: object, line: line.number, file: file)
            }
            try convert(object, mapping: mapping ?? [], line: line, file: file, into: sink)
        }
        guard sawLine else { throw HeldoutError.badInput(SourceLocation(file: file), "file is empty") }
        sink.progress(bytesRead: lines.bytesRead)
    }

    private func parseObject(_ line: LineReader.Line, file: String) throws -> [(key: String, value: JSONValue)] {
        var text = line.text
        let parsed: Result<JSONValue, JSONSyntaxError> = text.withUTF8 { buffer in
            var parser = JSONParser(buffer)
            do { return .success(try parser.parseDocument()) } catch let error as JSONSyntaxError {
                return .failure(error)
            } catch {
                return .failure(JSONSyntaxError(offset: 0, message: "\(error)"))
            }
        }
        switch parsed {
        case let .success(.object(members)):
            return members
        case let .success(other):
            throw HeldoutError.badInput(SourceLocation(file: file, line: line.number, column: 1),
                                        "each line must be a JSON object; this one is \(other.kind)")
        case let .failure(error):
            throw HeldoutError.badInput(
                SourceLocation(file: file, line: line.number, column: ReaderSupport.column(ofByte: error.offset, in: line.text)),
                "invalid JSON: \(error.message)")
        }
    }

    /// The mapping the first object implies when `--fields` is not given.
    private func inferMapping(from object: [(key: String, value: JSONValue)], line: Int, file: String) throws -> [FieldMapping] {
        var declared: [FieldMapping] = []
        if case let .object(inner)? = JSONValue.lookup("translation", in: object) {
            for (key, value) in inner {
                guard case .language(let tag) = ColumnMapping.role(of: key), case .string = value else {
                    declared.removeAll()
                    break
                }
                declared.append(FieldMapping(tag: tag, path: "translation.\(key)"))
            }
        }
        if declared.isEmpty {
            for (key, value) in object {
                if case .language(let tag) = ColumnMapping.role(of: key), case .string = value {
                    declared.append(FieldMapping(tag: tag, path: key))
                }
            }
        }
        guard !declared.isEmpty else {
            throw HeldoutError.usage("\(file):\(line): cannot tell which fields hold sentences (no language-tag keys, no \"translation\" object); pass --fields, e.g. --fields en=source,fr=target (dotted paths such as translation.en reach into objects)")
        }
        switch selection.choose(from: declared.map(\.tag), exact: false) {
        case let .success(chosen):
            return chosen.map { FieldMapping(tag: $0.tag, path: declared[$0.index].path) }
        case let .failure(mismatch):
            throw HeldoutError.badInput(SourceLocation(file: file, line: line, column: 1), mismatch.message)
        }
    }

    private func convert(_ object: [(key: String, value: JSONValue)], mapping: [FieldMapping],
                         line: LineReader.Line, file: String, into sink: UnitSink) throws {
        let location = SourceLocation(file: file, line: line.number, column: 1)
        var texts: [CorpusUnit.Text] = []
        var consumed: [String] = [] // a few keys at most: a scan beats hashing
        for field in mapping {
            let found = JSONValue.lookup(path: field.path, components: field.components, in: object)
            consumed.append(found.topLevelKey)
            switch found.value {
            case let .string(text)?:
                if !ReaderSupport.isBlank(text) { texts.append(.init(lang: field.tag, text: text)) }
            case nil, .null?:
                try ReaderSupport.invalid(.badInput(location, "no field \"\(field.path)\" (the \(field.tag) sentence)"),
                                          sink: sink, options: options)
                return
            case let other?:
                try ReaderSupport.invalid(.badInput(location, "field \"\(field.path)\" (the \(field.tag) sentence) is \(other.kind), not a string"),
                                          sink: sink, options: options)
                return
            }
        }
        if texts.isEmpty || (mapping.count > 1 && texts.count < 2) {
            sink.skip("empty")
            return
        }
        var unit = CorpusUnit(texts: texts, location: SourceLocation(file: file, line: line.number))
        for (key, value) in object where !consumed.contains(key) {
            switch key {
            case "domain":
                unit.domain = value.metadataText.flatMap { $0.isEmpty ? nil : $0 }
            case "doc", "document":
                unit.document = value.metadataText ?? ""
            default:
                if let text = value.metadataText { unit.metadata[key] = text }
            }
        }
        unit.labels = LabelColumns.values(options.labels, byName: unit.metadata, fields: nil)
        try sink.add(unit)
    }
}

// MARK: - JSON

/// A JSON value as read from one line. Numbers keep their literal text; object members keep
/// their order (a repeated key: the last one counts, as in most parsers).
///
/// Not `indirect`: arrays already hold their elements on the heap, and boxing every string
/// and number would cost an allocation each.
enum JSONValue {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// How the value is kept in unit metadata; `nil` for `null`.
    var metadataText: String? {
        switch self {
        case .null: return nil
        case let .bool(value): return value ? "true" : "false"
        case let .number(literal): return literal
        case let .string(text): return text
        case .array, .object:
            var out = ""
            writeCanonical(to: &out)
            return out
        }
    }

    static func lookup(_ key: String, in object: [(key: String, value: JSONValue)]) -> JSONValue? {
        object.last(where: { $0.key == key })?.value
    }

    /// Finds `path` in `object`: the key itself, else its dot-separated `components`.
    static func lookup(path: String, components: [String],
                       in object: [(key: String, value: JSONValue)]) -> (value: JSONValue?, topLevelKey: String) {
        if let value = lookup(path, in: object) { return (value, path) }
        let top = components.first ?? path
        guard components.count > 1, var current = lookup(top, in: object) else { return (nil, top) }
        for component in components.dropFirst() {
            guard case let .object(members) = current, let next = lookup(component, in: members) else { return (nil, top) }
            current = next
        }
        return (current, top)
    }

    /// Canonical JSON: object keys sorted by their UTF-8 bytes (the last of repeated keys kept),
    /// no insignificant whitespace, numbers as written, the escapes `JSONEncoder` uses.
    func writeCanonical(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(value): out += value ? "true" : "false"
        case let .number(literal): out += literal
        case let .string(text): Self.writeString(text, to: &out)
        case let .array(values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.writeCanonical(to: &out)
            }
            out += "]"
        case let .object(members):
            var latest: [String: JSONValue] = [:]
            for (key, value) in members { latest[key] = value }
            let keys = latest.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            out += "{"
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                latest[key]?.writeCanonical(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

struct JSONSyntaxError: Error {
    /// Byte offset in the line.
    var offset: Int
    var message: String
}

/// RFC 8259 over the UTF-8 bytes of one line (already validated as UTF-8 by ``LineReader``).
struct JSONParser {
    /// Deeper nesting is refused: recursion on a 1 MiB line of `[` would overflow the stack.
    static let maxDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected text after the JSON value") }
        return value
    }

    private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? index, message: message)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of line; the JSON value is incomplete") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character; expected a JSON value")
        }
    }

    private mutating func literal(_ word: String) throws {
        let expected = word.utf8
        guard index + expected.count <= bytes.count,
              bytes[index..<(index + expected.count)].elementsEqual(expected) else {
            throw error("unexpected text; expected \(word)")
        }
        index += expected.count
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw error("nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(index < bytes.count ? "expected a string key" : "unexpected end of line inside an object")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after the key") }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of line inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of line inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { throw error("a number needs digits") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            _ = digits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("a number needs digits after '.'") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// Parses a string at `index` (which holds its opening quote). The common case, a string
    /// without escapes, is one copy of its bytes.
    private mutating func parseString() throws -> String {
        let open = index
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string; write it as an escape (\\n, \\t, \\u0001)") }
            index += 1
        }
        guard index < bytes.count else { throw error("string is not closed before the end of the line", at: open) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in a string; write it as an escape (\\n, \\t, \\u0001)") }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                index += 1
                continue
            }
            let escape = index
            index += 1
            guard index < bytes.count else { break }
            switch bytes[index] {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var value = try hex4(at: index + 1, escape: escape)
                index += 4
                if (0xD800...0xDBFF).contains(value) {
                    let unpaired = error("unpaired surrogate \\u\(String(value, radix: 16, uppercase: true)); text cannot hold it", at: escape)
                    guard index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\"), bytes[index + 2] == UInt8(ascii: "u") else {
                        throw unpaired
                    }
                    let low = try hex4(at: index + 3, escape: index + 1)
                    guard (0xDC00...0xDFFF).contains(low) else { throw unpaired }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xDC00...0xDFFF).contains(value) {
                    throw error("unpaired surrogate \\u\(String(value, radix: 16, uppercase: true)); text cannot hold it", at: escape)
                }
                guard let scalar = Unicode.Scalar(value) else { throw error("invalid \\u escape", at: escape) }
                UTF8.encode(scalar) { scratch.append($0) }
            default:
                throw error("unknown escape; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", at: escape)
            }
            index += 1
        }
        throw error("string is not closed before the end of the line", at: open)
    }

    private func hex4(at offset: Int, escape: Int) throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("\\u needs four hex digits", at: escape) }
        var value: UInt32 = 0
        for byte in bytes[offset..<(offset + 4)] {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw error("\\u needs four hex digits", at: escape)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
