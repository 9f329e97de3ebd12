import HeldoutCore
import HeldoutStore

/// One analysed sentence: its syntactic words, and where each sits in the text, so that a form
/// can be swapped for another without retyping the sentence.
public struct AnalysedSentence: Sendable {
    public var text: String
    /// Syntactic words (multiword-token ranges left out), in order; `words[i].index == i + 1`.
    public var words: [Token]
    /// Character range of each word in `text`, nil for a word inside a multiword token (`au`) or
    /// one that could not be found.
    public var ranges: [Range<String.Index>?]

    public init(text: String, tokens: [Token]) {
        self.text = text
        words = tokens.filter { $0.range == nil && $0.index != nil }
        var ranges: [Range<String.Index>?] = Array(repeating: nil, count: words.count)
        var cursor = text.startIndex
        var inside: ClosedRange<Int>?
        var wordPosition = 0
        for token in tokens {
            if let range = token.range {
                inside = range
                if let found = Self.find(token.form, in: text, from: cursor) { cursor = found.upperBound }
                continue
            }
            guard let index = token.index else { continue }
            defer { wordPosition += 1 }
            if let inside, inside.contains(index) { continue }
            if let found = Self.find(token.form, in: text, from: cursor), wordPosition < ranges.count {
                ranges[wordPosition] = found
                cursor = found.upperBound
            }
        }
        self.ranges = ranges
    }

    /// The next occurrence of `form` from `start` that is not inside a longer word (so `a` is not
    /// found in `La`).
    static func find(_ form: String, in text: String, from start: String.Index) -> Range<String.Index>? {
        guard !form.isEmpty else { return nil }
        var from = start
        while let found = text.range(of: form, range: from..<text.endIndex) {
            let before = found.lowerBound > text.startIndex ? text[text.index(before: found.lowerBound)] : nil
            let after = found.upperBound < text.endIndex ? text[found.upperBound] : nil
            let letterStart = form.first?.isLetter ?? false, letterEnd = form.last?.isLetter ?? false
            if !(letterStart && before?.isLetter == true) && !(letterEnd && after?.isLetter == true) { return found }
            from = text.index(after: found.lowerBound)
        }
        return nil
    }

    public func word(_ index: Int) -> Token? {
        index >= 1 && index <= words.count ? words[index - 1] : nil
    }

    /// The sentence with word `index` replaced by `form`; nil when the word's place is unknown.
    public func replacing(_ index: Int, with form: String) -> String? {
        guard index >= 1, index <= ranges.count, let range = ranges[index - 1] else { return nil }
        var out = text
        out.replaceSubrange(range, with: form)
        return out
    }
}

/// A word whose form depends on another word of the sentence: an adjective or determiner on its
/// noun (gender, number), a finite verb on its subject (number, person).
public struct Agreement: Sendable, Hashable {
    /// Word number of the word that agrees (the target) and of the word it agrees with (the controller).
    public var target: Int
    public var controller: Int
    /// The dependency relation that ties them (`amod`, `det`, `nsubj`).
    public var relation: String
    /// Features the two share and that the relation requires to match, in a fixed order.
    public var features: [String]
}

public enum AgreementFinder {
    static let nominal: Set<String> = ["NOUN", "PROPN", "PRON"]

    /// Every agreement in the sentence, in word order of the target.
    public static func agreements(in sentence: AnalysedSentence) -> [Agreement] {
        var out: [Agreement] = []
        for word in sentence.words {
            guard let index = word.index, let head = word.head, let headWord = sentence.word(head) else { continue }
            let relation = word.deprel.split(separator: ":").first.map(String.init) ?? word.deprel
            switch relation {
            case "amod", "det":
                guard ["ADJ", "DET", "VERB"].contains(word.upos), ["NOUN", "PROPN"].contains(headWord.upos) else { continue }
                let shared = sharedFeatures(word.features, headWord.features, names: ["Gender", "Number"])
                if !shared.isEmpty { out.append(Agreement(target: index, controller: head, relation: relation, features: shared)) }
            case "nsubj":
                guard nominal.contains(word.upos) else { continue }
                // The finite word: the head itself, or its auxiliary or copula (ont inondé, es sûr).
                let finite: Token? = isFinite(headWord) ? headWord : sentence.words.first {
                    $0.head == head && ["aux", "cop"].contains($0.deprel.split(separator: ":").first.map(String.init) ?? "") && isFinite($0)
                }
                guard let finite, let target = finite.index else { continue }
                var subject = word.features
                if subject["Person"] == nil, word.upos != "PRON" {
                    var values = subject.values
                    values["Person"] = "3"
                    subject = Features(values)
                }
                let shared = sharedFeatures(finite.features, subject, names: ["Number", "Person"])
                if !shared.isEmpty { out.append(Agreement(target: target, controller: index, relation: relation, features: shared)) }
            default:
                continue
            }
        }
        return out.sorted { ($0.target, $0.controller) < ($1.target, $1.controller) }
    }

