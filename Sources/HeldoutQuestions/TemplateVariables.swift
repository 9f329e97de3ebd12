/// The variables each selector binds, which is also what a template may name: a template that
/// names anything else is refused before anything is read.
public enum TemplateVariables {
    /// Bound for every item: the segment asked about and its language.
    static let common: Set<String> = ["text", "lang", "lang_name", "segment", "group"]
    /// Bound when the template has a pair: the aligned translation (empty when there is none).
    static let translation: Set<String> = ["translation", "has_translation", "translation_lang", "translation_lang_name"]

    static let perKind: [SelectorKind: Set<String>] = [
        .word: ["word", "lemma", "pos", "gloss", "senses", "all_senses", "sense_number", "in_context", "evidence", "lemmatised",
                "construction"],
        .feature: ["word", "lemma", "upos", "feature", "feature_name", "value", "value_name", "features", "position",
                   "word_ref", "group", "group_ref", "tense", "voice"],
        .agreement: ["word", "lemma", "upos", "controller", "controller_lemma", "relation", "shared", "shared_features", "position",
                     "word_ref", "controller_ref"],
        .minimalPair: ["word", "lemma", "upos", "replacement", "changed", "controller", "relation", "feature", "feature_name",
                       "expected", "found", "reason", "position", "word_ref", "controller_ref", "controller_lemma"],
        .label: ["label", "value", "side", "labelled_text", "labelled_lang", "labelled_lang_name"],
        .translation: ["translations", "translation_count"],
    ]

    public static func names(for kind: SelectorKind, hasPair: Bool) -> Set<String> {
        var out = common.union(perKind[kind] ?? [])
        if hasPair { out.formUnion(translation) }
        return out
    }
}
