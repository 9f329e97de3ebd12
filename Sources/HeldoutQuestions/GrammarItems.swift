import HeldoutCore
import HeldoutStore

/// Grammar items (selectors `feature`, `agreement`, `minimal_pair`) from analysed sentences.
extension BuildContext {
    mutating func grammar(_ template: Template, lang: String, pair: Template.DirectedLanguages?, report: inout TemplateReport) throws {
        let selector = template.selector
        let lexicon = selector.kind == .minimalPair ? FormLexicon(try analyses(lang)) : nil
        let upos = Set(selector.upos)
        try session.forEachSegment(lang: lang, translationLang: pair?.target, analysedOnly: true) { segment in
            let sentence = AnalysedSentence(text: segment.text, tokens: segment.tokens ?? [])
            switch selector.kind {
            case .feature:
                guard let feature = selector.feature else { return }
                for word in sentence.words where (upos.isEmpty || upos.contains(word.upos)) && word.lemma != "_" {
                    guard let value = word.features[feature], let index = word.index else { continue }
                    report.candidates += 1
                    report.answered += 1
                    var bindings = common(segment, lang: lang, pair: pair)
                    bindings["word"] = word.form
                    bindings["lemma"] = word.lemma
                    bindings["upos"] = word.upos
                    bindings["feature"] = feature
                    bindings["feature_name"] = FeatureNames.feature(feature)
                    bindings["value"] = value
                    var valueName = FeatureNames.value(feature, value)
                    // UD writes the French conditional as Tense=Pres|Mood=Cnd: say the mood too.
                    if feature == "Tense", let mood = word.features["Mood"], mood != "Ind" {
                        valueName += " (\(FeatureNames.value("Mood", mood)) mood)"
                    }
                    bindings["value_name"] = valueName
                    bindings["features"] = word.features.description
                    bindings["position"] = String(index)
                    try emit(template, lang: lang, pair: pair, bindings: bindings, segments: segmentIDs(segment, pair: pair),
                             target: Lexeme(lemma: word.lemma, lang: lang),
                             defaultConsistency: "feature:\(lang):\(feature):\(word.lemma)", source: segment.id, report: &report)
                }
            case .agreement, .minimalPair:
                for agreement in AgreementFinder.agreements(in: sentence) {
                    guard let target = sentence.word(agreement.target), let controller = sentence.word(agreement.controller),
                          upos.isEmpty || upos.contains(target.upos) else { continue }
                    report.candidates += 1
                    var bindings = common(segment, lang: lang, pair: pair)
                    bindings["word"] = target.form
                    bindings["lemma"] = target.lemma
                    bindings["upos"] = target.upos
                    bindings["controller"] = controller.form
                    bindings["relation"] = agreement.relation
                    bindings["position"] = String(agreement.target)
                    let consistency = "agreement:\(lang):\(agreement.relation):\(target.lemma)"
                    if selector.kind == .agreement {
                        report.answered += 1
                        bindings["controller_lemma"] = controller.lemma
                        bindings["shared"] = FeatureNames.describe(target.features, only: agreement.features)
                        bindings["shared_features"] = agreement.features.map { "\($0)=\(target.features[$0] ?? "")" }.joined(separator: "|")
                        try emit(template, lang: lang, pair: pair, bindings: bindings, segments: segmentIDs(segment, pair: pair),
                                 target: Lexeme(lemma: target.lemma, lang: lang), defaultConsistency: consistency,
                                 source: segment.id, report: &report)
                    } else {
                        guard let lexicon, let minimal = lexicon.minimalPair(for: agreement, in: sentence) else {
                            report.skipped["no clashing form in the corpus", default: 0] += 1
                            continue
                        }
                        report.answered += 1
                        let featureName = FeatureNames.feature(minimal.feature)
                        let expected = FeatureNames.value(minimal.feature, minimal.expected)
                        let found = FeatureNames.value(minimal.feature, minimal.found)
                        bindings["replacement"] = minimal.replacement
                        bindings["changed"] = minimal.changed
                        bindings["feature"] = minimal.feature
                        bindings["feature_name"] = featureName
                        bindings["expected"] = expected
                        bindings["found"] = found
                        bindings["reason"] = "«\(minimal.replacement)» is \(found), but «\(controller.form)», which it agrees with (\(agreement.relation)), is \(expected): the \(featureName) must match."
                        try emit(template, lang: lang, pair: pair, bindings: bindings, segments: segmentIDs(segment, pair: pair),
                                 target: Lexeme(lemma: target.lemma, lang: lang), defaultConsistency: consistency,
                                 source: segment.id, report: &report)
                    }
                }
            case .word, .label, .translation:
                return
            }
        }
    }
}
