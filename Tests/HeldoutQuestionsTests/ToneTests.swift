import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
import HeldoutQuestions
import HeldoutStore

let toneSource = """
    id: tone-fr
    version: 1
    category: tone
    languages: [fr]
    selector: { kind: label, label: tone }
    question: "Tone of «{{text}}»?"
    answer: "{{value}}"
    rubric: ["names one tone", "quotes a word of «{{text}}» as evidence"]
    """
let toneTranslation = """
    id: tone-en
    version: 2
    category: tone
    pairs: [fr-en]
    selector: { kind: label, label: tone, side: translation }
    question: "Tone of «{{text}}»?"
    answer: "{{value}}"
    rubric: ["names one tone"]
    """

@Suite("tone and labels")
struct ToneTests {
    func store() throws -> TempStore {
        let t = try TempStore()
        try t.ingest([Fixtures.path("fr-tone.tsv")], format: .labels, options: options(lang: "fr", labels: ["tone": ""]))
        try t.ingestPairs("pairs", [("Tu peux me passer le sel, s'il te plaît ?", "Could you pass me the salt, please?"),
                                    ("Je te l'ai déjà dit, je n'y vais pas !", "I told you already, I am not going!")])
        return t
    }

    @Test("gold is the label; the English translation is asked the same and shares the consistency group")
    func exactItems() throws {
        let t = try store()
        _ = try build(t.store, [try template(toneSource), try template(toneTranslation)])
        let salt = segmentID("fr", "Tu peux me passer le sel, s'il te plaît ?")
        let saltEN = segmentID("en", "Could you pass me the salt, please?")
        let told = segmentID("fr", "Je te l'ai déjà dit, je n'y vais pas !")
        let toldEN = segmentID("en", "I told you already, I am not going!")
        let train = segmentID("fr", "Le train part à huit heures.")
        let got = try t.items().map { [$0.template, $0.lang, $0.pair ?? "-", $0.question, $0.answer ?? "-",
                                       $0.rubric.joined(separator: "|"), $0.segments.map(\.hex).joined(separator: ","),
                                       $0.consistencyGroup ?? "-"] }
        let expected: [[String]] = [
            ["tone-fr", "fr", "-", "Tone of «Tu peux me passer le sel, s'il te plaît ?»?", "polite",
             "names one tone|quotes a word of «Tu peux me passer le sel, s'il te plaît ?» as evidence", salt.hex, "tone:\(min(salt, saltEN).hex)"],
            ["tone-fr", "fr", "-", "Tone of «Je te l'ai déjà dit, je n'y vais pas !»?", "annoyed",
             "names one tone|quotes a word of «Je te l'ai déjà dit, je n'y vais pas !» as evidence", told.hex, "tone:\(min(told, toldEN).hex)"],
            ["tone-fr", "fr", "-", "Tone of «Le train part à huit heures.»?", "neutral",
             "names one tone|quotes a word of «Le train part à huit heures.» as evidence", train.hex, "tone:\(train.hex)"],
            ["tone-en", "en", "fr-en", "Tone of «Could you pass me the salt, please?»?", "polite", "names one tone",
             "\(saltEN.hex),\(salt.hex)", "tone:\(min(salt, saltEN).hex)"],
            ["tone-en", "en", "fr-en", "Tone of «I told you already, I am not going!»?", "annoyed", "names one tone",
             "\(toldEN.hex),\(told.hex)", "tone:\(min(told, toldEN).hex)"],
        ]
        #expect(Set(got) == Set(expected))
        #expect(got.count == expected.count)
        // Each French item and its English counterpart share a group; different sentences do not.
        let groups = Dictionary(grouping: try t.items(), by: { $0.consistencyGroup ?? "" })
        #expect(groups.values.map(\.count).sorted() == [1, 2, 2])
    }

    @Test("with a pair, a labelled sentence that has no translation makes an item without pair; one with a translation keeps it")
    func pairOnlyWithTranslation() throws {
        let t = try store()
        let shown = try template(toneSource.replacingOccurrences(of: "languages: [fr]", with: "pairs: [fr-en]").replacingOccurrences(of: "id: tone-fr", with: "id: shown"))
        _ = try build(t.store, [shown])
        let pairs = Dictionary(uniqueKeysWithValues: try t.items().map { ($0.answer ?? "", $0.pair ?? "-") })
        #expect(pairs == ["polite": "fr-en", "annoyed": "fr-en", "neutral": "-"])
    }

    @Test("a user's own category: a template naming another label, no code")
    func userCategory() throws {
        let t = try TempStore()
        let path = try t.write("fr-register.tsv", "text\ttone\tregister\nPourriez-vous fermer la porte ?\tpolite\tformal\nArrête ça !\tannoyed\tinformal\n")
        try t.ingest([path], format: .labels, options: options(lang: "fr", labels: ["tone": "", "register": ""]))
        _ = try build(t.store, [try template("""
            id: register
            version: 1
            category: register
            languages: [fr]
            selector: { kind: label, label: register }
            question: "Formal or informal: «{{text}}»?"
            answer: "{{value}}"
            rubric: ["answers formal or informal"]
            """)])
        #expect(try t.items(category: "register").map { "\($0.question) \($0.answer ?? "")" }.sorted() == [
            "Formal or informal: «Arrête ça !»? informal", "Formal or informal: «Pourriez-vous fermer la porte ?»? formal",
        ])
    }

    @Test("rubric-only: a template without an answer makes items with a rendered rubric and no gold")
    func rubricOnly() throws {
        let t = try store()
        _ = try build(t.store, [try template("""
            id: tone-plausible
            version: 1
            category: tone
            languages: [fr]
            selector: { kind: label, label: tone }
            question: "Tone of «{{text}}»?"
            rubric: ["names one tone", "quotes a word of «{{text}}»"]
            """)])
        let items = try t.items()
        #expect(items.count == 3)
        #expect(items.allSatisfy { $0.answer == nil })
        #expect(items.contains { $0.rubric == ["names one tone", "quotes a word of «Le train part à huit heures.»"] })
    }

    @Test("segments whose corpora disagree on the label are left out and counted")
    func conflicting() throws {
        let t = try store()
        let other = try t.write("other.tsv", "text\ttone\nLe train part à huit heures.\tannoyed\n")
        try t.ingest([other], format: .labels, options: options(lang: "fr", labels: ["tone": ""]))
        let report = try build(t.store, [try template(toneSource)])
        #expect(report.templates[0].skipped == ["conflicting labels": 1])
        #expect(try t.items().count == 2)
    }
}
