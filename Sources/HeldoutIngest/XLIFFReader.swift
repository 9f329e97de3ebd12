import Foundation
import HeldoutCore

/// Reads XLIFF 1.2 (also 1.0/1.1) and 2.x (2.0, 2.1, 2.2), told apart by the root's `version`
/// or, failing that, its namespace. One pass, constant memory.
///
/// - Documents: each `<file>` is one, named by its `original` attribute (XLIFF 2: `original`,
///   else `id`).
/// - Languages: 1.2 `<file source-language target-language>`, 2.x `<xliff srcLang trgLang>`;
///   an `xml:lang` on `<source>`/`<target>` overrides them. A file that declares no target
///   language takes it from `--pair`; one that declares languages outside `--pair` is refused
///   (primary subtags, either direction: see ``DeclaredLanguages``).
/// - Units: a 1.2 `<trans-unit>` is one ``CorpusUnit``. In 2.x each `<segment>` of a `<unit>` is
///   one: segments are the sentence-level alignment XLIFF 2 provides, and taking them one by one
///   makes a `<target order="…">` irrelevant. `<ignorable>` (whitespace or codes between
///   segments, not part of any sentence) is skipped.
/// - A unit (2.x: segment) with no `<target>`, or a blank one, is skipped as "untranslated";
///   one with a blank source as "empty". A `<trans-unit>` without `<source>`, a 2.x `<unit>`
///   without `<segment>`, or a bad `xml:lang` is a bad unit ("invalid" with `--skip-invalid`).
/// - Metadata: 1.2 `id`, `resname`, `approved`, the target's `state` and `state-qualifier`,
///   and `<note>`s; 2.x `unit` (the unit id), `segment`, `state`, `subState` and the unit's notes.
///   1.2 `<file category>` is the unit's domain.
/// - Inline content: text inside `g`, `mrk` and `pc` is kept; `bpt`, `ept`, `ph`, `it` and
///   `sub` (native code, as in TMX) and the placeholders `x`, `bx`, `ex`, `sc`, `ec`, `sm`, `em`,
///   `cp` contribute nothing (`cp` stands for a character XML cannot carry, a control character
///   in practice, which has no place in a sentence).
/// - Not read: `<alt-trans>` (alternatives, not the translation), 1.2 `<seg-source>` (the
///   segmented copy of `<source>`; the `trans-unit` is taken whole, so its `mrk mtype="seg"`
///   sentences stay one unit), `<header>`, `<skeleton>`, `<originalData>`, and elements of other
///   namespaces (tool extensions such as `mda:` or `sdl:`).
public struct XLIFFReader: CorpusReader {
    public let path: String
    public let options: IngestOptions
    public var files: [String] { [path] }

    public init(path: String, options: IngestOptions) throws {
        try DeclaredLanguages.refuseLang(options, format: .xliff)
        self.path = path
        self.options = options
    }

    public func read(into sink: UnitSink) throws {
        try XLIFFParse(path: path, options: options, sink: sink).run()
    }
}

private final class XLIFFParse {
    enum Name: String, CaseIterable {
        case xliff, file, group, source, target, note, lang
        // 1.2
        case transUnit = "trans-unit", header, segSource = "seg-source", altTrans = "alt-trans"
        case contextGroup = "context-group", countGroup = "count-group", propGroup = "prop-group", binUnit = "bin-unit"
        // 2.x
        case unit, segment, ignorable, skeleton, originalData, notes
        // inline
        case g, mrk, pc, bpt, ept, ph, it, sub, x, bx, ex, sc, ec, sm, em, cp
    }

    enum Version { case v1, v2 }

    /// Elements whose whole subtree is left unread.
    static let skipped: Set<Name> = [.header, .segSource, .altTrans, .contextGroup, .countGroup, .propGroup,
                                     .binUnit, .skeleton, .originalData, .ignorable]
    /// Inline elements whose content is not sentence text.
    static let codes: Set<Name> = [.bpt, .ept, .ph, .it, .sub, .x, .bx, .ex, .sc, .ec, .sm, .em, .cp]

    enum Capture { case none, source, target, note }


