import Foundation
import Testing
@testable import HeldoutCore

@Suite("Segment identity")
struct IdentityTests {
    @Test("normalisation: NFC, whitespace collapsed and trimmed")
    func normalisation() {
        // "é" as e + combining acute becomes the precomposed character.
        #expect(TextNormalization.normalize("Caf\u{65}\u{301}") == "Caf\u{E9}")
        #expect(TextNormalization.normalize("  Il   pleut.\t\n") == "Il pleut.")
        // No-break and narrow no-break spaces count as whitespace.
        #expect(TextNormalization.normalize("Quoi\u{202F}?\u{00A0}\u{00A0}Non") == "Quoi ? Non")
        #expect(TextNormalization.normalize(" \u{FEFF}\n ") == "")
    }

    @Test("the id is SHA-256 over the primary language and the normalised text, first 128 bits")
    func idDefinition() throws {
        let segment = Segment(lang: try #require(LanguageTag("fr")), rawText: "  Bonjour   le monde ")
        #expect(segment.text == "Bonjour le monde")
        // printf 'fr\x1fBonjour le monde' | sha256sum | cut -c1-32
        #expect(segment.id.hex == "cbfa05ab7a5cc19994065cdf72d2a4f5")
        let same = Segment(lang: try #require(LanguageTag("FR")), rawText: "Bonjour\u{00A0}le monde")
        #expect(same.id == segment.id)
        // A region tag names the same language: one sentence, one segment.
        let regional = Segment(lang: try #require(LanguageTag("fr-CA")), rawText: "Bonjour le monde")
        #expect(regional.id == segment.id)
        #expect(regional.lang.value == "fr")
        let otherLanguage = Segment(lang: try #require(LanguageTag("en")), rawText: "Bonjour le monde")
        #expect(otherLanguage.id != segment.id)
    }

    @Test("field separator prevents collisions between splits of the same characters")
    func separator() {
        #expect(ContentID(hashing: ["a b", "c"]) != ContentID(hashing: ["a", "b c"]))
    }

    @Test("ids round-trip through hex and bytes and sort by bytes")
    func roundTrip() throws {
        let id = ContentID(hashing: ["en", "Hello."])
        #expect(ContentID(hex: id.hex) == id)
        #expect(ContentID(bytes: id.bytes) == id)
        let other = ContentID(hashing: ["en", "Goodbye."])
        #expect((id < other) == (id.hex < other.hex))
        #expect(ContentID(hex: "xyz") == nil)
    }

    @Test("language tags are canonicalised to BCP 47 case")
    func languageTags() {
        #expect(LanguageTag("FR-fr")?.value == "fr-FR")
        #expect(LanguageTag("fr_CA")?.value == "fr-CA")
        #expect(LanguageTag("zh-hant-tw")?.value == "zh-Hant-TW")
        #expect(LanguageTag("es-419")?.value == "es-419")
        #expect(LanguageTag("sr-latn")?.value == "sr-Latn")
        #expect(LanguageTag("fr-CA")?.primary == "fr")
        #expect(LanguageTag("") == nil)
        #expect(LanguageTag("f") == nil)
        #expect(LanguageTag("fr--CA") == nil)
        #expect(LanguageTag("fr CA") == nil)
    }

    @Test("pairs are formed on primary subtags in a canonical order")
    func pairs() throws {
        #expect(LanguagePair("fr", "en") == LanguagePair("en", "fr"))
        #expect(LanguagePair("fr-FR_en-US".replacingOccurrences(of: "_", with: ":")) == LanguagePair("en", "fr"))
        let directed = try #require(DirectedPair("en-fr"))
        #expect(directed.source.value == "en" && directed.target.value == "fr")
        #expect(DirectedPair("en-GB:fr-CA")?.target.value == "fr-CA")
        #expect(DirectedPair("en") == nil)
    }
}

@Suite("Normalisation fast path")
struct NormalisationFastPathTests {
    @Test("the byte-level path agrees with the full Unicode path", arguments: [
        "  Il   pleut.\t\n", "Ça coûte 3,50 €.", "Straße\u{00A0}\u{00A0}über", "Déjà\u{0085}vu", "\u{00A0}", "",
        "ñandú ¿qué?", "Łódź and Ærø", "e\u{0301}te\u{0301}", "Quoi\u{202F}?", "日本語の 文", "a\u{200B}b",
    ])
    func agrees(_ text: String) {
        let full = TextNormalization.normalize(text)
        // Reference: NFC, then every Unicode whitespace run to one space, trimmed.
        let reference = text.precomposedStringWithCanonicalMapping.unicodeScalars
            .split(whereSeparator: { $0.properties.isWhitespace || $0 == "\u{200B}" || $0 == "\u{FEFF}" })
            .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
        #expect(full == reference)
        if let fast = TextNormalization.normalizeBelowCombiningMarks(text) {
            #expect(fast == reference)
        }
    }

    @Test("text with combining marks takes the full path")
    func combining() {
        #expect(TextNormalization.normalizeBelowCombiningMarks("e\u{0301}") == nil)
        #expect(TextNormalization.normalizeBelowCombiningMarks("plain ascii") == "plain ascii")
    }
}
