internal import CLibXML2
import Foundation
import HeldoutCore

/// What a streaming XML reader stands on. Only the kinds the corpus readers act on are told apart.
enum XMLNodeKind: Equatable {
    case startElement
    case endElement
    /// Text, CDATA and whitespace: all of it is content inside a segment.
    case text
    /// `&name;` for an entity declared in a DOCTYPE. Never expanded (see ``XMLStreamReader``).
    case entityReference
    case other
}

/// A small safe wrapper over libxml2's `xmlTextReader`: one pass, constant memory, no network,
/// no external entities, and every parser error turned into ``HeldoutError/badInput(_:_:)``
/// with the file, line and column libxml2 reported.
///
/// Safety, as measured on libxml2 2.9.14 (XMLReaderTests holds each case): the parser never gets `XML_PARSE_NOENT` (which
/// expands entities, external ones included), `XML_PARSE_DTDLOAD` (which loads external DTDs) or
/// `XML_PARSE_HUGE` (which lifts the entity-amplification limits that refuse a billion-laughs
/// bomb in milliseconds), and the process-wide external entity loader is one that loads nothing.
/// Entity references that remain in content surface as ``XMLNodeKind/entityReference`` and the
/// corpus readers refuse them, so no text is ever silently lost or replaced.
///
/// Speed: names are compared as pointers into the parser's name dictionary (see ``NameTable``),
/// text and attribute values are borrowed from libxml2 without copying, so the hot loop allocates
/// one `String` per segment and little else.
///
/// Not thread-safe; one instance per file and thread.
final class XMLStreamReader {
    let path: String
    private let reader: xmlTextReaderPtr
    private let errors = ErrorCapture()
    @exclusivity(unchecked) private(set) var sawElement = false

