import Testing
@testable import HeldoutGrading

/// Formula values on counts worked out by hand (ASL = 10, ASW = 1.5, …) and on short texts
/// whose counts are checked first, one per language.
@Suite struct FormulaTests {
    // 20 words, 2 sentences, 30 syllables, 100 letters, 5 long words, 4 polysyllables, 12 monosyllables.
    let counts = TextCounts(words: 20, sentences: 2, syllables: 30, letters: 100, longWords: 5,
                            polysyllables: 4, monosyllables: 12)

    func value(_ formula: ReadabilityFormula, _ c: TextCounts? = nil) -> Double {
        formula.value(c ?? counts) ?? .nan
    }

    @Test func formulasOnHandComputedCounts() {
        #expect(abs(value(.fleschReadingEase) - 69.785) < 1e-9)       // 206.835 − 10.15 − 126.9
        #expect(abs(value(.fleschKincaidGrade) - 6.01) < 1e-9)        // 3.9 + 17.7 − 15.59
        #expect(abs(value(.kandelMoles) - 86.45) < 1e-9)              // 207 − 10.15 − 110.4
        #expect(abs(value(.fernandezHuerta) - 106.64) < 1e-9)         // 206.84 − 90 − 10.2
        #expect(abs(value(.szigrisztPazos) - 103.385) < 1e-9)         // 206.835 − 93.45 − 10
        #expect(abs(value(.amstad) - 82.25) < 1e-9)                   // 180 − 10 − 87.75
        #expect(abs(value(.wienerSachtextformel) - 5.9475) < 1e-9)    // 3.87 + 1.672 + 3.2425 − 1.962 − 0.875
        #expect(abs(value(.gulpease) - 69) < 1e-9)                    // 89 + (600 − 1000)/20
        #expect(abs(value(.fleschVacca) - 114) < 1e-9)                // 217 − 13 − 90
        #expect(abs(value(.lix) - 35) < 1e-9)                         // 10 + 100·5/20
        #expect(abs(value(.rix) - 2.5) < 1e-9)                        // 5/2
    }

    @Test func noWordsNoValue() {
        #expect(ReadabilityFormula.fleschReadingEase.value(TextCounts()) == nil)
    }

