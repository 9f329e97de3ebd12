/// The readability formulas heldout computes, each from its source.
///
/// Notation: W words, S sentences, Y syllables, L letters, ASL = W/S (words per sentence),
/// ASW = Y/W (syllables per word), LW long words (> 6 letters), PS polysyllables (≥ 3 syllables),
/// MS monosyllables. Constants were checked against the publications' formulas as reproduced by
/// textstat 0.7.13 (`textstat/backend/utils/constants.py`, `backend/metrics/*.py`) and by the
/// per-language list in https://github.com/Yoast/YoastSEO.js/issues/267 (which cites Flesch 1948, Amstad 1978,
/// Fernández Huerta 1959, Kandel & Moles 1958 and Franchina & Vacca 1986).
public enum ReadabilityFormula: String, CaseIterable, Sendable, Codable, Comparable {
    /// Flesch, R. (1948). "A new readability yardstick". *Journal of Applied Psychology* 32(3),
    /// 221–233: `206.835 − 1.015·ASL − 84.6·ASW` (0–100, higher is easier).
    case fleschReadingEase = "flesch_reading_ease"
    /// Kincaid, J. P., Fishburne, R. P., Rogers, R. L., Chissom, B. S. (1975). *Derivation of new
    /// readability formulas for Navy enlisted personnel*. Research Branch Report 8-75:
    /// `0.39·ASL + 11.8·ASW − 15.59` (a US school grade).
    case fleschKincaidGrade = "flesch_kincaid_grade"
    /// Kandel, L., Moles, A. (1958). "Application de l'indice de Flesch à la langue française".
    /// *Cahiers Études de Radio-Télévision* 19, 253–274: `207 − 1.015·ASL − 73.6·ASW`.
    case kandelMoles = "kandel_moles"
    /// Fernández Huerta, J. (1959). "Medidas sencillas de lecturabilidad". *Consigna* 214, 29–32:
    /// `206.84 − 0.60·P − 1.02·F` with P syllables per 100 words (so `60·ASW`) and F read as words
    /// per sentence — the corrected reading used by textstat and legible.es —
    /// `206.84 − 60·ASW − 1.02·ASL`.
    case fernandezHuerta = "fernandez_huerta"
    /// Szigriszt Pazos, F. (1993). *Sistemas predictivos de legibilidad del mensaje escrito:
    /// fórmula de perspicuidad*. Universidad Complutense de Madrid: `206.835 − 62.3·Y/W − W/S`.
    case szigrisztPazos = "szigriszt_pazos"
    /// Amstad, T. (1978). *Wie verständlich sind unsere Zeitungen?* Dissertation, Universität
    /// Zürich: `180 − ASL − 58.5·ASW`.
    case amstad = "amstad"
    /// Bamberger, R., Vanecek, E. (1984). *Lesen – Verstehen – Lernen – Schreiben*. Wien: Jugend
    /// und Volk. First Wiener Sachtextformel, a school grade (4 easy … 15 very hard):
    /// `0.1935·MS% + 0.1672·ASL + 0.1297·IW% − 0.0327·ES% − 0.875` with MS% the percentage of
    /// words of three syllables or more, IW% of words over six letters, ES% of one-syllable words.
    case wienerSachtextformel = "wiener_sachtextformel_1"
    /// Lucisano, P., Piemontese, M. E. (1988). "GULPEASE: una formula per la predizione della
    /// difficoltà dei testi in lingua italiana". *Scuola e città* 3, 110–124:
    /// `89 + (300·S − 10·L)/W` (0–100, higher is easier; letters, not syllables).
    case gulpease = "gulpease"
    /// Franchina, V., Vacca, R. (1986). "Adaptation of Flesch readability index on a bilingual
    /// text written by the same author both in Italian and English languages". *Linguaggi* 3,
    /// 47–49: `217 − 1.3·ASL − 0.6·(syllables per 100 words)` = `217 − 1.3·ASL − 60·ASW`.
    case fleschVacca = "flesch_vacca"
    /// Björnsson, C.-H. (1968). *Läsbarhet*. Stockholm: Liber: `W/S + 100·LW/W`. Language-neutral.
    case lix = "lix"
    /// Anderson, J. (1983). "Lix and Rix: variations on a little-known readability index".
    /// *Journal of Reading* 26(6), 490–496: `LW/S`. Language-neutral.
    case rix = "rix"

