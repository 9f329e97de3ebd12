import HeldoutCore

/// The per-language linear maps that put each language's formula grade on the common scale,
/// fitted on aligned translations (`heldout grade --calibrate`, docs/grading.md, "One scale").
///
/// English is the reference (its Flesch–Kincaid grade is the scale). For every other language
/// `grade = intercept + slope · raw`, where raw is ``GradeScale``'s formula grade. The values
/// below are what `grade --calibrate` printed on the store named in ``source``; changing them
/// changes every grade, so ``version`` is part of ``Grader/version``.
public struct GradeCalibration: Sendable, Equatable, Codable {
    public struct Map: Sendable, Equatable, Codable {
        public var intercept: Double
        public var slope: Double

        public init(intercept: Double, slope: Double) {
            self.intercept = intercept
            self.slope = slope
        }

        public static let identity = Map(intercept: 0, slope: 1)
    }

    public let version: Int
    public let source: String
    public let maps: [String: Map]
    // Looked up once, not in a dictionary per segment.
    let french, german, spanish, italian: Map

    public init(version: Int, source: String, maps: [String: Map]) {
        self.version = version
        self.source = source
        self.maps = maps
        french = maps["fr"] ?? .identity
        german = maps["de"] ?? .identity
        spanish = maps["es"] ?? .identity
        italian = maps["it"] ?? .identity
    }

    enum CodingKeys: String, CodingKey { case version, source, maps }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(version: try c.decode(Int.self, forKey: .version), source: try c.decode(String.self, forKey: .source),
                  maps: try c.decode([String: Map].self, forKey: .maps))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(source, forKey: .source)
        try c.encode(maps, forKey: .maps)
    }

    @inline(__always)
    public func calibrated(_ raw: Double, language: GradingLanguage) -> Double {
        switch language {
        case .french: french.intercept + french.slope * raw
        case .german: german.intercept + german.slope * raw
        case .spanish: spanish.intercept + spanish.slope * raw
        case .italian: italian.intercept + italian.slope * raw
        case .english, .other: raw
        }
    }

    /// The raw formula grade behind a calibrated one (what a refit starts from).
    public func raw(_ grade: Double, language: GradingLanguage) -> Double {
        let map = self.map(language)
        return map.slope == 0 ? grade : (grade - map.intercept) / map.slope
    }

    public func map(_ language: GradingLanguage) -> Map {
        maps[language.rawValue] ?? .identity
    }

    /// No calibration: every language's formula grade as it is.
    public static let identity = GradeCalibration(version: 0, source: "none", maps: [:])

    /// The calibration the grader applies: fitted by `heldout grade --calibrate` on the Debian
    /// gettext translations (corpora/fetch-debian.sh), pairs of 8+ words, grader v3 rules; figures
    /// in docs/grading.md, "One scale". 1: de, es, fr on gettext.en-fr-de-es.tmx (2026-12-04).
    /// 2: the same three maps, and Italian fitted on gettext.en-it.tmx (2026-12-04), which the
    /// multi-way file does not hold.
    public static let current = GradeCalibration(version: 2, source: "Debian gettext en-fr-de-es and en-it, pairs of 8+ words", maps: [
        "de": Map(intercept: -2.2586, slope: 1.044),
        "es": Map(intercept: 0.3384, slope: 1.1234),
        "fr": Map(intercept: 0.5276, slope: 1.0558),
        "it": Map(intercept: 0.207, slope: 0.9848),
    ])
}

/// What `heldout grade --calibrate` finds: per language, the map fitted on one part of the
/// aligned pairs and how the grades agree on the part held apart.
public struct CalibrationReport: Sendable, Codable, Equatable {
    public struct Figures: Sendable, Codable, Equatable {
        public var pairs: Int
        /// Mean of (translation grade − English grade).
        public var meanDifference: Double
        /// Standard deviation of that difference.
        public var spread: Double
        /// Share of pairs whose two grades fall in the same band (standard bands).
        public var sameBand: Double

        enum CodingKeys: String, CodingKey {
            case pairs, spread
            case meanDifference = "mean_difference"
            case sameBand = "same_band"
        }
    }

    public struct Language: Sendable, Codable, Equatable {
        public var map: GradeCalibration.Map
        public var fitPairs: Int
        /// The held-apart pairs graded with the formula alone (no map).
        public var uncalibrated: Figures
        /// The held-apart pairs graded with the fitted map.
        public var calibrated: Figures
        /// The best any linear map reaches on the held-apart pairs themselves (fitted on them by
        /// a grid search for the same-band rate): what a linear calibration can at most give.
        public var linearCeiling: Double

