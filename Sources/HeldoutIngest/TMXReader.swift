import Foundation
import HeldoutCore

/// Reads a TMX translation memory (1.4b, and 1.1 whose `tuv` carries `lang` instead of
/// `xml:lang`), one `<tu>` at a time, in constant memory.
///
/// Each `<tu>` becomes one ``CorpusUnit`` with one text per `<tuv>` (three or more languages are
/// fine).
///
/// - Documents (``DocumentMode``): TMX has no documents of its own, and a whole memory as one
///   document would make a document-level split of it one component. By default (`auto`) a
///   `<tu>` with a `<prop>` typed `x-document`, `x-file` or `x-filename` (any case) belongs to
///   the document it names (`x-document=NAME`), and any other `<tu>` is a document of its own
///   (``CorpusUnit/ownDocument``: no link, no row in the store). `--documents prop:TYPE` takes
///   the document from another prop (e.g. `prop:x-package` for catalogues), `tuid` from the
///   `tuid` (`tuid=ID`; units sharing one share a document), `unit` makes every `<tu>` its own,
///   and `file` the whole file one document.
/// - Languages: TMX 1.4b writes `xml:lang`, TMX 1.1 `lang`; a `<tuv>` with both takes
///   `xml:lang`, the current standard's, in whichever order they are written. A `<tuv>` with
///   neither is a bad unit.
/// - A `<seg>` longer than `--max-segment-bytes` fails the file where the `<seg>` starts.
/// - `<prop type="T">` of a `tu` goes to `metadata["prop:T"]`, `<note>` to `metadata["note"]`
///   (repeated ones joined by a newline); those of a `tuv` are prefixed with its language as
///   written (`fr:prop:T`, `fr:note`). The `tuid` is not kept: it identifies the unit only
///   inside its file, and metadata costs a row per unit in the store.
/// - A prop typed `x-domain`, `domain`, `subject` or `x-subject` (any case) sets the unit's
///   domain; one in the `<header>` is the default for units without their own.
/// - Inline markup in `<seg>`: `bpt`, `ept`, `ph`, `it` and `ut` hold *native code* (the
///   formatting codes of the original document, e.g. `<b>` or `{\\b`), so their content is
///   dropped; `hi` only delimits highlighted text, which is kept. `sub` is dropped too: TMX 1.4b
///   allows it only inside native code, where it holds a *sub-flow* — text that belongs to the
///   code (an image's alt text, a footnote's body), not to the sentence around it — and mixing it
///   into the sentence would make a sentence that was never written. Unknown elements in a
///   `seg` keep their text.
/// - A `tu` whose `tuv`s hold fewer than two non-blank segments is skipped as "untranslated".
///   A `tu` without `tuv`, a `tuv` without `seg` or without a valid language tag is a bad unit:
///   skipped as "invalid" with `--skip-invalid`, otherwise the file fails.
/// - `--pair` must name the languages the file declares (header `srclang` unless `*all*`, every
///   `tuv`), on primary subtags; see ``DeclaredLanguages``.
public struct TMXReader: CorpusReader {
    public let path: String
    public let options: IngestOptions
    public var files: [String] { [path] }

    public init(path: String, options: IngestOptions) throws {
        try DeclaredLanguages.refuseLang(options, format: .tmx)
        self.path = path
        self.options = options
    }

    public func read(into sink: UnitSink) throws {
        try TMXParse(path: path, options: options, sink: sink).run()
    }
}

/// The state of one pass over a TMX file.
private final class TMXParse {
    enum Name: String, CaseIterable {
        case tmx, header, body, tu, tuv, seg, prop, note, lang
        case bpt, ept, ph, it, ut, sub
    }


    /// What text is being collected, and into which key.
    enum Capture {
        case none
        case segment
        case metadata(key: String, isDomain: Bool)
    }

    // The parse runs on one thread, in one call: the runtime exclusivity checks on these
    // properties (a few percent of the whole parse) can never fire, so they are turned off.
    let xml: XMLStreamReader
    let names: NameTable<Name>
    let options: IngestOptions
    let sink: UnitSink
    let documents: DocumentMode
    let maxSegmentBytes: Int
    @exclusivity(unchecked) var languages = LanguageCache()

