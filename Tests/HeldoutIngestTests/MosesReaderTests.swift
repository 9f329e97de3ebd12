import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutIngest

// MARK: - Helpers shared by the line-based reader tests (prefixed Text… so that they do not
// collide with helpers of the XML reader tests in the same target).

/// Collects what a reader delivers, to look at one reader alone.
final class TextCollectingSink: UnitSink {
    var units: [CorpusUnit] = []
    var skipped: [String: Int] = [:]
    var progressReports: [Int64] = []

    func add(_ unit: CorpusUnit) throws { units.append(unit) }
    func skip(_ reason: String, count: Int) { skipped[reason, default: 0] += count }
    func progress(bytesRead: Int64) { progressReports.append(bytesRead) }

    /// Each unit as `lang:text` strings, for compact expectations.
    var texts: [[String]] { units.map { $0.texts.map { "\($0.lang):\($0.text)" } } }
}

/// A temporary directory, removed when the test is done with it.
final class TextScratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

enum TextFixture {
    /// The path of a fixture under `Fixtures/text/`.
    static func path(_ name: String) throws -> String {
        let base = try #require(Bundle.module.resourceURL)
        let path = base.appendingPathComponent("Fixtures/text/\(name)").path
        try #require(FileManager.default.fileExists(atPath: path), "missing fixture \(name)")
        return path
    }
}

func textOptions(pair: String? = nil, lang: String? = nil, columns: String? = nil,
                 fields: [(String, String)]? = nil, skipInvalid: Bool = false) -> IngestOptions {
    var options = IngestOptions()
    options.pair = pair.flatMap(DirectedPair.init)
    options.lang = lang.flatMap(LanguageTag.init)
    options.columns = columns.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    options.fields = fields?.compactMap { lang, field in LanguageTag(lang).map { ($0, field) } }
    options.skipInvalid = skipInvalid
    return options
}

func readAll(_ reader: CorpusReader) throws -> TextCollectingSink {
    let sink = TextCollectingSink()
    try reader.read(into: sink)
    return sink
}