    let xml: XMLStreamReader
    let names: NameTable<Name>
    let options: IngestOptions
    let sink: UnitSink
    var version = Version.v1
    var namespace: UnsafePointer<UInt8>?
    var units = 0

    // Declared languages: the root's (2.x) or the current <file>'s (1.2).
    var sourceLang: LanguageTag?
    var targetLang: LanguageTag?
    var document = ""
    var fileLine = 0
    var rootLine = 1
    var fileDomain: String?

    // The current unit (1.2 trans-unit; 2.x unit, whose segments are the emitted units).
    var inUnit = false
    var unitLine = 0
    var unitMetadata: [String: String] = [:]
    var segmentsInUnit = 0

    // The current emitted unit (1.2 trans-unit; 2.x segment).
    var inSegment = false
    var segmentLine = 0
    /// Where the `<source>`, `<target>` or `<note>` being collected starts.
    var captureLine = 0
    var metadata: [String: String] = [:]
    var sourceText: String?
    var targetText: String?
    var sourceOverride: LanguageTag?
    var targetOverride: LanguageTag?
    var problem: UnitProblem?

    var capture = Capture.none
    var buffer: [UInt8] = []
    var codeDepth = 0

    init(path: String, options: IngestOptions, sink: UnitSink) throws {
        xml = try XMLStreamReader(path: path)
        names = NameTable(xml)
        self.options = options
        self.sink = sink
    }

    func run() throws {
        var sawRoot = false
        while let kind = try xml.next() {
            switch kind {
            case .startElement:
                let name = names.lookup(xml.localNamePointer)
                if !sawRoot {
                    sawRoot = true
                    try readRoot(name)
                    continue
                }
                if let uri = xml.namespaceURIPointer, uri != namespace {
                    try xml.skipSubtree() // another vocabulary: a tool's extension
                    continue
                }
                try start(name)
            case .endElement:
                try end(names.lookup(xml.localNamePointer))
            case .text:
                if capture != .none, codeDepth == 0 {
                    xml.appendValue(to: &buffer)
                    if buffer.count > options.maxSegmentBytes, capture != .note {
                        throw xml.problem(SegmentLimit.message(size: nil, limit: options.maxSegmentBytes),
                                          line: captureLine, near: capture == .source ? "<source" : "<target")
                    }
                }
            case .entityReference:
                throw xml.unexpandedEntity()
            case .other:
                break
            }
        }
        sink.progress(bytesRead: xml.bytesConsumed)
    }

    private func readRoot(_ name: Name?) throws {
        try xml.requireRoot(name == .xliff, expected: "xliff", format: "XLIFF")
        namespace = xml.namespaceURIPointer
        rootLine = xml.line
        let declared = xml.attribute("version")
        let uri = namespace.map { xmlString($0) } ?? ""
        if let declared, declared.hasPrefix("1.") {
            version = .v1
        } else if let declared, declared.hasPrefix("2.") {
            version = .v2
        } else if declared == nil, uri.hasSuffix(":1.2") || uri.isEmpty {
            version = .v1
        } else if declared == nil, uri.contains(":xliff:document:2.") {
            version = .v2
        } else {
            throw xml.problem("XLIFF version \(declared ?? "(none)") is not supported (1.0–1.2 and 2.x are)",
                              line: xml.line, near: "version")
        }
        if version == .v2 {
            sourceLang = try declaredLanguage("srcLang", of: "<xliff>")
            targetLang = try declaredLanguage("trgLang", of: "<xliff>")
        }
    }

    /// A language the file declares in `attribute`: a bad tag, or one `--pair` contradicts,
    /// fails the file.
    private func declaredLanguage(_ attribute: String, of element: String) throws -> LanguageTag? {
        guard let raw = xml.attribute(attribute) else { return nil }
        guard let tag = LanguageTag(raw) else {
            throw xml.problem("\(element) \(attribute) \"\(raw)\" is not a language tag (expected e.g. en or en-US)",
                              line: xml.line, near: "\"\(raw)\"")
        }
        if let pair = options.pair, !DeclaredLanguages.fits(tag, pair) {
            throw xml.problem(DeclaredLanguages.contradiction(tag, spelled: raw, where: "\(element) \(attribute)", pair: pair),
                              line: xml.line, near: "\"\(raw)\"")
        }
        return tag
    }

