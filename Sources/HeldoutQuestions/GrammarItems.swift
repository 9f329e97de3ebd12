import HeldoutCore
import HeldoutStore

/// Grammar items (selectors `feature`, `agreement`, `minimal_pair`) from analysed sentences.
///
/// Only what the annotation shows is asked: a tense is the tense of a finite verb group, an
/// agreement ties a word to its HEAD (or a verb to its subject), and nothing is asked about a word
/// the reader cannot see (inside `au`, `du`) or that the treebank marks as a typo. A question names
/// the occurrence it means when its word occurs twice, and one question text never gets two answers.
extension BuildContext {
    mutating func grammar(_ template: Template, lang: String, pair: Template.DirectedLanguages?, report: inout TemplateReport) throws {
        let selector = template.selector
        let needsLexicon = selector.kind == .minimalPair || selector.feature == "Number"
        let lexicon = needsLexicon ? FormLexicon(try analyses(lang)) : FormLexicon([])
        let upos = Set(selector.upos)
        let ledger = GrammarQuestionLedger(runWide: !GrammarQuestionLedger.namesSegment(template.question.source))
        var pending: [PendingGrammarItem] = []
        try session.forEachSegment(lang: lang, translationLang: pair?.target, analysedOnly: true) { segment in
            let sentence = AnalysedSentence(text: segment.text, tokens: segment.tokens ?? [])
            defer { pending.removeAll(keepingCapacity: true) }
            switch selector.kind {
            case .feature:
                guard let feature = selector.feature else { return }
                if feature == "Tense" {
                    try tenseItems(template, sentence: sentence, segment: segment, lang: lang, pair: pair, upos: upos,
                                   pending: &pending, report: &report)
                } else {
                    try featureItems(template, feature: feature, sentence: sentence, segment: segment, lang: lang, pair: pair,
                                     upos: upos, lexicon: lexicon, pending: &pending, report: &report)
                }
            case .agreement, .minimalPair:
                try agreementItems(template, sentence: sentence, segment: segment, lang: lang, pair: pair, upos: upos,
                                   lexicon: lexicon, pending: &pending, report: &report)
            case .word, .label, .translation:
                return
            }
            try flush(template, lang: lang, pair: pair, segment: segment, pending: pending, ledger: ledger, report: &report)
        }
    }

    /// Emits a sentence's items. A question text given two different golds in the sentence has
    /// more than one right answer: all its items are dropped. A question asked again with the same
    /// gold (here or in an earlier sentence) is merged into the first; one asked earlier with
    /// another gold is dropped. Every drop is counted.
    private func flush(_ template: Template, lang: String, pair: Template.DirectedLanguages?, segment: SourceSegment,
                       pending: [PendingGrammarItem], ledger: GrammarQuestionLedger, report: inout TemplateReport) throws {
        var golds: [String: Set<String>] = [:]
        if pending.count > 1 {
            for item in pending { golds[item.question, default: []].insert(item.gold) }
        }
        for item in pending {
            if let seen = golds[item.question], seen.count > 1 {
                report.skipped[GrammarQuestionLedger.conflictReason, default: 0] += 1
                continue
            }
            switch ledger.admit(question: item.question, answer: item.gold) {
            case .new:
                report.answered += 1
                try emit(template, lang: lang, pair: pair, bindings: item.bindings, segments: segmentIDs(segment, pair: pair),
                         target: item.target, defaultConsistency: item.defaultConsistency, source: segment.id,
                         renderedQuestion: item.question, report: &report)
            case .sameAnswer:
                report.skipped[GrammarQuestionLedger.duplicateReason, default: 0] += 1
            case .otherAnswer:
                report.skipped[GrammarQuestionLedger.conflictReason, default: 0] += 1
            }
        }
    }

    /// One item per finite verb group, answered with the group's tense as French grammar names it.
    private func tenseItems(_ template: Template, sentence: AnalysedSentence, segment: SourceSegment, lang: String,
                            pair: Template.DirectedLanguages?, upos: Set<String>, pending: inout [PendingGrammarItem],
                            report: inout TemplateReport) throws {
        var skipped: [VerbGroups.Skip: Int] = [:]
        let groups = VerbGroups.groups(in: sentence, skipped: &skipped)
        for (reason, count) in skipped {
            report.candidates += count
            report.skipped[reason.rawValue, default: 0] += count
        }
        for group in groups {
            guard let finite = sentence.word(group.finite),
                  upos.isEmpty || group.words.contains(where: { sentence.word($0).map { upos.contains($0.upos) } ?? false }) else { continue }
            let value = finite.features["Tense"] ?? ""
            report.candidates += 1
            let (text, reference) = GrammarReference.group(group.words, in: sentence)
            var bindings = common(segment, lang: lang, pair: pair)
            bindings["word"] = text
            bindings["group"] = text
            bindings["word_ref"] = reference
            bindings["group_ref"] = reference
            bindings["lemma"] = group.lemma
            bindings["upos"] = finite.upos
            bindings["feature"] = "Tense"
            bindings["feature_name"] = FeatureNames.feature("Tense")
            bindings["value"] = value
            bindings["value_name"] = group.name
            bindings["tense"] = group.tense
            bindings["voice"] = group.passive ? "passive" : "active"
            bindings["features"] = "Tense=\(value)"
            bindings["position"] = GrammarReference.position(of: group.finite, in: sentence).map(String.init) ?? ""
            enqueue(template, bindings: bindings, gold: group.name,
                    target: Lexeme(lemma: group.lemma, lang: lang),
                    defaultConsistency: "tense:\(lang):\(group.lemma):\(group.name)", pending: &pending)
        }
    }

