import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutAudit

@Suite struct AuditTests {
    @Test func cleanSplitRaisesNoAlarm() throws {
        let dir = try Fixture.write()
        let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        #expect(report.leaks.isEmpty, "false alarms: \(report.leaks.map { "\($0.rule) \($0.evaluation.key) \($0.training.key)" })")
        #expect(report.clean)
        #expect(report.inputs.map(\.records) == [2, 4, 5])
    }

    /// One planted leak each: the training record added, the rule and the evaluation record
    /// the audit must name — and nothing else.
    struct Plant: CustomTestStringConvertible, Sendable {
        var name: String
        var record: DatasetRecord
        var rule: LeakRule
        var evaluation: String
        var testDescription: String { name }
    }

    static let plants: [Plant] = [
        Plant(name: "exact copy",
              record: Fixture.rec("p1", "grammar", "We regret to inform you that your application has not been successful on this occasion.", partition: "train", answer: "yes"),
              rule: .exactSegment, evaluation: "e02"),
        Plant(name: "copy with other case and punctuation",
              record: Fixture.rec("p2", "grammar", "honestly -- I could NOT care less about whatever the quarterly forecast might say!!", partition: "train", answer: "yes"),
              rule: .foldedSegment, evaluation: "e01"),
        Plant(name: "copy without diacritics",
              record: Fixture.rec("p3", "definition", "Elle aime courir le long du canal avant que la ville ne se reveille", lang: "fr", partition: "train", answer: "x"),
              rule: .foldedSegment, evaluation: "e04"),
        Plant(name: "near copy, one word changed",
              record: Fixture.rec("p4", "grammar", "A flock of starlings twisted above the harbour like smoke caught in a storm.", partition: "train", answer: "yes"),
              rule: .nearDuplicate, evaluation: "e03"),
        Plant(name: "13-gram inside a longer sentence",
              record: Fixture.rec("p5", "grammar", "The clerk read aloud that we regret to inform you that your application has not been successful on this basis, then closed the office for the weekend.", partition: "train", answer: "yes"),
              rule: .sharedPassage, evaluation: "e02"),
        Plant(name: "gold answer quoted in a training question",
              record: Fixture.rec("p6", "grammar", "Rain fell steadily on the allotments all through the long bank holiday.", partition: "train",
                                  question: "Would you call a neutral and informative tone suitable for this? Rain fell steadily on the allotments all through the long bank holiday.", answer: "yes"),
              rule: .answerLeak, evaluation: "e05"),
        Plant(name: "same document",
              record: Fixture.rec("p7", "grammar", "The ferry timetable changes twice a year without any warning to passengers.", partition: "train", answer: "yes",
                                  documents: ["novels/chapter-3"]),
              rule: .sameDocument, evaluation: "e04"),
        // Lexemes and consistency groups tie training to held-out evaluation records (DESIGN
        // "Isolation"): these two are planted against tone records.
        Plant(name: "same lexeme",
              record: Fixture.rec("p8", "definition", "Il faut partir avant la tombée de la nuit pour rentrer à temps.", lang: "fr-FR", partition: "train", answer: "to leave",
                                  target: .init(lemma: "Partir", lang: "fr-FR")),
              rule: .sameLexeme, evaluation: "e06"),
        Plant(name: "consistency group cut in two",
              record: Fixture.rec("p9", "grammar", "Seagulls argued loudly over a single chip on the promenade railings.", partition: "train", answer: "yes", group: "cg-3"),
              rule: .consistencyGroup, evaluation: "e05"),
    ]

    @Test(arguments: plants)
    func plantedLeakIsFoundWithItsRule(_ plant: Plant) throws {
        let dir = try Fixture.write(train: Fixture.train + [plant.record])
        let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        let found = report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" }
        #expect(found == ["\(plant.rule.rawValue) \(plant.evaluation) \(plant.record.id)"])
        #expect(!report.clean)
        #expect(report.enforcedLeaks == 1)
        let count = report.counts.first { $0.rule == plant.rule }
        #expect(count?.trainingColumn == plant.record.column)
        #expect(count?.count == 1)
    }

