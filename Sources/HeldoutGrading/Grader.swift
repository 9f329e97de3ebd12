import Dispatch
import Foundation
import HeldoutCore
import HeldoutStore

/// Everything one segment's grading produces, before it is stored.
public struct SegmentGrade: Sendable, Equatable {
    public var counts: TextCounts
    public var outcome: GradeOutcome
    /// Formula values, ordered by formula name; empty when ungradable.
    public var readability: [(ReadabilityFormula, Double)]
    public var band: BandAssignment

    public static func == (l: SegmentGrade, r: SegmentGrade) -> Bool {
        l.counts == r.counts && l.outcome == r.outcome && l.band == r.band
            && l.readability.map(\.0) == r.readability.map(\.0) && l.readability.map(\.1) == r.readability.map(\.1)
    }

    /// The grade as stored: two decimals (the formulas' inputs are integers; more digits would
    /// only pretend to precision), `nil` when ungradable.
    public var grade: Double? { outcome.grade.map(Grader.round2) }
}

/// `heldout grade`: grades every segment not yet graded by this grader version, re-bands when
/// the bands change, and assigns domains (metadata first, the classifier for the rest).
public struct Grader: Sendable {
    /// Bump when tokenisation, syllable rules or data, formulas or the grade mapping change:
    /// every segment graded by another version is graded again on the next run.
    /// 2: abbreviations and quoted terminators no longer end sentences; `1,000` is one word;
    /// compounds of a silent-e head (filesystem) and the exception table regenerated for them.
    /// 3: what is not prose is ungradable with a reason (``Gradability``), five words at
    /// least; grades of fr/de/es/it mapped by ``GradeCalibration``; the text's language is
    /// identified (``LanguageIdentifier``). A new calibration or language model bumps it too.
    /// 4: calibration 2 (Italian mapped; de, es, fr unchanged).
    public static let version = 4

    public struct Options: Sendable {
        /// Bands to apply; `nil` keeps the bands the store was last graded with (or the default).
        public var bands: BandScheme?
        public var classifier = DomainClassifier.Options()
        /// Whether to run the domain classifier at all (metadata domains are always refreshed).
        public var classify = true
        public var batchSize = 4_096
        public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        public var syllables = SyllableCounter.standard
        /// Segments graded of those to grade, for a progress line; counted only when set.
        public var progress: ProgressReport?

        public init() {}
    }

    /// What a run did (`heldout grade --json`).
    public struct RunReport: Sendable, Codable, Equatable {
        public var graderVersion: Int
        public var bands: String
        public var segments: Int
        /// Segments graded in this run (new ones, or graded by another version).
        public var graded: Int
        /// Of those, how many were ungradable.
        public var ungradable: Int
        /// Segments whose band changed because the bands changed.
        public var rebanded: Int
        public var metadataDomains: Int
        public var classifier: ClassifierReport

        enum CodingKeys: String, CodingKey {
            case bands, segments, graded, ungradable, rebanded, classifier
            case graderVersion = "grader_version"
            case metadataDomains = "metadata_domains"
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    static let bandsKey = "bands"
    static let fingerprintKey = "classifier.fingerprint"
    static let reportKey = "classifier.report"

    /// Grades one text: counts, the language's formulas, the common grade and its band.
    public static func grade(_ text: String, language: GradingLanguage, bands: BandScheme = .standard,
                             analyzer: TextAnalyzer = TextAnalyzer()) -> SegmentGrade {
        var text = text
        return text.withUTF8 { grade(utf8: $0, language: language, bands: bands, analyzer: analyzer) }
    }

    static func grade(utf8: UnsafeBufferPointer<UInt8>, language: GradingLanguage, bands: BandScheme,
                      analyzer: TextAnalyzer) -> SegmentGrade {
        let counts = analyzer.analyze(utf8: utf8, language: language)
        let outcome = GradeScale.grade(counts, utf8: utf8, language: language)
        var readability: [(ReadabilityFormula, Double)] = []
        if case .graded = outcome {
            let formulas = ReadabilityFormula.formulas(for: language).sorted()
            readability.reserveCapacity(formulas.count)
            for formula in formulas {
                if let value = formula.value(counts), value.isFinite { readability.append((formula, value)) }
            }
        }
        let rounded = outcome.grade.map(round2)
        return SegmentGrade(counts: counts, outcome: outcome, readability: readability, band: bands.assign(rounded))
    }