    /// NONET: no network even if a loader were to ask. BIG_LINES: line numbers past 65535 in
    /// messages. COMPACT: short text nodes stored inline (fewer allocations).
    /// Never NOENT, DTDLOAD or HUGE (see the type's documentation).
    private static let parseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue
                                            | XML_PARSE_COMPACT.rawValue)

    /// Process-wide libxml2 set-up, done once before the first parser exists.
    private static let setUp: Void = {
        xmlInitParser()
        heldout_blockExternalEntities()
    }()

    /// Opens `path`. A missing, unreadable or empty file is bad input here, before libxml2
    /// gets to say something vaguer about it.
    init(path: String) throws {
        _ = XMLStreamReader.setUp
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        if size == 0 {
            throw HeldoutError.badInput(SourceLocation(file: path, line: 1, column: 1),
                                        "file is empty; expected an XML document")
        }
        // Before the reader exists: creating it already converts the first chunk of a UTF-16 file.
        threadErrors = ErrorCapture.forThisThread()
        threadErrors.reset()
        guard let reader = xmlReaderForFile(path, nil, XMLStreamReader.parseOptions) else {
            throw HeldoutError.badInput(SourceLocation(file: path), "the XML parser cannot open this file")
        }
        self.reader = reader
        // The handler only records; the error is thrown from `next()` on this thread.
        xmlTextReaderSetStructuredErrorHandler(reader, ErrorCapture.handler, errors.context)
    }

    /// Errors libxml2 raises outside the parser (its encoding and I/O layers: broken UTF-16,
    /// an iconv failure) reach no reader's handler; they go to this thread's channel instead of
    /// being printed on stderr.
    private let threadErrors: ErrorCapture

    deinit {
        xmlFreeTextReader(reader)
    }

    /// Moves to the next node; `nil` at the end of the document.
    ///
    /// Throws on the first error libxml2 reports at error level or above (fatal well-formedness
    /// errors, and also namespace errors, which libxml2 reports without stopping), and when
    /// `xmlTextReaderRead` returns -1 without a report.
    @inline(__always)
    func next() throws -> XMLNodeKind? {
        let status = xmlTextReaderRead(reader)
        if status < 0 || errors.first != nil { throw parseError() }
        guard status == 1 else {
            if !sawElement {
                throw HeldoutError.badInput(SourceLocation(file: path, line: 1, column: 1),
                                            "no XML element in this file")
            }
            return nil
        }
        // The tree node's own type, not xmlTextReaderNodeType: for text nodes that one tells
        // whitespace from significant whitespace by walking the ancestors for xml:space, on every
        // text node; all three kinds are text here.
        guard let node = xmlTextReaderCurrentNode(reader) else { return .other }
        switch node.pointee.type.rawValue {
        case XML_TEXT_NODE.rawValue, XML_CDATA_SECTION_NODE.rawValue:
            return .text
        case XML_ELEMENT_NODE.rawValue:
            if xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_END_ELEMENT.rawValue) { return .endElement }
            sawElement = true
            return .startElement
        case XML_ENTITY_REF_NODE.rawValue:
            return .entityReference
        default:
            return .other
        }
    }

    /// Is the current element written `<x/>`? Such an element gets no ``XMLNodeKind/endElement``.
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// The local name of the current node, borrowed from the parser's dictionary; valid while
    /// the reader lives. Compare it with ``NameTable/lookup(_:)``.
    var localNamePointer: UnsafePointer<UInt8>? { xmlTextReaderConstLocalName(reader) }

    /// The namespace prefix of the current node (`xml` for `xml:lang` while an attribute is
    /// visited by ``forEachAttribute(_:)``), or `nil` without one.
    var prefixPointer: UnsafePointer<UInt8>? { xmlTextReaderConstPrefix(reader) }

    /// The local name as a `String`, for messages.
    var localName: String {
        localNamePointer.map { String(cString: $0) } ?? ""
    }

    /// The namespace URI of the current node, interned in the parser's dictionary (so two equal
    /// URIs are the same pointer), or `nil`.
    var namespaceURIPointer: UnsafePointer<UInt8>? { xmlTextReaderConstNamespaceUri(reader) }

    /// Interns `name` in this parser's dictionary, so that element names can be compared by pointer.
    func intern(_ name: String) -> UnsafePointer<UInt8>? {
        xmlTextReaderConstString(reader, name)
    }

    /// Appends the current text node's value (UTF-8, as libxml2 decoded it) to `buffer`.
    @inline(__always)
    func appendValue(to buffer: inout [UInt8]) {
        guard let value = xmlTextReaderConstValue(reader) else { return }
        buffer.append(contentsOf: UnsafeBufferPointer(start: value, count: strlen(value)))
    }

    /// Visits the current element's attributes (namespace declarations left out). Names and
    /// values are borrowed from libxml2 and valid only during the call.
    func forEachAttribute(_ body: (_ localName: UnsafePointer<UInt8>, _ value: UnsafePointer<UInt8>) throws -> Void) rethrows {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return }
        defer { xmlTextReaderMoveToElement(reader) }
        var status = xmlTextReaderMoveToFirstAttribute(reader)
        while status == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) != 1,
               let name = xmlTextReaderConstLocalName(reader), let value = xmlTextReaderConstValue(reader) {
                try body(name, value)
            }
            status = xmlTextReaderMoveToNextAttribute(reader)
        }
    }

    /// The value of the attribute named `qualifiedName` (`xml:lang` works) as a `String`.
    /// Allocates; for attributes read once per element, not per text node.
    func attribute(_ qualifiedName: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, qualifiedName) else { return nil }
        defer { heldout_xmlFree(value) }
        return String(cString: value)
    }

    /// Reads past the end of the current element, so that nothing inside it is seen.
    func skipSubtree() throws {
        guard !isEmptyElement, xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) else { return }
        let depth = xmlTextReaderDepth(reader)
        while let kind = try next() {
            if kind == .endElement, xmlTextReaderDepth(reader) == depth { return }
        }
    }

    /// The line of the current node. Exact below line 65535; beyond it libxml2 only knows an
    /// element's line once its children are parsed, so the parser's own line is used, which can
    /// be a few lines ahead (it parses in 512-byte chunks).
    var line: Int {
        if let node = xmlTextReaderCurrentNode(reader) {
            let nodeLine = Int(xmlGetLineNo(node))
            if nodeLine > 0, nodeLine < 65535 { return nodeLine }
        }
        return max(1, Int(xmlTextReaderGetParserLineNumber(reader)))
    }

    /// Bytes of the file the parser has consumed, for progress reports.
    var bytesConsumed: Int64 { Int64(xmlTextReaderByteConsumed(reader)) }

    /// A bad-input error about something the corpus reader found (not libxml2) at `line`.
    /// The column is that of `needle` (an attribute value, `<tag`) on that line or shortly
    /// before it, looked up in the file only now that there is an error to report.
    func problem(_ message: String, line: Int, near needle: String? = nil) -> HeldoutError {
        .badInput(SourceColumn.locate(needle, in: path, nearLine: line), message)
    }

    /// The error for an entity reference left in content: no DTD is read and no external
    /// entity loaded, so its text is unknown (and guessing would invent a sentence).
    func unexpandedEntity() -> HeldoutError {
        let entity = localName
        return problem("entity reference &\(entity); is not expanded: heldout reads no DTD and loads no external entity; replace it with the text it stands for",
                       line: line, near: "&\(entity);")
    }

    /// Refuses a file whose root element is not `expected` (`tmx`): most often a format guessed
    /// or given wrong, so the message says how to name the right one.
    func requireRoot(_ matches: Bool, expected: String, format: String) throws {
        guard matches else {
            throw problem("the root element is <\(localName)>, not <\(expected)>; is this \(format)? (pass --format to say what it is)",
                          line: line, near: "<\(localName)")
        }
    }

    /// A bad unit (or link): thrown, or with `--skip-invalid` counted as skipped ("invalid").
    func settle(_ problem: UnitProblem, skipInvalid: Bool, sink: UnitSink, units: String = "units") throws {
        guard skipInvalid else {
            throw self.problem("\(problem.message) (pass --skip-invalid to skip such \(units))", line: problem.line, near: problem.needle)
        }
        sink.skip("invalid")
    }

    private func parseError() -> HeldoutError {
        let parserLine = max(Int(xmlTextReaderGetParserLineNumber(reader)), 1)
        let parserColumn = max(Int(xmlTextReaderGetParserColumnNumber(reader)), 1)
        guard var failure = errors.first ?? threadErrors.first else {
            return .badInput(SourceLocation(file: path, line: parserLine, column: parserColumn),
                             "malformed XML (the parser stopped here)")
        }
        if failure.line <= 0 { // raised outside the parser: where the parser had got to
            failure.line = parserLine
            failure.column = parserColumn
        }
        var message = failure.message
        if !sawElement, [XML_ERR_DOCUMENT_EMPTY.rawValue, XML_ERR_DOCUMENT_END.rawValue].contains(UInt32(failure.code)) {
            return .badInput(SourceLocation(file: path, line: max(failure.line, 1), column: failure.column),
                             "no XML element in this file (is it blank?); expected an XML document")
        }
        // libxml2 words running out of input a dozen ways ("expected '>'", "Premature end of
        // data", "Extra content"); what they share is where they happen.
        if failure.isStructural, let last = SourceColumn.lastLine(of: path), failure.line >= last {
            message += " (this is the end of the file: is it truncated?)"
        }
        return .badInput(SourceLocation(file: path, line: max(failure.line, 1), column: failure.column), message)
    }
}

