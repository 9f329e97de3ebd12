internal import CLibXML2
import Foundation
import HeldoutCore

/// A FreeDict dictionary in TEI XML, read with libxml2's streaming reader (constant memory).
///
/// Each `<entry>` gives its first `<form><orth>` as headword, `<gramGrp><pos>` as part of speech,
/// and one sense per `<sense>`: its translations (`<cit type="trans"><quote>`, or the older
/// `<trans><tr>`) joined by `, `. An entry without `<sense>` but with translations is one sense.
///
/// Safety (as for every XML format, see XMLStreamReader): no network, no entity substitution, no HUGE; every external entity
/// load is refused by `heldout_blockExternalEntities()`, so a DTD or `SYSTEM` entity reads nothing.
public struct FreeDictTEIReader: CorpusReader {
    public let files: [String]
    let options: IngestOptions
    let languages: (source: String, target: String)

    public init(files: [String], options: IngestOptions) throws {
        guard files.count == 1, let file = files.first else { throw HeldoutError.usage("a TEI dictionary is one file") }
        self.files = files
        self.options = options
        languages = try DictionaryLanguages.resolve(options, path: file)
    }

    /// What is being collected inside one `<entry>`.
    private struct Pending {
        var headword: String?
        var pos: String?
        var senses: [[String]] = []
        var loose: [String] = []
        var inSense = false
        var line = 0
    }

    public func read(into sink: UnitSink) throws {
        let file = files[0]
        heldout_blockExternalEntities()
        let flags = Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOERROR.rawValue) | Int32(XML_PARSE_NOWARNING.rawValue)
        guard let reader = xmlReaderForFile(file, nil, flags) else {
            throw HeldoutError.badInput(SourceLocation(file: file), InputProblem.describeUnreadable(file))
        }
        defer { xmlFreeTextReader(reader) }
        var entry: Pending?
        /// The element whose text is being collected (`orth`, `pos`, `quote`, `tr`), and the text so far.
        var collecting: String?
        var text = ""
        var orthDone = false
        while true {
            let rc = xmlTextReaderRead(reader)
            if rc == 0 { break }
            if rc < 0 {
                var message = "not well-formed XML"
                var line = Int(xmlTextReaderGetParserLineNumber(reader))
                var column: Int? = Int(xmlTextReaderGetParserColumnNumber(reader))
                if let error = xmlGetLastError() {
                    if let m = error.pointee.message {
                        message = String(cString: m).trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                    if error.pointee.line > 0 { line = Int(error.pointee.line) }
                    if error.pointee.int2 > 0 { column = Int(error.pointee.int2) }
                }
                throw HeldoutError.badInput(SourceLocation(file: file, line: line, column: column), message)
            }
            let type = xmlTextReaderNodeType(reader)
            let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
            switch type {
            case 1: // element
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                switch name {
                case "entry":
                    entry = Pending(line: Int(xmlTextReaderGetParserLineNumber(reader)))
                    orthDone = false
                case "sense" where entry != nil:
                    entry?.inSense = true
                    entry?.senses.append([])
                case "orth" where entry != nil && !orthDone, "pos" where entry != nil:
                    if !empty { collecting = name; text = "" }
                case "quote", "tr":
                    if entry != nil, !empty, name == "tr" || isTranslationCit(reader) { collecting = name; text = "" }
                default: break
                }
            case 3, 4, 13, 14: // text, CDATA, whitespace
                if collecting != nil, let value = xmlTextReaderConstValue(reader) { text += String(cString: value) }
            case 15: // end element
                if let element = collecting, element == name {
                    let value = TextNormalization.normalize(text)
                    collecting = nil
                    if !value.isEmpty {
                        switch name {
                        case "orth": entry?.headword = value; orthDone = true
                        case "pos": if entry?.pos == nil { entry?.pos = value }
                        default:
                            if entry?.inSense == true, let last = entry?.senses.indices.last { entry?.senses[last].append(value) }
                            else { entry?.loose.append(value) }
                        }
                    }
                } else if name == "sense" {
                    entry?.inSense = false
                } else if name == "entry", let done = entry {
                    entry = nil
                    var senses = done.senses.filter { !$0.isEmpty }.map { $0.joined(separator: ", ") }
                    if senses.isEmpty, !done.loose.isEmpty { senses = [done.loose.joined(separator: ", ")] }
                    guard let headword = done.headword, !senses.isEmpty else {
                        sink.skip(done.headword == nil ? "no headword" : "no sense")
                        continue
                    }
                    try sink.addEntry(DictionaryEntry(headword: headword, pos: done.pos, senses: senses,
                                                      sourceLang: languages.source, targetLang: languages.target,
                                                      location: SourceLocation(file: file, line: done.line)))
                }
            default: break
            }
        }
    }

    /// A `<quote>` is a translation when it sits in `<cit type="trans">`; the reader is on the
    /// quote, so the cit's type was recorded when it opened — FreeDict puts only translations and
    /// examples in cits, and examples carry `type="example"`: checked through the parent here.
    private func isTranslationCit(_ reader: xmlTextReaderPtr) -> Bool {
        guard let node = xmlTextReaderCurrentNode(reader), let parent = node.pointee.parent else { return false }
        guard let parentName = parent.pointee.name, String(cString: parentName) == "cit" else { return false }
        guard let type = xmlGetProp(parent, "type") else { return false }
        defer { heldout_xmlFree(type) }
        let value = String(cString: type)
        return value == "trans" || value == "translation"
    }
}
