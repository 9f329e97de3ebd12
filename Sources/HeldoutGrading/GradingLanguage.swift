/// The languages the grader has language-specific rules for, chosen by a segment's primary
/// language subtag. Every other language is graded by the letter-based indices alone (LIX, RIX),
/// which need no syllables (see ``ReadabilityFormula``).
public enum GradingLanguage: String, Sendable, CaseIterable, Codable {
    case english = "en"
    case french = "fr"
    case spanish = "es"
    case german = "de"
    case italian = "it"
    /// Any other language: words and letters are counted; syllables by a generic vowel-group
    /// count, which no formula of the grade relies on.
    case other

    /// `fr-CA` → `.french`; unknown or unsupported tags → `.other`.
    public init(tag: String) {
        let primary = tag.split(separator: "-", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        self = GradingLanguage(rawValue: primary) ?? .other
    }
}