    @exclusivity(unchecked) var headerDomain: String?
    @exclusivity(unchecked) var inHeader = false
    @exclusivity(unchecked) var units = 0

    // The current unit.
    @exclusivity(unchecked) var inUnit = false
    @exclusivity(unchecked) var unitLine = 0
    @exclusivity(unchecked) var texts: [CorpusUnit.Text] = []
    @exclusivity(unchecked) var tuvCount = 0
    @exclusivity(unchecked) var metadata: [String: String] = [:]
    @exclusivity(unchecked) var domain: String?
    @exclusivity(unchecked) var problem: UnitProblem?

    @exclusivity(unchecked) var tuid: String?

    // The current tuv.
    @exclusivity(unchecked) var inVariant = false
    @exclusivity(unchecked) var variantLang: LanguageTag?
    @exclusivity(unchecked) var variantRawLang = ""
    @exclusivity(unchecked) var variantLine = 0
    @exclusivity(unchecked) var variantHasSegment = false
    /// A TMX 1.1 `lang` seen before any `xml:lang`, copied: it counts only if no `xml:lang` follows.
    @exclusivity(unchecked) var plainLang: [UInt8] = []
    @exclusivity(unchecked) var segmentLine = 0

    // Text being collected.
    @exclusivity(unchecked) var capture = Capture.none
    @exclusivity(unchecked) var buffer: [UInt8] = []
    /// How many native-code elements (`bpt`, `ph`, `sub`, …) enclose the current text in a `seg`.
    @exclusivity(unchecked) var codeDepth = 0

    init(path: String, options: IngestOptions, sink: UnitSink) throws {
        xml = try XMLStreamReader(path: path)
        names = NameTable(xml)
        self.options = options
        self.sink = sink
        documents = try options.documents.resolved(for: .tmx)
        maxSegmentBytes = options.maxSegmentBytes
        buffer.reserveCapacity(4096)
    }

    func run() throws {
        var sawRoot = false
        while let kind = try xml.next() {
            switch kind {
            case .startElement:
                let name = names.lookup(xml.localNamePointer)
                if !sawRoot {
                    sawRoot = true
                    try xml.requireRoot(name == .tmx, expected: "tmx", format: "TMX")
                    continue
                }
                try start(name)
            case .endElement:
                try end(names.lookup(xml.localNamePointer))
            case .text:
                switch capture {
                case .segment where codeDepth == 0:
                    xml.appendValue(to: &buffer)
                    if buffer.count > maxSegmentBytes {
                        throw xml.problem(SegmentLimit.message(size: nil, limit: maxSegmentBytes), line: segmentLine, near: "<seg")
                    }
                case .metadata:
                    xml.appendValue(to: &buffer)
                default:
                    break
                }
            case .entityReference:
                throw xml.unexpandedEntity()
            case .other:
                break
            }
        }
        sink.progress(bytesRead: xml.bytesConsumed)
    }

    private func start(_ name: Name?) throws {
        if case .segment = capture {
            switch name {
            case .bpt, .ept, .ph, .it, .ut, .sub:
                if !xml.isEmptyElement { codeDepth += 1 }
            default:
                break // hi, and unknown markup: their text is part of the sentence
            }
            return
        }
        switch name {
        case .header:
            try readHeader()
            inHeader = !xml.isEmptyElement
        case .tu:
            try startUnit()
        case .tuv:
            try startVariant()
        case .seg:
            guard inVariant else {
                throw xml.problem("<seg> outside a <tuv>", line: xml.line, near: "<seg")
            }
            variantHasSegment = true
            segmentLine = xml.line
            buffer.removeAll(keepingCapacity: true)
            codeDepth = 0
            if xml.isEmptyElement {
                finishSegment()
            } else {
                capture = .segment
            }
        case .prop, .note:
            guard inUnit || inHeader else { return }
            let key: String
            var isDomain = false
            if name == .prop {
                let type = xml.attribute("type") ?? ""
                key = "prop:\(type)"
                isDomain = ["x-domain", "domain", "subject", "x-subject"].contains(type.lowercased())
            } else {
                key = "note"
            }
            guard !xml.isEmptyElement else { return }
            buffer.removeAll(keepingCapacity: true)
            capture = .metadata(key: inVariant ? "\(variantRawLang):\(key)" : key, isDomain: isDomain && !inVariant)
        default:
            break
        }
    }