    static func isFinite(_ token: Token) -> Bool {
        ["VERB", "AUX"].contains(token.upos) && token.features["VerbForm"] == "Fin"
    }

    static func sharedFeatures(_ a: Features, _ b: Features, names: [String]) -> [String] {
        names.filter { name in a[name] != nil && a[name] == b[name] }
    }
}

/// A form of the same lemma that breaks an agreement: the sentence with it is ungrammatical
/// because the replacement's value for `feature` differs from what the controller requires.
public struct MinimalPair: Sendable, Hashable {
    public var agreement: Agreement
    public var replacement: String
    public var replacementFeatures: Features
    /// The feature that no longer matches, and the values required and found.
    public var feature: String
    public var expected: String
    public var found: String
    public var changed: String
}

/// Forms of each lemma seen in the corpus, with every analysis each form received.
public struct FormLexicon: Sendable {
    /// (lemma, upos) → form (as written, lowercased key) → analyses.
    let forms: [String: [String: Set<Features>]]

    public init(_ analyses: [FormAnalysis]) {
        var forms: [String: [String: Set<Features>]] = [:]
        for analysis in analyses where analysis.lemma != "_" {
            forms[Self.key(analysis.lemma, analysis.upos), default: [:]][analysis.form.lowercased(), default: []].insert(analysis.features)
        }
        self.forms = forms
    }

    static func key(_ lemma: String, _ upos: String) -> String { lemma.lowercased() + "\u{1F}" + upos }

    /// The minimal pair for `agreement`: among the other forms of the target's lemma whose every
    /// analysis clashes with the controller on a required feature, the one that differs from the
    /// original in the fewest features (then the first in string order). Nil when the corpus has none.
    public func minimalPair(for agreement: Agreement, in sentence: AnalysedSentence) -> MinimalPair? {
        guard let target = sentence.word(agreement.target), let controller = sentence.word(agreement.controller) else { return nil }
        var required = controller.features.values
        if required["Person"] == nil, controller.upos != "PRON", agreement.features.contains("Person") { required["Person"] = "3" }
        // An elided form (l', c') is glued to the next word: swapping it would retype the sentence.
        func elided(_ form: String) -> Bool { form.hasSuffix("'") || form.hasSuffix("’") }
        guard !elided(target.form), let candidates = forms[Self.key(target.lemma, target.upos)] else { return nil }
        var best: (distance: Int, form: String, features: Features, clash: String)?
        for form in candidates.keys.sorted() where form != target.form.lowercased() && !elided(form) {
            guard let analyses = candidates[form], !analyses.isEmpty else { continue }
            // Every reading of the form must clash, or the swapped sentence could still be right.
            var clashes: [(Features, String)] = []
            for analysis in analyses.sorted() {
                guard let clash = agreement.features.first(where: { analysis[$0] != nil && analysis[$0] != required[$0] }) else {
                    clashes.removeAll()
                    break
                }
                clashes.append((analysis, clash))
            }
            guard clashes.count == analyses.count, let (analysis, clash) = clashes.first else { continue }
            let names = Set(analysis.values.keys).union(target.features.values.keys)
            let distance = names.filter { analysis[$0] != target.features[$0] }.count
            if let current = best, distance >= current.distance { continue }
            best = (distance, form, analysis, clash)
        }
        guard let best, let expected = required[best.clash], let found = best.features[best.clash] else { return nil }
        let replacement = target.form.first?.isUppercase == true ? best.form.prefix(1).uppercased() + best.form.dropFirst() : best.form
        guard let changed = sentence.replacing(agreement.target, with: replacement) else { return nil }
        return MinimalPair(agreement: agreement, replacement: replacement, replacementFeatures: best.features,
                           feature: best.clash, expected: expected, found: found, changed: changed)
    }
}