        enum CodingKeys: String, CodingKey {
            case map, uncalibrated, calibrated
            case fitPairs = "fit_pairs"
            case linearCeiling = "linear_ceiling"
        }
    }

    public var minimumWords: Int
    public var languages: [String: Language]
    /// The calibration to put in ``GradeCalibration/current`` (with the next version).
    public var calibration: GradeCalibration

    enum CodingKeys: String, CodingKey {
        case languages, calibration
        case minimumWords = "minimum_words"
    }
}

extension GradeCalibration {
    /// Fits one map per language from (English grade, translation grade) pairs whose sides both
    /// have `minimumWords` words or more. `applied` is the calibration the stored grades were
    /// made with (undone first, so a refit starts from the formulas' grades). Pairs whose group
    /// hash is even are fitted on, odd ones held apart. The map matches the mean and the spread
    /// of the English grades (slope = sd(en)/sd(translation)): least squares would shrink every
    /// translation towards the mean, moving the easy and hard ones out of their bands.
    public static func fit(_ pairs: [(language: String, english: Double, translation: Double, words: Int, group: UInt64)],
                           applied: GradeCalibration, bands: BandScheme = .standard, minimumWords: Int = 8,
                           version: Int, source: String) -> CalibrationReport {
        var byLanguage: [String: [(Double, Double, Bool)]] = [:]
        for p in pairs where p.words >= minimumWords {
            let raw = applied.raw(p.translation, language: GradingLanguage(tag: p.language))
            byLanguage[p.language, default: []].append((p.english, raw, p.group % 2 == 0))
        }
        var languages: [String: CalibrationReport.Language] = [:]
        var maps: [String: Map] = [:]
        for (language, all) in byLanguage where GradingLanguage(tag: language) != .other && all.count >= 20 {
            let fitting = all.filter { $0.2 }, held = all.filter { !$0.2 }
            guard fitting.count >= 10, held.count >= 10 else { continue }
            let map = meanAndSpread(fitting.map { ($0.0, $0.1) })
            maps[language] = map
            let heldPairs = held.map { ($0.0, $0.1) }
            languages[language] = CalibrationReport.Language(
                map: map, fitPairs: fitting.count,
                uncalibrated: figures(heldPairs, map: .identity, bands: bands),
                calibrated: figures(heldPairs, map: map, bands: bands),
                linearCeiling: ceiling(heldPairs, bands: bands))
        }
        return CalibrationReport(minimumWords: minimumWords, languages: languages,
                                 calibration: GradeCalibration(version: version, source: source, maps: maps))
    }

    static func meanAndSpread(_ pairs: [(english: Double, raw: Double)]) -> Map {
        let n = Double(pairs.count)
        let me = pairs.reduce(0) { $0 + $1.english } / n, mx = pairs.reduce(0) { $0 + $1.raw } / n
        let se = (pairs.reduce(0) { $0 + ($1.english - me) * ($1.english - me) } / n).squareRoot()
        let sx = (pairs.reduce(0) { $0 + ($1.raw - mx) * ($1.raw - mx) } / n).squareRoot()
        let slope = sx > 0 ? se / sx : 1
        return Map(intercept: round4(me - slope * mx), slope: round4(slope))
    }

    static func round4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    static func figures(_ pairs: [(english: Double, raw: Double)], map: Map, bands: BandScheme) -> CalibrationReport.Figures {
        let n = Double(pairs.count)
        var sum = 0.0, squares = 0.0, same = 0
        for (english, raw) in pairs {
            let translated = map.intercept + map.slope * raw
            let d = translated - english
            sum += d
            squares += d * d
            if bands.assign(english) == bands.assign(translated) { same += 1 }
        }
        let mean = sum / n
        return .init(pairs: pairs.count, meanDifference: round4(mean), spread: round4((squares / n - mean * mean).squareRoot()),
                     sameBand: round4(Double(same) / n))
    }

    /// The best same-band rate of any map `a + b·raw` on these pairs (b 0.5…1.5, a −6…6).
    static func ceiling(_ pairs: [(english: Double, raw: Double)], bands: BandScheme) -> Double {
        var best = 0.0
        for bi in 0...20 {
            let b = 0.5 + Double(bi) * 0.05
            for ai in 0...120 {
                let map = Map(intercept: -6 + Double(ai) * 0.1, slope: b)
                best = max(best, figures(pairs, map: map, bands: bands).sameBand)
            }
        }
        return best
    }
}