/// Runs `body`, which must fail with a usage error; returns its message.
@discardableResult
func expectUsage(sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String? {
    do {
        try body()
        Issue.record("expected a usage error; nothing was thrown", sourceLocation: sourceLocation)
    } catch let HeldoutError.usage(message) {
        return message
    } catch {
        Issue.record("expected a usage error; got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

// MARK: - Moses

@Suite("Moses reader")
struct MosesReaderTests {
    @Test("reads a pair line by line, languages from the extensions, CRLF stripped, blank sides skipped")
    func fixture() throws {
        let en = try TextFixture.path("tiny.en"), fr = try TextFixture.path("tiny.fr")
        let reader = try MosesReader(files: [en, fr], options: IngestOptions())
        let sink = try readAll(reader)
        #expect(sink.texts == [
            ["en:The kettle is already warm.", "fr:La bouilloire est déjà chaude."],
            ["en:Our neighbour paints his fence blue.", "fr:Notre voisin peint sa clôture en bleu."],
            ["en:Two owls watched the empty road.", "fr:Deux chouettes regardaient la route vide."],
        ])
        #expect(sink.skipped == ["empty": 1])
        #expect(sink.units.map { $0.location?.line } == [1, 2, 4])
        #expect(sink.units.allSatisfy { $0.document == "" && $0.metadata.isEmpty })
    }

    @Test("--pair orders the files by their extensions")
    func pairOrdersFiles() throws {
        let en = try TextFixture.path("tiny.en"), fr = try TextFixture.path("tiny.fr")
        let reader = try MosesReader(files: [fr, en], options: textOptions(pair: "en-fr"))
        #expect(reader.files == [en, fr])
        let sink = try readAll(reader)
        #expect(sink.texts.first == ["en:The kettle is already warm.", "fr:La bouilloire est déjà chaude."])
    }

    @Test("--pair that contradicts the extensions is a usage error naming the files")
    func pairContradiction() throws {
        let en = try TextFixture.path("tiny.en"), fr = try TextFixture.path("tiny.fr")
        let message = expectUsage { _ = try MosesReader(files: [en, fr], options: textOptions(pair: "en-de")) }
        #expect(message?.contains("tiny.en") == true && message?.contains("tiny.fr") == true)
        expectUsage { _ = try MosesReader(files: [en, fr], options: textOptions(lang: "fr")) }
    }

    @Test("--pair names files without language extensions, first file = source; without it they are refused")
    func pairWithoutExtensions() throws {
        let scratch = try TextScratch()
        let a = try scratch.write("left.txt", "One.\nTwo.\n")
        let b = try scratch.write("right.txt", "Un.\nDeux.\n")
        expectUsage { _ = try MosesReader(files: [a, b], options: IngestOptions()) }
        let sink = try readAll(try MosesReader(files: [a, b], options: textOptions(pair: "en-fr")))
        #expect(sink.texts == [["en:One.", "fr:Un."], ["en:Two.", "fr:Deux."]])
    }

    @Test("OPUS names (x.en-fr.en) and regional tags")
    func opusNames() throws {
        let scratch = try TextScratch()
        let a = try scratch.write("news.en-pt.en", "Good morning.\n")
        let b = try scratch.write("news.en-pt.pt_BR", "Bom dia.\n")
        let groups = try CorpusFormat.moses.groupIntoCorpora([b, a], options: IngestOptions())
        #expect(groups == [[b, a]])
        let sink = try readAll(try MosesReader(files: [a, b], options: textOptions(pair: "en-pt")))
        #expect(sink.texts == [["en:Good morning.", "pt-BR:Bom dia."]])
    }

    @Test("groupIntoCorpora pairs by stem and refuses unpaired files")
    func grouping() throws {
        let scratch = try TextScratch()
        let files = try ["a.en", "b.fr", "a.fr", "b.en"].map { try scratch.write($0, "x\n") }
        let groups = try CorpusFormat.moses.groupIntoCorpora(files, options: IngestOptions())
        // Without --pair each pair keeps the order it was given in (first = source).
        #expect(groups == [[files[0], files[2]], [files[1], files[3]]])
        let odd = try ["a.en", "a.fr", "c.de"].map { try scratch.write($0, "x\n") }
        #expect(expectUsage { _ = try CorpusFormat.moses.groupIntoCorpora(odd, options: IngestOptions()) }?.contains("c.de") == true)
        let unpaired = try ["a.en", "a.fr", "c.de", "d.fr"].map { try scratch.write($0, "x\n") }
        expectUsage { _ = try CorpusFormat.moses.groupIntoCorpora(unpaired, options: IngestOptions()) }
    }

    @Test("unequal line counts name both files and the line where one ended")
    func unequal() throws {
        let scratch = try TextScratch()
        let a = try scratch.write("c.en", "One.\nTwo.\nThree.\n")
        let b = try scratch.write("c.fr", "Un.\nDeux.\n")
        let failure = expectBadInput { _ = try readAll(try MosesReader(files: [a, b], options: IngestOptions())) }
        #expect(failure?.location == HeldoutCore.SourceLocation(file: a, line: 3, column: 1))
        #expect(failure?.message.contains(b) == true)
        #expect(failure?.message.contains("after line 2") == true)
    }

    @Test("progress is reported while reading")
    func progress() throws {
        let scratch = try TextScratch()
        let lines = (1...2500).map { "Sentence \($0)." }.joined(separator: "\n")
        let a = try scratch.write("p.en", lines)
        let b = try scratch.write("p.fr", lines)
        let sink = try readAll(try MosesReader(files: [a, b], options: IngestOptions()))
        #expect(sink.units.count == 2500)
        #expect(sink.progressReports.count >= 3)
    }
}

// MARK: - Bad input, every line-based reader

/// One way a file can be broken, placed on line 2 of a file that is otherwise fine.
enum TextBadInput: String, CaseIterable, CustomTestStringConvertible {
    case invalidUTF8, longLine, utf16, nulByte, empty, missing
    var testDescription: String { rawValue }
}

/// Builds a corpus of `format` whose line 2 holds `bad` bytes in a text field, and tells which
/// file that is.
struct TextBadCorpus {
    var files: [String]
    var badFile: String
    var format: CorpusFormat
    var options: IngestOptions
    /// Characters before the bad bytes on line 2.
    var prefixColumns = 0

    static let formats: [String] = ["moses", "tsv", "csv", "jsonl", "po", "tatoeba"]

    init(kind: String, bad: TextBadInput, in scratch: TextScratch) throws {
        let payload: [UInt8]
        switch bad {
        case .invalidUTF8: payload = Array("ab".utf8) + [0xFF] + Array("cd".utf8)
        case .longLine: payload = [UInt8](repeating: UInt8(ascii: "a"), count: 5 << 20)
        case .nulByte: payload = Array("ab".utf8) + [0] + Array("cd".utf8)
        default: payload = Array("fine".utf8)
        }
        var prefix = 0
        func lines(_ first: String, _ before: String, _ after: String) -> [UInt8] {
            prefix = before.count
            return Array("\(first)\n\(before)".utf8) + payload + Array("\(after)\n".utf8)
        }
        options = IngestOptions()
        switch kind {
        case "moses":
            format = .moses
            badFile = try scratch.write("bad.en", bytes: lines("Fine.", "", ""))
            files = [badFile, try scratch.write("bad.fr", "Bien.\nBien.\n")]
        case "tsv":
            format = .tsv
            badFile = try scratch.write("bad.tsv", bytes: lines("en\tfr", "", "\tbien"))
            files = [badFile]
        case "csv":
            format = .csv
            badFile = try scratch.write("bad.csv", bytes: lines("en,fr", "", ",bien"))
            files = [badFile]
        case "jsonl":
            format = .jsonl
            badFile = try scratch.write("bad.jsonl", bytes: lines(#"{"en": "Fine.", "fr": "Bien."}"#, #"{"en": ""#, #"", "fr": "x"}"#))
            files = [badFile]
        case "po":
            format = .po
            badFile = try scratch.write("fr.po", bytes: lines(#"msgid "Fine.""#, #"msgstr ""#, #"""#))
            files = [badFile]
        default:
            format = .csv
            options.pair = DirectedPair("en-fr")
            badFile = try scratch.write("sentences.csv", bytes: lines("1\teng\tFine.", "2\tfra\t", ""))
            files = [badFile, try scratch.write("links.csv", "1\t2\n")]
        }
        prefixColumns = prefix
        switch bad {
        case .utf16:
            var bytes: [UInt8] = [0xFF, 0xFE]
            for byte in try Data(contentsOf: URL(fileURLWithPath: badFile)) { bytes += [byte, 0] }
            try Data(bytes).write(to: URL(fileURLWithPath: badFile))
        case .empty:
            try Data().write(to: URL(fileURLWithPath: badFile))
        case .missing:
            try FileManager.default.removeItem(atPath: badFile)
        default: break
        }
    }
}

@Suite("Line-based readers refuse bad input")
struct TextBadInputTests {
    @Test("one message naming the file (and line and column), from the reader alone",
          arguments: TextBadCorpus.formats, TextBadInput.allCases)
    func readerAlone(kind: String, bad: TextBadInput) throws {
        let scratch = try TextScratch()
        let corpus = try TextBadCorpus(kind: kind, bad: bad, in: scratch)
        let failure = expectBadInput {
            let reader = try corpus.format.makeReader(files: corpus.files, options: corpus.options)
            _ = try readAll(reader)
        }
        guard let failure else { return }
        #expect(failure.location.file == corpus.badFile)
        switch bad {
        case .invalidUTF8:
            #expect(failure.location.line == 2)
            #expect(failure.location.column == corpus.prefixColumns + 3)
            #expect(failure.message.contains("UTF-8"))
        case .nulByte:
            #expect(failure.location.line == 2)
            #expect(failure.location.column == corpus.prefixColumns + 3)
            #expect(failure.message.contains("NUL"))
        case .longLine:
            #expect(failure.location.line == 2)
            #expect(failure.message.contains("longer than"))
        case .utf16:
            #expect(failure.message.contains("UTF-16"))
        case .empty:
            #expect(failure.message.contains("empty"))
        case .missing:
            #expect(failure.message.contains("no such file"))
        }
        #expect(!HeldoutError.badInput(failure.location, failure.message).description.contains("\n"))
    }

    @Test("through a real store: the store is exactly as before", arguments: TextBadCorpus.formats)
    func storeUnchanged(kind: String) throws {
        let scratch = try TextScratch()
        let store = try Store(path: scratch.path("store.sqlite"))
        let good = try scratch.write("good.tsv", "en\tfr\nThe door is open.\tLa porte est ouverte.\n")
        let ingester = Ingester(options: IngestOptions())
        for planned in try ingester.plan(files: [good], format: nil, corpusName: nil) {
            _ = try ingester.ingest(planned, into: store)
        }
        let before = try store.rowCounts()
        #expect(before["segment"] == 2)
        for bad in [TextBadInput.invalidUTF8, .longLine] {
            let corpus = try TextBadCorpus(kind: kind, bad: bad, in: scratch)
            let badIngester = Ingester(options: corpus.options)
            let failure = expectBadInput {
                for planned in try badIngester.plan(files: corpus.files, format: corpus.format, corpusName: nil) {
                    _ = try badIngester.ingest(planned, into: store)
                }
            }
            #expect(failure?.location.line == 2)
            #expect(try store.rowCounts() == before)
        }
    }
}
