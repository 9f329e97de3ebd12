import Foundation
import HeldoutCore

/// Reads an OPUS XCES alignment: a `<cesAlign>` file whose `<linkGrp fromDoc toDoc>` elements
/// pair two sentence documents, and whose `<link xtargets="1 2;3"/>` elements align sentences
/// of one (ids before the `;`) with sentences of the other (ids after it), many to many.
///
/// - Each `link` is one ``CorpusUnit``; the sentences of a side are joined with a space, in
///   the order the link lists them. A side with no id is skipped as "unaligned"; an id missing
///   from its document, or an `xtargets` without exactly one `;`, is a bad unit ("invalid" with
///   `--skip-invalid`).
/// - The document of a unit is the `linkGrp`'s `fromDoc`, as written.
/// - Sentence documents are OPUS XML: `<s id="…">` holding text, or `<w>` tokens, which are
///   joined with spaces. They are found relative to the cesAlign file's directory. OPUS names
///   them `….xml.gz`; gzip is not read: when `x.xml.gz` is named and `x.xml` exists beside it,
///   `x.xml` is read; when only the `.gz` exists, the file is refused with the command that
///   decompresses it.
/// - Languages: a `fromLang`/`toLang` attribute on the `linkGrp` or the `cesAlign`, else the
///   first directory of the document's path (`en/a.xml.gz` is English, as OPUS lays them out),
///   else `--pair` (source = fromDoc). `--pair` contradicting a language found either way is an
///   error (primary subtags, either direction: see ``DeclaredLanguages``).
/// - Streaming: the alignment file is read once to list the documents (``files``, so that a
///   change in a sentence document changes what the corpus is made of) and to check that they
///   exist before anything is stored, then once more to read the links. Only the two documents
///   of the current `linkGrp` are held in memory (OPUS documents are small).
public struct XCESReader: CorpusReader {
    public let path: String
    public let options: IngestOptions
    /// The cesAlign file, then every sentence document it references, in order of first reference.
    public let files: [String]

    public init(path: String, options: IngestOptions) throws {
        try DeclaredLanguages.refuseLang(options, format: .xces)
        self.path = path
        self.options = options
        files = [path] + (try XCESParse.referencedDocuments(alignment: path))
    }

    public func read(into sink: UnitSink) throws {
        try XCESParse(path: path, options: options, sink: sink).run()
    }
}

private final class XCESParse {
    enum Name: String, CaseIterable {
        case cesAlign, linkGrp, link, s, w
    }

    /// One side of the current `linkGrp`.
    struct Side {
        var name: String
        var path: String
        var lang: LanguageTag
        var sentences: [String: String]
    }

