import HeldoutCore
import Testing
@testable import HeldoutGrading

/// Sentences made from two vocabularies, so the right answer is known.
enum DomainFixtures {
    static let cooking = ["butter", "flour", "oven", "simmer", "garlic", "onion", "sauce", "bake", "pan", "salt", "pepper", "dough"]
    static let computing = ["kernel", "compiler", "server", "packet", "driver", "socket", "thread", "memory", "cache", "binary", "script", "router"]
    static let shared = ["the", "a", "with", "and", "then", "we", "it", "is", "slowly", "again"]

    /// Deterministic pseudo-random sentence `n` of a vocabulary.
    static func sentence(_ vocabulary: [String], _ n: Int) -> String {
        var words: [String] = []
        var state = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        for k in 0..<8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let pool = k % 2 == 0 ? vocabulary : shared
            words.append(pool[Int(state >> 33) % pool.count])
        }
        return words.joined(separator: " ") + "."
    }

    static func examples(count: Int, flipEvery: Int? = nil) -> [(id: ContentID, text: String, domain: String)] {
        (0..<count).flatMap { n -> [(id: ContentID, text: String, domain: String)] in
            let cook = sentence(cooking, n), comp = sentence(computing, n + 10_000)
            let flip = flipEvery.map { n % $0 == 0 } ?? false
            return [
                (ContentID(hashing: ["c", "\(n)"]), cook, flip ? "computing" : "cooking"),
                (ContentID(hashing: ["k", "\(n)"]), comp, flip ? "cooking" : "computing"),
            ]
        }
    }
}

@Suite struct ClassifierTests {
    @Test func separableSetIsLearnedPerfectly() throws {
        let classifier = DomainClassifier()
        let (model, report) = classifier.train(DomainFixtures.examples(count: 40))
        let trained = try #require(model)
        #expect(report.status == "trained")
        #expect(report.domains == ["computing", "cooking"])
        #expect(report.folds == 5)
        #expect(report.accuracy == 1.0)
        #expect(report.confusion == [[40, 0], [0, 40]])
        let (domain, confidence) = classifier.predict(trained, text: "Simmer the garlic and onion in butter.")
        #expect(domain == "cooking")
        #expect(confidence > 0.9)
        #expect(classifier.predict(trained, text: "The compiler wrote the binary to the cache.").domain == "computing")
    }

    @Test func noisyLabelsLowerAccuracyWithoutDestroyingIt() {
        // One label in four is flipped: cross-validation must see the noise (accuracy < 1) but
        // still beat chance clearly (the flipped quarter are scored against their wrong label).
        let (_, report) = DomainClassifier().train(DomainFixtures.examples(count: 60, flipEvery: 4))
        let accuracy = report.accuracy ?? 0
        #expect(accuracy < 0.95)
        #expect(accuracy > 0.6)
        #expect(report.confusion.flatMap { $0 }.reduce(0, +) == 120)
    }

    @Test func deterministic() {
        let examples = DomainFixtures.examples(count: 30, flipEvery: 5)
        let a = DomainClassifier().train(examples).1
        let b = DomainClassifier().train(examples.reversed()).1
        #expect(a == b)
    }

    @Test func refusesWithOneDomain() {
        let one = DomainFixtures.examples(count: 20).filter { $0.domain == "cooking" }
        let (model, report) = DomainClassifier().train(one)
        #expect(model == nil)
        #expect(report.status.hasPrefix("not trained"))
    }
}
