import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutAudit

/// Issue 13: shared passages as an enforceable rule, translation closures through folded
/// variants, answers specific enough to leak, a bounded report.
@Suite struct SharedPassageTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var lang = "en"
        /// `evaluation id, n` of the expected shared passage; `nil`: no leak at all.
        var expected: (String, Int)?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "an evaluation segment whole inside a training segment",
             text: "Selon l'affiche en gare, le train de nuit pour Vienne partira avec deux heures de retard ce soir.", lang: "fr",
             expected: ("e06", 12)),
        Case(name: "a training segment whole inside an evaluation segment",
             text: "Your application has not been successful on this occasion.", expected: ("e02", 9)),
        Case(name: "eight words inside: the shortest passage",
             text: "Your application has NOT been successful on this", expected: ("e02", 8)),
        Case(name: "seven words inside are not a passage",
             text: "has not been successful on this occasion", expected: nil),
        Case(name: "a shared run of twelve words, neither segment whole, is not a passage",
             text: "Sadly we regret to inform you that your application has not been successful in any way.", expected: nil),
    ]

    @Test(arguments: cases)
    func passageRule(_ c: Case) throws {
        let record = Fixture.rec("p", "grammar", c.text, lang: c.lang, partition: "train", answer: "yes")
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + [record]), store: nil, options: Fixture.options())
        guard let (evaluation, n) = c.expected else {
            #expect(report.leaks.isEmpty, "\(report.leaks.map { "\($0.rule) \($0.evaluation.key)" })")
            return
        }
        #expect(report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" } == ["shared_passage \(evaluation) p"])
        #expect(report.leaks.first?.evidence.n == n)
        #expect(report.leaks.first?.enforced == true)
    }

    @Test("a training sentence repeated by many records is a leak in each (the clean-text cache skips only texts with no candidate)")
    func repeatedSentencesAreEachProbed() throws {
        let clean = "Rain fell steadily on the allotments all through the long bank holiday."
        let leaking = "Your application has not been successful on this occasion."
        let records = (0..<6).map { k in
            Fixture.rec("r\(k)", "grammar", k % 2 == 0 ? clean : leaking, partition: "train", answer: "yes")
        }
        var options = Fixture.options()
        options.threads = 1
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + records), store: nil, options: options)
        #expect(report.leaks.map { "\($0.rule.rawValue) \($0.training.key)" } == ["shared_passage r1", "shared_passage r3", "shared_passage r5"])
    }

    @Test("a sentence several evaluation records share is indexed once and each record is named")
    func sharedEvaluationSentence() throws {
        let sentence = "The lighthouse keeper's daughter rowed across the bay to fetch the winter post."
        let evaluation = [
            Fixture.rec("s1", "tone", sentence, partition: "test", question: "Describe the tone.", answer: "calm"),
            Fixture.rec("s2", "tone", sentence, partition: "test", question: "Is the tone ironic?", answer: "no"),
            Fixture.rec("s3", "tone", sentence.uppercased(), partition: "test", question: "Describe the tone.", answer: "loud"),
        ]
        let copy = Fixture.rec("c", "grammar", sentence, partition: "train", answer: "yes")
        let inside = Fixture.rec("i", "grammar", "Rowed across the bay to fetch the winter post", partition: "train", answer: "yes")
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + [copy, inside], test: Fixture.test + evaluation),
                                   store: nil, options: Fixture.options())
        #expect(report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" } == [
            "exact_segment s1 c", "exact_segment s2 c", "folded_segment s3 c",
            "shared_passage s1 i", "shared_passage s2 i", "shared_passage s3 i",
        ])
    }

    static let inside = Fixture.rec("p", "grammar", "Your application has not been successful on this occasion.", partition: "train", answer: "yes")

    func enforced(_ manifest: String, train: [DatasetRecord] = [inside]) throws -> [String] {
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + train, manifest: manifest), store: nil,
                                   options: Fixture.options())
        return report.leaks.map { "\($0.rule.rawValue) \($0.enforced)" }
    }

    @Test func theManifestNamesTheRule() throws {
        #expect(try enforced(#"{"audit": {"enforce": ["exact_segment", "folded_segment", "shared_passage"]}}"#) == ["shared_passage true"])
        #expect(try enforced(#"{"audit": {"enforce": ["exact_segment", "folded_segment"]}}"#) == ["shared_passage false"])
        // Older manifests meant segment passages by `ngram_overlap`.
        #expect(try enforced(#"{"audit": {"enforce": ["ngram_overlap"]}}"#) == ["shared_passage true"])
        #expect(try enforced(#"{"isolation": {"level": "segment"}}"#) == ["shared_passage true"])
        #expect(try enforced(#"{"isolation": {"level": "segment", "shared_passages": false}}"#) == ["shared_passage false"])
    }

    @Test("a pair the policy forbids is reported under the enforced rule, not hidden behind a stronger one it allows")
    func enforcedRuleWins() throws {
        let copy = Fixture.rec("p", "grammar", "We regret to inform you that your application has not been successful on this occasion.",
                               partition: "train", answer: "yes")
        #expect(try enforced(#"{"audit": {"enforce": ["shared_passage"]}}"#, train: [copy]) == ["shared_passage true"])
        #expect(try enforced(#"{"audit": {"enforce": ["exact_segment", "shared_passage"]}}"#, train: [copy]) == ["exact_segment true"])
    }

    @Test("a passage inside a training question (not a segment) is n-gram overlap, not a shared passage")
    func passageInAQuestionIsNgramOverlap() throws {
        let record = Fixture.rec("p", "grammar", "Rain fell steadily on the allotments all through the long bank holiday.", partition: "train",
                                 question: "Compare with: le train de nuit pour Vienne partira avec deux heures de retard.", answer: "yes")
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + [record]), store: nil, options: Fixture.options())
        #expect(report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key)" } == ["ngram_overlap e06"])
    }
}