    public static func < (l: ReadabilityFormula, r: ReadabilityFormula) -> Bool { l.rawValue < r.rawValue }

    /// The formulas computed for a language: its own, then LIX and RIX, which need no syllables.
    public static func formulas(for language: GradingLanguage) -> [ReadabilityFormula] {
        switch language {
        case .english: [.fleschReadingEase, .fleschKincaidGrade, .lix, .rix]
        case .french: [.kandelMoles, .lix, .rix]
        case .spanish: [.fernandezHuerta, .szigrisztPazos, .lix, .rix]
        case .german: [.amstad, .wienerSachtextformel, .lix, .rix]
        case .italian: [.gulpease, .fleschVacca, .lix, .rix]
        case .other: [.lix, .rix]
        }
    }

    /// The formula's value, or `nil` when the counts have no words or sentences.
    public func value(_ c: TextCounts) -> Double? {
        guard c.words > 0, c.sentences > 0 else { return nil }
        let w = Double(c.words), s = Double(c.sentences)
        let asl = w / s, asw = Double(c.syllables) / w
        switch self {
        case .fleschReadingEase: return 206.835 - 1.015 * asl - 84.6 * asw
        case .fleschKincaidGrade: return 0.39 * asl + 11.8 * asw - 15.59
        case .kandelMoles: return 207 - 1.015 * asl - 73.6 * asw
        case .fernandezHuerta: return 206.84 - 60 * asw - 1.02 * asl
        case .szigrisztPazos: return 206.835 - 62.3 * asw - asl
        case .amstad: return 180 - asl - 58.5 * asw
        case .wienerSachtextformel:
            let ms = 100 * Double(c.polysyllables) / w
            let iw = 100 * Double(c.longWords) / w
            let es = 100 * Double(c.monosyllables) / w
            return 0.1935 * ms + 0.1672 * asl + 0.1297 * iw - 0.0327 * es - 0.875
        case .gulpease: return 89 + (300 * s - 10 * Double(c.letters)) / w
        case .fleschVacca: return 217 - 1.3 * asl - 60 * asw
        case .lix: return asl + 100 * Double(c.longWords) / w
        case .rix: return Double(c.longWords) / s
        }
    }

    /// For the Flesch-style ease formulas: (base, weight of ASL, weight of ASW).
    var fleschConstants: (base: Double, sentence: Double, syllable: Double)? {
        switch self {
        case .fleschReadingEase: (206.835, 1.015, 84.6)
        case .kandelMoles: (207, 1.015, 73.6)
        case .fernandezHuerta: (206.84, 1.02, 60)
        case .amstad: (180, 1, 58.5)
        case .fleschVacca: (217, 1.3, 60)
        default: nil
        }
    }
}

/// Why a segment has no grade.
public enum UngradableReason: String, Sendable, Codable {
    /// Fewer than ``GradeScale/minimumWords`` words: no formula means anything on so little.
    case tooFewWords = "too_few_words"
    /// No letters at all (numbers, symbols).
    case noLetters = "no_letters"
    /// Paths, URLs and e-mail addresses make up a quarter of its tokens (``Gradability``).
    case path
    /// Code: operators, sigils, identifiers (`snake_case`, `camelCase`, `os.path`), `--options`.
    case code
    /// Version strings and figures (`1.2.3`, `V:17, I:196`) make up 40% of its tokens.
    case version
    /// Comma-separated names (`Moldova, Republic of`).
    case list
    /// A label or heading: no sentence punctuation, under ten words, no verb of the language's list.
    case label
    /// More than 30 words without sentence punctuation (a lyric, a run-on list): no sentence
    /// length to measure.
    case noSentenceBoundaries = "no_sentence_boundaries"
}

/// A segment's place on the common scale, or why it has none.
public enum GradeOutcome: Sendable, Equatable {
    case graded(Double, basis: ReadabilityFormula)
    case ungradable(UngradableReason)

    public var grade: Double? {
        if case let .graded(value, _) = self { return value }
        return nil
    }

    public var reason: UngradableReason? {
        if case let .ungradable(reason) = self { return reason }
        return nil
    }
}