    @Test func evidenceSaysWhatMatched() throws {
        let dir = try Fixture.write(train: Fixture.train + [Self.plants[3].record, Self.plants[4].record, Self.plants[5].record])
        let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        let near = try #require(report.leaks.first { $0.rule == .nearDuplicate })
        // 13 distinct words, one replaced: 12 / 14.
        #expect(near.evidence.jaccard == 0.8571)
        let ngram = try #require(report.leaks.first { $0.rule == .sharedPassage })
        #expect(ngram.evidence.n == 13)
        #expect(ngram.evidence.ngram == "we regret to inform you that your application has not been successful on")
        let answer = try #require(report.leaks.first { $0.rule == .answerLeak })
        #expect(answer.evidence.answer == "neutral and informative tone")
        #expect(answer.training.record?.id == "p6")
        #expect(answer.evaluation.record?.id == "e05")
    }

    @Test func twoWordsChangedInAShortSentenceIsNotANearDuplicate() throws {
        // 13 distinct words, two replaced: 11 / 15 = 0.73 < 0.8; and no shared 13-gram or whole sentence.
        let r = Fixture.rec("q1", "grammar", "A flock of pigeons twisted above the harbour like smoke caught in a storm.", partition: "train", answer: "yes")
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + [r]), store: nil, options: Fixture.options())
        #expect(report.leaks.isEmpty)
    }

    @Test func translationThroughAPivotIsFoundWithTheStore() throws {
        let dir = try Fixture.write(train: Fixture.train + [
            Fixture.rec("p10", "grammar", "Der Nachtzug nach Wien fährt mit zwei Stunden Verspätung ab.", lang: "de", partition: "train", answer: "ja"),
        ])
        let store = try Store(path: dir + "/heldout.sqlite")
        // fr–en in one corpus, en–de in another: fr and de are tied only through the English pivot.
        let en = "The night train to Vienna will leave two hours late."
        _ = try store.ingest(CorpusDescriptor(name: "fr-en", format: "test", sha256: "a", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(document: "timetable", texts: [.init(lang: LanguageTag("fr")!, text: "Le train de nuit pour Vienne partira avec deux heures de retard."),
                                                               .init(lang: LanguageTag("en")!, text: en)]))
        }
        _ = try store.ingest(CorpusDescriptor(name: "en-de", format: "test", sha256: "b", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(texts: [.init(lang: LanguageTag("en")!, text: en),
                                            .init(lang: LanguageTag("de")!, text: "Der Nachtzug nach Wien fährt mit zwei Stunden Verspätung ab.")]))
        }
        let without = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        #expect(without.leaks.isEmpty, "without the store a translation cannot be seen")
        let report = try Audit.run(directory: dir, store: store, options: Fixture.options())
        let found = report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" }
        #expect(found == ["translation e06 p10"])
        let e = try #require(report.leaks.first?.evidence)
        let fr = Segment(lang: LanguageTag("fr")!, rawText: "Le train de nuit pour Vienne partira avec deux heures de retard.")
        let de = Segment(lang: LanguageTag("de")!, rawText: "Der Nachtzug nach Wien fährt mit zwei Stunden Verspätung ab.")
        #expect(e.segment == fr.id.hex)
        #expect(e.translationSegment == de.id.hex)
        #expect(report.storeUsed)
    }

    @Test func storeDocumentsTieRecordsThroughTheirSegments() throws {
        // The training sentence is in the same store document as the evaluation one; neither
        // record names the document: the store does.
        let other = "Passengers for Salzburg should change at Linz for the regional service."
        let dir = try Fixture.write(train: Fixture.train + [Fixture.rec("p11", "grammar", other, partition: "train", answer: "yes")])
        let store = try Store(path: dir + "/heldout.sqlite")
        _ = try store.ingest(CorpusDescriptor(name: "rail", format: "test", sha256: "c", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(document: "notice-7", texts: [.init(lang: LanguageTag("fr")!, text: "Le train de nuit pour Vienne partira avec deux heures de retard.")]))
            try sink.add(CorpusUnit(document: "notice-7", texts: [.init(lang: LanguageTag("en")!, text: other)]))
        }
        let report = try Audit.run(directory: dir, store: store, options: Fixture.options())
        let found = report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key) \($0.evidence.document ?? "")" }
        #expect(found == ["same_document e06 p11 rail/notice-7"])
    }

    @Test func againstAPlainTextFile() throws {
        let dir = try Fixture.write()
        let outside = dir + "/crawl.txt"
        try """
        Nothing to see on this line at all.
        WE REGRET TO INFORM YOU THAT YOUR APPLICATION HAS NOT BEEN SUCCESSFUL ON THIS OCCASION
        Another unrelated line about gardening in the rain.

        """.write(toFile: outside, atomically: true, encoding: .utf8)
        var options = Fixture.options()
        options.against = [outside]
        let report = try Audit.run(directory: dir, store: nil, options: options)
        #expect(report.leaks.count == 1)
        let leak = try #require(report.leaks.first)
        #expect(leak.rule == .foldedSegment)
        #expect(leak.training.file == outside)
        #expect(leak.training.line == 2)
        #expect(leak.training.partition == "against")
        #expect(leak.evaluation.key == "e02")
        #expect(report.inputs.last == AuditInput(file: outside, side: "against", format: "text", records: 3))
    }

    @Test func againstATMXFile() throws {
        let dir = try Fixture.write()
        let outside = dir + "/memory.tmx"
        try """
        <?xml version="1.0" encoding="UTF-8"?>
        <tmx version="1.4"><header srclang="en"/><body>
        <tu><tuv xml:lang="en"><seg>Unrelated &amp; harmless.</seg></tuv></tu>
        <tu>
          <tuv xml:lang="fr"><seg>Elle aime courir le long du canal avant que la ville ne se <bpt i="1">&lt;b&gt;</bpt>réveille<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
        </tu>
        </body></tmx>
        """.write(toFile: outside, atomically: true, encoding: .utf8)
        var options = Fixture.options()
        options.against = [outside]
        let report = try Audit.run(directory: dir, store: nil, options: options)
        #expect(report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.line)" } == ["exact_segment e04 4"])
    }

    @Test func twoRunsWriteByteIdenticalReports() throws {
        let dir = try Fixture.write(train: Fixture.train + Self.plants.map(\.record))
        var first: Data?
        for _ in 0..<2 {
            let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
            try Audit.write(report, to: dir)
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/audit.json"))
            if let first { #expect(first == data) } else { first = data }
        }
        // Input order does not change what is found.
        let shuffled = try Fixture.write(train: (Fixture.train + Self.plants.map(\.record)).reversed(),
                                         dev: Fixture.dev.reversed(), test: Fixture.test.reversed())
        let a = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        var one = Fixture.options()
        one.threads = 1
        let b = try Audit.run(directory: shuffled, store: nil, options: one)
        #expect(a.leaks.map { "\($0.rule) \($0.evaluation.key) \($0.training.key) \($0.evidence)" }
            == b.leaks.map { "\($0.rule) \($0.evaluation.key) \($0.training.key) \($0.evidence)" })
        #expect(a.counts == b.counts)
        #expect(a.leaks.count == Self.plants.count)
    }

    @Test func malformedLineIsBadInputNamingFileAndLine() throws {
        let dir = try Fixture.write()
        let path = dir + "/train.jsonl"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = #"{"id": "broken", "question": "no closing quote}"#
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        } throws: { error in
            guard let error = error as? HeldoutError, case let .badInput(location, reason) = error else { return false }
            return location.file == path && location.line == 3 && error.exitCode == 3 && reason.contains("string")
        }
    }

    @Test("a lexeme or consistency group shared with a supervised column's evaluation record is that column's own skill, not a leak")
    func supervisedEvaluationSharesWordsWithTraining() throws {
        // e04 (definition, supervised, test) asks about «courir»; e03 (grammar, supervised, dev) is in cg-2.
        let word = Fixture.rec("q1", "definition", "Il a dû courir pour attraper le dernier bus de la soirée.", lang: "fr", partition: "train",
                               answer: "to run", target: .init(lemma: "courir", lang: "fr"))
        let group = Fixture.rec("q2", "grammar", "Seagulls argued loudly over a single chip on the promenade railings.", partition: "train",
                                answer: "yes", group: "cg-2")
        let dir = try Fixture.write(train: Fixture.train + [word, group])
        let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        #expect(report.clean)
        #expect(!report.leaks.contains { $0.rule == .sameLexeme || $0.rule == .consistencyGroup })
    }

    @Test func manifestPolicyDecidesWhatFails() throws {
        let manifest = #"{"isolation": {"level": "segment", "lexemes": false}, "isolation_cost": {"total": 12, "by_column": {"tone": {"total": 12, "by_link": {"document": 12}}}}}"#
        let dir = try Fixture.write(train: Fixture.train + [Self.plants[6].record, Self.plants[7].record], manifest: manifest)
        let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        // Both leaks reported, neither enforced: segment-level isolation, lexemes off.
        #expect(report.leaks.map(\.rule) == [.sameDocument, .sameLexeme])
        #expect(report.leaks.allSatisfy { !$0.enforced })
        #expect(report.clean)
        #expect(report.isolationCost?.total == 12 && report.isolationCost?.byColumn["tone"]?.byLink == ["document": 12])
        let strict = try Fixture.write(train: Fixture.train + [Self.plants[6].record], manifest: #"{"isolation": {"level": "document"}}"#)
        #expect(try !Audit.run(directory: strict, store: nil, options: Fixture.options()).clean)
    }

    @Test("the audit judges near-duplicates by the threshold and shingles the split declared")
    func declaredNearDuplicateSettings() throws {
        // Two words of 13 changed: Jaccard 11/15 = 0.73, a leak only under a declared 0.7.
        let r = Fixture.rec("q1", "grammar", "A flock of pigeons twisted above the harbour like smoke caught in a storm.", partition: "train", answer: "yes")
        let declared = try Fixture.write(train: Fixture.train + [r],
                                         manifest: #"{"near_duplicates": {"threshold": 0.7, "shingle": "word", "size": 1}}"#)
        let report = try Audit.run(directory: declared, store: nil, options: Fixture.options())
        #expect(report.leaks.map(\.rule) == [.nearDuplicate])
        #expect(report.options.nearDuplicateThreshold == 0.7 && report.options.shingle == .word && report.options.shingleSize == 1)
        // With 3-word shingles the same pair is far apart.
        let trigrams = try Fixture.write(train: Fixture.train + [r],
                                         manifest: #"{"near_duplicates": {"threshold": 0.7, "shingle": "word", "size": 3}}"#)
        #expect(try Audit.run(directory: trigrams, store: nil, options: Fixture.options()).leaks.isEmpty)
        // An unknown shingle kind is bad input naming the key.
        let bad = try Fixture.write(manifest: #"{"near_duplicates": {"threshold": 0.8, "shingle": "syllable"}}"#)
        #expect {
            _ = try Audit.run(directory: bad, store: nil, options: Fixture.options())
        } throws: { error in
            guard let error = error as? HeldoutError, case let .badInput(_, reason) = error else { return false }
            return error.exitCode == 3 && reason.contains("near_duplicates.shingle")
        }
    }

    @Test func badManifestIsBadInput() throws {
        let dir = try Fixture.write(manifest: #"{"isolation": {"level": "paragraph"}}"#)
        #expect(throws: HeldoutError.self) { try Audit.run(directory: dir, store: nil, options: Fixture.options()) }
    }
}
