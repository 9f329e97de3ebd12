import Foundation
import Testing
import HeldoutCore
import HeldoutStore
@testable import HeldoutIngest

/// Issue 18, items 1 and 2: TMX language attributes, and one segment size limit for every format.
@Suite("Segment limit and TMX languages")
struct SegmentLimitTests {
    static let header = """
        <?xml version="1.0" encoding="UTF-8"?>
        <tmx version="1.4"><header srclang="en" adminlang="en" segtype="sentence" o-tmf="x" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
        <body>
        """

    static func tmx(_ tuvAttributes: String) -> String {
        header + "\n" + """
        <tu><tuv xml:lang="en"><seg>Good morning.</seg></tuv><tuv \(tuvAttributes)><seg>Guten Morgen.</seg></tuv></tu>
        </body></tmx>
        """
    }

    @Test("a tuv with xml:lang and lang takes xml:lang (TMX 1.4), in either order", arguments: [
        #"xml:lang="fr" lang="de""#, #"lang="de" xml:lang="fr""#,
    ])
    func xmlLangWins(attributes: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("both.tmx", Self.tmx(attributes))
        let sink = try readXML(.tmx, path)
        #expect(sink.units.map { $0.texts.map(\.lang.value) } == [["en", "fr"]])
        // --pair checks the language that counts, not the one that lost.
        #expect(try readXML(.tmx, path, options: xmlOptions(pair: "en-fr")).units.count == 1)
        _ = try #require(expectBadInput { _ = try readXML(.tmx, path, options: xmlOptions(pair: "en-de")) })
    }

    @Test("TMX 1.1 lang alone still counts; a lang in another namespace does not")
    func plainLang() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("old.tmx", Self.tmx(#"lang="de""#))
        #expect(try readXML(.tmx, path).units.map { $0.texts.map(\.lang.value) } == [["en", "de"]])

        let foreign = try scratch.write("foreign.tmx", Self.tmx(#"xmlns:t="urn:x-test" t:lang="de""#))
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, foreign) })
        #expect(failure.message.contains("no xml:lang"))
    }

