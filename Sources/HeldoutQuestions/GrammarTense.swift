import HeldoutCore

/// A verb group: a lexical verb (or a copula's predicate) with its auxiliaries, as French grammar
/// names its tense. `a été perdue` is one group in the passé composé of the passive voice; the
/// participle `perdue` has no tense of its own.
public struct VerbGroup: Sendable, Hashable {
    /// Word numbers of the group's verbs, in order (auxiliaries, copula, lexical verb).
    public var words: [Int]
    /// The finite word, whose mood and tense give the group's tense.
    public var finite: Int
    /// The lexical verb's lemma (`perdre`), or the copula's (`être`).
    public var lemma: String
    /// French name of the tense: `passé composé`, `plus-que-parfait`, `conditionnel présent`…
    public var tense: String
    public var passive: Bool
    /// The name with the voice: `passé composé (passive voice)`.
    public var name: String { passive ? "\(tense) (passive voice)" : tense }
}

public enum VerbGroups {
    /// Why a verb form got no tense question.
    public enum Skip: String, Sendable, CaseIterable {
        case participle = "a participle outside a finite verb group (no tense of its own)"
        case infinitive = "an infinitive or gerund group (no tense)"
        case causative = "a causative group (faire + infinitive)"
        case surcompose = "a double compound (surcomposé) or unusual auxiliary chain"
        case unnamed = "mood or tense not annotated"
        case typo = "a typo (Typo=Yes) in the group"
        case multiword = "a verb inside a multiword token"
    }

    /// Simple tenses by mood and tense (UD writes the conditional as Mood=Cnd|Tense=Pres).
    static let simple: [String: String] = [
        "Ind Pres": "présent", "Ind Imp": "imparfait", "Ind Past": "passé simple", "Ind Fut": "futur simple",
        "Cnd Pres": "conditionnel présent", "Sub Pres": "subjonctif présent", "Sub Imp": "subjonctif imparfait",
        "Imp Pres": "impératif présent",
    ]
    /// The compound tense an auxiliary in each simple tense makes.
    static let compound: [String: String] = [
        "présent": "passé composé", "imparfait": "plus-que-parfait", "passé simple": "passé antérieur",
        "futur simple": "futur antérieur", "conditionnel présent": "conditionnel passé", "subjonctif présent": "subjonctif passé",
        "subjonctif imparfait": "subjonctif plus-que-parfait", "impératif présent": "impératif passé",
    ]

    /// The French name of a simple tense from a finite word's features.
    public static func simpleTense(_ features: Features) -> String? {
        guard let mood = features["Mood"] else { return nil }
        let tense = features["Tense"] ?? (mood == "Imp" ? "Pres" : nil)
        guard let tense else { return nil }
        return simple["\(mood) \(tense)"]
    }

    /// Every verb group of the sentence with a finite word, and the verb forms left out, by reason.
    /// Each verb form belongs to at most one group; a participle or an auxiliary is never asked alone.
    public static func groups(in sentence: AnalysedSentence, skipped: inout [Skip: Int]) -> [VerbGroup] {
        var out: [VerbGroup] = []
        var member = Set<Int>()
        var auxiliariesOf: [Int: [Token]] = [:]
        // Words attached as an auxiliary or copula: each relation is read once per word.
        var attached = Set<Int>()
        for word in sentence.words {
            guard let head = word.head, head > 0 else { continue }
            let relation = AnalysedSentence.mainRelation(word.deprel)
            guard relation == "aux" || relation == "cop" else { continue }
            auxiliariesOf[head, default: []].append(word)
            if let index = word.index { attached.insert(index) }
        }
        for word in sentence.words {
            guard let index = word.index, !member.contains(index) else { continue }
            // Auxiliaries and copulas are asked through the group of the word they depend on.
            if attached.contains(index) { continue }
            let auxiliaries = auxiliariesOf[index] ?? []
            let isVerb = word.upos == "VERB" || word.upos == "AUX"
            guard isVerb || !auxiliaries.isEmpty else { continue }
            var chain = auxiliaries
            if isVerb { chain.append(word) }
            chain.sort { ($0.index ?? 0) < ($1.index ?? 0) }
            let indices = chain.compactMap(\.index)
            member.formUnion(indices)
            let finites = chain.filter { $0.features["VerbForm"] == "Fin" }
            guard let finite = finites.first, finites.count == 1, let finiteIndex = finite.index else {
                if finites.isEmpty {
                    let participle = chain.last?.features["VerbForm"] == "Part" && auxiliaries.isEmpty
                    skipped[participle ? .participle : .infinitive, default: 0] += 1
                } else {
                    skipped[.surcompose, default: 0] += 1
                }
                continue
            }
            if chain.contains(where: { isTypo($0.features) }) { skipped[.typo, default: 0] += 1; continue }
            if indices.contains(where: { sentence.isInsideMultiword($0) }) { skipped[.multiword, default: 0] += 1; continue }
            if auxiliaries.contains(where: { $0.deprel == "aux:caus" }) { skipped[.causative, default: 0] += 1; continue }
            let tenseAuxiliaries = auxiliaries.filter { $0.deprel == "aux" || $0.deprel == "aux:tense" }
            let passiveAuxiliaries = auxiliaries.filter { $0.deprel == "aux:pass" }
            let copulas = auxiliaries.filter { AnalysedSentence.mainRelation($0.deprel) == "cop" }
            guard tenseAuxiliaries.count <= 1, passiveAuxiliaries.count <= 1, copulas.count <= 1,
                  !(copulas.count == 1 && passiveAuxiliaries.count == 1) else {
                skipped[.surcompose, default: 0] += 1
                continue
            }
            // The finite word must come first among the auxiliaries it governs: a compound
            // auxiliary's participle (été) cannot be the finite one.
            let expectedFinite = tenseAuxiliaries.first ?? passiveAuxiliaries.first ?? copulas.first ?? word
            guard expectedFinite.index == finiteIndex, let base = simpleTense(finite.features) else {
                skipped[expectedFinite.index == finiteIndex ? .unnamed : .surcompose, default: 0] += 1
                continue
            }
            let tense: String
            if tenseAuxiliaries.isEmpty {
                tense = base
            } else if let named = compound[base] {
                tense = named
            } else {
                skipped[.unnamed, default: 0] += 1
                continue
            }
            let lemma = copulas.first?.lemma ?? word.lemma
            out.append(VerbGroup(words: indices, finite: finiteIndex, lemma: lemma, tense: tense, passive: !passiveAuxiliaries.isEmpty))
        }
        for word in sentence.words where word.features["VerbForm"] == "Part" {
            // Participles not in any group: adjectival (les travaux réalisés) or reduced clauses.
            guard let index = word.index, !member.contains(index), word.upos == "VERB" || word.upos == "AUX" else { continue }
            skipped[.participle, default: 0] += 1
        }
        return out
    }
}