    private func end(_ name: Name?) throws {
        switch capture {
        case .segment:
            switch name {
            case .seg:
                finishSegment()
            case .bpt, .ept, .ph, .it, .ut, .sub:
                codeDepth -= 1
            default:
                break
            }
            return
        case let .metadata(key, isDomain):
            guard name == .prop || name == .note else { return }
            capture = .none
            let value = String(decoding: buffer, as: UTF8.self)
            if isDomain {
                // Most domains are written bare (`<prop type="x-domain">news</prop>`): Foundation's
                // trimming costs microseconds per unit, so only text with a space or a non-ASCII
                // byte at either end goes through it.
                let bytes = value.utf8
                let bare = bytes.first.map { $0 > 0x20 && $0 < 0x80 } == true && bytes.last.map { $0 > 0x20 && $0 < 0x80 } == true
                let trimmed = bare ? value : value.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty {
                    if inUnit { domain = domain ?? trimmed } else { headerDomain = headerDomain ?? trimmed }
                }
            }
            if inUnit {
                if let existing = metadata[key] { metadata[key] = existing + "\n" + value } else { metadata[key] = value }
            }
            return
        case .none:
            break
        }
        switch name {
        case .header:
            inHeader = false
        case .tuv:
            try finishVariant()
        case .tu:
            try finishUnit()
        default:
            break
        }
    }

    /// Document property types `auto` looks for, lowercased.
    static let documentProperties = ["x-document", "x-file", "x-filename"]

    /// The current unit's document (see ``TMXReader``).
    private func document() -> String {
        switch documents {
        case .file: return ""
        case .unit: return CorpusUnit.ownDocument
        case .tuid: return tuid.map { "tuid=\($0)" } ?? CorpusUnit.ownDocument
        case let .property(type): return property(type.lowercased()).map { "\(type)=\($0)" } ?? CorpusUnit.ownDocument
        default:
            // One pass over the unit's few metadata keys; the length test skips most props
            // (`prop:x-domain`) without lowercasing them.
            var best: (rank: Int, key: String, value: String)?
            for (key, value) in metadata where key.utf8.count == 11 || key.utf8.count == 15 {
                guard key.hasPrefix("prop:"),
                      let rank = Self.documentProperties.firstIndex(of: key.dropFirst(5).lowercased()) else { continue }
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty else { continue }
                if let current = best, (current.rank, current.key) <= (rank, key) { continue }
                best = (rank, key, trimmed)
            }
            guard let best else { return CorpusUnit.ownDocument }
            return "\(Self.documentProperties[best.rank])=\(best.value)"
        }
    }

