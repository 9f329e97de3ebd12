import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutGrading

/// Italian on the common scale (docs/grading.md, "One scale", calibration 2): its map is fitted
/// on Debian's en-it pairs like the other languages', and the grader applies it. Sentences
/// written for these tests.
@Suite struct ItalianCalibrationTests {
    let sentence = "Il programma di installazione non riesce a trovare il disco su cui scrivere i file del sistema."

    @Test func italianHasAFittedMap() {
        let map = GradeCalibration.current.map(.italian)
        #expect(map != .identity)
        #expect(GradeCalibration.current.maps["it"] == map)
        // A map onto the same scale, not a degenerate one: it keeps the order of grades.
        #expect(map.slope > 0.5 && map.slope < 1.5)
    }

    @Test func theGraderAppliesItalianMap() throws {
        let counts = TextAnalyzer().analyze(sentence, language: .italian)
        let raw = try #require(GradeScale.grade(counts, language: .italian).grade)
        let graded = try #require(Grader.grade(sentence, language: .italian).outcome.grade)
        #expect(abs(graded - GradeCalibration.current.calibrated(raw, language: .italian)) < 1e-9)
        #expect(abs(graded - raw) > 0.01, "the Italian grade is the formula's grade: no map applied")
        #expect(abs(GradeCalibration.current.raw(graded, language: .italian) - raw) < 1e-9)
    }

    @Test func storedItalianGradesAreCalibrated() throws {
        let t = try TemporaryStore()
        try t.ingest("a", [("it", sentence, nil)])
        _ = try Grader().run(store: t.store)
        let stored = try #require(try t.segments()[sentence]?.grade)
        let expected = try #require(Grader.grade(sentence, language: .italian).grade)
        let raw = try #require(GradeScale.grade(TextAnalyzer().analyze(sentence, language: .italian), language: .italian).grade)
        #expect(abs(stored - expected) < 1e-9)
        #expect(abs(stored - Grader.round2(raw)) > 0.01)
    }
}