    /// Why a feature item was not made for a word inside `au`, `du`: built once, not per skipped word.
    private static let multiwordReason = "the word is inside a multiword token (au, du, des)"

    /// One item per visible, correctly spelt word carrying `feature`; for number, only where
    /// something in the sentence shows it.
    private func featureItems(_ template: Template, feature: String, sentence: AnalysedSentence, segment: SourceSegment,
                              lang: String, pair: Template.DirectedLanguages?, upos: Set<String>, lexicon: FormLexicon,
                              pending: inout [PendingGrammarItem], report: inout TemplateReport) throws {
        for word in sentence.words where (upos.isEmpty || upos.contains(word.upos)) && word.lemma != "_" {
            guard let value = word.features[feature], let index = word.index else { continue }
            report.candidates += 1
            if isTypo(word.features) {
                report.skipped["a typo (Typo=Yes)", default: 0] += 1
                continue
            }
            if sentence.isInsideMultiword(index) {
                report.skipped[Self.multiwordReason, default: 0] += 1
                continue
            }
            if feature == "Number", !NumberEvidence.shows(index, value: value, in: sentence, lexicon: lexicon) {
                report.skipped[NumberEvidence.skipReason, default: 0] += 1
                continue
            }
            var bindings = common(segment, lang: lang, pair: pair)
            bindings["word"] = word.form
            bindings["word_ref"] = GrammarReference.word(index, in: sentence)
            bindings["lemma"] = word.lemma
            bindings["upos"] = word.upos
            bindings["feature"] = feature
            bindings["feature_name"] = FeatureNames.feature(feature)
            bindings["value"] = value
            bindings["value_name"] = FeatureNames.value(feature, value)
            bindings["features"] = "\(feature)=\(value)"
            bindings["position"] = GrammarReference.position(of: index, in: sentence).map(String.init) ?? ""
            enqueue(template, bindings: bindings, gold: value,
                    target: Lexeme(lemma: word.lemma, lang: lang),
                    defaultConsistency: "\(feature.lowercased()):\(lang):\(word.upos):\(word.lemma):\(value)",
                    pending: &pending)
        }
    }

    private func agreementItems(_ template: Template, sentence: AnalysedSentence, segment: SourceSegment, lang: String,
                                pair: Template.DirectedLanguages?, upos: Set<String>, lexicon: FormLexicon,
                                pending: inout [PendingGrammarItem], report: inout TemplateReport) throws {
        let kind = template.selector.kind
        var skipped: [AgreementFinder.Skip: Int] = [:]
        let agreements = AgreementFinder.agreements(in: sentence, skipped: &skipped)
        for (reason, count) in skipped {
            report.candidates += count
            report.skipped[reason.rawValue, default: 0] += count
        }
        for agreement in agreements {
            guard let target = sentence.word(agreement.target), let controller = sentence.word(agreement.controller),
                  upos.isEmpty || upos.contains(target.upos) else { continue }
            report.candidates += 1
            let controllerRef = GrammarReference.word(agreement.controller, in: sentence)
            var bindings = common(segment, lang: lang, pair: pair)
            bindings["word"] = target.form
            bindings["word_ref"] = GrammarReference.word(agreement.target, in: sentence)
            bindings["lemma"] = target.lemma
            bindings["upos"] = target.upos
            bindings["controller"] = controller.form
            bindings["controller_ref"] = controllerRef
            bindings["controller_lemma"] = controller.lemma
            bindings["relation"] = agreement.relation
            bindings["position"] = GrammarReference.position(of: agreement.target, in: sentence).map(String.init) ?? ""
            let sharedFeatures = agreement.features.map { "\($0)=\(target.features[$0] ?? "")" }.joined(separator: "|")
            if kind == .agreement {
                bindings["shared"] = FeatureNames.describe(target.features, only: agreement.features)
                bindings["shared_features"] = sharedFeatures
                enqueue(template, bindings: bindings,
                        gold: "\(controllerRef)|\(sharedFeatures)",
                        target: Lexeme(lemma: target.lemma, lang: lang),
                        defaultConsistency: "agreement:\(lang):\(agreement.relation):\(target.lemma):\(controller.lemma):\(sharedFeatures)",
                        pending: &pending)
            } else {
                let minimal: MinimalPair
                switch lexicon.outcome(for: agreement, in: sentence) {
                case let .skipped(reason):
                    report.skipped[reason.rawValue, default: 0] += 1
                    continue
                case let .pair(found):
                    minimal = found
                }
                let featureName = FeatureNames.feature(minimal.feature)
                let expected = FeatureNames.value(minimal.feature, minimal.expected)
                let found = FeatureNames.value(minimal.feature, minimal.found)
                bindings["replacement"] = minimal.replacement
                bindings["changed"] = minimal.changed
                bindings["feature"] = minimal.feature
                bindings["feature_name"] = featureName
                bindings["expected"] = expected
                bindings["found"] = found
                bindings["reason"] = "«\(minimal.replacement)» is \(found), but \(controllerRef), which it agrees with (\(agreement.relation)), is \(expected): the \(featureName) must match."
                enqueue(template, bindings: bindings,
                        gold: "\(minimal.changed)|\(minimal.feature)|\(minimal.found)|\(controllerRef)",
                        target: Lexeme(lemma: target.lemma, lang: lang),
                        defaultConsistency: "minimal_pair:\(lang):\(agreement.relation):\(target.lemma):\(minimal.feature):\(controller.lemma)",
                        pending: &pending)
            }
        }
    }

