import HeldoutCore
import HeldoutStore

/// One analysed sentence: its syntactic words, the tokens a reader sees, and where each word sits
/// in the text, so that a form can be swapped for another without retyping the sentence.
public struct AnalysedSentence: Sendable {
    public var text: String
    /// Syntactic words (multiword-token ranges left out), in order; `words[i].index == i + 1`.
    public var words: [Token]
    /// Character range of each word in `text`, nil for a word inside a multiword token (`au`) or
    /// one that could not be found.
    public var ranges: [Range<String.Index>?]
    /// What a reader sees: multiword tokens (`du`) as one, other words as they are, in order.
    public var surface: [SurfaceToken]
    /// For each word (`index - 1`), the number of its surface token in `surface`.
    public var surfaceOfWord: [Int]

    /// A token as written: a word, or a multiword token (`au` = à + le) and the words it spans.
    public struct SurfaceToken: Sendable, Hashable {
        public var form: String
        public var words: ClosedRange<Int>
        public var range: Range<String.Index>?
        public var isMultiword: Bool { words.count > 1 }
    }

    public init(text: String, tokens: [Token]) {
        self.text = text
        words = tokens.filter { $0.range == nil && $0.index != nil }
        var ranges: [Range<String.Index>?] = Array(repeating: nil, count: words.count)
        var surface: [SurfaceToken] = []
        var surfaceOfWord = Array(repeating: -1, count: words.count)
        var cursor = text.startIndex
        var inside: ClosedRange<Int>?
        var wordPosition = 0
        for token in tokens {
            if let range = token.range {
                inside = range
                let found = Self.find(token.form, in: text, from: cursor)
                if let found { cursor = found.upperBound }
                surface.append(SurfaceToken(form: token.form, words: range, range: found))
                continue
            }
            guard let index = token.index else { continue }
            defer { wordPosition += 1 }
            if let inside, inside.contains(index) {
                if index - 1 < surfaceOfWord.count { surfaceOfWord[index - 1] = surface.count - 1 }
                continue
            }
            let found = Self.find(token.form, in: text, from: cursor)
            if let found, wordPosition < ranges.count {
                ranges[wordPosition] = found
                cursor = found.upperBound
            }
            if index - 1 < surfaceOfWord.count { surfaceOfWord[index - 1] = surface.count }
            surface.append(SurfaceToken(form: token.form, words: index...index, range: found))
        }
        self.ranges = ranges
        self.surface = surface
        self.surfaceOfWord = surfaceOfWord
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

    /// The surface token that shows word `index`.
    public func surfaceToken(ofWord index: Int) -> SurfaceToken? {
        guard index >= 1, index <= surfaceOfWord.count, surfaceOfWord[index - 1] >= 0 else { return nil }
        return surface[surfaceOfWord[index - 1]]
    }

    /// True when word `index` is part of a multiword token (`le` in `du`): the reader never sees it.
    public func isInsideMultiword(_ index: Int) -> Bool {
        surfaceToken(ofWord: index)?.isMultiword ?? true
    }

    /// Words whose head is `index`, with their relation's main type (`aux` for `aux:pass`).
    func dependents(of index: Int) -> [(word: Token, relation: String)] {
        words.compactMap { $0.head == index ? ($0, Self.mainRelation($0.deprel)) : nil }
    }

    static func mainRelation(_ deprel: String) -> String {
        deprel.split(separator: ":").first.map(String.init) ?? deprel
    }

    /// The sentence with word `index` replaced by `form`; nil when the word's place is unknown.
    public func replacing(_ index: Int, with form: String) -> String? {
        guard index >= 1, index <= ranges.count, let range = ranges[index - 1] else { return nil }
        var out = text
        out.replaceSubrange(range, with: form)
        return out
    }
}

/// True for a token the treebank marks as misspelt (`Typo=Yes`): it is never asked about, and its
/// form never replaces another.
func isTypo(_ features: Features) -> Bool { features["Typo"] == "Yes" }

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

    /// Why a dependency that usually carries agreement gave no agreement item.
    public enum Skip: String, Sendable, CaseIterable {
        case typo = "a typo (Typo=Yes) in the target or the controller"
        case multiword = "the target is inside a multiword token (au, du, des)"
        case coordinated = "coordinated controller (agrees with the whole coordination)"
        case mismatch = "the annotation shows no agreement (a shared feature differs)"
        case severalSubjects = "the verb has more than one subject in the annotation"
    }