/// The first libxml2 error of a parse, kept until `next()` can throw it.
///
/// libxml2 is handed the capture's ``token``, never its address. libxml2 keeps the context it is
/// given past the capture's life: a thread's structured error function stays installed after the
/// reader that set it is gone, and the state of libxml2's first thread is process-wide and
/// outlives that thread (and its thread dictionary, which held the capture). An error raised
/// through such a context must be dropped, not written into freed memory; a CI run crashed on
/// exactly that write (a tag-mismatch failure in a block the test runner had reused).
final class ErrorCapture {
    struct Failure {
        var message: String
        var line: Int
        var column: Int?
        /// Not an encoding or entity problem: a tag, a name, a missing delimiter.
        var isStructural: Bool
        var code: Int32
    }

    private(set) var first: Failure?

    /// This capture's name in ``live``; never reused, so a stale token finds nothing.
    let token: UInt
    /// What libxml2 is given as the handler's context.
    var context: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: token) }

    private struct Weak { weak var capture: ErrorCapture? }
    private static let registry = NSLock()
    nonisolated(unsafe) private static var live: [UInt: Weak] = [:]
    nonisolated(unsafe) private static var lastToken: UInt = 0
    nonisolated(unsafe) private static var droppedCount = 0

    init() {
        Self.registry.lock()
        defer { Self.registry.unlock() }
        Self.lastToken += 1
        token = Self.lastToken
        Self.live[token] = Weak(capture: self)
    }

    deinit {
        Self.registry.lock()
        Self.live[token] = nil
        Self.registry.unlock()
    }

    /// Errors that arrived through a context whose capture was gone.
    static var dropped: Int {
        registry.lock()
        defer { registry.unlock() }
        return droppedCount
    }

    func reset() { first = nil }

    /// Records into the live capture the context names; drops the error if there is none.
    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let error else { return }
        registry.lock()
        let capture = live[UInt(bitPattern: context)]?.capture
        if capture == nil { droppedCount += 1 }
        registry.unlock()
        capture?.record(error.pointee)
    }

    /// The capture libxml2's thread-wide structured error function writes to on this thread,
    /// installed again for every reader: libxml2 keeps that function per thread, and other code
    /// on the thread (Foundation's XMLParser, for one) sets its own in between. The thread's
    /// dictionary keeps the capture alive as long as the thread; libxml2 may keep its token longer.
    static func forThisThread() -> ErrorCapture {
        let key = "heldout.libxml2.errors"
        let dictionary = Thread.current.threadDictionary
        let capture = dictionary[key] as? ErrorCapture ?? ErrorCapture()
        dictionary[key] = capture
        xmlSetStructuredErrorFunc(capture.context, handler)
        return capture
    }

    func record(_ error: xmlError) {
        guard first == nil, error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let raw = error.message.map { String(cString: $0) } ?? "unknown XML error"
        // libxml2 messages end in a newline and some span two lines ("Bytes: 0xE9 …"): one line.
        let text = raw.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        let hint = text.contains("CharRef") ? ErrorCapture.charRefHint
            : text.contains("conversion failed") || text.contains("encoder error") ? ErrorCapture.conversionHint
            : ErrorCapture.hint(code: error.code)
        first = Failure(message: "malformed XML: \(text)\(hint)",
                        line: Int(error.line), column: error.int2 > 0 ? Int(error.int2) : nil, isStructural: hint.isEmpty,
                        code: error.code)
    }

    static let conversionHint = " (the bytes do not match the file's encoding (its byte-order mark or <?xml … encoding=\"…\"?>); convert it to UTF-8)"
    static let charRefHint = " (a character reference to a character XML forbids, such as a control character)"

    /// What the user can do about the commonest failures.
    private static func hint(code: Int32) -> String {
        switch UInt32(code) {
        case XML_ERR_INVALID_CHAR.rawValue, XML_ERR_INVALID_ENCODING.rawValue:
            " (the file is not valid UTF-8 or has a character XML forbids; if it is another encoding, declare it in <?xml … encoding=\"…\"?> or convert it: iconv -f LATIN1 -t UTF-8)"
        case XML_ERR_INVALID_CHARREF.rawValue:
            charRefHint
        case XML_ERR_ENTITY_LOOP.rawValue:
            " (entity expansion refused: heldout does not expand recursive or amplifying entities)"
        case XML_ERR_UNDECLARED_ENTITY.rawValue:
            " (heldout reads no external DTD, so only the five predefined entities and character references are known)"
        case XML_ERR_UNKNOWN_ENCODING.rawValue, XML_ERR_UNSUPPORTED_ENCODING.rawValue:
            " (convert the file to UTF-8)"
        default:
            ""
        }
    }
}