@Suite struct TranslationClosureTests {
    /// Evaluation: a French item on « Déconnexion » (translated "Hangup"). Training: a German
    /// item on « Abmelden » (translated "logout"). The store holds Hangup–Déconnexion in one
    /// catalogue, logout–`variant` in a second and logout–Abmelden in a third: with
    /// `variant` = « déconnexion » the chain Hangup → Déconnexion ≈ déconnexion ← logout →
    /// Abmelden ties the two items; the audit must see it.
    func audit(variant: String?) throws -> AuditReport {
        let evaluation = Fixture.rec("x1", "tone", "Déconnexion", lang: "fr", partition: "test", question: "Describe the tone.",
                                     answer: "neutral", translation: "Hangup", pair: "fr-en")
        let training = Fixture.rec("y1", "grammar", "Abmelden", lang: "de", partition: "train", question: "Is this well formed?",
                                   answer: "ja", translation: "logout", pair: "de-en")
        let dir = try Fixture.write(train: Fixture.train + [training], test: Fixture.test + [evaluation])
        let store = try Store(path: dir + "/heldout.sqlite")
        let fr = LanguageTag("fr")!, en = LanguageTag("en")!, de = LanguageTag("de")!
        _ = try store.ingest(CorpusDescriptor(name: "phone-fr", format: "test", sha256: "a", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(texts: [.init(lang: en, text: "Hangup"), .init(lang: fr, text: "Déconnexion")]))
        }
        if let variant {
            _ = try store.ingest(CorpusDescriptor(name: "session-fr", format: "test", sha256: "b", size: 1, files: [])) { sink in
                try sink.add(CorpusUnit(texts: [.init(lang: en, text: "logout"), .init(lang: fr, text: variant)]))
            }
        }
        _ = try store.ingest(CorpusDescriptor(name: "session-de", format: "test", sha256: "c", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(texts: [.init(lang: en, text: "logout"), .init(lang: de, text: "Abmelden")]))
        }
        return try Audit.run(directory: dir, store: store, options: Fixture.options())
    }