    /// Each language's formulas in name order, with the index of the ``GradeRecord`` formula
    /// column each is stored in; computed once.
    @inline(__always)
    static func formulaSlots(_ language: GradingLanguage) -> [(formula: ReadabilityFormula, slot: Int)] {
        switch language {
        case .english: englishSlots
        case .french: frenchSlots
        case .spanish: spanishSlots
        case .german: germanSlots
        case .italian: italianSlots
        case .other: otherSlots
        }
    }

    static let englishSlots = slots(.english)
    static let frenchSlots = slots(.french)
    static let spanishSlots = slots(.spanish)
    static let germanSlots = slots(.german)
    static let italianSlots = slots(.italian)
    static let otherSlots = slots(.other)

    /// A formula without a column is left out here (and a test fails: every formula has one).
    static func slots(_ language: GradingLanguage) -> [(formula: ReadabilityFormula, slot: Int)] {
        ReadabilityFormula.formulas(for: language).sorted().compactMap { formula in
            GradeRecord.formulaColumns.firstIndex(of: formula.rawValue).map { (formula, $0) }
        }
    }

    /// Runs the whole pass in one transaction.
    public func run(store: Store) throws -> RunReport {
        try store.grading { session in
            let stored = try session.state(Self.bandsKey)
            let bands = try options.bands ?? stored.map { try BandScheme(parsing: $0) } ?? .standard
            var rebanded = 0
            if stored != bands.description {
                rebanded = try session.reband { bands.assign($0).label }
                try session.setState(Self.bandsKey, bands.description)
            }
            let (graded, ungradable) = try gradeNew(session, bands: bands)
            let metadata = try session.refreshMetadataDomains()
            let classifier = options.classify
                ? try assignDomains(session)
                : ClassifierReport(status: "not run (--no-classifier)")
            return RunReport(graderVersion: Self.version, bands: bands.description, segments: try session.segmentCount,
                             graded: graded, ungradable: ungradable, rebanded: rebanded,
                             metadataDomains: metadata, classifier: classifier)
        }
    }

    /// Grades batches of segments on `threads` threads while the store's one connection reads
    /// the next batch and writes the previous one: SQLite I/O (on the calling thread, which owns
    /// the connection) overlaps the analysis. Rows are saved in the order they are read, so the
    /// result does not depend on the overlap or the thread count.
    private func gradeNew(_ session: GradingSession, bands: BandScheme) throws -> (graded: Int, ungradable: Int) {
        let threads = max(1, options.threads)
        let analyzers = (0..<threads).map { _ in TextAnalyzer(syllables: options.syllables) }
        var graded = 0
        var ungradable = 0
        var pending: [GradeRecord] = []
        var ticker = ProgressTicker(total: options.progress == nil ? 0 : try session.ungradedCount(version: Self.version),
                                    report: options.progress)
        var batch = try session.ungraded(version: Self.version, after: 0, limit: options.batchSize)
        while !batch.isEmpty {
            let analysis = BatchAnalysis()
            let current = batch
            nonisolated(unsafe) let analyzersForBatch = analyzers
            analysis.group.enter()
            DispatchQueue.global().async {
                analysis.records = Self.gradeBatch(current, bands: bands, analyzers: analyzersForBatch)
                analysis.group.leave()
            }
            // Meanwhile: write the previous batch, read the next one.
            var failure: Error?
            do {
                if !pending.isEmpty {
                    try session.save(pending, version: Self.version)
                    pending = []
                }
                batch = try session.ungraded(version: Self.version, after: current.rowids[current.count - 1], limit: options.batchSize)
            } catch {
                failure = error
            }
            analysis.group.wait()
            if let failure { throw failure }
            pending = analysis.records
            for record in pending where record.grade == nil { ungradable += 1 }
            graded += current.count
            ticker.tick(graded)
        }
        if !pending.isEmpty { try session.save(pending, version: Self.version) }
        ticker.finish()
        return (graded, ungradable)
    }

