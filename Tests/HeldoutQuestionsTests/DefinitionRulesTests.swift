import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
@testable import HeldoutQuestions
import HeldoutStore

/// All senses of the entry; needs nothing but the dictionary (no sense is claimed).
let headwordTemplate = """
    id: head
    version: 1
    category: definition
    pairs: [fr-en]
    selector: { kind: word }
    question: "What can «{{word}}» mean in «{{text}}»?"
    answer: "{{lemma}}: {{all_senses}}"
    rubric: ["names a meaning of «{{lemma}}»"]
    consistency_group: "lexeme:{{lang}}:{{construction}}"
    """

/// A "which sense" item: states that it needs two senses; naming `gloss` makes it need the translation's sense.
let whichSenseTemplate = """
    id: which
    version: 1
    category: definition
    pairs: [fr-en]
    selector: { kind: word }
    requires: [two_senses]
    question: "«{{lemma}}» can mean: {{all_senses}}. Which meaning has «{{word}}» in «{{text}}»?"
    answer: "{{gloss}}"
    rubric: ["picks exactly one listed meaning"]
    """

@Suite("definition rules")
struct DefinitionRulesTests {
    /// A store with the rules' glossary and treebank (both written for these tests).
    func tagged() throws -> TempStore {
        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        try t.ingest([Fixtures.path("def-fr.conllu")], options: options(lang: "fr"))
        return t
    }

    /// Word asked about → answers, from the items' questions «…».
    func answersByWord(_ items: [Item]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for item in items {
            guard let word = item.question.split(separator: "«").dropFirst().first?.split(separator: "»").first else { continue }
            out[String(word), default: []].append(item.answer ?? "")
        }
        return out
    }

    @Test("the entry follows the treebank's lemma and part of speech, never another lemma's entry nor one of another part of speech")
    func entryByLemmaAndPOS() throws {
        let t = try tagged()
        let report = try build(t.store, [try template(headwordTemplate)])
        let answers = answersByWord(try t.items())
        #expect(answers["tente"] == ["tenter: 1. attempt, try; 2. tempt"]) // the verb, not the noun "tent"
        #expect(answers["millions"] == nil) // million is not in the dictionary: never millier, "thousand"
        #expect(!(try t.items()).contains { $0.answer?.contains("thousand") == true || $0.answer?.contains(": tent") == true })
        #expect(answers["central"] == nil) // its entry states no part of speech: not taken for the adjective
        #expect(answers["été"] == ["été: summer"]) // the noun of «cet été»
        #expect(answers["malade"] == ["malade: ill, sick"])
        let r = try #require(report.templates.first)
        #expect(r.skipped["no dictionary entry for the lemma"] == 3) // millions, tout, vite
        #expect(r.skipped["dictionary entry for another part of speech"] == 1) // central
        // Monolingual: no translation, so no pair.
        #expect(try t.items().allSatisfy { $0.pair == nil })
    }

    @Test("proper nouns, auxiliaries, numerals and function words are never asked about unless a template names them")
    func exclusions() throws {
        let t = try tagged()
        let report = try build(t.store, [try template(headwordTemplate)])
        let answers = answersByWord(try t.items())
        for word in ["Marie", "deux", "a", "sa", "Le", "au", "Il"] { #expect(answers[word] == nil, "\(word)") }
        let r = try #require(report.templates.first)
        #expect(r.skipped["proper noun"] == 1)
        #expect(r.skipped["numeral"] == 1)
        #expect(r.skipped["auxiliary"] == 4) // a, été (d5); a (d6); a (d7)
        #expect((r.skipped["function word"] ?? 0) >= 8)

        let numerals = try template(headwordTemplate.replacingOccurrences(of: "selector: { kind: word }", with: "selector: { kind: word, upos: [NUM] }")
            .replacingOccurrences(of: "id: head", with: "id: num"))
        let numeralReport = try build(t.store, [numerals])
        #expect(answersByWord(try t.items().filter { $0.template == "num" }) == ["deux": ["deux: two"]], "\(numeralReport)")
    }

    @Test("multiword expressions are asked about as a whole (dictionary headwords) or skipped (UD fixed, light-verb idioms)")
    func multiwordExpressions() throws {
        let t = try tagged()
        let report = try build(t.store, [try template(headwordTemplate)])
        let answers = answersByWord(try t.items())
        #expect(answers["autour de"] == ["autour de: around, about"]) // not "goshawk", not "round"
        #expect(answers["autour"] == nil)
        #expect(answers["eu lieu"] == ["avoir lieu: take place"]) // the first word matched by its lemma
        #expect(answers["lieu"] == nil)
        for word in ["envie", "ont", "cause", "met", "nouveau"] { #expect(answers[word] == nil, "\(word)") }
        let r = try #require(report.templates.first)
        #expect(r.skipped["light-verb idiom not in the dictionary"] == 2) // avoir envie, mettre en cause
        #expect(r.skipped["multiword expression not in the dictionary"] == 1) // à nouveau
        #expect(r.lemmaMethods["headword"] == 2) // the two expressions
    }

    @Test("untagged text: function words, number words and capitalised names inside a sentence are not asked about")
    func untaggedExclusions() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [("Après la fête, Marie chante deux fois devant le bureau.", "After the party, Marie sings twice in front of the office.")])
        let report = try build(t.store, [try template(headwordTemplate)])
        let answers = answersByWord(try t.items())
        #expect(Set(answers.keys) == ["fête", "chante", "bureau"])
        let r = try #require(report.templates.first)
        #expect(r.skipped["numeral"] == 1)
        #expect(r.skipped["proper noun"] == 1)
        #expect(try t.items().allSatisfy { $0.pair == "fr-en" })
    }