    private func start(_ name: Name?) throws {
        if capture != .none {
            if let name, XLIFFParse.codes.contains(name), !xml.isEmptyElement { codeDepth += 1 }
            return // g, mrk, pc and unknown markup keep their text
        }
        guard let name else { return }
        if XLIFFParse.skipped.contains(name) {
            try xml.skipSubtree()
            return
        }
        switch (name, version) {
        case (.file, _):
            fileLine = xml.line
            if version == .v1 {
                document = xml.attribute("original") ?? ""
                sourceLang = try declaredLanguage("source-language", of: "<file>")
                targetLang = try declaredLanguage("target-language", of: "<file>")
                fileDomain = xml.attribute("category")
            } else {
                document = xml.attribute("original") ?? xml.attribute("id") ?? ""
            }
        case (.transUnit, .v1):
            try startUnit()
            try startSegment()
            for key in ["id", "resname", "approved"] {
                if let value = xml.attribute(key) { metadata[key] = value }
            }
            if xml.isEmptyElement { try finishSegment() }
        case (.unit, .v2):
            try startUnit()
            if let id = xml.attribute("id") { unitMetadata["unit"] = id }
            if xml.isEmptyElement { try finishUnit() }
        case (.segment, .v2):
            guard inUnit else { throw xml.problem("<segment> outside a <unit>", line: xml.line, near: "<segment") }
            try startSegment()
            segmentsInUnit += 1
            metadata = unitMetadata
            if let id = xml.attribute("id") { metadata["segment"] = id }
            if let state = xml.attribute("state") { metadata["state"] = state }
            if let state = xml.attribute("subState") { metadata["subState"] = state }
            if xml.isEmptyElement { try finishSegment() }
        case (.source, _), (.target, _):
            guard inSegment else {
                throw xml.problem("<\(name.rawValue)> outside a \(version == .v1 ? "<trans-unit>" : "<segment>")",
                                  line: xml.line, near: "<\(name.rawValue)")
            }
            let override = try elementLanguage()
            if name == .source {
                sourceOverride = override
            } else {
                targetOverride = override
                if version == .v1 {
                    if let state = xml.attribute("state") { metadata["state"] = state }
                    if let qualifier = xml.attribute("state-qualifier") { metadata["state-qualifier"] = qualifier }
                }
            }
            buffer.removeAll(keepingCapacity: true)
            codeDepth = 0
            captureLine = xml.line
            capture = name == .source ? .source : .target
            if xml.isEmptyElement { finishCapture() }
        case (.note, _):
            guard inUnit || inSegment else { return }
            buffer.removeAll(keepingCapacity: true)
            codeDepth = 0
            captureLine = xml.line
            capture = .note
            if xml.isEmptyElement { finishCapture() }
        default:
            break
        }
    }

    private func end(_ name: Name?) throws {
        if capture != .none {
            if let name, XLIFFParse.codes.contains(name) {
                codeDepth -= 1
            } else if name == .source || name == .target || name == .note {
                finishCapture()
            }
            return
        }
        switch (name, version) {
        case (.transUnit, .v1), (.segment, .v2):
            try finishSegment()
        case (.unit, .v2):
            try finishUnit()
        case (.file, .v1):
            sourceLang = nil
            targetLang = nil
            fileDomain = nil
        default:
            break
        }
    }

    /// The `xml:lang` of a `<source>` or `<target>`: a bad tag is a bad unit; one `--pair`
    /// contradicts fails the file.
    private func elementLanguage() throws -> LanguageTag? {
        guard let raw = xml.attribute("xml:lang") else { return nil }
        guard let tag = LanguageTag(raw) else {
            if problem == nil {
                problem = UnitProblem(message: "xml:lang \"\(raw)\" is not a language tag (expected e.g. en or en-US)",
                                      line: xml.line, needle: "\"\(raw)\"")
            }
            return nil
        }
        if let pair = options.pair, !DeclaredLanguages.fits(tag, pair) {
            throw xml.problem(DeclaredLanguages.contradiction(tag, spelled: raw, where: "<\(xml.localName) xml:lang>", pair: pair),
                              line: xml.line, near: "\"\(raw)\"")
        }
        return tag
    }