/// One US-grade-equivalent number per segment, on a scale common to every language.
///
/// - **English**: the Flesch–Kincaid grade itself.
/// - **French, Spanish, German, Italian**: the language's Flesch-style ease E (Kandel–Moles,
///   Fernández Huerta, Amstad, Flesch–Vacca), mapped onto the Flesch–Kincaid scale by reading it
///   as the English text whose ease terms are the same: with the language's ASL weight `a`,
///   `grade = (11.8/84.6)·(206.835 − E) + (0.39/1.015 − 11.8/84.6)·a·ASL − 15.59`.
///   For English constants this is exactly FKGL; for the others it keeps what each adaptation
///   calibrated (syllables per word are worth less in languages with longer words; Amstad's lower
///   base makes German harder at equal counts). Szigriszt-Pazos, Gulpease and the Wiener
///   Sachtextformel are stored beside it but do not feed the grade.
/// - **Any other language**: RIX mapped to a grade by Anderson's (1983) table
///   (RIX 0.2 → 2, 0.5 → 3, 0.8 → 4, 1.3 → 5, 1.8 → 6, 2.4 → 7, 3.0 → 8, 3.7 → 9, 4.5 → 10,
///   5.3 → 11, 6.2 → 12, 7.2 → 13), linearly interpolated between the table's rows and
///   extended past 7.2 by its last step; it uses letters only, so it needs no syllable rules.
///
/// The grade is not clamped: very easy English sentences have FKGL below zero, as in textstat.
public enum GradeScale {
    /// Segments with fewer words than this are ``UngradableReason/tooFewWords``.
    /// Five: on fewer, one long word moves the grade by several grades (docs/grading.md).
    public static let minimumWords = 5

    public static func basis(for language: GradingLanguage) -> ReadabilityFormula {
        switch language {
        case .english: .fleschKincaidGrade
        case .french: .kandelMoles
        case .spanish: .fernandezHuerta
        case .german: .amstad
        case .italian: .fleschVacca
        case .other: .rix
        }
    }

    /// The grade of a text: ``Gradability``'s rules first (what is not prose has no grade),
    /// then the language's formula, then ``GradeCalibration`` onto the common scale.
    public static func grade(_ counts: TextCounts, utf8: UnsafeBufferPointer<UInt8>, language: GradingLanguage) -> GradeOutcome {
        let outcome = grade(counts, language: language)
        guard case let .graded(raw, basis) = outcome else { return outcome }
        if let reason = Gradability.reason(utf8: utf8, words: counts.words, language: language) { return .ungradable(reason) }
        return .graded(GradeCalibration.current.calibrated(raw, language: language), basis: basis)
    }

    /// The formula's grade alone, before the rules of what is prose and the calibration.
    public static func grade(_ counts: TextCounts, language: GradingLanguage) -> GradeOutcome {
        if counts.letters == 0 { return .ungradable(.noLetters) }
        if counts.words < minimumWords { return .ungradable(.tooFewWords) }
        let basis = basis(for: language)
        guard let value = basis.value(counts) else { return .ungradable(.tooFewWords) }
        switch basis {
        case .fleschKincaidGrade:
            return .graded(value, basis: basis)
        case .rix:
            return .graded(rixToGrade(value), basis: basis)
        default:
            guard let constants = basis.fleschConstants else { return .graded(value, basis: basis) }
            let asl = Double(counts.words) / Double(counts.sentences)
            let grade = (11.8 / 84.6) * (206.835 - value)
                + (0.39 / 1.015 - 11.8 / 84.6) * constants.sentence * asl - 15.59
            return .graded(grade, basis: basis)
        }
    }

    /// Anderson (1983), table 2: the lowest RIX of each grade 2…13.
    static let rixTable: [(rix: Double, grade: Double)] = [
        (0.0, 1), (0.2, 2), (0.5, 3), (0.8, 4), (1.3, 5), (1.8, 6), (2.4, 7),
        (3.0, 8), (3.7, 9), (4.5, 10), (5.3, 11), (6.2, 12), (7.2, 13),
    ]

    static func rixToGrade(_ rix: Double) -> Double {
        let table = rixTable
        for k in 1..<table.count where rix < table[k].rix {
            let (r0, g0) = table[k - 1], (r1, g1) = table[k]
            return g0 + (rix - r0) / (r1 - r0) * (g1 - g0)
        }
        let (r0, g0) = table[table.count - 2], (r1, g1) = table[table.count - 1]
        return g1 + (rix - r1) / (r1 - r0) * (g1 - g0)
    }
}
