import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
import HeldoutQuestions
import HeldoutStore

let definitionTemplate = """
    id: def
    version: 1
    category: definition
    pairs: [fr-en]
    selector: { kind: word }
    question: "What does «{{word}}» mean in «{{text}}»?"
    answer: "{{lemma}}: {{gloss}}{{#in_context}} (translation: {{evidence}}){{/in_context}}"
    rubric:
      - "names an English meaning for «{{lemma}}»"
      - "does not merely translate the sentence"
    """

@Suite("definition")
struct DefinitionTests {
    @Test("content words get their lemma, the dictionary gloss and the sense the translation uses; coverage and skips are reported")
    func exactItems() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [("Le chien défendait le vieux pont.", "The dog defended the old bridge.")])
        let report = try build(t.store, [try template(definitionTemplate)])
        let fr = segmentID("fr", "Le chien défendait le vieux pont.")
        let en = segmentID("en", "The dog defended the old bridge.")
        let expected = [
            Item(template: "def", templateVersion: 1,
                 boundValues: bound(word: "chien", lemma: "chien", pos: "n", gloss: "dog", senses: ["dog"], sense: 1, evidence: "dog", lemmatised: false, fr: fr),
                 category: "definition", lang: "fr", pair: "fr-en",
                 question: "What does «chien» mean in «Le chien défendait le vieux pont.»?",
                 answer: "chien: dog (translation: dog)",
                 rubric: ["names an English meaning for «chien»", "does not merely translate the sentence"],
                 segments: [fr, en], target: Lexeme(lemma: "chien", lang: "fr"), consistencyGroup: "lexeme:fr:chien:NOUN:1"),
            Item(template: "def", templateVersion: 1,
                 boundValues: bound(word: "défendait", lemma: "défendre", pos: "v", gloss: "defend", senses: ["forbid, prohibit", "defend"], sense: 2, evidence: "defended", lemmatised: true, fr: fr),
                 category: "definition", lang: "fr", pair: "fr-en",
                 question: "What does «défendait» mean in «Le chien défendait le vieux pont.»?",
                 answer: "défendre: defend (translation: defended)",
                 rubric: ["names an English meaning for «défendre»", "does not merely translate the sentence"],
                 segments: [fr, en], target: Lexeme(lemma: "défendre", lang: "fr"), consistencyGroup: "lexeme:fr:défendre:VERB:2"),
            Item(template: "def", templateVersion: 1,
                 boundValues: bound(word: "pont", lemma: "pont", pos: "n", gloss: "bridge", senses: ["deck", "bridge"], sense: 2, evidence: "bridge", lemmatised: false, fr: fr),
                 category: "definition", lang: "fr", pair: "fr-en",
                 question: "What does «pont» mean in «Le chien défendait le vieux pont.»?",
                 answer: "pont: bridge (translation: bridge)",
                 rubric: ["names an English meaning for «pont»", "does not merely translate the sentence"],
                 segments: [fr, en], target: Lexeme(lemma: "pont", lang: "fr"), consistencyGroup: "lexeme:fr:pont:NOUN:2"),
        ].sorted { $0.id < $1.id }
        #expect(try t.items() == expected)
        let r = try #require(report.templates.first)
        #expect(r.candidates == 4) // chien, défendait, vieux, pont
        #expect(r.answered == 3)
        #expect(r.coverage == 0.75)
        #expect(r.inContext == 3)
        #expect(r.lemmaMethods == ["headword": 2, "rules": 1])
        // "Le" and "le" are function words: never asked, counted apart from the candidates.
        #expect(r.skipped == ["no dictionary entry for the lemma": 1, "function word": 2])
    }

    /// The bound values the builder records for a word item (all variables of the selector).
    func bound(word: String, lemma: String, pos: String, gloss: String, senses: [String], sense: Int, evidence: String,
               lemmatised: Bool, fr: ContentID) -> [String: String] {
        let text = "Le chien défendait le vieux pont."
        let group = min(fr, segmentID("en", "The dog defended the old bridge."))
        return [
            "pair": "fr-en", "item_lang": "fr", "text": text, "lang": "fr", "lang_name": "French", "segment": fr.hex,
            "group": group.hex, "translation": "The dog defended the old bridge.", "has_translation": "true",
            "translation_lang": "en", "translation_lang_name": "English", "word": word, "lemma": lemma, "pos": pos,
            "gloss": gloss, "senses": senses.joined(separator: "\u{1E}"),
            "all_senses": senses.count == 1 ? senses[0] : senses.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; "),
            "sense_number": String(sense), "in_context": "true", "evidence": evidence, "lemmatised": lemmatised ? "true" : "false",
            "construction": "\(lemma):\(pos == "n" ? "NOUN" : "VERB"):\(sense)",
        ]
    }

    @Test("the in-context sense follows the translation; without one no sense is claimed and the word is skipped, counted")
    func senseFromTranslation() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [
            ("Le pont est mouillé.", "The deck is wet."),
            ("Le pont est fermé.", "The bridge is closed."),
            ("On lui défendait de sortir.", "He was forbidden to go out."),
        ])
        _ = try t.store.ingest(CorpusDescriptor(name: "mono", format: "test", sha256: "m", size: 1, files: ["m"])) { sink in
            try sink.add(CorpusUnit(texts: [.init(lang: LanguageTag("fr")!, text: "Un pont de bois.")]))
        }
        let report = try build(t.store, [try template(definitionTemplate)])
        var answers: [String: String] = [:]
        for item in try t.items() where item.target?.lemma == "pont" || item.target?.lemma == "défendre" {
            answers[item.question] = item.answer
        }
        #expect(answers["What does «pont» mean in «Le pont est mouillé.»?"] == "pont: deck (translation: deck)")
        #expect(answers["What does «pont» mean in «Le pont est fermé.»?"] == "pont: bridge (translation: bridge)")
        #expect(answers["What does «défendait» mean in «On lui défendait de sortir.»?"] == "défendre: forbid, prohibit (translation: forbidden)")
        #expect(answers["What does «pont» mean in «Un pont de bois.»?"] == nil)
        #expect(report.templates[0].skipped["no translation (the template needs one)"] == 1)
        #expect(try t.items().allSatisfy { $0.pair == "fr-en" && $0.answer?.contains("(translation: ") == true })
    }

    @Test("lemmatised lookup: the treebank's lemma first, suffix rules as fallback, and never a lemma the dictionary lacks")
    func lemmatisation() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("fr-en.glossary.tsv")])
        try t.ingest([Fixtures.path("fr.conllu")], options: options(lang: "fr"))
        try t.ingestPairs("pairs", [("Le fichier était ouvert et il défendait le pont.", "The file was open and he defended the bridge.")])
        let report = try build(t.store, [try template(definitionTemplate)])
        let targets = try t.items().compactMap { item -> String? in
            guard let target = item.target, let word = item.question.split(separator: "«").dropFirst().first?.split(separator: "»").first else { return nil }
            return "\(word)→\(target.lemma)"
        }
        // "ouvert" is not a headword; only the treebank (ouvert = ouvrir) leads to "ouvrir".
        #expect(Set(targets).isSuperset(of: ["ouvert→ouvrir", "défendait→défendre", "fichier→fichier", "pont→pont"]))
        #expect((report.templates[0].lemmaMethods["lexicon"] ?? 0) >= 2) // at least ouvert, défendait
        let lexicon = Lemmatizer(analyses: [FormAnalysis(form: "ouvert", lemma: "ouvrir", upos: "VERB", features: Features(), count: 1)],
                                 lang: "fr", isHeadword: { $0 == "ouvrir" || $0 == "ouvert" })
        #expect(lexicon.lemma(of: "ouvert")?.method == .headword) // a headword is its own lemma
        let onlyVerb = Lemmatizer(analyses: [FormAnalysis(form: "ouvert", lemma: "ouvrir", upos: "VERB", features: Features(), count: 1)],
                                  lang: "fr", isHeadword: { $0 == "ouvrir" })
        #expect(onlyVerb.lemma(of: "Ouvert")?.lemma == "ouvrir")
        #expect(onlyVerb.lemma(of: "Ouvert")?.method == .lexicon)

        let rules = Lemmatizer(analyses: [], lang: "fr", isHeadword: { ["défendre", "geler", "choisir", "pluie", "réduire", "bon"].contains($0) })
        #expect(rules.lemma(of: "défendait")?.lemma == "défendre")
        #expect(rules.lemma(of: "défendait")?.method == .rules)
        #expect(rules.lemma(of: "gelée")?.lemma == "geler")
        #expect(rules.lemma(of: "Choisissez")?.lemma == "choisir")
        #expect(rules.lemma(of: "pluies")?.lemma == "pluie")
        #expect(rules.lemma(of: "réduit")?.lemma == "réduire")
        #expect(rules.lemma(of: "bonne")?.lemma == "bon")
        #expect(rules.lemma(of: "mangeait") == nil)
    }

    @Test("dictd and TEI dictionaries answer like the glossary")
    func otherDictionaries() throws {
        for file in [Fixtures.path("dz/fra-eng.index"), Fixtures.path("fra-eng.tei")] {
            let t = try TempStore()
            try t.ingest([file])
            try t.ingestPairs("pairs", [("Le chien défendait le vieux pont.", "The dog defended the old bridge.")])
            _ = try build(t.store, [try template(definitionTemplate)])
            #expect(try t.items().compactMap(\.answer).sorted() == [
                "chien: dog (translation: dog)", "défendre: defend (translation: defended)", "pont: bridge (translation: bridge)",
            ], "\(file)")
        }
    }
}