    private func finishCapture() {
        let text = String(decoding: buffer, as: UTF8.self)
        switch capture {
        case .source: sourceText = text
        case .target: targetText = text
        case .note:
            if inSegment, version == .v1 {
                metadata["note"] = metadata["note"].map { $0 + "\n" + text } ?? text
            } else {
                unitMetadata["note"] = unitMetadata["note"].map { $0 + "\n" + text } ?? text
            }
        case .none: break
        }
        capture = .none
        codeDepth = 0
    }

    private func startUnit() throws {
        guard !inUnit else {
            throw xml.problem("a unit inside another unit", line: xml.line, near: "<\(xml.localName)")
        }
        inUnit = true
        unitLine = xml.line
        unitMetadata = [:]
        segmentsInUnit = 0
    }

    private func startSegment() throws {
        guard !inSegment else {
            throw xml.problem("<\(xml.localName)> inside another", line: xml.line, near: "<\(xml.localName)")
        }
        inSegment = true
        segmentLine = xml.line
        metadata = [:]
        sourceText = nil
        targetText = nil
        sourceOverride = nil
        targetOverride = nil
        problem = nil
    }

    /// 2.x: a `<unit>` ends; one without any `<segment>` is a bad unit.
    private func finishUnit() throws {
        inUnit = false
        guard segmentsInUnit == 0 else { return }
        try settle(UnitProblem(message: "<unit> has no <segment>", line: unitLine, needle: "<unit"))
    }

    private func finishSegment() throws {
        inSegment = false
        if version == .v1 { inUnit = false }
        units += 1
        if units % 1000 == 0 { sink.progress(bytesRead: xml.bytesConsumed) }
        let element = version == .v1 ? "<trans-unit>" : "<segment>"
        if problem == nil, sourceText == nil {
            problem = UnitProblem(message: "\(element) has no <source>", line: segmentLine,
                                  needle: version == .v1 ? "<trans-unit" : "<segment")
        }
        if let problem {
            try settle(problem)
            return
        }
        guard let sourceText, let targetText, Array(targetText.utf8).hasNonBlank else {
            sink.skip("untranslated")
            return
        }
        guard Array(sourceText.utf8).hasNonBlank else {
            sink.skip("empty")
            return
        }
        let (source, target) = try languages()
        try sink.add(CorpusUnit(document: document,
                                texts: [CorpusUnit.Text(lang: source, text: sourceText),
                                        CorpusUnit.Text(lang: target, text: targetText)],
                                domain: fileDomain, metadata: metadata,
                                location: SourceLocation(file: xml.path, line: segmentLine)))
    }

    /// The languages of the current unit: the elements' own, the file's, then `--pair`.
    private func languages() throws -> (LanguageTag, LanguageTag) {
        let source = sourceOverride ?? sourceLang ?? options.pair?.source
        guard let source else {
            let declaring = version == .v1 ? "<file> declares no source-language" : "<xliff> declares no srcLang"
            throw xml.problem("\(declaring); pass --pair SOURCE-TARGET", line: version == .v1 ? fileLine : rootLine,
                              near: version == .v1 ? "<file" : "<xliff")
        }
        var target = targetOverride ?? targetLang
        if target == nil, let pair = options.pair {
            target = source.primary == pair.target.primary && source.primary != pair.source.primary ? pair.source : pair.target
        }
        guard let target else {
            let declaring = version == .v1 ? "<file> declares no target-language" : "<xliff> declares no trgLang"
            throw xml.problem("\(declaring) and the <target> no xml:lang; pass --pair \(source.primary)-TARGET",
                              line: version == .v1 ? fileLine : rootLine, near: version == .v1 ? "<file" : "<xliff")
        }
        return (source, target)
    }

    /// A bad unit fails the file, or with `--skip-invalid` is counted and skipped.
    private func settle(_ problem: UnitProblem) throws {
        try xml.settle(problem, skipInvalid: options.skipInvalid, sink: sink)
    }
}
