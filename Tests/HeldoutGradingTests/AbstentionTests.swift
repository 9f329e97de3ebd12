import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutGrading

/// Issue 19: the classifier predicts only where its cross-validated accuracy and each
/// prediction's confidence clear thresholds; below them it abstains and says so.
@Suite struct AbstentionTests {
    func grader(_ configure: (inout DomainClassifier.Options) -> Void = { _ in }) -> Grader {
        var options = Grader.Options()
        options.threads = 2
        options.batchSize = 50
        configure(&options.classifier)
        return Grader(options: options)
    }

    static let vocabulary = DomainFixtures.cooking + DomainFixtures.computing + DomainFixtures.shared

    /// 240 labelled segments whose domains are drawn at random (one vocabulary, four domains:
    /// nothing to learn) and 40 unlabelled ones.
    func randomStore() throws -> TemporaryStore {
        let t = try TemporaryStore()
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        let domains = ["law", "medicine", "news", "sport"]
        var labelled: [(String, String, String?)] = []
        for n in 0..<240 {
            let words = (0..<9).map { _ in Self.vocabulary[next() % Self.vocabulary.count] }
            labelled.append(("en", words.joined(separator: " ") + " \(n).", domains[next() % domains.count]))
        }
        let unlabelled: [(String, String, String?)] = (0..<40).map { n in
            ("en", (0..<9).map { _ in Self.vocabulary[next() % Self.vocabulary.count] }.joined(separator: " ") + " u\(n).", nil)
        }
        try t.ingest("random", labelled + unlabelled)
        return t
    }

    @Test("on random domains the classifier abstains: no segment gets a predicted domain, and grade says why")
    func abstainsOnRandomDomains() throws {
        let t = try randomStore()
        let run = try grader().run(store: t.store)
        #expect(run.metadataDomains == 240)
        let accuracy = try #require(run.classifier.accuracy)
        #expect(accuracy < 0.5, "random labels cross-validate near chance, got \(accuracy)")
        #expect(run.classifier.classified == 0)
        #expect(run.classifier.abstained == 40)
        #expect(run.classifier.abstention?.contains("--domain-min-accuracy") == true)
        let predicted = try t.segments().values.filter { $0.domainSource == "classifier" }
        #expect(predicted.isEmpty)
        #expect(try t.store.gradingSummary().segmentsWithoutDomain == 40)
    }

    @Test("the thresholds can be changed: at zero the same store is classified, and a new threshold redoes the predictions")
    func thresholdsAreSettings() throws {
        let t = try randomStore()
        _ = try grader().run(store: t.store)
        let loose = try grader { $0.minimumAccuracy = 0; $0.minimumConfidence = 0 }.run(store: t.store)
        // Accuracy 0 is allowed, but the model must still beat always guessing the largest domain.
        if let abstention = loose.classifier.abstention {
            #expect(abstention.contains("largest domain"))
            #expect(loose.classifier.classified == 0)
        } else {
            #expect(loose.classifier.classified == 40)
        }
        // Back to the defaults: predictions made under looser thresholds are not kept.
        let strict = try grader().run(store: t.store)
        #expect(strict.classifier.classified == 0)
        #expect(try t.segments().values.filter { $0.domainSource == "classifier" }.isEmpty)
    }

    @Test("a good model stores only confident predictions: a text of both vocabularies is left without a domain")
    func lowConfidencePredictionsAreNotStored() throws {
        let t = try TemporaryStore()
        let cooking = (0..<25).map { ("en", DomainFixtures.sentence(DomainFixtures.cooking, $0), String?.none) }
        let computing = (0..<25).map { ("en", DomainFixtures.sentence(DomainFixtures.computing, $0 + 500), String?.none) }
        try t.ingest("cook", domain: "cooking", cooking)
        try t.ingest("comp", domain: "computing", computing)
        let clear = "We simmer the garlic and onion with butter in the pan."
        let mixed = "The kernel and the garlic."
        try t.ingest("unlabelled", [("en", clear, nil), ("en", mixed, nil)])
        let run = try grader { $0.minimumConfidence = 0.999_999 }.run(store: t.store)
        #expect(run.classifier.abstention == nil)
        let segments = try t.segments()
        #expect(segments[clear]?.domainSource == "classifier")
        #expect(segments[mixed]?.domain == nil)
        #expect(run.classifier.abstained == 1 && run.classifier.classified == 1)
    }
}
