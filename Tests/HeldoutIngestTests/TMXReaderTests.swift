import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest

@Suite("TMX reader")
struct TMXReaderTests {
    @Test("TMX 1.4b: texts, languages, props, notes, domain, inline markup, three languages")
    func tmx14() throws {
        let sink = try readXML(.tmx, XMLFixtures.path("tmx14.tmx"))
        #expect(sink.units.count == 3)
        #expect(sink.skipped == ["untranslated": 2])

        let first = try #require(sink.units.first)
        #expect(first.byLanguage == ["en": "The tomatoes ripen late this year.",
                                     "fr-FR": "Les tomates mûrissent tard cette année."])
        #expect(first.domain == "gardening")
        #expect(first.metadata == ["prop:x-domain": "gardening", "note": "checked by hand"])
        #expect(first.document == CorpusUnit.ownDocument, "a tu without a document prop is a document of its own")
        #expect(first.location?.line == 10)

        // bpt/ept are native code: "<b>" must not reach the sentence.
        let second = sink.units[1]
        #expect(second.byLanguage == ["en": "Press Save twice.", "fr": "Appuyez deux fois sur Enregistrer."])
        #expect(second.domain == nil)
        #expect(second.metadata == ["prop:x-Client": "north\nsouth",
                                    "en:prop:x-origin": "manual", "fr:note": "imperative"])

        // hi keeps its text; ph (with its sub-flow), it and ut are dropped; CDATA is text.
        let third = sink.units[2]
        #expect(third.texts.map(\.lang.value) == ["en", "de", "es"])
        #expect(third.byLanguage == ["en": "See the map for rain & wind.",
                                     "de": "Auf der Karte stehen Regen und Wind.",
                                     "es": "El mapa muestra <la> lluvia."])
        #expect(third.domain == "weather", "a prop typed Subject feeds the domain, whatever its case")
        #expect(sink.lastBytesRead > 0)
    }

    @Test("TMX 1.1: lang attribute, tags canonicalised, header domain as the default")
    func tmx11() throws {
        let sink = try readXML(.tmx, XMLFixtures.path("tmx11.tmx"))
        #expect(sink.units.map(\.byLanguage) == [
            ["en-US": "The ferry leaves at noon.", "fr-CA": "Le traversier part à midi."],
            ["en-US": "Keep your ticket until the end.", "fr-CA": "Gardez votre billet jusqu’à la fin."],
        ])
        #expect(sink.units.map(\.domain) == ["transport", "travel"])
        #expect(sink.skipped.isEmpty)
    }

    @Test("--pair on primary subtags: en-fr fits a file in en-US and fr-CA, in either direction")
    func pairMatchesPrimarySubtags() throws {
        #expect(try readXML(.tmx, XMLFixtures.path("tmx11.tmx"), options: xmlOptions(pair: "en-fr")).units.count == 2)
        #expect(try readXML(.tmx, XMLFixtures.path("tmx11.tmx"), options: xmlOptions(pair: "fr-en")).units.count == 2)
    }

    @Test("--pair that contradicts a tuv is an error naming the file, line and language")
    func pairContradiction() throws {
        let path = XMLFixtures.path("tmx14.tmx")
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path, options: xmlOptions(pair: "en-fr")) })
        #expect(failure.location.file == path)
        #expect(failure.location.line == 25)
        #expect(failure.location.column == 21)
        #expect(failure.message.contains("--pair en-fr"))
        #expect(failure.message.contains("declares de"))
    }

    @Test("--pair that contradicts the header srclang is an error")
    func pairContradictsHeader() throws {
        let path = XMLFixtures.path("tmx11.tmx")
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path, options: xmlOptions(pair: "de-fr")) })
        #expect(failure.location.line == 4)
        #expect(failure.message.contains("srclang"))
        #expect(failure.message.contains("EN-US"))
    }

    @Test("--lang is refused for a bilingual format")
    func langRefused() throws {
        var options = IngestOptions()
        options.lang = LanguageTag("fr")
        #expect(throws: HeldoutError.self) {
            _ = try CorpusFormat.tmx.makeReader(files: [XMLFixtures.path("tmx11.tmx")], options: options)
        }
        do {
            _ = try CorpusFormat.tmx.makeReader(files: [XMLFixtures.path("tmx11.tmx")], options: options)
        } catch let HeldoutError.usage(message) {
            #expect(message.contains("--pair"))
        }
    }

    static let badUnits = """
        <?xml version="1.0" encoding="UTF-8"?>
        <tmx version="1.4"><header srclang="en" adminlang="en" segtype="sentence" o-tmf="x" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
        <body>
        <tu><tuv xml:lang="en"><seg>First good unit.</seg></tuv><tuv xml:lang="fr"><seg>Première unité correcte.</seg></tuv></tu>
        <tu><tuv xml:lang="en"><seg>A bad tag follows.</seg></tuv>
          <tuv xml:lang="fr_!!"><seg>Une étiquette fausse.</seg></tuv></tu>
        <tu tuid="empty"></tu>
        <tu><tuv xml:lang="en"><seg>No seg in the next tuv.</seg></tuv><tuv xml:lang="fr"></tuv></tu>
        <tu><tuv><seg>No language.</seg></tuv><tuv xml:lang="fr"><seg>Pas de langue.</seg></tuv></tu>
        <tu><tuv xml:lang="en"><seg>Last good unit.</seg></tuv><tuv xml:lang="fr"><seg>Dernière unité correcte.</seg></tuv></tu>
        </body></tmx>
        """

    @Test("a bad unit fails the file, naming line and column, unless --skip-invalid")
    func invalidUnits() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("bad-units.tmx", Self.badUnits)

        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.file == path)
        #expect(failure.location.line == 6)
        #expect(failure.location.column == 17)
        #expect(failure.message.contains("\"fr_!!\" is not a language tag"))
        #expect(failure.message.contains("--skip-invalid"))

        let sink = try readXML(.tmx, path, options: xmlOptions(skipInvalid: true))
        #expect(sink.units.map { $0.byLanguage["en"] } == ["First good unit.", "Last good unit."])
        #expect(sink.skipped == ["invalid": 4])
    }

    @Test("a tu without tuv is a bad unit at its own line")
    func unitWithoutVariants() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let text = Self.badUnits.replacingOccurrences(of: "fr_!!", with: "fr")
        let path = try scratch.write("no-tuv.tmx", text)
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.line == 7)
        #expect(failure.location.column == 1)
        #expect(failure.message.contains("<tu> has no <tuv>"))
    }

    @Test("an XLIFF file read as TMX is refused with the format named")
    func wrongRoot() throws {
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, XMLFixtures.path("xliff12.xlf")) })
        #expect(failure.message.contains("<xliff>, not <tmx>"))
        #expect(failure.location.line == 3)
    }
}