    /// The unit's own `<prop type>` of that lowercased type, trimmed, if present and not blank.
    private func property(_ lowercasedType: String) -> String? {
        // Sorted: two spellings of one type (`X-File`, `x-file`) give the same answer every run.
        for key in metadata.keys.sorted() where key.hasPrefix("prop:") && key.dropFirst(5).lowercased() == lowercasedType {
            let trimmed = (metadata[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return trimmed }
        }
        return nil
    }

    /// `srclang` is a declaration (`*all*` means any); `--pair` must agree with it.
    private func readHeader() throws {
        guard let raw = xml.attribute("srclang"), raw != "*all*" else { return }
        guard let tag = LanguageTag(raw) else {
            throw xml.problem("the <header> srclang \"\(raw)\" is not a language tag (expected e.g. en or en-US, or *all*)",
                              line: xml.line, near: "\"\(raw)\"")
        }
        if let pair = options.pair, !DeclaredLanguages.fits(tag, pair) {
            throw xml.problem(DeclaredLanguages.contradiction(tag, spelled: raw, where: "<header srclang>", pair: pair),
                              line: xml.line, near: "\"\(raw)\"")
        }
    }

    private func startUnit() throws {
        guard !inUnit else {
            throw xml.problem("<tu> inside another <tu>", line: xml.line, near: "<tu")
        }
        inUnit = true
        unitLine = xml.line
        texts.removeAll(keepingCapacity: true)
        tuvCount = 0
        metadata = [:]
        domain = nil
        problem = nil
        tuid = documents == .tuid ? xml.attribute("tuid") : nil
        if xml.isEmptyElement { try finishUnit() }
    }

    private func startVariant() throws {
        guard inUnit, !inVariant else {
            throw xml.problem("<tuv> outside a <tu>", line: xml.line, near: "<tuv")
        }
        inVariant = true
        tuvCount += 1
        variantLine = xml.line
        variantHasSegment = false
        variantLang = nil
        variantRawLang = ""
        // TMX 1.4b: xml:lang; TMX 1.1: lang. Both have the local name "lang"; xml:lang wins,
        // so a plain lang is kept aside until every attribute has been seen.
        var sawXMLLang = false
        plainLang.removeAll(keepingCapacity: true)
        try xml.forEachAttribute { name, value in
            guard names.lookup(name) == .lang else { return }
            if let prefix = xml.prefixPointer {
                guard strcmp(prefix, "xml") == 0 else { return } // another namespace's lang
                sawXMLLang = true
                try resolveLanguage(value)
            } else if !sawXMLLang {
                plainLang = Array(UnsafeBufferPointer(start: value, count: strlen(value)))
            }
        }
        if !sawXMLLang, !plainLang.isEmpty {
            plainLang.append(0)
            try plainLang.withUnsafeBufferPointer { bytes in
                if let start = bytes.baseAddress { try resolveLanguage(start) }
            }
        }
        if xml.isEmptyElement { try finishVariant() }
    }

    /// Parses a `tuv` language (once per spelling: see ``LanguageCache``); a spelling met for
    /// the first time is checked against `--pair`, which fails the file, not just the unit.
    private func resolveLanguage(_ raw: UnsafePointer<UInt8>) throws {
        let (tag, isNew) = languages.tag(for: raw)
        variantLang = tag
        variantRawLang = tag?.value ?? xmlString(raw)
        if isNew, let tag, let pair = options.pair, !DeclaredLanguages.fits(tag, pair) {
            let spelled = xmlString(raw)
            throw xml.problem(DeclaredLanguages.contradiction(tag, spelled: spelled, where: "a <tuv>", pair: pair),
                              line: xml.line, near: "\"\(spelled)\"")
        }
    }

    private func finishSegment() {
        capture = .none
        codeDepth = 0
        guard let lang = variantLang, buffer.hasNonBlank else { return }
        texts.append(CorpusUnit.Text(lang: lang, text: String(decoding: buffer, as: UTF8.self)))
    }

    private func finishVariant() throws {
        inVariant = false
        if variantLang == nil, problem == nil {
            problem = variantRawLang.isEmpty
                ? UnitProblem(message: "<tuv> has no xml:lang (or TMX 1.1 lang) attribute", line: variantLine, needle: "<tuv")
                : UnitProblem(message: "<tuv> language \"\(variantRawLang)\" is not a language tag (expected e.g. en or en-US)",
                              line: variantLine, needle: "\"\(variantRawLang)\"")
        }
        if !variantHasSegment, problem == nil {
            problem = UnitProblem(message: "<tuv> has no <seg>", line: variantLine, needle: "<tuv")
        }
    }

    private func finishUnit() throws {
        inUnit = false
        units += 1
        if units % 1000 == 0 { sink.progress(bytesRead: xml.bytesConsumed) }
        if tuvCount == 0, problem == nil {
            problem = UnitProblem(message: "<tu> has no <tuv>", line: unitLine, needle: "<tu")
        }
        if let problem {
            try xml.settle(problem, skipInvalid: options.skipInvalid, sink: sink)
            return
        }
        guard texts.count >= 2 else {
            sink.skip("untranslated")
            return
        }
        try sink.add(CorpusUnit(document: document(), texts: texts, domain: domain ?? headerDomain, metadata: metadata,
                                location: SourceLocation(file: xml.path, line: unitLine)))
    }
}