    /// Every agreement in the sentence, in word order of the target.
    public static func agreements(in sentence: AnalysedSentence) -> [Agreement] {
        var skipped: [Skip: Int] = [:]
        return agreements(in: sentence, skipped: &skipped)
    }

    /// Every agreement the annotation shows: the controller is the target's HEAD (`det`, `amod`),
    /// or the subject (`nsubj`) of the finite word. Dependencies that cannot be asked about
    /// safely are counted in `skipped` by reason.
    public static func agreements(in sentence: AnalysedSentence, skipped: inout [Skip: Int]) -> [Agreement] {
        var out: [Agreement] = []
        for word in sentence.words {
            guard let index = word.index, let head = word.head, let headWord = sentence.word(head) else { continue }
            let relation = AnalysedSentence.mainRelation(word.deprel)
            var candidate: Agreement?
            var controllerHasConj = false
            switch relation {
            case "amod", "det":
                guard ["ADJ", "DET", "VERB"].contains(word.upos), ["NOUN", "PROPN"].contains(headWord.upos) else { continue }
                guard let shared = sharedFeatures(word.features, headWord.features, names: ["Gender", "Number"]) else {
                    skipped[.mismatch, default: 0] += 1
                    continue
                }
                // An adjective after coordinated nouns (des hommes et des femmes engagés) agrees
                // with the coordination, not with the first noun alone.
                controllerHasConj = relation == "amod" && sentence.words.contains {
                    $0.head == head && AnalysedSentence.mainRelation($0.deprel) == "conj" && ($0.index ?? 0) < index
                }
                if !shared.isEmpty { candidate = Agreement(target: index, controller: head, relation: relation, features: shared) }
            case "nsubj":
                guard nominal.contains(word.upos) else { continue }
                // Two subjects of one verb (c'est … que celui-ci consacre): no single controller.
                if sentence.words.count(where: { $0.head == head && AnalysedSentence.mainRelation($0.deprel) == "nsubj" }) > 1 {
                    skipped[.severalSubjects, default: 0] += 1
                    continue
                }
                // The finite word: the head itself, or its auxiliary or copula (ont inondé, es sûr).
                let finite: Token? = isFinite(headWord) ? headWord : sentence.words.first {
                    $0.head == head && ["aux", "cop"].contains(AnalysedSentence.mainRelation($0.deprel)) && isFinite($0)
                }
                guard let finite, let target = finite.index else { continue }
                var subject = word.features
                if subject["Person"] == nil, word.upos != "PRON" {
                    var values = subject.values
                    values["Person"] = "3"
                    subject = Features(values)
                }
                controllerHasConj = sentence.words.contains { $0.head == index && AnalysedSentence.mainRelation($0.deprel) == "conj" }
                guard let shared = sharedFeatures(finite.features, subject, names: ["Number", "Person"]) else {
                    skipped[controllerHasConj ? .coordinated : .mismatch, default: 0] += 1
                    continue
                }
                if !shared.isEmpty { candidate = Agreement(target: target, controller: index, relation: relation, features: shared) }
            default:
                continue
            }
            guard let candidate, let target = sentence.word(candidate.target), let controller = sentence.word(candidate.controller) else { continue }
            if isTypo(target.features) || isTypo(controller.features) {
                skipped[.typo, default: 0] += 1
            } else if sentence.isInsideMultiword(candidate.target) {
                skipped[.multiword, default: 0] += 1
            } else if controllerHasConj {
                skipped[.coordinated, default: 0] += 1
            } else {
                out.append(candidate)
            }
        }
        return out.sorted { ($0.target, $0.controller) < ($1.target, $1.controller) }
    }

    static func isFinite(_ token: Token) -> Bool {
        ["VERB", "AUX"].contains(token.upos) && token.features["VerbForm"] == "Fin"
    }

    /// The features of `names` that both carry, when every one of them has the same value on
    /// both; nil when one differs (the annotation then shows no agreement to ask about).
    static func sharedFeatures(_ a: Features, _ b: Features, names: [String]) -> [String]? {
        var out: [String] = []
        for name in names {
            guard let x = a[name], let y = b[name] else { continue }
            guard x == y else { return nil }
            out.append(name)
        }
        return out
    }
}