    @Test("a tuv with neither attribute is refused with its line and column, and the store is unchanged")
    func noLanguage() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("none.tmx", Self.header + """

            <tu><tuv xml:lang="en"><seg>Good morning.</seg></tuv>
              <tuv creationid="x"><seg>Guten Morgen.</seg></tuv></tu>
            </body></tmx>
            """)
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.file == path)
        #expect(failure.location.line == 5)
        #expect(failure.location.column == 3)
        #expect(failure.message.contains("no xml:lang"))

        let store = try Store(path: scratch.url.appendingPathComponent("store.sqlite").path)
        let before = try store.rowCounts()
        let ingester = Ingester(options: IngestOptions())
        let planned = try ingester.plan(files: [path], format: nil, corpusName: nil)
        _ = try #require(expectBadInput { _ = try ingester.ingest(planned[0], into: store) })
        #expect(try store.rowCounts() == before)
    }

    // MARK: - The segment limit

    /// A corpus of one format whose second unit holds a segment of `long` bytes, and where it is.
    struct Case: CustomStringConvertible {
        var format: CorpusFormat
        var files: [String: String]
        var pair: String?
        var lang: String?
        var columns: String?
        /// The file and line the error must name.
        var file: String
        var line: Int
        var description: String { format.rawValue }
    }

    static let long = String(repeating: "so long a sentence ", count: 20) + "ends."  // 385 bytes
    static let limit = 256

    static let cases: [Case] = [
        Case(format: .tmx, files: ["a.tmx": header + """

            <tu><tuv xml:lang="en"><seg>Short.</seg></tuv><tuv xml:lang="fr"><seg>Court.</seg></tuv></tu>
            <tu><tuv xml:lang="en"><seg>\(long)</seg></tuv><tuv xml:lang="fr"><seg>Long.</seg></tuv></tu>
            </body></tmx>
            """], file: "a.tmx", line: 5),
        Case(format: .xliff, files: ["a.xlf": """
            <?xml version="1.0" encoding="UTF-8"?>
            <xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
            <file original="x" source-language="en" target-language="fr" datatype="plaintext"><body>
            <trans-unit id="1"><source>Short.</source><target>Court.</target></trans-unit>
            <trans-unit id="2"><source>Long.</source>
            <target>\(long)</target></trans-unit>
            </body></file></xliff>
            """], file: "a.xlf", line: 6),
        Case(format: .xces, files: [
            "en/d.xml": "<document>\n<s id=\"1\">Short.</s>\n<s id=\"2\">\(long)</s>\n</document>\n",
            "fr/d.xml": "<document>\n<s id=\"1\">Court.</s>\n<s id=\"2\">Long.</s>\n</document>\n",
            "align.xml": """
                <cesAlign version="1.0">
                <linkGrp fromDoc="en/d.xml" toDoc="fr/d.xml"><link xtargets="1;1"/><link xtargets="2;2"/></linkGrp>
                </cesAlign>
                """,
        ], file: "align.xml", line: 2),
        Case(format: .po, files: ["fr.po": "msgid \"Short.\"\nmsgstr \"Court.\"\n\nmsgid \"Long.\"\nmsgstr \"\"\n\"\(long)\"\n"],
             file: "fr.po", line: 5),
        Case(format: .text, files: ["t.en.txt": "Short.\n\n\(long.replacingOccurrences(of: ".", with: ""))\n"],
             file: "t.en.txt", line: 3),
        Case(format: .moses, files: ["m.en": "Short.\n\(long)\n", "m.fr": "Court.\nLong.\n"], pair: "en-fr",
             file: "m.en", line: 2),
        Case(format: .tsv, files: ["p.tsv": "Short.\tCourt.\nLong.\t\(long)\n"], columns: "en,fr", file: "p.tsv", line: 2),
        Case(format: .jsonl, files: ["p.jsonl": "{\"en\": \"Short.\", \"fr\": \"Court.\"}\n{\"en\": \"\(long)\", \"fr\": \"Long.\"}\n"],
             file: "p.jsonl", line: 2),
    ]

    @Test("one segment limit for every format: exit 3 (bad input) with file, line and column, store unchanged",
          arguments: cases)
    func limit(_ example: Case) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        var paths: [String: String] = [:]
        for (name, text) in example.files { paths[name] = try scratch.write(name, text) }
        let inputs = example.format == .moses ? [paths["m.en"], paths["m.fr"]].compactMap { $0 }
            : [try #require(paths[example.format == .xces ? "align.xml" : example.file])]
        var options = IngestOptions()
        options.pair = example.pair.flatMap(DirectedPair.init)
        options.columns = example.columns?.split(separator: ",").map(String.init)

        let store = try Store(path: scratch.url.appendingPathComponent("store.sqlite").path)
        let before = try store.rowCounts()
        options.maxSegmentBytes = Self.limit
        let ingester = Ingester(options: options)
        let planned = try ingester.plan(files: inputs, format: example.format, corpusName: nil)
        #expect(planned.count == 1)
        let failure = try #require(expectBadInput { _ = try ingester.ingest(planned[0], into: store) })
        #expect(failure.location.file == paths[example.file])
        #expect(failure.location.line == example.line)
        #expect(failure.location.column != nil)
        #expect(failure.message.contains("segment limit of 256 bytes"))
        #expect(failure.message.contains("--max-segment-bytes"))
        #expect(try store.rowCounts() == before)

        // The default limit (1 MiB) takes the same file.
        options.maxSegmentBytes = IngestOptions.defaultMaxSegmentBytes
        let relaxed = Ingester(options: options)
        let report = try relaxed.ingest(try relaxed.plan(files: inputs, format: example.format, corpusName: nil)[0], into: store)
        #expect(report.units == 2)
    }

    @Test("the default is 1 MiB: a TMX seg of 1 MiB and a byte is refused at its <seg>, without growing with the file")
    func tmxDefault() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let big = String(repeating: "a", count: IngestOptions.defaultMaxSegmentBytes + 1)
        let path = try scratch.write("big.tmx", Self.header + "\n<tu><tuv xml:lang=\"en\">\n  <seg>" + big
                                     + "</seg></tuv><tuv xml:lang=\"fr\"><seg>x</seg></tuv></tu></body></tmx>\n")
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.line == 5)
        #expect(failure.location.column == 3)
        #expect(failure.message.contains("1 MiB"))

        let exact = try scratch.write("exact.tmx", Self.header + "\n<tu><tuv xml:lang=\"en\"><seg>" + String(big.dropLast())
                                      + "</seg></tuv><tuv xml:lang=\"fr\"><seg>x</seg></tuv></tu></body></tmx>\n")
        #expect(try readXML(.tmx, exact).units.count == 1)
    }

    @Test("a spec source takes max_segment_bytes (at least 1) and documents, and states them in the resolved spec")
    func specKeys() throws {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("splits/demo.yaml")
        let text = try String(contentsOf: demo, encoding: .utf8)
        let line = "  - { path: ../corpora/samples/en-fr.tmx, format: tmx, license: CC0-1.0 }"
        #expect(text.contains(line))
        let edited = text.replacingOccurrences(
            of: line, with: "  - { path: ../corpora/samples/en-fr.tmx, format: tmx, license: CC0-1.0, max_segment_bytes: 4096, documents: \"prop:x-file\" }")
        let spec = try SplitSpec(yaml: edited, file: "demo.yaml")
        #expect(spec.sources[0].maxSegmentBytes == 4096)
        #expect(spec.sources[0].documents.flatMap(DocumentMode.init) == .property("x-file"))
        #expect(spec.resolvedYAML.contains("max_segment_bytes: 4096"))

        let zero = text.replacingOccurrences(of: line, with: "  - { path: ../corpora/samples/en-fr.tmx, max_segment_bytes: 0 }")
        let failure = try #require(expectBadInput { _ = try SplitSpec(yaml: zero, file: "demo.yaml") })
        #expect(failure.message.contains("max_segment_bytes"))
    }

    @Test("--max-segment-bytes is part of how a corpus was read only when it is not the default")
    func fingerprint() throws {
        var options = IngestOptions()
        let plain = try options.fingerprint(format: .tmx)
        #expect(!plain.contains("max_segment_bytes"))
        options.maxSegmentBytes = 4096
        #expect(try options.fingerprint(format: .tmx).contains("\"max_segment_bytes\":\"4096\""))
        #expect(options.maxLineBytes == 4 * 4096)
    }
}
