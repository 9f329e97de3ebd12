import Foundation
import GRDB
import Testing
import HeldoutCore
@testable import HeldoutStore

/// The item session's fast paths (prepared C statements, reused rubric JSON, one grading lookup
/// per sentence, tokens read in one range, cached features) must store and read what the plain
/// paths did.
@Suite("Item session")
struct ItemSessionTests {
    func token(_ id: Int, _ form: String, lemma: String, feats: String = "_", head: Int? = 0) -> Token {
        Token(id: String(id), form: form, lemma: lemma, upos: "NOUN", features: Features(conllu: feats) ?? Features(),
              head: head, deprel: "root", noSpaceAfter: id == 2)
    }

    func analysed(_ text: String, _ tokens: [Token]) -> CorpusUnit {
        CorpusUnit(document: "", texts: [CorpusUnit.Text(lang: tag("fr"), text: text)], tokens: tokens)
    }

    @Test("rubric JSON is CanonicalJSON's, byte for byte, whatever the characters")
    func rubricJSON() throws {
        let rubrics: [[String]] = [
            [], [""], ["names a meaning"], ["quotes «maison», été, naïve", "a/b and 1 < 2 & 3 > 2"],
            ["says \"yes\""], ["a \\ b"], ["line\nbreak", "tab\there"], ["\u{7F}"], ["line\u{2028}separator"],
            ["em — dash", "…", "€ 5"], ["emoji 🙂", "日本語"], ["\u{1}\u{1F}"],
        ]
        for rubric in rubrics {
            #expect(try ItemSession.rubricJSON(rubric) == CanonicalJSON.string(rubric), "\(rubric)")
        }
    }

    @Test("items added in a session are stored as given, each rubric its own, a repeated id kept once")
    func addItems() throws {
        let t = try TemporaryStore()
        let segment = Segment(lang: tag("fr"), rawText: "Il pleut.")
        func item(_ question: String, rubric: [String], grade: Double? = nil, pair: String? = nil) -> Item {
            Item(template: "t", templateVersion: 3, boundValues: ["q": question], category: "grammar", lang: "fr", pair: pair,
                 question: question, answer: question == "c" ? nil : "gold " + question, rubric: rubric,
                 segments: [segment.id, Segment(lang: tag("en"), rawText: question).id],
                 target: question == "b" ? nil : Lexeme(lemma: "pleuvoir", lang: "fr"),
                 consistencyGroup: "g:" + question, grade: grade, domain: grade == nil ? nil : "news")
        }
        let items = [item("a", rubric: ["one", "two"]), item("b", rubric: ["one \"quoted\""], grade: 3.5, pair: "fr-en"),
                     item("c", rubric: ["one", "two"]), item("d", rubric: ["three"])]
        var added: [Bool] = []
        let total = try t.store.replaceItems(ofTemplates: ["t"]) { session in
            for item in items { added.append(try session.add(item)) }
            added.append(try session.add(items[0]))
        }
        #expect(added == [true, true, true, true, false])
        #expect(total == 4)
        var read: [Item] = []
        try t.store.forEachItem { read.append($0) }
        #expect(Set(read) == Set(items))
        let rubrics = try t.store.read { db in try String.fetchAll(db, sql: "SELECT rubric FROM item ORDER BY consistency_group") }
        #expect(rubrics == (try items.map { try CanonicalJSON.string($0.rubric) }))
    }

    @Test("a segment's tokens are those of the corpus first by name, at its first position, in order")
    func tokens() throws {
        let t = try TemporaryStore()
        let text = "Les chats dorment."
        let first = [token(1, "Les", lemma: "le", feats: "Definite=Def|Number=Plur", head: 2),
                     token(2, "chats", lemma: "chat", feats: "Gender=Masc|Number=Plur"),
                     token(3, "dorment", lemma: "dormir", feats: "Mood=Ind|Number=Plur|Person=3|Tense=Pres", head: nil)]
        let other = first.map { var changed = $0; changed.lemma += "-other"; return changed }
        _ = try t.store.ingest(descriptor("b-corpus")) { try $0.add(analysed(text, other)) }
        _ = try t.store.ingest(descriptor("a-corpus")) { sink in
            try sink.add(analysed("Il pleut.", [token(1, "Il", lemma: "il"), token(2, "pleut", lemma: "pleuvoir")]))
            try sink.add(analysed(text, first))
            try sink.add(analysed(text, other))
        }
        var seen: [String: [Token]] = [:]
        try t.store.readAnswerSources { session in
            try session.forEachSegment(lang: "fr", translationLang: nil, analysedOnly: true) { seen[$0.text] = $0.tokens }
        }
        #expect(seen[text] == first)
        #expect(seen["Il pleut."]?.map(\.lemma) == ["il", "pleuvoir"])
        #expect(seen[text]?[2].features["Tense"] == "Pres")
    }

    @Test("grading lookups follow the segment asked about, one after another")
    func grading() throws {
        let t = try TemporaryStore()
        _ = try t.store.ingest(descriptor("c")) { sink in
            try sink.add(unit(("fr", "Il pleut.")))
            try sink.add(unit(("fr", "Il neige.")))
        }
        let rain = Segment(lang: tag("fr"), rawText: "Il pleut.").id, snow = Segment(lang: tag("fr"), rawText: "Il neige.").id
        try t.store.write { db in
            try db.execute(sql: "INSERT INTO segment_domain(segment, domain, source, confidence) SELECT rowid, 'weather', 'metadata', 1 FROM segment WHERE id = ?",
                           arguments: [Data(rain.bytes)])
        }
        let domains = try t.store.replaceItems(ofTemplates: []) { session in
            let order = [rain, rain, snow, rain, snow, snow]
            let found = try order.map { try session.grading(of: $0).domain ?? "-" }
            #expect(found == ["weather", "weather", "-", "weather", "-", "-"])
        }
        #expect(domains == 0)
    }
}