/// A form of the same lemma that breaks an agreement: the sentence with it is ungrammatical
/// because the replacement's value for `feature` differs from what the controller requires, and
/// for no other reason.
public struct MinimalPair: Sendable, Hashable {
    public var agreement: Agreement
    /// The form shown in the altered sentence (with a preceding `à`/`de` contracted: `du`, `aux`).
    public var replacement: String
    public var replacementFeatures: Features
    /// The feature that no longer matches, and the values required and found.
    public var feature: String
    public var expected: String
    public var found: String
    public var changed: String
}

/// Forms of each lemma seen in the corpus, with every analysis each form received (tokens marked
/// `Typo=Yes` left out: a misspelling is not a form of the language).
public struct FormLexicon: Sendable {
    /// (lemma, upos) → form (as written, lowercased key) → analyses.
    let forms: [String: [String: Set<Features>]]

    public init(_ analyses: [FormAnalysis]) {
        var forms: [String: [String: Set<Features>]] = [:]
        for analysis in analyses where analysis.lemma != "_" && !isTypo(analysis.features) {
            forms[Self.key(analysis.lemma, analysis.upos), default: [:]][analysis.form.lowercased(), default: []].insert(analysis.features)
        }
        self.forms = forms
    }

    static func key(_ lemma: String, _ upos: String) -> String { lemma.lowercased() + "\u{1F}" + upos }

    /// True when the form does not show `feature`: the corpus gives it more than one value for
    /// it (`tiers`, `mode`, `vous`), or, for number, it is a lemma ending in -s, -x or -z, whose
    /// plural is the same word (`pays`, `prix`, `gros`).
    public func isAmbiguous(form: String, lemma: String, upos: String, feature: String) -> Bool {
        let lower = form.lowercased()
        if feature == "Number", lower == lemma.lowercased(), let last = lower.last, "sxz".contains(last) { return true }
        guard let analyses = forms[Self.key(lemma, upos)]?[lower] else { return false }
        return Set(analyses.compactMap { $0[feature] }).count > 1
    }

    /// Why no minimal pair was made for an agreement.
    public enum Skip: String, Sendable, CaseIterable {
        case elided = "the target is elided (l', c')"
        case noForm = "no clashing form in the corpus"
        case controllerAmbiguous = "the controller's form has both values of the feature (tiers, mode, vous)"
        case elision = "the replacement would need elision or euphony (le → l', ce → cet, d' + consonant)"
        case unplaced = "the target's place in the text is unknown"
    }

    public enum Outcome: Sendable {
        case pair(MinimalPair)
        case skipped(Skip)
        public var pair: MinimalPair? { if case let .pair(p) = self { return p } else { return nil } }
    }

    /// Articles and possessives that change before a vowel (le → l', ce → cet, ma → mon), and the
    /// adjectives with a second masculine form there (beau → bel).
    static let changesBeforeVowel: Set<String> = ["le", "la", "ce", "ma", "ta", "sa", "beau", "nouveau", "vieux", "fou", "mou", "de", "que"]
    static let agreementFeatures = ["Gender", "Number", "Person"]
    static let contractions: [String: [String: String]] = ["à": ["le": "au", "les": "aux"], "de": ["le": "du", "les": "des"]]

    public func minimalPair(for agreement: Agreement, in sentence: AnalysedSentence) -> MinimalPair? {
        outcome(for: agreement, in: sentence).pair
    }