    @Test func caseVariantChainThroughAPivotIsOneClosure() throws {
        let report = try audit(variant: "déconnexion")
        #expect(report.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" } == ["translation x1 y1"])
        let leak = try #require(report.leaks.first)
        #expect(leak.enforced)
        #expect(leak.evidence.segment == Segment(lang: LanguageTag("fr")!, rawText: "Déconnexion").id.hex)
        #expect(leak.evidence.translationSegment == Segment(lang: LanguageTag("de")!, rawText: "Abmelden").id.hex)
        #expect(leak.evidence.trainingRecords == 1 && leak.evidence.evaluationRecords == 1)
    }

    @Test func withoutTheFoldedVariantTheGroupsStayApart() throws {
        #expect(try audit(variant: "déconnexions").leaks.isEmpty)
        #expect(try audit(variant: nil).leaks.isEmpty)
    }
}

@Suite struct AnswerAndReportBoundTests {
    @Test(arguments: [
        ("neutral and informative tone", true), ("formal polite refusal", true), ("anticonstitutionnellement", true),
        ("to run", false), ("yes", false), ("2024-12-31", false), ("with them, there", false), ("a tree", false),
        ("informal", false),
    ])
    func specificAnswers(_ answer: String, _ specific: Bool) {
        #expect(AnswerWork.compute([answer], options: AuditOptions()).first?.specific == specific)
    }

    /// `shared` evaluation records give one answer, quoted by `quoting` training questions.
    func answerLeaks(shared: Int, quoting: Int) throws -> AuditReport {
        let evaluation = (0..<shared).map { k in
            Fixture.rec("a\(k)", "tone", "Message number \(k) from the front desk arrived.", partition: "test",
                        question: "Describe the tone.", answer: "courteous written apology")
        }
        let training = (0..<quoting).map { k in
            Fixture.rec("q\(k)", "grammar", "Rain fell on allotment \(k) all afternoon.", partition: "train",
                        question: "Would a courteous written apology fit here?", answer: "yes")
        }
        var options = Fixture.options()
        options.answerMaximumRecords = 3
        return try Audit.run(directory: try Fixture.write(train: Fixture.train + training, test: Fixture.test + evaluation),
                             store: nil, options: options)
    }

    @Test func aTemplateLabelSharedByManyEvaluationRecordsIsNotLookedFor() throws {
        let few = try answerLeaks(shared: 3, quoting: 1)
        #expect(few.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" }
            == ["answer_leak a0 q0", "answer_leak a1 q0", "answer_leak a2 q0"])
        let many = try answerLeaks(shared: 4, quoting: 1)
        #expect(many.leaks.isEmpty)
        #expect(many.notes.contains { $0.contains("4 shared by more than 3 evaluation records") })
    }

    @Test func anAnswerQuotedByManyTrainingRecordsIsACommonPhrase() throws {
        let few = try answerLeaks(shared: 1, quoting: 3)
        #expect(few.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" } == ["answer_leak a0 q0"])
        #expect(few.leaks.first?.evidence.trainingRecords == 3)
        #expect(few.counts.filter { $0.rule == .answerLeak }.map(\.count) == [1])
        let many = try answerLeaks(shared: 1, quoting: 4)
        #expect(many.leaks.isEmpty)
        #expect(many.notes.contains { $0.contains("1 evaluation answer(s) quoted by more than 3 training records") })
    }

    @Test func listedLeaksAreCappedAndCountsStayExact() throws {
        let copies = (0..<5).map { k in
            Fixture.rec("c\(k)", "grammar", "We regret to inform you that your application has not been successful on this occasion.",
                        partition: "train", answer: "yes")
        }
        var options = Fixture.options()
        options.maxListedLeaksPerRule = 2
        let dir = try Fixture.write(train: Fixture.train + copies)
        let report = try Audit.run(directory: dir, store: nil, options: options)
        #expect(report.leaks.map(\.training.key) == ["c0", "c1"])
        #expect(report.unlisted == ["exact_segment": 3])
        #expect(report.totals[.exactSegment] == 5)
        #expect(report.enforcedLeaks == 5)
        options.maxListedLeaksPerRule = Int.max
        #expect(try Audit.run(directory: dir, store: nil, options: options).leaks.count == 5)
    }
}
