import HeldoutCore
import HeldoutStore

/// Translation items (selector `translation`): a segment that has an aligned translation in the
/// pair's target language, asked to be translated; the gold is the translation (the first in id
/// order when the group holds several, all of them bound as `translations`). A segment without
/// one is skipped and counted: a translation item never claims a gold it does not have.
extension BuildContext {
    mutating func translations(_ template: Template, lang: String, pair: Template.DirectedLanguages?, report: inout TemplateReport) throws {
        guard let pair else { return }
        try session.forEachSegment(lang: lang, translationLang: pair.target) { segment in
            report.candidates += 1
            guard let first = segment.translations.first else {
                report.skipped["no translation", default: 0] += 1
                return
            }
            // A translation identical to its source (a product name, a number) teaches nothing.
            guard first.text != segment.text else {
                report.skipped["translation equals the source", default: 0] += 1
                return
            }
            report.answered += 1
            var bindings = common(segment, lang: lang, pair: pair)
            bindings["translations"] = segment.translations.map(\.text)
            bindings["translation_count"] = String(segment.translations.count)
            try emit(template, lang: lang, pair: pair, bindings: bindings, segments: [segment.id, first.id],
                     target: nil, defaultConsistency: "translation:\((segment.group ?? segment.id).hex)",
                     source: segment.id, report: &report)
        }
    }
}