/// Element names of one format, interned in one parser's dictionary so that the hot loop
/// compares pointers, not strings. libxml2's reader interns every element and attribute name
/// in that dictionary; a byte comparison backs the pointer one up should a name ever come
/// from elsewhere.
/// What is wrong with the unit being read, and where: reported when the unit ends (see
/// ``XMLStreamReader/settle(_:skipInvalid:sink:units:)``).
struct UnitProblem {
    var message: String
    var line: Int
    var needle: String?
}

struct NameTable<Name: RawRepresentable & CaseIterable> where Name.RawValue == String {
    private let entries: [(pointer: UnsafePointer<UInt8>?, bytes: [CChar], name: Name)]

    init(_ reader: XMLStreamReader) {
        entries = Name.allCases.map { name in (reader.intern(name.rawValue), Array(name.rawValue.utf8CString), name) }
    }

    @inline(__always)
    func lookup(_ pointer: UnsafePointer<UInt8>?) -> Name? {
        guard let pointer else { return nil }
        for entry in entries where entry.pointer == pointer { return entry.name }
        return pointer.withMemoryRebound(to: CChar.self, capacity: 1) { cName in
            entries.first(where: { strcmp($0.bytes, cName) == 0 })?.name
        }
    }
}

/// Language tags as a file spells them (`EN-us`, `fr_CA`), parsed once per distinct spelling.
///
/// A TMX of a million units has two or three distinct spellings; parsing `LanguageTag` from a
/// `String` for every `tuv` would cost more than the XML parse itself.
struct LanguageCache {
    private var entries: [(raw: [UInt8], tag: LanguageTag?)] = []
    private static let capacity = 64

