import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest

@Suite("XCES reader")
struct XCESReaderTests {
    static let alignment = XMLFixtures.path("xces/en-fr.xml")

    @Test("many-to-many links, w tokens joined, empty sides counted, documents and languages from paths")
    func links() throws {
        let sink = try readXML(.xces, Self.alignment)
        #expect(sink.skipped == ["unaligned": 2])
        let texts = sink.units.map { unit in unit.byLanguage.mapValues(TextNormalization.normalize) }
        #expect(texts == [
            ["en": "The lighthouse keeper woke early.", "fr": "Le gardien du phare s’éveilla tôt."],
            ["en": "He climbed the stairs . The lamp was still warm.",
             "fr": "Il monta l’escalier ; la lampe était encore chaude."],
            ["en": "Fog covered the bay.", "fr": "Le brouillard tomba . Il recouvrit la baie."],
            ["en": "Bring a lantern.", "fr": "Apportez une lanterne."],
        ])
        #expect(sink.units.map(\.document) == ["en/story.xml.gz", "en/story.xml.gz", "en/story.xml.gz", "en/notes.xml"])
        #expect(sink.units.map { $0.texts.map(\.lang.value) } == Array(repeating: ["en", "fr"], count: 4))
        #expect(sink.units[1].location?.line == 7)
    }

    @Test("files lists the alignment and every sentence document it reads (uncompressed beside the .gz name)")
    func files() throws {
        let reader = try XCESReader(path: Self.alignment, options: IngestOptions())
        let directory = XMLFixtures.path("xces")
        #expect(reader.files == [Self.alignment, "\(directory)/en/story.xml", "\(directory)/fr/story.xml",
                                 "\(directory)/en/notes.xml", "\(directory)/fr/notes.xml"])
    }

    @Test("--pair that contradicts the language directories is an error")
    func pairContradiction() throws {
        let failure = try #require(expectBadInput { _ = try readXML(.xces, Self.alignment, options: xmlOptions(pair: "de-fr")) })
        #expect(failure.location.file == Self.alignment)
        #expect(failure.location.line == 5)
        #expect(failure.message.contains("en/story.xml.gz"))
        #expect(failure.message.contains("--pair de-fr"))
        #expect(try readXML(.xces, Self.alignment, options: xmlOptions(pair: "fr-en")).units.count == 4)
    }

    @Test("without language directories, --pair names the sides (fromDoc = source)")
    func languagesFromPair() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        _ = try scratch.write("docs/a.xml", #"<document><s id="1">Good night.</s></document>"#)
        _ = try scratch.write("docs/b.xml", #"<document><s id="1">Buenas noches.</s></document>"#)
        let path = try scratch.write("align.xml", """
            <cesAlign version="1.0">
            <linkGrp fromDoc="docs/a.xml" toDoc="docs/b.xml"><link xtargets="1;1"/></linkGrp>
            </cesAlign>
            """)
        let failure = try #require(expectBadInput { _ = try readXML(.xces, path) })
        #expect(failure.message.contains("--pair"))
        #expect(failure.location.line == 2)

        let sink = try readXML(.xces, path, options: xmlOptions(pair: "en-es"))
        #expect(sink.units.map(\.byLanguage) == [["en": "Good night.", "es": "Buenas noches."]])
    }

    @Test("a gzip-only sentence document is refused with the command that fixes it; a missing one is named")
    func compressedOrMissingDocument() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        _ = try scratch.write("en/a.xml.gz", bytes: [0x1F, 0x8B, 0x08, 0x00])
        _ = try scratch.write("fr/a.xml", #"<document><s id="1">Bonsoir.</s></document>"#)
        let path = try scratch.write("align.xml", """
            <cesAlign version="1.0">
            <linkGrp fromDoc="en/a.xml.gz" toDoc="fr/a.xml.gz"><link xtargets="1;1"/></linkGrp>
            <linkGrp fromDoc="en/b.xml" toDoc="fr/b.xml"><link xtargets="1;1"/></linkGrp>
            </cesAlign>
            """)
        let gzip = try #require(expectBadInput { _ = try XCESReader(path: path, options: IngestOptions()) })
        #expect(gzip.location.line == 2)
        #expect(gzip.message.contains("gunzip -k"))

        _ = try scratch.write("en/a.xml", #"<document><s id="1">Good evening.</s></document>"#)
        let missing = try #require(expectBadInput { _ = try XCESReader(path: path, options: IngestOptions()) })
        #expect(missing.location.line == 3)
        #expect(missing.message.contains("en/b.xml"))
        #expect(missing.message.contains("does not exist"))
    }

    @Test("a link to a sentence id that is not in its document is a bad unit")
    func unknownSentence() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        _ = try scratch.write("en/a.xml", #"<document><s id="1">One.</s><s id="2">Two.</s></document>"#)
        _ = try scratch.write("fr/a.xml", #"<document><s id="1">Un.</s><s id="2">Deux.</s></document>"#)
        let path = try scratch.write("align.xml", """
            <cesAlign version="1.0">
            <linkGrp fromDoc="en/a.xml" toDoc="fr/a.xml">
            <link xtargets="1;1"/>
            <link xtargets="2;9"/>
            <link xtargets="2"/>
            <link xtargets="2;2"/>
            </linkGrp>
            </cesAlign>
            """)
        let failure = try #require(expectBadInput { _ = try readXML(.xces, path) })
        #expect(failure.location.line == 4)
        #expect(failure.location.column == 16)
        #expect(failure.message.contains("\"9\" is not in fr/a.xml"))

        let sink = try readXML(.xces, path, options: xmlOptions(skipInvalid: true))
        #expect(sink.skipped == ["invalid": 2])
        #expect(sink.units.map(\.byLanguage) == [["en": "One.", "fr": "Un."], ["en": "Two.", "fr": "Deux."]])
    }

    @Test("a link outside any linkGrp fails the file; a later linkGrp may reuse a document")
    func linkOutsideGroup() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        _ = try scratch.write("en/a.xml", #"<document><s id="1">One.</s><s id="2">Two.</s></document>"#)
        _ = try scratch.write("fr/a.xml", #"<document><s id="1">Un.</s><s id="2">Deux.</s></document>"#)
        let good = try scratch.write("good.xml", """
            <cesAlign version="1.0">
            <linkGrp fromDoc="en/a.xml" toDoc="fr/a.xml"><link xtargets="1;1"/></linkGrp>
            <linkGrp fromDoc="en/a.xml" toDoc="fr/a.xml"><link xtargets="2;2"/></linkGrp>
            </cesAlign>
            """)
        #expect(try readXML(.xces, good).units.map(\.byLanguage) == [["en": "One.", "fr": "Un."], ["en": "Two.", "fr": "Deux."]])
        #expect(try XCESReader(path: good, options: IngestOptions()).files.count == 3)

        let bad = try scratch.write("bad.xml", """
            <cesAlign version="1.0">
            <linkGrp fromDoc="en/a.xml" toDoc="fr/a.xml"><link xtargets="1;1"/></linkGrp>
            <link xtargets="2;2"/>
            </cesAlign>
            """)
        let failure = try #require(expectBadInput { _ = try readXML(.xces, bad) })
        #expect(failure.location.line == 3)
        #expect(failure.message.contains("outside a <linkGrp>"))
    }
}
