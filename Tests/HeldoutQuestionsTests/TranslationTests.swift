import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
import HeldoutQuestions
import HeldoutStore

@Suite("translation items")
struct TranslationTests {
    let source = """
        id: translate
        version: 1
        category: translation
        pairs: [fr-en]
        selector: { kind: translation }
        question: "Translate into {{translation_lang_name}}: «{{text}}»"
        answer: "{{translation}}"
        rubric: ["is in {{translation_lang_name}}"]
        """

    @Test("a sentence with a translation becomes an item whose gold is that translation; one without, or identical, is skipped and counted")
    func items() throws {
        let t = try TempStore()
        try t.ingestPairs("pairs", [("Le chat dort sur le tapis.", "The cat sleeps on the mat."),
                                    ("Firefox", "Firefox")])
        _ = try t.store.ingest(CorpusDescriptor(name: "mono", format: "test", sha256: "mono", size: 1, files: ["mono"])) { sink in
            try sink.add(CorpusUnit(texts: [.init(lang: LanguageTag("fr")!, text: "Il pleut sur la ville.")]))
        }
        let report = try build(t.store, [try template(source)])
        let items = try t.items(category: "translation")
        #expect(items.count == 1)
        let item = try #require(items.first)
        #expect(item.question == "Translate into English: «Le chat dort sur le tapis.»")
        #expect(item.answer == "The cat sleeps on the mat.")
        #expect(item.pair == "fr-en")
        // Both sides are the item's segments, so isolation sees the translation too.
        #expect(item.segments == [segmentID("fr", "Le chat dort sur le tapis."), segmentID("en", "The cat sleeps on the mat.")])
        let skipped = try #require(report.templates.first?.skipped)
        #expect(skipped["no translation"] == 1)
        #expect(skipped["translation equals the source"] == 1)
    }

    @Test("a translation template without pairs is refused with its location")
    func needsPairs() throws {
        let monolingual = source.replacingOccurrences(of: "pairs: [fr-en]", with: "languages: [fr]")
        #expect(throws: HeldoutError.self) { try template(monolingual) }
    }
}