    @Test("untagged text: a suffix rule keeps only a lemma of its own part of speech (millions is never millier)")
    func rulesKeepPartOfSpeech() throws {
        let glossary = Glossary(entries: [
            DictionaryEntry(headword: "millier", pos: "n", senses: ["thousand"], sourceLang: "fr", targetLang: "en"),
            DictionaryEntry(headword: "chanter", pos: "v", senses: ["sing"], sourceLang: "fr", targetLang: "en"),
            DictionaryEntry(headword: "grand", pos: "adj", senses: ["tall"], sourceLang: "fr", targetLang: "en"),
        ], analyses: [], lang: "fr")
        #expect(glossary.lemmatizer.lemma(of: "millions") == nil) // -ons is a verb ending; millier is a noun
        #expect(glossary.lemmatizer.lemma(of: "chantons")?.lemma == "chanter")
        #expect(glossary.lemmatizer.lemma(of: "grandes")?.lemma == "grand")
        // Without part-of-speech information the rules behave as before.
        let plain = Lemmatizer(analyses: [], lang: "fr", isHeadword: { $0 == "millier" })
        #expect(plain.lemma(of: "millions")?.lemma == "millier")

        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [("Ils gagnent des millions.", "They earn millions.")])
        _ = try build(t.store, [try template(headwordTemplate)])
        #expect(!(try t.items()).contains { $0.answer?.contains("thousand") == true })
    }

    @Test("a pronominal verb is glossed by its own entry or not at all")
    func pronominalVerbs() throws {
        let t = try tagged()
        let report = try build(t.store, [try template(headwordTemplate)])
        let answers = answersByWord(try t.items())
        #expect(answers["agit"] == ["s'agir: be about, be a matter of"]) // FreeDict's index writes it sagir
        #expect(answers["agir"] == ["agir: act"])
        #expect(answers["lave"] == nil) // no entry for se laver: "wash" would miss the reflexive
        #expect(report.templates[0].skipped["pronominal verb not in the dictionary"] == 1)
    }

    @Test("a form that occurs twice with different analyses is not asked about: the question could not say which")
    func ambiguousOccurrence() throws {
        let t = try tagged()
        let report = try build(t.store, [try template(headwordTemplate)])
        #expect(!(try t.items()).contains { $0.question.contains("«Il a été malade tout l'été.»") && $0.question.hasPrefix("What can «été»") })
        #expect(report.templates[0].skipped["form occurs twice with different analyses"] == 1)
    }

    @Test("in context: the sense is the one the translation shows; no translation, no sense shown or two senses shown: skipped and counted")
    func senseNeedsTranslation() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [
            ("Le pont est mouillé.", "The deck is wet."),
            ("Le pont du navire touche le pont de pierre.", "The deck of the ship touches the stone bridge."),
            ("Le bureau ferme.", "The shop closes."),
        ])
        try t.ingest([t.write("mono.txt", "Un pont de pierre.\n")], format: .text, options: options(lang: "fr"))
        let report = try build(t.store, [try template(definitionTemplate)])
        let answers = answersByWord(try t.items())
        #expect(answers["pont"] == ["pont: deck (translation: deck)"])
        #expect(answers["bureau"] == nil) // "shop" is no sense of bureau
        let r = try #require(report.templates.first)
        #expect(r.skipped["the translation shows several senses"] == 1)
        #expect(r.skipped["the translation shows none of the senses"] == 1)
        #expect(r.skipped["no translation (the template needs one)"] == 1)
        #expect(try t.items().allSatisfy { $0.pair == "fr-en" })

        // Without a translation the headword template still asks, but claims no sense and no pair.
        _ = try build(t.store, [try template(headwordTemplate)])
        let mono = try t.items().filter { $0.question.contains("«Un pont de pierre.»") }
        #expect(mono.map(\.answer) == ["pont: 1. deck; 2. bridge"])
        #expect(mono.allSatisfy { $0.pair == nil && $0.segments == [segmentID("fr", "Un pont de pierre.")] })
    }

    @Test("which sense: only for entries with two senses or more, and the gold is exactly one of the listed senses")
    func whichSense() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [
            ("Le bureau est fermé.", "The office is closed."),
            ("Un disque rayé.", "A scratched disc."),
        ])
        let which = try template(whichSenseTemplate)
        #expect(which.requirements == [.dictionary, .translation, .contextSense, .twoSenses])
        let report = try build(t.store, [which])
        let items = try t.items()
        #expect(items.map(\.answer) == ["office"])
        let item = try #require(items.first)
        #expect(item.question.contains("1. office; 2. desk"))
        let listed = ["office", "desk"]
        #expect(listed.filter { $0 == item.answer }.count == 1)
        // "dial, disc, record" is one sense with synonyms, and fermer has one: no choice to offer.
        #expect(report.templates[0].skipped["the entry lists one sense"] == 2)
    }

    @Test("dictionary markup never reaches a question or an answer")
    func markup() throws {
        #expect(SenseText.clean("see: {Einzelteile}") == nil)
        #expect(SenseText.clean("parts; see: {Einzelteile}") == "parts")
        #expect(SenseText.clean("part {f}, share") == "part, share")
        #expect(SenseText.clean("<vt> hold") == "hold")
        #expect(SenseText.clean("{Haus} house") == "Haus house")
        #expect(SenseText.clean("to defend (sb.)") == "to defend (sb.)")
        #expect(SenseText.clean(senses: ["piece {n}", "piece", "see also {Teil}", "room"]) == ["piece", "room"])

        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [("La pièce est grande.", "The room is big.")])
        _ = try build(t.store, [try template(headwordTemplate), try template(definitionTemplate), try template(whichSenseTemplate)])
        let items = try t.items().filter { $0.target?.lemma == "pièce" }
        #expect(items.count == 3)
        for item in items {
            let text = ([item.question, item.answer ?? ""] + item.rubric).joined(separator: " ")
            #expect(!text.contains("{") && !text.contains("}") && !text.contains("<") && !text.contains("see:"), "\(text)")
        }
        #expect(items.contains { $0.answer == "pièce: 1. piece, part; 2. room" })
    }

    @Test("consistency groups are keyed by construction: lemma, part of speech and the sense chosen")
    func constructionGroups() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        try t.ingestPairs("pairs", [("Le pont est mouillé.", "The deck is wet."), ("Le pont est fermé.", "The bridge is closed.")])
        _ = try build(t.store, [try template(definitionTemplate)])
        let groups = Set(try t.items().filter { $0.target?.lemma == "pont" }.map(\.consistencyGroup))
        #expect(groups == ["lexeme:fr:pont:NOUN:1", "lexeme:fr:pont:NOUN:2"])

        let tagged = try tagged()
        _ = try build(tagged.store, [try template(headwordTemplate)])
        #expect(try tagged.items().filter { $0.target?.lemma == "été" }.map(\.consistencyGroup) == ["lexeme:fr:été:NOUN:*"])
    }

    @Test("identical questions never carry two answers: the later ones are dropped and counted")
    func identicalQuestions() throws {
        let ledger = QuestionLedger()
        #expect(ledger.record(template: "a", question: "q", answer: "x") == .new)
        #expect(ledger.record(template: "a", question: "q", answer: "x") == .sameAnswer)
        #expect(ledger.record(template: "a", question: "q", answer: "y") == .otherAnswer)
        #expect(ledger.record(template: "b", question: "q", answer: "y") == .new)

        let t = try TempStore()
        try t.ingest([Fixtures.path("fr-tone.tsv")], format: .labels, options: options(lang: "fr", labels: ["tone": ""]))
        let blind = try template("""
            id: blind
            version: 1
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: "What tone does the speaker take?"
            answer: "{{value}}"
            rubric: ["names a tone"]
            """)
        let report = try build(t.store, [blind])
        let r = try #require(report.templates.first)
        #expect(try t.items().count == 1)
        #expect(r.candidates > 1)
        #expect((r.skipped["same question with another answer"] ?? 0) + (r.skipped["duplicate question"] ?? 0) == r.candidates - 1)
        #expect((r.skipped["same question with another answer"] ?? 0) >= 1)
    }
}

