import HeldoutCore
import HeldoutStore

/// Definition items (selector `word`): a content word, its dictionary entry and the sense.
extension BuildContext {
    mutating func words(_ template: Template, lang: String, pair: Template.DirectedLanguages?, report: inout TemplateReport) throws {
        let dictionary = try self.dictionary(lang, pair?.target)
        let upos = Set(template.selector.upos)
        try session.forEachSegment(lang: lang, translationLang: pair?.target, analysedOnly: !upos.isEmpty) { segment in
            // Content words: from the analysis when the template filters by part of speech, else
            // every word that is not a function word, a number or a single letter.
            var candidates: [(form: String, lemma: String?)] = []
            if let tokens = segment.tokens {
                for token in tokens where token.range == nil && upos.contains(token.upos) {
                    candidates.append((token.form, token.lemma == "_" ? nil : token.lemma.lowercased()))
                }
            } else {
                for word in WordSplitter.words(segment.text)
                where word.count > 2 && !StopWords.contains(word, lang: lang) {
                    candidates.append((word, nil))
                }
            }
            var seen: Set<String> = []
            for candidate in candidates where seen.insert(candidate.form.lowercased()).inserted {
                report.candidates += 1
                var found: (lemma: String, method: Lemmatizer.Method)?
                if let lemma = candidate.lemma, dictionary.senses[lemma] != nil {
                    found = (lemma, .lexicon)
                } else {
                    found = dictionary.lemmatizer.lemma(of: candidate.form)
                }
                guard let (lemma, method) = found, let senses = dictionary.senses[lemma], !senses.isEmpty else {
                    report.skipped["no dictionary entry", default: 0] += 1
                    continue
                }
                report.answered += 1
                report.lemmaMethods[method.rawValue, default: 0] += 1
                let choice = SenseMatcher.choose(senses: senses, translations: segment.translations.map(\.text))
                if choice.evidence != nil { report.inContext += 1 }
                var bindings = common(segment, lang: lang, pair: pair)
                bindings["word"] = candidate.form
                bindings["lemma"] = lemma
                bindings["pos"] = dictionary.pos[lemma] ?? ""
                bindings["gloss"] = senses[choice.index]
                bindings["senses"] = senses
                bindings["all_senses"] = senses.count == 1 ? senses[0]
                    : senses.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; ")
                bindings["sense_number"] = String(choice.index + 1)
                bindings["in_context"] = choice.evidence != nil
                bindings["evidence"] = choice.evidence ?? ""
                bindings["lemmatised"] = method != .headword
                try emit(template, lang: lang, pair: pair, bindings: bindings, segments: segmentIDs(segment, pair: pair),
                         target: Lexeme(lemma: lemma, lang: lang), defaultConsistency: "lexeme:\(lang):\(lemma)",
                         source: segment.id, report: &report)
            }
        }
    }
}
