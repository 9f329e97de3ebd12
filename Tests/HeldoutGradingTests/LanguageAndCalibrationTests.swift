import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutGrading

/// Language identification and flagging (docs/grading.md, "Language"), on sentences written
/// for these tests.
@Suite struct LanguageIdentifierTests {
    let identifier = LanguageIdentifier.shared

    @Test func identifiesTheFiveLanguages() {
        let texts = [
            "en": "The backup finished late last night because the network was slow.",
            "fr": "La sauvegarde s'est terminée tard hier soir parce que le réseau était lent.",
            "de": "Die Sicherung wurde gestern spät beendet, weil das Netzwerk langsam war.",
            "es": "La copia de seguridad terminó tarde anoche porque la red estaba lenta.",
            "it": "Il backup è terminato tardi ieri sera perché la rete era lenta.",
        ]
        for (language, text) in texts {
            #expect(identifier.identify(text)?.language == language, "\(language): \(text)")
        }
        #expect(identifier.identify("Ок") == nil)   // too short to tell
        #expect(identifier.identify("Резервное копирование закончилось поздно вечером, потому что сеть была медленной.")?.language == "other")
    }

    @Test func flagsTextInAnotherLanguageThanItsTag() {
        func check(_ text: String, _ tag: GradingLanguage) -> (String?, Bool) {
            var text = text
            return text.withUTF8 { identifier.check(utf8: $0, tag: tag) }
        }
        // An untranslated English sentence in a French catalogue.
        #expect(check("Select the disk where the new system should be installed.", .french) == ("en", true))
        #expect(check("Choisissez le disque où le nouveau système doit être installé.", .french) == ("fr", false))
        // A tag without a profile is never flagged.
        #expect(check("Select the disk where the new system should be installed.", .other).1 == false)
    }

    @Test func flaggedSegmentsAreStoredAndCounted() throws {
        let t = try TemporaryStore()
        try t.ingest("a", [("fr", "Select the disk where the new system should be installed.", nil),
                           ("fr", "Choisissez le disque où le nouveau système doit être installé.", nil)])
        _ = try Grader().run(store: t.store)
        let check = try t.store.languageCheckSummary()
        #expect(check.languages["fr"]?.flagged == 1)
        #expect(check.languages["fr"]?.flaggedAs == ["en": 1])
        let report = try t.store.bandReport()
        #expect(report.entries.reduce(0) { $0 + $1.flagged } == 1)
        #expect(report.entries.allSatisfy { $0.examples.count == min($0.segments, 10) })
    }
}

@Suite struct CalibrationTests {
    @Test func fitRecoversAMapAndMeasuresOnTheHeldApartPart() {
        // Translations graded 1.5 grades low and compressed by 0.8, plus alternating noise.
        var pairs: [(language: String, english: Double, translation: Double, words: Int, group: UInt64)] = []
        for i in 0..<400 {
            let english = 2 + Double(i % 15)
            let noise = i % 3 == 0 ? 0.4 : -0.2
            pairs.append(("fr", english, 0.8 * english - 1.5 + noise, 10, UInt64(i)))
            pairs.append(("fr", english, 0, 5, UInt64(i)))   // too short: left out
        }
        let report = GradeCalibration.fit(pairs, applied: .identity, version: 1, source: "test")
        let fr = try! #require(report.languages["fr"])
        #expect(abs(fr.map.slope - 1.25) < 0.05)
        #expect(abs(fr.calibrated.meanDifference) < 0.3)
        #expect(abs(fr.uncalibrated.meanDifference) > 2)
        #expect(fr.calibrated.sameBand > fr.uncalibrated.sameBand)
        #expect(fr.fitPairs + fr.calibrated.pairs == 400)
        #expect(fr.linearCeiling >= fr.calibrated.sameBand)
    }

    @Test func theGraderAppliesTheCurrentCalibration() {
        let text = "Le serveur distant ne répond plus depuis le début de la matinée."
        let counts = TextAnalyzer().analyze(text, language: .french)
        let raw = try! #require(GradeScale.grade(counts, language: .french).grade)
        let graded = try! #require(Grader.grade(text, language: .french).outcome.grade)
        #expect(abs(graded - GradeCalibration.current.calibrated(raw, language: .french)) < 1e-9)
        #expect(GradeCalibration.current.map(.french) != .identity)
        #expect(abs(GradeCalibration.current.raw(graded, language: .french) - raw) < 1e-9)
    }
}
