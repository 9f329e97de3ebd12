import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutGrading
import HeldoutStore

/// `grade --report`'s language check and band view, and `grade --calibrate` (issue 20).
extension GradeCommand {
    static func calibrate(_ store: Store) throws -> CalibrationReport {
        let pairs = try store.gradedPairs().map {
            (language: $0.language, english: $0.english, translation: $0.translation,
             words: min($0.englishWords, $0.translationWords), group: $0.groupHash)
        }
        let current = GradeCalibration.current
        return GradeCalibration.fit(pairs, applied: current, version: current.version + 1,
                                    source: "heldout grade --calibrate (grader v\(Grader.version))")
    }

    static func render(_ report: CalibrationReport) -> String {
        var out = ["", "calibration on aligned pairs of \(report.minimumWords)+ words (fit on half, figures on the other half):"]
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        func num(_ x: Double) -> String { String(format: "%.2f", x) }
        out.append(Table(["language", "fit", "held", "intercept", "slope", "mean diff before", "after", "spread after",
                          "same band before", "after", "linear ceiling"],
                         report.languages.keys.sorted().compactMap { lang in
            guard let l = report.languages[lang] else { return nil }
            return [lang, "\(l.fitPairs)", "\(l.calibrated.pairs)", String(format: "%.4f", l.map.intercept), String(format: "%.4f", l.map.slope),
                    num(l.uncalibrated.meanDifference), num(l.calibrated.meanDifference), num(l.calibrated.spread),
                    pct(l.uncalibrated.sameBand), pct(l.calibrated.sameBand), pct(l.linearCeiling)]
        }).render())
        if let json = try? CanonicalJSON.string(report.calibration) {
            out.append("calibration (GradeCalibration.current, version \(report.calibration.version)): \(json)")
        }
        return out.joined(separator: "\n")
    }

    static func render(_ check: LanguageCheckSummary, _ bands: BandReport) -> String {
        var out = [""]
        out.append(Table(["language", "graded", "identified", "flagged", "flagged as"], check.languages.keys.sorted().compactMap { lang in
            guard let e = check.languages[lang] else { return nil }
            return [lang, "\(e.graded)", "\(e.identified)", "\(e.flagged)",
                    e.flaggedAs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
        }).render())
        out.append("")
        let totals = Dictionary(grouping: bands.entries, by: \.language).mapValues { $0.reduce(0) { $0 + $1.segments } }
        let entries = bands.entries.sorted { ($0.language, 0) < ($1.language, 0) || $0.language == $1.language && bandOrder($0.band, $1.band) }
        out.append(Table(["language", "band", "segments", "share", "flagged"] + BandReport.lengthBins.map { "\($0) words" } + ["median words"],
                         entries.map { e in
            let share = Double(e.segments) / Double(max(totals[e.language] ?? 1, 1))
            return [e.language, e.band, "\(e.segments)", String(format: "%.1f%%", share * 100),
                    String(format: "%.1f%%", Double(e.flagged) / Double(max(e.segments, 1)) * 100)]
                + BandReport.lengthBins.map { "\(e.words[$0] ?? 0)" } + ["\(e.medianWords)"]
        }).render())
        for e in entries where !e.reasons.isEmpty {
            out.append("\(e.language) ungradable: " + e.reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for e in entries {
            out.append("")
            out.append("\(e.language) \(e.band): \(e.examples.count) examples")
            for text in e.examples {
                let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
                out.append("  - " + (flat.count > 160 ? String(flat.prefix(157)) + "..." : flat))
            }
        }
        return out.joined(separator: "\n")
    }
}
