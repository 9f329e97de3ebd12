import ArgumentParser
import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutGrading
import HeldoutStore

struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Grade every segment by reading level and domain.",
        discussion: """
        Computes, for each segment not yet graded by this grader version (v\(Grader.version)), word, sentence, syllable, long-word and polysyllable counts, its language's readability formulas, a grade on a common US-grade scale and its band; then gives every segment a domain: from metadata (a unit's own domain, else its corpus's --domain), else from a naive Bayes classifier trained on the segments whose domain metadata gives. Metadata is never overwritten by the classifier. The classifier predicts only when its cross-validated accuracy reaches --domain-min-accuracy and beats always guessing the largest domain, and it stores only predictions of at least --domain-min-confidence; below them it abstains and the segment keeps no domain. See docs/grading.md.
        """
    )

    @OptionGroup var common: StoreOptions

    @Option(help: "Reading-level bands, ascending whole grades (default: the store's, else 1-5,6-8,9-12,13+).")
    var bands: String?

    @Option(help: "Two bands with a gap between them: EASY,HARD (e.g. 5,8: easy <= 5, hard >= 8, nothing between).")
    var gap: String?

    @Flag(name: .customLong("no-classifier"), help: "Only take domains from metadata; do not predict the others.")
    var noClassifier = false

    @Option(name: .customLong("domain-min-accuracy"),
            help: "Least cross-validated accuracy (0-1) at which the classifier predicts domains at all (default \(DomainClassifier.Options().minimumAccuracy)).")
    var domainMinAccuracy: Double?

    @Option(name: .customLong("domain-min-confidence"),
            help: "Least posterior probability (0-1) of a prediction for it to be stored (default \(DomainClassifier.Options().minimumConfidence)).")
    var domainMinConfidence: Double?

    @Flag(help: "Print per-language grade and band distributions, each band's lengths, flagged share and examples, domain counts and the classifier's cross-validation.")
    var report = false

    @Flag(help: "After grading, fit each language's map onto the common scale from the store's aligned pairs of 8+ words (docs/grading.md) and print it; nothing is changed.")
    var calibrate = false

    func validate() throws {
        if bands != nil, gap != nil { throw ValidationError("--bands and --gap exclude each other") }
        for (name, value) in [("--domain-min-accuracy", domainMinAccuracy), ("--domain-min-confidence", domainMinConfidence)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) \(value): expected a share between 0 and 1, e.g. 0.8") }
        }
    }

    func run() throws {
        var options = Grader.Options()
        options.bands = try bandScheme()
        options.classify = !noClassifier
        if let domainMinAccuracy { options.classifier.minimumAccuracy = domainMinAccuracy }
        if let domainMinConfidence { options.classifier.minimumConfidence = domainMinConfidence }
        let store = try common.open(mustExist: true)
        let started = Date()
        // The command always grades (what is graded already is skipped segment by segment).
        let runner = StageRunner(store: store, showProgress: Console.stderrIsTerminal, skipUnchanged: false)
        guard let result = try runner.run(GradeStage(options: options)) else { return }
        let seconds = Date().timeIntervalSince(started)
        let summary = report ? try store.gradingSummary() : nil
        let language = report ? try store.languageCheckSummary() : nil
        let bandReport = report ? try store.bandReport() : nil
        let calibration = calibrate ? try Self.calibrate(store) : nil
        if common.json {
            try Console.json(GradeOutput(run: result, summary: summary, language: language, bandReport: bandReport,
                                         calibration: calibration))
            return
        }
        Console.out(Self.describe(result, seconds: seconds))
        if let summary { Console.out(Self.render(summary, classifier: result.classifier)) }
        if let language, let bandReport { Console.out(Self.render(language, bandReport)) }
        if let calibration { Console.out(Self.render(calibration)) }
    }

    func bandScheme() throws -> BandScheme? {
        if let bands { return try BandScheme(parsing: bands) }
        if let gap {
            let parts = gap.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let easy = parts[0], let hard = parts[1] else {
                throw HeldoutError.usage("--gap \(gap): expected EASY,HARD whole grades, e.g. 5,8")
            }
            return try BandScheme(gapBetween: easy, and: hard)
        }
        return nil
    }

    struct GradeOutput: Encodable {
        var run: Grader.RunReport
        var summary: GradingSummary?
        var language: LanguageCheckSummary?
        var bandReport: BandReport?
        var calibration: CalibrationReport?

        enum CodingKeys: String, CodingKey {
            case run, summary, language, calibration
            case bandReport = "band_report"
        }
    }

    static func describe(_ run: Grader.RunReport, seconds: Double) -> String {
        var lines: [String] = []
        let rate = seconds > 0 && run.graded > 0 ? ", \(Int(Double(run.graded) / seconds)) segments/s" : ""
        lines.append("graded \(run.graded) of \(run.segments) segments with grader v\(run.graderVersion) (\(run.ungradable) ungradable) in \(String(format: "%.2f", seconds)) s\(rate)")
        lines.append("bands \(run.bands)" + (run.rebanded > 0 ? " (\(run.rebanded) segments re-banded)" : ""))
        var domains = "domains: \(run.metadataDomains) segments from metadata"
        let c = run.classifier
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
        if c.status == "trained", let abstention = c.abstention {
            domains += "; classifier \(abstention): \(c.abstained ?? 0) segments left without a domain"
        } else if c.status == "trained" {
            domains += ", \(c.classified) predicted by the classifier (cross-validated accuracy \(percent(c.accuracy)), minimum \(percent(c.minimumAccuracy)))"
            domains += "; it abstained on \(c.abstained ?? 0) whose confidence was below \(percent(c.minimumConfidence)) (--domain-min-confidence)"
        } else {
            domains += "; classifier \(c.status)"
        }
        lines.append(domains)
        return lines.joined(separator: "\n")
    }

    static func render(_ summary: GradingSummary, classifier: ClassifierReport) -> String {
        var out: [String] = [""]
        let languages = summary.languages.keys.sorted()
        var bandLabels = Set<String>()
        for lang in languages { bandLabels.formUnion(summary.languages[lang]?.bands.keys ?? [:].keys) }
        let bandOrder = bandLabels.sorted(by: Self.bandOrder)
        out.append(Table(["language", "segments", "graded", "mean grade"] + bandOrder, languages.map { lang in
            let s = summary.languages[lang]!
            return [lang, "\(s.segments)", "\(s.graded)", s.meanGrade.map { String(format: "%.2f", $0) } ?? "-"]
                + bandOrder.map { "\(s.bands[$0] ?? 0)" }
        }).render())
        out.append("")
        let gradeKeys = Set(languages.flatMap { summary.languages[$0]?.grades.keys.map { $0 } ?? [] }).sorted(by: Self.bandOrder)
        out.append(Table(["grade"] + languages, gradeKeys.map { key in
            [key] + languages.map { "\(summary.languages[$0]?.grades[key] ?? 0)" }
        }).render())
        out.append("")
        out.append(Table(["domain", "metadata", "classifier"], summary.domains.keys.sorted().map { domain in
            let d = summary.domains[domain]!
            return [domain, "\(d.metadata)", "\(d.classifier)"]
        } + [["(none)", "\(summary.segmentsWithoutDomain)", ""]]).render())
        out.append("")
        if classifier.status == "trained" {
            let accuracy = classifier.accuracy.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            out.append("classifier: multinomial naive Bayes, \(classifier.folds)-fold cross-validated accuracy \(accuracy)"
                       + (classifier.baseline.map { String(format: " (largest domain %.1f%%)", $0 * 100) } ?? ""))
            if let abstention = classifier.abstention { out.append("classifier \(abstention)") }
            out.append("confusion matrix (rows: metadata domain, columns: predicted)")
            out.append(Table(["domain"] + classifier.domains, classifier.domains.enumerated().map { index, domain in
                [domain] + (classifier.confusion.count > index ? classifier.confusion[index].map { "\($0)" } : [])
            }).render())
        } else {
            out.append("classifier: \(classifier.status)")
        }
        return out.joined(separator: "\n")
    }

    /// `<1`, `1-5`, `6-8`, …, `13+`, `18+`, then `gap`, `ungradable`.
    static func bandOrder(_ a: String, _ b: String) -> Bool {
        func key(_ s: String) -> (Int, Int) {
            if s == "<1" { return (0, Int.min) }
            if s == "gap" { return (2, 0) }
            if s == "ungradable" { return (3, 0) }
            let digits = s.prefix { $0.isNumber }
            return (1, Int(digits) ?? Int.max)
        }
        return key(a) < key(b)
    }
}
