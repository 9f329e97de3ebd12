import Foundation
import HeldoutCore

/// Turns a text into hashed feature indices: lowercased words, word bigrams and character
/// trigrams of each word (padded with spaces, so prefixes and suffixes are features of their
/// own). Each feature counts once per text (binarised multinomial naive Bayes, the variant Wang &
/// Manning, "Baselines and Bigrams", ACL 2012, found strongest on short texts). Hashing (FNV-1a into 2^18 buckets) bounds the
/// model's memory whatever the vocabulary and needs no vocabulary pass.
public struct FeatureExtractor: Sendable {
    public static let bucketBits = 18
    public static var bucketCount: Int { 1 << bucketBits }

    public init() {}

    public func features(_ text: String) -> [Int32] {
        var out: [Int32] = []
        var word: [UInt32] = []
        var previousWordHash: UInt64 = 0
        let mask = UInt64(Self.bucketCount - 1)

        func flush() {
            guard !word.isEmpty else { return }
            let wordHash = Self.hash(word, seed: 0x77)
            out.append(Int32(truncatingIfNeeded: wordHash & mask))
            if previousWordHash != 0 {
                out.append(Int32(truncatingIfNeeded: Self.mix(previousWordHash, wordHash) & mask))
            }
            previousWordHash = wordHash
            // Character trigrams over " word ".
            let padded = [0x20] + word + [0x20]
            if padded.count >= 3 {
                for k in 0...(padded.count - 3) {
                    out.append(Int32(truncatingIfNeeded: Self.hash(padded[k..<(k + 3)], seed: 0x63) & mask))
                }
            }
            word.removeAll(keepingCapacity: true)
        }

        for scalar in text.unicodeScalars {
            switch TextAnalyzer.classify(scalar.value) {
            case .letter(let lower): word.append(lower)
            case .digit: word.append(0x30)   // all digits alike: numbers are style, not topic
            case .mark: continue
            default: flush()
            }
        }
        flush()
        out.sort()
        var unique: [Int32] = []
        unique.reserveCapacity(out.count)
        for f in out where unique.last != f { unique.append(f) }
        return unique
    }

    static func hash<C: Collection>(_ scalars: C, seed: UInt64) -> UInt64 where C.Element == UInt32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for s in scalars {
            var v = s
            repeat {
                h ^= UInt64(v & 0xFF)
                h = h &* 0x0000_0100_0000_01B3
                v >>= 8
            } while v != 0
        }
        return h
    }

    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var h = a &* 0x9E37_79B9_7F4A_7C15 ^ b
        h ^= h >> 29
        return h &* 0xBF58_476D_1CE4_E5B9
    }
}

/// Multinomial naive Bayes over ``FeatureExtractor`` features (Manning, Raghavan, Schütze,
/// *Introduction to Information Retrieval*, 2008, §13.2), with additive smoothing.
///
/// Deterministic: training sums in a fixed order and ties go to the alphabetically first domain,
/// so the same examples give the same model and the same predictions.
public struct NaiveBayesModel: Sendable {
    /// Sorted.
    public let domains: [String]
    let logPrior: [Double]
    /// `[bucket * domains.count + domain]`.
    let logLikelihood: [Float]

    /// Additive (Lidstone) smoothing. 0.5 is a conventional choice between Laplace (1) and the
    /// small values that overfit tiny training sets; it was not tuned.
    public static let smoothing = 0.5

    public init(training examples: [(features: [Int32], domain: Int)], domains: [String]) {
        self.domains = domains
        let d = domains.count
        let buckets = FeatureExtractor.bucketCount
        var counts = [Double](repeating: 0, count: buckets * d)
        var totals = [Double](repeating: 0, count: d)
        var documents = [Double](repeating: 0, count: d)
        var seen = [Bool](repeating: false, count: buckets)
        for example in examples {
            documents[example.domain] += 1
            totals[example.domain] += Double(example.features.count)
            for f in example.features {
                counts[Int(f) * d + example.domain] += 1
                seen[Int(f)] = true
            }
        }
        let vocabulary = Double(max(seen.lazy.filter { $0 }.count, 1))
        let all = max(documents.reduce(0, +), 1)
        logPrior = documents.map { ($0 + 1).logValue(over: all + Double(d)) }
        let alpha = Self.smoothing
        var likelihood = [Float](repeating: 0, count: buckets * d)
        for k in 0..<d {
            let denominator = totals[k] + alpha * vocabulary
            for b in 0..<buckets {
                likelihood[b * d + k] = Float((counts[b * d + k] + alpha).logValue(over: denominator))
            }
        }
        logLikelihood = likelihood
    }