    let xml: XMLStreamReader
    let names: NameTable<Name>
    let options: IngestOptions
    let sink: UnitSink
    var rootFromLang: String?
    var rootToLang: String?
    /// The documents of the current `linkGrp`, kept after it ends in case the next one reuses them.
    var from: Side?
    var to: Side?
    var inGroup = false
    var units = 0

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
                    try XCESParse.checkRoot(xml, name)
                    rootFromLang = xml.attribute("fromLang")
                    rootToLang = xml.attribute("toLang")
                    continue
                }
                if name == .linkGrp {
                    try startGroup()
                    inGroup = !xml.isEmptyElement
                } else if name == .link {
                    try readLink()
                }
            case .endElement:
                if names.lookup(xml.localNamePointer) == .linkGrp { inGroup = false }
            case .entityReference:
                throw xml.unexpandedEntity()
            case .text, .other:
                break
            }
        }
        sink.progress(bytesRead: xml.bytesConsumed)
    }

    static func checkRoot(_ xml: XMLStreamReader, _ name: Name?) throws {
        try xml.requireRoot(name == .cesAlign, expected: "cesAlign", format: "an XCES alignment")
    }

    /// The first pass: every document the alignment names, resolved and checked to exist.
    static func referencedDocuments(alignment path: String) throws -> [String] {
        let xml = try XMLStreamReader(path: path)
        let names = NameTable<Name>(xml)
        var documents: [String] = []
        var seen: Set<String> = []
        var sawRoot = false
        while let kind = try xml.next() {
            if kind == .entityReference { throw xml.unexpandedEntity() }
            guard kind == .startElement else { continue }
            let name = names.lookup(xml.localNamePointer)
            if !sawRoot {
                sawRoot = true
                try checkRoot(xml, name)
            } else if name == .linkGrp {
                for attribute in ["fromDoc", "toDoc"] {
                    let document = try resolve(attribute, of: xml)
                    if seen.insert(document.path).inserted { documents.append(document.path) }
                }
            }
        }
        return documents
    }

    /// Finds the file a `linkGrp`'s `fromDoc` or `toDoc` names (see ``XCESReader`` on `.gz`).
    static func resolve(_ attribute: String, of xml: XMLStreamReader) throws -> (name: String, path: String) {
        guard let name = xml.attribute(attribute), !name.isEmpty else {
            throw xml.problem("<linkGrp> has no \(attribute)", line: xml.line, near: "<linkGrp")
        }
        let directory = (xml.path as NSString).deletingLastPathComponent
        let candidate = name.hasPrefix("/") || directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
        let manager = FileManager.default
        if name.hasSuffix(".gz") {
            let plain = String(candidate.dropLast(3))
            if manager.fileExists(atPath: plain) { return (name, plain) }
            if manager.fileExists(atPath: candidate) {
                throw xml.problem("\(attribute) \(candidate) is gzip-compressed and heldout does not read gzip; decompress it beside itself (gunzip -k \(candidate)), heldout then reads \(plain)",
                                  line: xml.line, near: name)
            }
            throw xml.problem("\(attribute) names \(name), but neither \(plain) nor \(candidate) exists",
                              line: xml.line, near: name)
        }
        guard manager.fileExists(atPath: candidate) else {
            throw xml.problem("\(attribute) names \(name), but \(candidate) does not exist", line: xml.line, near: name)
        }
        return (name, candidate)
    }

    private func startGroup() throws {
        let line = xml.line
        let fromDocument = try XCESParse.resolve("fromDoc", of: xml)
        let toDocument = try XCESParse.resolve("toDoc", of: xml)
        let fromDeclared = try declaredLanguage(explicit: xml.attribute("fromLang") ?? rootFromLang,
                                                attribute: "fromLang", document: fromDocument.name, line: line)
        let toDeclared = try declaredLanguage(explicit: xml.attribute("toLang") ?? rootToLang,
                                              attribute: "toLang", document: toDocument.name, line: line)
        let (fromLang, toLang) = try sideLanguages(fromDeclared, toDeclared, line: line)
        // One linkGrp per document pair is the rule in OPUS; reuse a side that did not change.
        from = try from?.path == fromDocument.path ? from
            : Side(name: fromDocument.name, path: fromDocument.path, lang: fromLang,
                   sentences: XCESParse.sentences(of: fromDocument.path))
        to = try to?.path == toDocument.path ? to
            : Side(name: toDocument.name, path: toDocument.path, lang: toLang,
                   sentences: XCESParse.sentences(of: toDocument.path))
        from?.lang = fromLang
        to?.lang = toLang
    }

    /// The language a side declares: an explicit attribute, else the document path's first
    /// directory if it reads as a language (`en/…`, `pt_BR/…`). `--pair` must fit it.
    private func declaredLanguage(explicit: String?, attribute: String, document: String, line: Int) throws -> LanguageTag? {
        var declared: LanguageTag?
        var spelled = ""
        var place = ""
        if let explicit {
            guard let tag = LanguageTag(explicit) else {
                throw xml.problem("\(attribute) \"\(explicit)\" is not a language tag (expected e.g. en or en-US)",
                                  line: line, near: "\"\(explicit)\"")
            }
            (declared, spelled, place) = (tag, explicit, attribute)
        } else {
            let parts = document.split(separator: "/")
            if parts.count > 1, let tag = LanguageTag(String(parts[0])), (2...3).contains(tag.primary.count) {
                (declared, spelled, place) = (tag, String(parts[0]), "the path \(document)")
            }
        }
        if let declared, let pair = options.pair, !DeclaredLanguages.fits(declared, pair) {
            throw xml.problem(DeclaredLanguages.contradiction(declared, spelled: spelled, where: place, pair: pair),
                              line: line, near: explicit.map { "\"\($0)\"" } ?? document)
        }
        return declared
    }

    /// Fills in what the file does not declare from `--pair` (fromDoc = its source), or refuses.
    private func sideLanguages(_ from: LanguageTag?, _ to: LanguageTag?, line: Int) throws -> (LanguageTag, LanguageTag) {
        let pair = options.pair
        func other(than tag: LanguageTag?) -> LanguageTag? {
            guard let pair else { return nil }
            guard let tag else { return nil }
            return tag.primary == pair.source.primary ? pair.target : pair.source
        }
        let fromLang = from ?? other(than: to) ?? pair?.source
        let toLang = to ?? other(than: from) ?? pair?.target
        guard let fromLang, let toLang else {
            throw xml.problem("cannot tell the languages of this <linkGrp>: its document paths do not start with a language directory (en/…) and it has no fromLang/toLang; pass --pair FROM-TO",
                              line: line, near: "<linkGrp")
        }
        return (fromLang, toLang)
    }

    private func readLink() throws {
        let line = xml.line
        units += 1
        if units % 1000 == 0 { sink.progress(bytesRead: xml.bytesConsumed) }
        guard inGroup, let from, let to else {
            throw xml.problem("<link> outside a <linkGrp>", line: line, near: "<link")
        }
        guard let targets = xml.attribute("xtargets") else {
            return try settle("<link> has no xtargets", line: line, near: "<link")
        }
        let sides = targets.split(separator: ";", omittingEmptySubsequences: false)
        guard sides.count == 2 else {
            return try settle("xtargets \"\(targets)\" is not of the form \"1 2;3\" (source ids ; target ids)",
                              line: line, near: "\"\(targets)\"")
        }
        let fromIDs = sides[0].split(whereSeparator: \.isWhitespace)
        let toIDs = sides[1].split(whereSeparator: \.isWhitespace)
        guard !fromIDs.isEmpty, !toIDs.isEmpty else {
            sink.skip("unaligned")
            return
        }
        var texts: [CorpusUnit.Text] = []
        for (ids, side) in [(fromIDs, from), (toIDs, to)] {
            var parts: [String] = []
            for id in ids {
                guard let sentence = side.sentences[String(id)] else {
                    return try settle("sentence id \"\(id)\" is not in \(side.name) (\(side.path))", line: line, near: "\"\(targets)\"")
                }
                parts.append(sentence)
            }
            let text = parts.joined(separator: " ")
            guard Array(text.utf8).hasNonBlank else {
                sink.skip("empty")
                return
            }
            texts.append(CorpusUnit.Text(lang: side.lang, text: text))
        }
        try sink.add(CorpusUnit(document: from.name, texts: texts,
                                location: SourceLocation(file: xml.path, line: line)))
    }

    /// A bad link fails the file, or with `--skip-invalid` is counted and skipped.
    private func settle(_ message: String, line: Int, near needle: String) throws {
        try xml.settle(UnitProblem(message: message, line: line, needle: needle), skipInvalid: options.skipInvalid, sink: sink, units: "links")
    }

    /// The sentences of an OPUS sentence document, by id: the text of each `<s id>`, its `<w>`
    /// tokens joined with spaces. A sentence without an id cannot be linked and is left out;
    /// of two with one id, the first is kept.
    static func sentences(of path: String) throws -> [String: String] {
        let xml = try XMLStreamReader(path: path)
        let names = NameTable<Name>(xml)
        var sentences: [String: String] = [:]
        var buffer: [UInt8] = []
        var id: String?
        var inSentence = false
        while let kind = try xml.next() {
            switch kind {
            case .startElement:
                let name = names.lookup(xml.localNamePointer)
                if name == .s {
                    id = xml.attribute("id")
                    buffer.removeAll(keepingCapacity: true)
                    inSentence = !xml.isEmptyElement
                    if !inSentence, let id, sentences[id] == nil { sentences[id] = "" }
                } else if name == .w, inSentence, let last = buffer.last, last != 0x20 {
                    buffer.append(0x20) // tokens are separate words
                }
            case .endElement:
                if inSentence, names.lookup(xml.localNamePointer) == .s {
                    inSentence = false
                    if let id, sentences[id] == nil { sentences[id] = String(decoding: buffer, as: UTF8.self) }
                }
            case .text:
                if inSentence { xml.appendValue(to: &buffer) }
            case .entityReference:
                throw xml.unexpandedEntity()
            case .other:
                break
            }
        }
        return sentences
    }
}
