import Foundation
import HeldoutCore
import HeldoutStore

/// Finds the dictionary headword of a word form: `défendait` → `défendre`.
///
/// In order: the form itself when it is a headword; the lexicon learnt from data (CoNLL-U lemmas,
/// most frequent analysis first) when it leads to a headword; then suffix rules, which strip an
/// inflection and try the candidate endings, keeping the first candidate that is a headword. Rules
/// never invent a lemma: a candidate counts only if the dictionary has it.
public struct Lemmatizer: Sendable {
    /// `treebank`: the analysis of the token itself (tagged text); `headword`: the form is one;
    /// `lexicon`: the store's treebanks analyse the form; `rules`: suffix rules.
    public enum Method: String, Sendable, Codable { case treebank, headword, lexicon, rules }

    /// Lowercased form → lemmas, most frequent first (ties in string order).
    let lexicon: [String: [String]]
    /// Lowercased form → its most frequent analysis (lemma, UPOS) in the treebanks of the store
    /// (ties in string order): what an untagged word most likely is.
    let tagger: [String: (lemma: String, upos: String)]
    let isHeadword: @Sendable (String) -> Bool
    /// Whether the headword has an entry of the given UD part of speech; nil accepts any.
    let fits: (@Sendable (String, String) -> Bool)?
    let rules: [(suffix: String, replacements: [String])]

    /// `fits` lets suffix rules keep only a candidate of the part of speech their inflection
    /// belongs to: a verb ending gives a verb (`millions` is never `millier`, a noun, by the
    /// `-ons` of *nous chantons*).
    public init(analyses: [FormAnalysis], lang: String, isHeadword: @escaping @Sendable (String) -> Bool,
                fits: (@Sendable (String, String) -> Bool)? = nil) {
        self.fits = fits
        var counts: [String: [String: Int]] = [:]
        var tagged: [String: [String: Int]] = [:]
        for analysis in analyses where analysis.lemma != "_" {
            counts[analysis.form.lowercased(), default: [:]][analysis.lemma.lowercased(), default: 0] += analysis.count
            tagged[analysis.form.lowercased(), default: [:]][analysis.lemma.lowercased() + "\u{1F}" + analysis.upos, default: 0] += analysis.count
        }
        tagger = tagged.compactMapValues { analyses in
            guard let best = analyses.min(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) else { return nil }
            let parts = best.key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
        lexicon = counts.mapValues { lemmas in
            lemmas.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        }
        self.isHeadword = isHeadword
        rules = lang == "fr" ? Self.frenchRules : []
    }

    /// The most frequent analysis of `form` in the store's treebanks, for a word of untagged text.
    public func analysis(of form: String) -> (lemma: String, upos: String)? {
        tagger[form.lowercased()]
    }

    /// The headword for `form`, and how it was found; nil when none leads to the dictionary.
    public func lemma(of form: String) -> (lemma: String, method: Method)? {
        analysis(rules: form).map { ($0.lemma, $0.method) }
    }

    /// As ``lemma(of:)``, with the part of speech a suffix rule implies (VERB, or NOUN/ADJ as
    /// `NOMINAL`); nil for a headword or the lexicon.
    func analysis(rules form: String) -> (lemma: String, method: Method, upos: String?)? {
        let lower = form.lowercased()
        if isHeadword(lower) { return (lower, .headword, nil) }
        for lemma in lexicon[lower] ?? [] where isHeadword(lemma) { return (lemma, .lexicon, nil) }
        for rule in rules where lower.hasSuffix(rule.suffix) && lower.count > rule.suffix.count + 1 {
            let stem = lower.dropLast(rule.suffix.count)
            for replacement in rule.replacements {
                let candidate = String(stem) + replacement
                guard isHeadword(candidate) else { continue }
                let upos = Self.partOfSpeech(suffix: rule.suffix, replacement: replacement)
                if let fits {
                    let ok = upos == "VERB" ? fits(candidate, "VERB") : (fits(candidate, "NOUN") || fits(candidate, "ADJ"))
                    if !ok { continue }
                }
                return (candidate, .rules, upos)
            }
        }
        return nil
    }

    /// Nominal endings (plural, feminine): what remains gives a noun or an adjective; every other
    /// rule gives an infinitive, a verb.
    static let nominal: Set<String> = [
        "aux", "eaux", "x", "euses", "euse", "trices", "trice", "ives", "ive", "elles", "elle", "ennes", "enne",
        "ères", "ère", "nne", "nnes",
    ]

    static func partOfSpeech(suffix: String, replacement: String) -> String {
        if nominal.contains(suffix) { return "NOMINAL" }
        if ["s", "es", "e", "x"].contains(suffix), replacement == "" || replacement == "e" { return "NOMINAL" }
        return "VERB"
    }

    /// French inflections, longest first: verb endings (imperfect, simple past, future,
    /// conditional, present, participles) give infinitives in -er/-ir/-re; noun and adjective
    /// endings give the masculine singular.
    static let frenchRules: [(suffix: String, replacements: [String])] = {
        let raw: [(String, [String])] = [
            ("issaient", ["ir"]), ("issions", ["ir"]), ("issiez", ["ir"]), ("issais", ["ir"]), ("issait", ["ir"]),
            ("issons", ["ir"]), ("issez", ["ir"]), ("issent", ["ir"]), ("issant", ["ir"]),
            ("eraient", ["er"]), ("eriez", ["er"]), ("erions", ["er"]), ("erais", ["er"]), ("erait", ["er"]),
            ("eront", ["er"]), ("erez", ["er"]), ("erons", ["er"]), ("erai", ["er"]), ("eras", ["er"]), ("era", ["er"]),
            ("iraient", ["ir"]), ("irait", ["ir"]), ("iront", ["ir"]), ("ira", ["ir"]),
            ("raient", ["re"]), ("rait", ["re"]), ("ront", ["re"]), ("ra", ["re"]),
            ("aient", ["er", "re", "ir"]), ("èrent", ["er"]), ("irent", ["ir", "re"]), ("ions", ["er", "re", "ir"]),
            ("iez", ["er", "re", "ir"]), ("ais", ["er", "re", "ir"]), ("ait", ["er", "re", "ir"]), ("ant", ["er", "re", "ir"]),
            ("âmes", ["er"]), ("âtes", ["er"]), ("ons", ["er", "re", "ir"]), ("ent", ["er", "re"]), ("ez", ["er", "re", "ir"]),
            ("ées", ["er"]), ("és", ["er"]), ("ée", ["er"]), ("é", ["er"]),
            ("ies", ["ir"]), ("is", ["ir", "re"]), ("ie", ["ir"]), ("it", ["ir", "re"]), ("i", ["ir"]),
            ("ues", ["re", "oir"]), ("us", ["re", "oir"]), ("ue", ["re", "oir"]), ("u", ["re", "oir"]),
            ("a", ["er"]), ("as", ["er"]), ("es", ["er", "e", ""]), ("e", ["er", ""]), ("s", ["", "re"]), ("ds", ["dre"]),
            ("d", ["dre"]), ("t", ["tre", "re"]), ("nne", ["n"]), ("nnes", ["n"]),
            ("aux", ["al", "ail"]), ("eaux", ["eau"]), ("x", [""]),
            ("euses", ["eur"]), ("euse", ["eur"]), ("trices", ["teur"]), ("trice", ["teur"]), ("ives", ["if"]), ("ive", ["if"]),
            ("elles", ["el"]), ("elle", ["el"]), ("ennes", ["en"]), ("enne", ["en"]), ("ères", ["er"]), ("ère", ["er"]),
        ]
        return raw.sorted { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.0 < $1.0 }
    }()
}