@Suite("template requirements")
struct RequirementTests {
    @Test("requirements are stated or derived from the selector and the variables")
    func derived() throws {
        #expect(try template(definitionTemplate).requirements == [.dictionary, .translation, .contextSense])
        #expect(try template(headwordTemplate).requirements == [.dictionary])
        let tone = try template("""
            id: tone
            version: 1
            category: tone
            pairs: [fr-en]
            selector: { kind: label, label: tone, side: translation }
            question: "{{text}}"
            rubric: ["a tone"]
            """)
        #expect(tone.requirements == [.label, .translation])
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        let byID = Dictionary(uniqueKeysWithValues: try TemplateLoader.load(directory: shipped).map { ($0.id, $0.requirements) })
        #expect(byID["definition-sense"]?.isSuperset(of: [.twoSenses, .contextSense, .translation]) == true)
        #expect(byID["definition-in-context"]?.isSuperset(of: [.contextSense, .translation]) == true)
        #expect(byID["definition-headword"] == [.dictionary])
        #expect(byID["tone-source"] == [.label])
    }

    @Test("a requirement that is unknown, foreign to the selector, or needs a pair the template lacks is refused at its line")
    func refused() throws {
        let base = headwordTemplate.replacingOccurrences(of: "selector: { kind: word }", with: "selector: { kind: word }\nrequires: [REQ]")
        let unknown = heldoutError { _ = try template(base.replacingOccurrences(of: "REQ", with: "bogus")) }
        #expect(unknown?.message.contains("bogus is not one of") == true)
        #expect(unknown?.location?.line == 6)
        let foreign = heldoutError { _ = try template(base.replacingOccurrences(of: "REQ", with: "label")) }
        #expect(foreign?.message.contains("does not apply to selector kind word") == true)
        let monolingual = heldoutError {
            _ = try template(base.replacingOccurrences(of: "REQ", with: "translation").replacingOccurrences(of: "pairs: [fr-en]", with: "languages: [fr]"))
        }
        #expect(monolingual?.message.contains("needs pairs:") == true)
    }

