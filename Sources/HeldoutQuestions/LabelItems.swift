import HeldoutCore
import HeldoutStore

/// Label items (selector `label`): tone and any user category.
extension BuildContext {
    mutating func labels(_ template: Template, lang: String, pair: Template.DirectedLanguages?, report: inout TemplateReport) throws {
        guard let label = template.selector.label else { return }
        let side = template.selector.side
        try session.forEachLabelledSegment(label: label, lang: lang, translationLang: pair?.target) { labelled in
            report.candidates += 1
            guard labelled.values.count == 1, let value = labelled.values.first else {
                report.skipped["conflicting labels", default: 0] += 1
                return
            }
            let segment = labelled.segment
            let group = (segment.group ?? segment.id).hex
            switch side {
            case .source:
                report.answered += 1
                // No translation: the item is about the source alone and carries no pair.
                let pair = segment.translations.isEmpty ? nil : pair
                var bindings = common(segment, lang: lang, pair: pair)
                bindings.merge(labelBindings(label, value, side: "source", text: segment.text, lang: lang)) { $1 }
                try emit(template, lang: lang, pair: pair, bindings: bindings, segments: segmentIDs(segment, pair: pair),
                         target: nil, defaultConsistency: "\(label):\(group)", source: segment.id, report: &report)
            case .translation:
                guard let pair, !segment.translations.isEmpty else {
                    report.skipped["no translation", default: 0] += 1
                    return
                }
                report.answered += 1
                // Every translation is asked about, each shown beside nothing but itself; the
                // labelled sentence is the "translation" from its point of view.
                for translation in segment.translations {
                    var bindings: [String: Any] = [
                        "text": translation.text, "lang": pair.target, "lang_name": LanguageNames.name(pair.target),
                        "segment": translation.id.hex, "group": group,
                        "translation": segment.text, "has_translation": true,
                        "translation_lang": lang, "translation_lang_name": LanguageNames.name(lang),
                    ]
                    bindings.merge(labelBindings(label, value, side: "translation", text: segment.text, lang: lang)) { $1 }
                    try emit(template, lang: pair.target, pair: pair, bindings: bindings, segments: [translation.id, segment.id],
                             target: nil, defaultConsistency: "\(label):\(group)", source: translation.id, report: &report)
                }
            }
        }
    }

    /// The bindings both sides share: the label, its value and the labelled sentence.
    private func labelBindings(_ label: String, _ value: String, side: String, text: String, lang: String) -> [String: Any] {
        ["label": label, "value": value, "side": side,
         "labelled_text": text, "labelled_lang": lang, "labelled_lang_name": LanguageNames.name(lang)]
    }
}