    /// One batch's analysis, handed from the worker back to the thread that owns the store.
    private final class BatchAnalysis: @unchecked Sendable {
        let group = DispatchGroup()
        var records: [GradeRecord] = []
    }

    /// Grades one batch on up to `analyzers.count` threads. Each record is written once, in
    /// place, into the array returned (no array of optionals to compact afterwards: that copy
    /// retained and released every record's strings).
    static func gradeBatch(_ batch: SegmentBatch, bands: BandScheme, analyzers: [TextAnalyzer]) -> [GradeRecord] {
        let n = batch.count
        guard n > 0 else { return [] }
        let chunks = min(analyzers.count, max(1, n / 256))
        // Band labels made once, not by string interpolation for every segment.
        let labels = BandLabels(bands)
        return [GradeRecord](unsafeUninitializedCapacity: n) { output, initialized in
            // Every index below n is initialised by exactly one chunk (i ≡ chunk mod chunks).
            defer { initialized = n }
            gradeBatch(batch, bands: bands, labels: labels, analyzers: analyzers, chunks: chunks, into: output)
        }
    }

    private static func gradeBatch(_ batch: SegmentBatch, bands: BandScheme, labels: BandLabels, analyzers: [TextAnalyzer],
                                   chunks: Int, into output: UnsafeMutableBufferPointer<GradeRecord>) {
        let n = batch.count
        nonisolated(unsafe) let output = output
        nonisolated(unsafe) let analyzers = analyzers
        batch.bytes.withUnsafeBufferPointer { bytes in
            nonisolated(unsafe) let bytes = bytes
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let analyzer = analyzers[chunk]
                let identifier = LanguageIdentifier.shared
                var language = GradingLanguage.other
                var languageTag = ""
                for i in stride(from: chunk, to: n, by: chunks) {
                    if batch.langs[i] != languageTag {
                        languageTag = batch.langs[i]
                        language = GradingLanguage(tag: languageTag)
                    }
                    let text = UnsafeBufferPointer(rebasing: bytes[batch.offsets[i]..<batch.offsets[i + 1]])
                    let c = analyzer.analyze(utf8: text, language: language)
                    let outcome = GradeScale.grade(c, utf8: text, language: language)
                    let rounded = outcome.grade.map(round2)
                    var formulas = GradeRecord.noFormulas
                    if rounded != nil {
                        for (formula, slot) in formulaSlots(language) {
                            if let value = formula.value(c), value.isFinite { formulas[slot] = round2(value) }
                        }
                    }
                    let (detected, flagged) = identifier.check(utf8: text, tag: language)
                    // Built straight into its slot: a local record moved there afterwards was
                    // copied field by field through its value witness (retaining its strings).
                    output.initializeElement(at: i, to: GradeRecord(
                        segment: batch.rowids[i], words: c.words, sentences: c.sentences, syllables: c.syllables,
                        letters: c.letters, longWords: c.longWords, polysyllables: c.polysyllables,
                        monosyllables: c.monosyllables, formulas: formulas, grade: rounded,
                        band: labels.label(bands.assign(rounded)), ungradableReason: outcome.reason?.rawValue,
                        detectedLanguage: detected, languageFlagged: flagged))
                }
            }
        }
    }

    /// The labels of a scheme's bands, made once per batch.
    struct BandLabels {
        let bands: [Band]
        let labels: [String]

        init(_ scheme: BandScheme) {
            bands = scheme.bands
            labels = scheme.bands.map(\.label)
        }

        func label(_ assignment: BandAssignment) -> String {
            if case let .band(band) = assignment, let index = bands.firstIndex(of: band) { return labels[index] }
            return assignment.label
        }
    }