    @Test("a template the data cannot serve makes nothing and says which input is missing")
    func unmet() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("def-fr.conllu")], options: options(lang: "fr"))
        let tone = try template("""
            id: tone
            version: 1
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: "{{text}}"
            rubric: ["a tone"]
            """)
        var report = try build(t.store, [try template(definitionTemplate), tone])
        #expect(report.templates[0].unmet == [
            UnmetRequirement(requirement: .dictionary, reason: "the store has no fr-en dictionary (ingest one, e.g. FreeDict)"),
            UnmetRequirement(requirement: .translation, reason: "no French segment has a translation into English (monolingual data)"),
        ])
        #expect(report.templates[1].unmet == [UnmetRequirement(requirement: .label, reason: "no French segment carries the label tone")])
        #expect(report.templates[1].emptyReason == "needs segments carrying the label: no French segment carries the label tone")

        try t.ingest([Fixtures.path("def-fr-en.glossary.tsv")])
        report = try build(t.store, [try template(definitionTemplate), try template(headwordTemplate)])
        #expect(report.templates[0].items == 0)
        #expect(report.templates[0].unmet == [UnmetRequirement(requirement: .translation, reason: "no French segment has a translation into English (monolingual data)")])
        #expect(report.templates[1].items > 0)
        #expect(report.templates[1].unmet.isEmpty && report.templates[1].emptyReason == nil)
    }
}
