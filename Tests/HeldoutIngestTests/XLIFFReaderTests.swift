import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest

@Suite("XLIFF reader")
struct XLIFFReaderTests {
    @Test("XLIFF 1.2: files as documents, groups, state, notes, inline codes, untranslated counted")
    func xliff12() throws {
        let sink = try readXML(.xliff, XMLFixtures.path("xliff12.xlf"))
        #expect(sink.skipped == ["untranslated": 2])
        #expect(sink.units.map(\.byLanguage) == [
            ["en": "Welcome to the garden planner.", "fr": "Bienvenue dans le planificateur de jardin."],
            ["en": "Drag a seed onto a bed.", "fr": "Faites glisser une graine sur une planche."],
            ["en": "Bold seeds sprout fast.", "fr": "Les graines audacieuses germent vite."],
            ["en-GB": "How often should I water?", "fr-FR": "À quelle fréquence dois-je arroser ?"],
        ])
        #expect(sink.units.map(\.document) == ["help/intro.html", "help/intro.html", "help/intro.html", "help/faq.html"])
        #expect(sink.units.map(\.domain) == ["software", "software", "software", nil])
        #expect(sink.units[0].metadata == ["id": "t1", "resname": "greeting", "state": "translated",
                                           "note": "shown on the first page"])
        #expect(sink.units[1].metadata == ["id": "t2", "approved": "no", "state": "needs-review-translation",
                                           "state-qualifier": "leveraged-tm"])
        #expect(sink.units[0].location?.line == 8)
    }

    @Test("XLIFF 2.0: one unit per segment, ignorable skipped, pc/mrk kept, ph/sc/ec dropped")
    func xliff20() throws {
        let sink = try readXML(.xliff, XMLFixtures.path("xliff20.xlf"))
        #expect(sink.skipped == ["untranslated": 1])
        #expect(sink.units.map(\.byLanguage) == [
            ["en-US": "Open the settings menu.", "de": "Öffne das Menü Einstellungen."],
            ["en-US": "It saves at once and quietly.", "de": "Es speichert sofort und leise."],
            ["en-US": "Goodbye for now.", "de-AT": "Servus, bis bald."],
            ["en-US": "The end.", "de": "Das Ende."],
        ])
        #expect(sink.units.map(\.document) == ["app/strings.json", "app/strings.json", "app/strings.json", "f2"])
        #expect(sink.units[0].metadata == ["unit": "u1", "segment": "s1", "state": "translated", "note": "menu text"])
        #expect(sink.units[1].metadata == ["unit": "u1", "segment": "s3", "note": "menu text"])
        #expect(sink.units[2].metadata == ["unit": "u2"])
    }

    @Test("XLIFF 2.1 without trgLang takes the target language from --pair")
    func targetFromPair() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("no-target-lang.xlf", """
            <?xml version="1.0"?>
            <xliff version="2.1" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="es">
             <file id="f"><unit id="1"><segment><source>Hace sol.</source><target>It is sunny.</target></segment></unit></file>
            </xliff>
            """)
        let failure = try #require(expectBadInput { _ = try readXML(.xliff, path) })
        #expect(failure.message.contains("trgLang"))
        #expect(failure.location.line == 2)

        let sink = try readXML(.xliff, path, options: xmlOptions(pair: "en-es"))
        #expect(sink.units.map(\.byLanguage) == [["es": "Hace sol.", "en": "It is sunny."]])
    }

    @Test("--pair that contradicts the file's declared languages is an error")
    func pairContradiction() throws {
        let path = XMLFixtures.path("xliff12.xlf")
        let failure = try #require(expectBadInput { _ = try readXML(.xliff, path, options: xmlOptions(pair: "en-de")) })
        #expect(failure.location.file == path)
        #expect(failure.location.line == 4)
        #expect(failure.message.contains("target-language"))
        #expect(failure.message.contains("declares fr"))
        // en-US/fr-FR in the file fit --pair en-fr on primary subtags.
        #expect(try readXML(.xliff, path, options: xmlOptions(pair: "fr-en")).units.count == 4)
    }

    @Test("a trans-unit without source, or with a bad xml:lang, is a bad unit")
    func invalidUnits() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("bad.xlf", """
            <?xml version="1.0"?>
            <xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
            <file original="a" source-language="en" target-language="it"><body>
            <trans-unit id="1"><target>Solo il testo tradotto.</target></trans-unit>
            <trans-unit id="2"><source>Fine.</source><target xml:lang="it-">Bene.</target></trans-unit>
            <trans-unit id="3"><source>Good.</source><target>Buono.</target></trans-unit>
            </body></file></xliff>
            """)
        let failure = try #require(expectBadInput { _ = try readXML(.xliff, path) })
        #expect(failure.location.line == 4)
        #expect(failure.location.column == 1)
        #expect(failure.message.contains("<trans-unit> has no <source>"))

        let sink = try readXML(.xliff, path, options: xmlOptions(skipInvalid: true))
        #expect(sink.skipped == ["invalid": 2])
        #expect(sink.units.map(\.byLanguage) == [["en": "Good.", "it": "Buono."]])
    }
}