    /// The most probable domain and its posterior probability.
    public func predict(_ features: [Int32]) -> (domain: Int, confidence: Double) {
        let d = domains.count
        var scores = logPrior
        logLikelihood.withUnsafeBufferPointer { table in
            for f in features {
                let base = Int(f) * d
                for k in 0..<d { scores[k] += Double(table[base + k]) }
            }
        }
        var best = 0
        for k in 1..<max(d, 1) where scores[k] > scores[best] { best = k }
        var sum = 0.0
        for k in 0..<d { sum += exp(scores[k] - scores[best]) }
        return (best, 1 / sum)
    }
}

private extension Double {
    func logValue(over denominator: Double) -> Double { log(self / denominator) }
}

/// The classifier's cross-validated quality, as `grade --report` prints it.
public struct ClassifierReport: Sendable, Codable, Equatable {
    /// `trained`, or why the classifier did not run.
    public var status: String
    public var domains: [String]
    /// Training segments per domain (after the per-domain cap).
    public var training: [String: Int]
    public var folds: Int
    /// Share of training segments whose held-out fold predicted their domain; nil without CV.
    public var accuracy: Double?
    /// `confusion[actual][predicted]`, rows and columns in ``domains`` order.
    public var confusion: [[Int]]
    /// Segments given a domain by the classifier in this run.
    public var classified: Int
    /// Share of the largest domain among the training segments: what always guessing it scores.
    /// A classifier that does not beat it has learned nothing usable.
    public var baseline: Double?
    /// The thresholds in force (`grade --domain-min-accuracy`, `--domain-min-confidence`).
    public var minimumAccuracy: Double?
    public var minimumConfidence: Double?
    /// Segments the classifier looked at and left without a domain: every one when the model
    /// abstains as a whole, else those whose prediction's confidence was below the minimum.
    public var abstained: Int?
    /// Why the classifier abstains for every segment (accuracy below the minimum or not above
    /// the baseline); nil when it predicts.
    public var abstention: String?

    public init(status: String, domains: [String] = [], training: [String: Int] = [:], folds: Int = 0,
                accuracy: Double? = nil, confusion: [[Int]] = [], classified: Int = 0) {
        self.status = status
        self.domains = domains
        self.training = training
        self.folds = folds
        self.accuracy = accuracy
        self.confusion = confusion
        self.classified = classified
    }

    enum CodingKeys: String, CodingKey {
        case status, domains, training, folds, accuracy, confusion, classified, baseline, abstained, abstention
        case minimumAccuracy = "minimum_accuracy", minimumConfidence = "minimum_confidence"
    }

    /// Whether the model's cross-validated quality lets it predict at all.
    public var predicts: Bool { status == "trained" && abstention == nil }
}

/// Trains on segments whose domain metadata gives, estimates accuracy by k-fold
/// cross-validation, and predicts the domain of the others.
public struct DomainClassifier: Sendable {
    /// Bump when what the classifier stores changes: a store graded by another version has its
    /// predictions cleared and made again on the next `grade` (through the training-set
    /// fingerprint; readability grades are not redone). 2: abstains below the accuracy and
    /// confidence minimums.
    public static let version = 2

    public struct Options: Sendable, Equatable {
        /// Folds of the cross-validation; a segment's fold is its id modulo `folds` (the id is a
        /// SHA-256 prefix, so folds are a fixed pseudo-random partition, no random generator).
        public var folds = 5
        /// Training segments per domain at most (the smallest ids), bounding time and memory.
        public var maxTrainingPerDomain = 50_000
        /// Fewer labelled segments than this in total and the classifier does not run.
        public var minimumTraining = 10
        /// Cross-validated accuracy below this and the classifier predicts nothing (it also
        /// must beat always guessing the largest domain). 0.8: a split on domains one item in
        /// five of which is wrong is already a weak split; the generated benchmark (random
        /// domains) scores chance, ~0.25, and the sample corpora ~0.63.
        public var minimumAccuracy = 0.8
        /// A prediction whose posterior probability is below this is not stored: the segment
        /// stays without a domain. Naive Bayes posteriors are overconfident, hence a high bar.
        public var minimumConfidence = 0.9