    @Test func english() {
        let g = Grader.grade("The cat sat on the mat.", language: .english)
        #expect(g.counts == TextCounts(words: 6, sentences: 1, syllables: 6, letters: 17, longWords: 0,
                                       polysyllables: 0, monosyllables: 6))
        let values = Dictionary(uniqueKeysWithValues: g.readability.map { ($0.0, $0.1) })
        #expect(abs((values[.fleschReadingEase] ?? 0) - 116.145) < 1e-9)   // 206.835 − 6.09 − 84.6
        #expect(abs((values[.fleschKincaidGrade] ?? 0) - -1.45) < 1e-9)    // 2.34 + 11.8 − 15.59
        #expect(values[.lix] == 6 && values[.rix] == 0)
        #expect(g.grade == -1.45)
        #expect(g.band.label == "1-5")
    }

    @Test func french() {
        // le chat dort sur la table: one syllable each (mute final e of "table").
        let g = Grader.grade("Le chat dort sur la table.", language: .french)
        #expect(g.counts.words == 6 && g.counts.syllables == 6 && g.counts.sentences == 1)
        let km = g.readability.first { $0.0 == .kandelMoles }?.1 ?? 0
        #expect(abs(km - 127.31) < 1e-9)   // 207 − 6.09 − 73.6
        // Common grade: (11.8/84.6)(206.835 − 127.31) + (0.39/1.015 − 11.8/84.6)·1.015·6 − 15.59
        let expected = (11.8 / 84.6) * (206.835 - 127.31) + (0.39 / 1.015 - 11.8 / 84.6) * 1.015 * 6 - 15.59
        // then the calibration onto the common scale (CalibrationTests)
        #expect(abs((g.outcome.grade ?? 0) - GradeCalibration.current.calibrated(expected, language: .french)) < 1e-9)
    }

    @Test func spanish() {
        // el(1) ni-ño(2) co-me(2) u-na(2) man-za-na(3) ro-ja(2) = 12 syllables, 6 words.
        let g = Grader.grade("El niño come una manzana roja.", language: .spanish)
        #expect(g.counts.words == 6 && g.counts.syllables == 12)
        let values = Dictionary(uniqueKeysWithValues: g.readability.map { ($0.0, $0.1) })
        #expect(abs((values[.fernandezHuerta] ?? 0) - 80.72) < 1e-9)     // 206.84 − 120 − 6.12
        #expect(abs((values[.szigrisztPazos] ?? 0) - 76.235) < 1e-9)     // 206.835 − 124.6 − 6
    }

    @Test func german() {
        // der hund spielt im gar-ten: 6 syllables, 5 words, 21 letters, 4 monosyllables.
        let g = Grader.grade("Der Hund spielt im Garten.", language: .german)
        #expect(g.counts == TextCounts(words: 5, sentences: 1, syllables: 6, letters: 21, longWords: 0,
                                       polysyllables: 0, monosyllables: 4))
        let values = Dictionary(uniqueKeysWithValues: g.readability.map { ($0.0, $0.1) })
        #expect(abs((values[.amstad] ?? 0) - 104.8) < 1e-9)                 // 180 − 5 − 70.2
        #expect(abs((values[.wienerSachtextformel] ?? 0) - -2.655) < 1e-9)  // 0.836 − 2.616 − 0.875
    }

    @Test func italian() {
        // il(1) gat-to(2) dor-me(2) sul(1) di-va-no(3): 9 syllables, 5 words, 21 letters.
        let g = Grader.grade("Il gatto dorme sul divano.", language: .italian)
        #expect(g.counts.words == 5 && g.counts.syllables == 9 && g.counts.letters == 21)
        let values = Dictionary(uniqueKeysWithValues: g.readability.map { ($0.0, $0.1) })
        #expect(abs((values[.fleschVacca] ?? 0) - 102.5) < 1e-9)   // 217 − 6.5 − 108
        #expect(abs((values[.gulpease] ?? 0) - 107) < 1e-9)       // 89 + (300 − 210)/5
    }

    @Test func otherLanguagesUseRIX() {
        // Five long words (> 6 letters) in one sentence: RIX 5 → grade 10 + (5 − 4.5)/0.8 (Anderson).
        let g = Grader.grade("Kommunikation Organisation Information Integration Demonstration ja.", language: .other)
        #expect(g.counts.longWords == 5)
        #expect(abs((g.outcome.grade ?? 0) - (10 + 0.5 / 0.8)) < 1e-9)
        #expect(Set(g.readability.map(\.0)) == [.lix, .rix])
    }

    @Test func englishMappingIsFleschKincaid() {
        // The FK-equivalent mapping with English constants gives FKGL exactly.
        let c = counts
        let fre = ReadabilityFormula.fleschReadingEase.value(c) ?? 0
        let mapped = (11.8 / 84.6) * (206.835 - fre) + (0.39 / 1.015 - 11.8 / 84.6) * 1.015 * 10 - 15.59
        #expect(abs(mapped - 6.01) < 1e-9)
    }

    @Test func sentencesAndWords() {
        let analyzer = TextAnalyzer()
        // "Dr." is not a sentence of its own; "e.g." and "3.14" do not end sentences.
        let c = analyzer.analyze("Dr. Smith went home. He ate 3.14 pies, e.g. apple pies. Then he slept well!", language: .english)
        #expect(c.sentences == 3)
        #expect(c.words == 15)
        // Contractions, elisions, hyphenated compounds are one word.
        #expect(analyzer.analyze("Don't take the well-known road", language: .english).words == 5)
        #expect(analyzer.analyze("L'homme qu'il voit aujourd'hui", language: .french).words == 4)
    }

    @Test func formulaValuesAreRoundedToTwoDecimals() {
        let g = Grader.grade("The cat sat on the mat.", language: .english)
        let values = Dictionary(uniqueKeysWithValues: g.readability.map { ($0.0.rawValue, Grader.round2($0.1)) })
        #expect(values["flesch_kincaid_grade"] == -1.45 && values["lix"] == 6 && values["rix"] == 0)
        // 206.835 − 1.015·6 − 84.6·1 = 116.145: two decimals, within half a hundredth.
        let ease = values["flesch_reading_ease"] ?? 0
        #expect(abs(ease - 116.145) <= 0.005 + 1e-9 && (ease * 100).rounded() == ease * 100)
        #expect(Grader.round2(-0.004).sign == .plus && Grader.round2(-0.004) == 0)
        #expect(Grader.round2(7.1) == 7.1 && Grader.round2(-2.056) == -2.06)
    }
}