    /// Queues an item for `flush`, keyed by its question text and by what decides its answer (`gold`).
    private func enqueue(_ template: Template, bindings: [String: Any], gold: String, target: Lexeme,
                         defaultConsistency: String, pending: inout [PendingGrammarItem]) {
        // The raw rendering is the key (one template trims alike); emit renders the stored text.
        let question = plans.render(template.question, bindings)
        pending.append(PendingGrammarItem(question: question, gold: gold, bindings: bindings, target: target,
                                          defaultConsistency: defaultConsistency))
    }
}

/// An item of the sentence being read, waiting for the sentence's duplicate check.
struct PendingGrammarItem {
    var question: String
    var gold: String
    var bindings: [String: Any]
    var target: Lexeme
    var defaultConsistency: String
}

/// The question texts a template has asked, so that none is asked twice across sentences: memory
/// grows by a pair of digests per item (the `QuestionLedger` emit keeps, here keyed by the gold),
/// and only for templates whose questions do not name their sentence.
public struct GrammarQuestionLedger {
    static let duplicateReason = "the same question again, with the same answer (merged)"
    static let conflictReason = "the same question again, with another answer (dropped)"

    private let asked = QuestionLedger()
    /// False when every question names its sentence (`{{text}}` or `{{segment}}` outside any
    /// section): a segment's text is unique in its language, so two sentences never share a
    /// question, the per-sentence check is enough, and memory stays flat over a large corpus.
    let runWide: Bool

    init(runWide: Bool) { self.runWide = runWide }

    /// True when `source` prints the segment's text or id unconditionally.
    public static func namesSegment(_ source: String) -> Bool {
        var depth = 0
        for tag in MustacheTags.scan(source) {
            switch tag.kind {
            case "#", "^": depth += 1
            case "/": depth -= 1
            case "", "{", "&": if depth == 0, tag.name == "text" || tag.name == "segment" { return true }
            default: continue
            }
        }
        return false
    }

    func admit(question: String, answer: String) -> QuestionLedger.Outcome {
        guard runWide else { return .new }
        return asked.record(template: "", question: question, answer: answer)
    }
}

/// Whether anything in the sentence shows a word's number: its own form, or a determiner,
/// numeral, adjective, noun or verb that agrees with it and whose form has one number only.
enum NumberEvidence {
    static let skipReason = "nothing in the sentence shows the number (the form is the same in both numbers)"

    static func shows(_ index: Int, value: String, in sentence: AnalysedSentence, lexicon: FormLexicon) -> Bool {
        guard let word = sentence.word(index) else { return false }
        func distinct(_ token: Token) -> Bool {
            guard let i = token.index, token.features["Number"] == value, !isTypo(token.features) else { return false }
            // au, du, des, aux: the contraction itself shows the number.
            if sentence.isInsideMultiword(i) { return true }
            return !lexicon.isAmbiguous(form: token.form, lemma: token.lemma, upos: token.upos, feature: "Number")
        }
        if distinct(word) { return true }
        for (dependent, relation) in sentence.dependents(of: index) {
            switch relation {
            case "det", "amod", "nsubj", "cop", "aux":
                if distinct(dependent) { return true }
            case "nummod":
                if value == "Plur", dependent.upos == "NUM", !["un", "une", "1"].contains(dependent.form.lowercased()) { return true }
            default:
                continue
            }
        }
        let relation = AnalysedSentence.mainRelation(word.deprel)
        if let head = word.head, let headWord = sentence.word(head) {
            if relation == "amod", distinct(headWord) { return true }
            if relation == "nsubj" {
                if distinct(headWord) { return true }
                for (dependent, r) in sentence.dependents(of: head) where (r == "aux" || r == "cop") && distinct(dependent) { return true }
            }
        }
        return false
    }
}