    /// The minimal pair for `agreement`: among the other forms of the target's lemma that differ
    /// from the target in exactly one feature the agreement requires, and whose every analysis
    /// clashes there with the controller, the first in string order. None when the controller's
    /// own form would allow the clashing value, or when elision or contraction would change
    /// another word of the sentence too.
    public func outcome(for agreement: Agreement, in sentence: AnalysedSentence) -> Outcome {
        guard let target = sentence.word(agreement.target), let controller = sentence.word(agreement.controller) else { return .skipped(.unplaced) }
        var required = controller.features.values
        if required["Person"] == nil, controller.upos != "PRON", agreement.features.contains("Person") { required["Person"] = "3" }
        // An elided form (l', c') is glued to the next word: swapping it would retype the sentence.
        func elided(_ form: String) -> Bool { form.hasSuffix("'") || form.hasSuffix("’") }
        guard !elided(target.form) else { return .skipped(.elided) }
        guard let candidates = forms[Self.key(target.lemma, target.upos)] else { return .skipped(.noForm) }
        var best: (form: String, features: Features, clash: String)?
        var sawAmbiguousController = false
        for form in candidates.keys.sorted() where form != target.form.lowercased() && !elided(form) && form.contains(where: \.isLetter) {
            guard let analyses = candidates[form], !analyses.isEmpty else { continue }
            // Every reading of the form must clash on one and the same feature and match the
            // target elsewhere, or the swapped sentence could still be right, or wrong for another reason.
            var clash: String?
            var ok = true
            for analysis in analyses {
                // It must also agree with the controller everywhere else (les → la before a
                // masculine plural noun would break gender as well as number).
                guard let differing = Self.onlyDifference(analysis, target.features, among: agreement.features),
                      analysis[differing] != required[differing], clash == nil || clash == differing,
                      !Self.agreementFeatures.contains(where: { name in
                          name != differing && analysis[name] != nil && required[name] != nil && analysis[name] != required[name]
                      }) else {
                    ok = false
                    break
                }
                clash = differing
            }
            guard ok, let clash, let first = analyses.sorted().first else { continue }
            if isAmbiguous(form: form, lemma: target.lemma, upos: target.upos, feature: clash) { continue }
            if isAmbiguous(form: controller.form, lemma: controller.lemma, upos: controller.upos, feature: clash) {
                sawAmbiguousController = true
                continue
            }
            best = (form, first, clash)
            break
        }
        guard let best, let expected = required[best.clash], let found = best.features[best.clash] else {
            return .skipped(sawAmbiguousController ? .controllerAmbiguous : .noForm)
        }
        var replacement = target.form.first?.isUppercase == true ? best.form.prefix(1).uppercased() + best.form.dropFirst() : best.form
        guard let targetSurface = sentence.surfaceOfWord.indices.contains(agreement.target - 1) ? sentence.surfaceOfWord[agreement.target - 1] : nil,
              targetSurface >= 0, let targetRange = sentence.ranges[agreement.target - 1] else { return .skipped(.unplaced) }
        let previous = targetSurface > 0 ? sentence.surface[targetSurface - 1] : nil
        let next = targetSurface + 1 < sentence.surface.count ? sentence.surface[targetSurface + 1] : nil
        // d' and l' need a vowel after them; le, ce, ma, beau cannot stand before one.
        if let previous, elided(previous.form), !Self.startsWithVowel(replacement) { return .skipped(.elision) }
        if let next, Self.changesBeforeVowel.contains(best.form), Self.startsWithVowel(next.form) { return .skipped(.elision) }
        var range = targetRange
        // à + le → au, de + les → des: contract as French does, so that only the feature differs.
        if let previous, !previous.isMultiword, let previousRange = previous.range,
           let contracted = Self.contractions[previous.form.lowercased()]?[best.form],
           sentence.text[previousRange.upperBound..<targetRange.lowerBound].allSatisfy(\.isWhitespace) {
            replacement = previous.form.first?.isUppercase == true ? contracted.prefix(1).uppercased() + contracted.dropFirst() : contracted
            range = previousRange.lowerBound..<targetRange.upperBound
        }
        var changed = sentence.text
        changed.replaceSubrange(range, with: replacement)
        return .pair(MinimalPair(agreement: agreement, replacement: replacement, replacementFeatures: best.features,
                                 feature: best.clash, expected: expected, found: found, changed: changed))
    }

    /// The one feature of `among` in which `candidate` differs from `original`, when every other
    /// feature both carry is the same; nil when none or several differ.
    static func onlyDifference(_ candidate: Features, _ original: Features, among: [String]) -> String? {
        var differing: String?
        for (name, value) in candidate.values {
            guard let other = original[name], other != value else { continue }
            guard differing == nil, among.contains(name) else { return nil }
            differing = name
        }
        return differing
    }

    /// A vowel or h first (h muet and h aspiré cannot be told apart from the spelling: both count).
    static func startsWithVowel(_ form: String) -> Bool {
        guard let first = form.lowercased().first else { return false }
        return "aeiouyhàâäéèêëîïôöùûüœæ".contains(first)
    }
}