        public init() {}
    }

    public let options: Options
    let extractor = FeatureExtractor()

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Why the classifier cannot run on this training set, or nil.
    public func refusal(domains: Set<String>, examples: Int) -> String? {
        if domains.count < 2 { return "not trained: needs segments of at least two domains from metadata (found \(domains.count))" }
        if examples < options.minimumTraining { return "not trained: needs at least \(options.minimumTraining) segments with a known domain (found \(examples))" }
        return nil
    }

    /// Trains on all examples and, when asked, cross-validates first. Examples are (id, text, domain).
    public func train(_ examples: [(id: ContentID, text: String, domain: String)],
                      crossValidate: Bool = true) -> (NaiveBayesModel?, ClassifierReport) {
        let domains = Array(Set(examples.map(\.domain))).sorted()
        var training: [String: Int] = [:]
        for example in examples { training[example.domain, default: 0] += 1 }
        if let refusal = refusal(domains: Set(domains), examples: examples.count) {
            return (nil, ClassifierReport(status: refusal, domains: domains, training: training))
        }
        let index = Dictionary(uniqueKeysWithValues: domains.enumerated().map { ($1, $0) })
        let featurised = examples.map { (features: extractor.features($0.text), domain: index[$0.domain] ?? 0) }
        let folds = max(options.folds, 2)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: domains.count), count: domains.count)
        var correct = 0
        for fold in 0..<(crossValidate ? folds : 0) {
            var train: [(features: [Int32], domain: Int)] = []
            var test: [(features: [Int32], domain: Int)] = []
            for (k, example) in featurised.enumerated() {
                if Int(examples[k].id.low % UInt64(folds)) == fold { test.append(example) } else { train.append(example) }
            }
            guard !test.isEmpty, !train.isEmpty else { continue }
            let model = NaiveBayesModel(training: train, domains: domains)
            for example in test {
                let predicted = model.predict(example.features).domain
                confusion[example.domain][predicted] += 1
                if predicted == example.domain { correct += 1 }
            }
        }
        let evaluated = confusion.reduce(0) { $0 + $1.reduce(0, +) }
        let model = NaiveBayesModel(training: featurised, domains: domains)
        let accuracy = evaluated > 0 ? Double(correct) / Double(evaluated) : nil
        var report = ClassifierReport(status: "trained", domains: domains, training: training, folds: folds,
                                      accuracy: accuracy.map { ($0 * 10_000).rounded() / 10_000 },
                                      confusion: confusion)
        report.baseline = ((Double(training.values.max() ?? 0) / Double(max(examples.count, 1))) * 10_000).rounded() / 10_000
        report.minimumAccuracy = options.minimumAccuracy
        report.minimumConfidence = options.minimumConfidence
        if crossValidate { report.abstention = abstention(accuracy: report.accuracy, baseline: report.baseline ?? 0) }
        return (model, report)
    }

    /// Why a model of this cross-validated accuracy must not predict, or nil when it may.
    public func abstention(accuracy: Double?, baseline: Double) -> String? {
        func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
        guard let accuracy else {
            return "abstains: no cross-validated accuracy (too few segments per fold), so no evidence the predictions are right"
        }
        if accuracy < options.minimumAccuracy {
            return "abstains: cross-validated accuracy \(percent(accuracy)) is below the minimum \(percent(options.minimumAccuracy)) (--domain-min-accuracy)"
        }
        if accuracy <= baseline {
            return "abstains: cross-validated accuracy \(percent(accuracy)) does not beat always guessing the largest domain (\(percent(baseline)))"
        }
        return nil
    }

    public func predict(_ model: NaiveBayesModel, text: String) -> (domain: String, confidence: Double) {
        let (k, confidence) = model.predict(extractor.features(text))
        return (model.domains[k], confidence)
    }
}