    /// The tag for the NUL-terminated `raw`, and whether this spelling is new (so the caller
    /// checks it against `--pair` only once).
    mutating func tag(for raw: UnsafePointer<UInt8>) -> (tag: LanguageTag?, isNew: Bool) {
        let count = strlen(raw)
        for entry in entries where entry.raw.count == count && memcmp(entry.raw, raw, count) == 0 {
            return (entry.tag, false)
        }
        let bytes = Array(UnsafeBufferPointer(start: raw, count: count))
        let tag = LanguageTag(String(decoding: bytes, as: UTF8.self))
        if entries.count < LanguageCache.capacity { entries.append((bytes, tag)) }
        return (tag, true)
    }
}

/// How `--pair` and `--lang` meet the languages a bilingual XML file declares.
///
/// Pairs are matched on primary language subtags and without direction, as the store forms
/// pairs (`en-US` in the file matches `--pair en-fr`; `--pair fr-en` accepts an en→fr file).
/// A declared language outside the pair is an error, never a guess.
enum DeclaredLanguages {
    /// `--lang` names the language of a monolingual file; these formats are bilingual.
    static func refuseLang(_ options: IngestOptions, format: CorpusFormat) throws {
        if let lang = options.lang {
            throw HeldoutError.usage("--lang \(lang) is for monolingual input, but \(format.rawValue) is bilingual; name its languages with --pair (e.g. --pair en-\(lang.primary == "en" ? "fr" : lang.primary)) or leave them to the file")
        }
    }

    /// Does `declared` fit `pair`?
    static func fits(_ declared: LanguageTag, _ pair: DirectedPair?) -> Bool {
        guard let pair else { return true }
        return declared.primary == pair.source.primary || declared.primary == pair.target.primary
    }

    /// The message for a declared language that `--pair` contradicts.
    static func contradiction(_ declared: LanguageTag, spelled raw: String, where place: String, pair: DirectedPair) -> String {
        "--pair \(pair) contradicts the file: \(place) declares \(raw == declared.value ? declared.value : "\(raw) (\(declared))"); ingest it with the pair the file declares, or without --pair"
    }
}

/// Finds the column of an error the corpus reader (not libxml2) found, by looking for a piece
/// of text on the reported line. Runs only when there is an error to report, so reading the
/// file up to that line again costs nothing on the normal path.
enum SourceColumn {
    /// The location of the first occurrence of `needle` on `line`, or on one of the
    /// `lookBack` lines before it (libxml2 dates an element by the line where its start tag
    /// ends, and beyond line 65535 it may be a few lines ahead). Columns count characters, 1-based.
    /// Falls back to the line alone.
    static func locate(_ needle: String?, in path: String, nearLine line: Int, lookBack: Int = 30) -> SourceLocation {
        let fallback = SourceLocation(file: path, line: line)
        guard let needle, !needle.isEmpty, line > 0, let handle = FileHandle(forReadingAtPath: path) else {
            return fallback
        }
        defer { try? handle.close() }
        let first = max(1, line - lookBack)
        let maxLineBytes = 1 << 20
        var kept: [(number: Int, bytes: [UInt8])] = []
        var current: [UInt8] = []
        var number = 1
        reading: while number <= line, let block = try? handle.read(upToCount: 1 << 20), !block.isEmpty {
            for byte in block {
                if byte == 0x0A {
                    if number >= first { kept.append((number, current)) }
                    current.removeAll(keepingCapacity: true)
                    number += 1
                    if number > line { break reading }
                } else if number >= first, current.count < maxLineBytes {
                    current.append(byte)
                }
            }
        }
        if number <= line, number >= first { kept.append((number, current)) }
        let target = Array(needle.utf8)
        for (number, bytes) in kept.reversed() {
            guard let start = firstIndex(of: target, in: bytes) else { continue }
            // Count characters, not bytes: skip UTF-8 continuation bytes.
            let column = bytes[..<start].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
            return SourceLocation(file: path, line: number, column: column)
        }
        return fallback
    }

    /// The number of the file's last line that holds anything (a final newline does not start
    /// another), or `nil` if the file cannot be read.
    static func lastLine(of path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var newlines = 0
        var last: UInt8 = 0x0A
        while let block = try? handle.read(upToCount: 1 << 20), !block.isEmpty {
            newlines += block.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            last = block[block.index(before: block.endIndex)]
        }
        return last == 0x0A ? max(newlines, 1) : newlines + 1
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Does the buffer hold anything but XML whitespace? Such text is worth storing.
    var hasNonBlank: Bool {
        contains { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
    }
}

/// Copies a NUL-terminated string from libxml2.
@inline(__always)
func xmlString(_ pointer: UnsafePointer<UInt8>) -> String {
    String(cString: pointer)
}