    /// Trains (when the labelled set changed) and predicts the domain of segments without one.
    private func assignDomains(_ session: GradingSession) throws -> ClassifierReport {
        let classifier = DomainClassifier(options: options.classifier)
        let labelled = try session.labelledSegments(maxPerDomain: options.classifier.maxTrainingPerDomain)
        let fingerprint = Self.fingerprint(labelled, options: options.classifier)
        let previous = try session.state(Self.fingerprintKey)
        let domains = Set(labelled.map(\.domain))
        if let refusal = classifier.refusal(domains: domains, examples: labelled.count) {
            // Predictions of an earlier model no longer rest on anything: drop them.
            try session.clearClassifierDomains()
            try session.setState(Self.fingerprintKey, fingerprint)
            let report = ClassifierReport(status: refusal, domains: domains.sorted(),
                                          training: Dictionary(grouping: labelled, by: \.domain).mapValues(\.count))
            try session.setState(Self.reportKey, try CanonicalJSON.string(report))
            return report
        }
        // Same model as last run: its cross-validation stands (a report that no longer decodes
        // is earned again, never assumed).
        var stored: ClassifierReport?
        if previous == fingerprint, let old = try session.state(Self.reportKey) {
            stored = try? JSONDecoder().decode(ClassifierReport.self, from: Data(old.utf8))
        }
        let (trained, trainedReport) = classifier.train(labelled.map { ($0.id, $0.text, $0.domain) },
                                                        crossValidate: stored == nil)
        guard let model = trained else { return trainedReport }
        var report = stored ?? trainedReport
        if stored == nil { try session.clearClassifierDomains() }
        var classified = 0
        var abstained = 0
        var after: Int64 = 0
        while true {
            let batch = try session.segmentsWithoutDomain(after: after, limit: options.batchSize)
            if batch.isEmpty { break }
            var predictions: [PredictedDomain] = []
            predictions.reserveCapacity(batch.count)
            // A model whose cross-validated accuracy is too low predicts nothing; a good one
            // stores only the predictions it is confident of. The rest stay without a domain.
            if report.predicts {
                for i in 0..<batch.count {
                    let (domain, confidence) = classifier.predict(model, text: batch.text(i))
                    let rounded = (confidence * 10_000).rounded() / 10_000
                    if rounded < options.classifier.minimumConfidence {
                        abstained += 1
                        continue
                    }
                    predictions.append(PredictedDomain(segment: batch.rowids[i], domain: domain, confidence: rounded))
                }
            } else {
                abstained += batch.count
            }
            try session.savePredictions(predictions)
            classified += predictions.count
            after = batch.rowids[batch.count - 1]
        }
        report.classified = classified
        report.abstained = abstained
        try session.setState(Self.fingerprintKey, fingerprint)
        try session.setState(Self.reportKey, try CanonicalJSON.string(report))
        return report
    }

    /// Identifies a training set (and the classifier's settings): same fingerprint, same model.
    static func fingerprint(_ labelled: [DomainExample], options: DomainClassifier.Options) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                hash ^= UInt64(b)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        feed("v\(version) folds \(options.folds) cap \(options.maxTrainingPerDomain) buckets \(FeatureExtractor.bucketBits)".utf8)
        // The thresholds decide which predictions are stored: new thresholds, new predictions.
        feed(" classifier v\(DomainClassifier.version) accuracy \(options.minimumAccuracy) confidence \(options.minimumConfidence)".utf8)
        for segment in labelled {
            feed(segment.id.bytes)
            feed(segment.domain.utf8)
            feed([0x1F])
        }
        return String(hash, radix: 16)
    }

    /// Rounds to two decimals, halves away from zero; never negative zero (`-0.004` is `0`,
    /// which JSON would otherwise print as `-0`).
    @inline(__always)
    static func round2(_ value: Double) -> Double {
        (value * 100).rounded(.toNearestOrAwayFromZero) / 100 + 0
    }
}
