import Foundation
import HeldoutCore
import HeldoutStore

/// One dictionary entry as definition items use it: its own part of speech and its senses with
/// the dictionary's markup removed.
struct GlossaryEntry: Sendable, Equatable {
    var headword: String
    var pos: String?
    var senses: [String]
}

/// A bilingual dictionary read for definition items.
///
/// A headword may have several entries (FreeDict's `autour` is a noun, *goshawk*, and a
/// preposition): they are kept apart, so that a word is glossed only by the entries whose part of
/// speech fits its own. Multiword headwords (`autour de`, `avoir lieu`) are indexed by their first
/// word so that a sentence's expressions are asked about as a whole.
struct Glossary {
    var entries: [String: [GlossaryEntry]]
    /// First word → multiword headwords as word lists (``matchForm(_:)``), longest first.
    var multiword: [String: [[String]]]
    /// Word list joined by spaces → the headword's key.
    var multiwordKeys: [String: String]
    var lemmatizer: Lemmatizer
    /// Most entries state a part of speech: then a tagged word is glossed only by an entry whose
    /// stated part of speech fits (FreeDict's `central`, with none, is not taken for the adjective).
    var declaresPartOfSpeech: Bool
    var isEmpty: Bool { entries.isEmpty }

    init(entries raw: [DictionaryEntry], analyses: [FormAnalysis], lang: String) {
        var entries: [String: [GlossaryEntry]] = [:]
        for entry in raw {
            let senses = SenseText.clean(senses: entry.senses)
            guard !senses.isEmpty else { continue }
            let key = DictionaryEntry.key(entry.headword)
            entries[key, default: []].append(GlossaryEntry(headword: key, pos: entry.pos, senses: senses))
        }
        var multiword: [String: [[String]]] = [:]
        var keys: [String: String] = [:]
        for key in entries.keys.sorted() where key.contains(" ") {
            let words = Self.matchWords(key)
            guard words.count >= 2 else { continue }
            let joined = words.joined(separator: " ")
            guard keys[joined] == nil else { continue }
            keys[joined] = key
            multiword[words[0], default: []].append(words)
        }
        self.multiword = multiword.mapValues { lists in
            lists.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        }
        multiwordKeys = keys
        self.entries = entries
        let all = entries.values.joined()
        declaresPartOfSpeech = all.filter { PartOfSpeech.upos($0.pos) != nil }.count * 2 >= all.count && !all.isEmpty
        let headwords = Set(entries.keys)
        var uposByKey: [String: Set<String>] = [:]
        for (key, list) in entries {
            for entry in list { uposByKey[key, default: []].formUnion(PartOfSpeech.upos(entry.pos) ?? []) }
        }
        let known = uposByKey
        lemmatizer = Lemmatizer(analyses: analyses, lang: lang, isHeadword: { headwords.contains($0) },
                                fits: { key, upos in known[key].map { $0.isEmpty || $0.contains(upos) } ?? false })
    }

    /// How words and headwords are compared inside expressions: lowercased, without apostrophes
    /// and hyphens (FreeDict's index writes `avoir l'air de` as `avoir lair de`).
    static func matchForm(_ text: String) -> String {
        String(text.lowercased().filter { $0 != "'" && $0 != "’" && $0 != "-" })
    }

    static func matchWords(_ text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map { matchForm(String($0)) }.filter { !$0.isEmpty }
    }

    enum Lookup: Equatable {
        case found(pos: String?, senses: [String])
        /// The dictionary has no entry for this lemma.
        case noEntry
        /// It has entries for the lemma, but for other parts of speech.
        case otherPartOfSpeech
        /// Untagged word whose entries have several parts of speech.
        case ambiguousPartOfSpeech
    }

    /// The entries of `lemma` that fit `upos` (the treebank's, or the lexicon's for untagged text),
    /// senses merged in dictionary order. Entries without a known part of speech are used only
    /// when no entry of the lemma declares one. With `upos` nil, the entries must agree on one
    /// part of speech, or there must be a single one. A tagged word is never glossed by an entry
    /// without a part of speech when the dictionary usually states one. `anyPOS` (multiword headwords) takes all.
    func lookup(_ lemma: String, upos: String?, anyPOS: Bool = false) -> Lookup {
        guard let list = entries[DictionaryEntry.key(lemma)], !list.isEmpty else { return .noEntry }
        var chosen = list
        if !anyPOS {
            let declared = list.filter { PartOfSpeech.upos($0.pos) != nil }
            if let upos {
                if !declared.isEmpty || declaresPartOfSpeech {
                    chosen = declared.filter { PartOfSpeech.upos($0.pos)?.contains(upos) ?? false }
                    if chosen.isEmpty { return .otherPartOfSpeech }
                }
            } else if Set(declared.compactMap { PartOfSpeech.upos($0.pos) }).count > 1 {
                return .ambiguousPartOfSpeech
            }
        }
        var senses: [String] = []
        for entry in chosen { for sense in entry.senses where !senses.contains(sense) { senses.append(sense) } }
        return .found(pos: chosen.first(where: { $0.pos != nil })?.pos, senses: senses)
    }
}

/// A dictionary's part of speech (`n, masc`, `v`, `adj`) as the UD parts of speech it fits.
enum PartOfSpeech {
    /// Dictionary abbreviation → the UD parts of speech it fits, the usual one first.
    static let table: [String: [String]] = [
        "n": ["NOUN", "PROPN"], "nm": ["NOUN", "PROPN"], "nf": ["NOUN", "PROPN"], "noun": ["NOUN", "PROPN"],
        "subst": ["NOUN", "PROPN"], "s": ["NOUN", "PROPN"],
        "v": ["VERB", "AUX"], "vt": ["VERB", "AUX"], "vi": ["VERB", "AUX"], "vr": ["VERB", "AUX"], "verb": ["VERB", "AUX"],
        "vb": ["VERB", "AUX"], "adj": ["ADJ"], "a": ["ADJ"], "adv": ["ADV"], "prep": ["ADP"], "prp": ["ADP"],
        "pron": ["PRON"], "num": ["NUM"], "art": ["DET"], "det": ["DET"], "conj": ["CCONJ", "SCONJ"],
        "int": ["INTJ"], "interj": ["INTJ"], "intj": ["INTJ"],
    ]

    static func list(_ pos: String?) -> [String]? {
        guard let pos else { return nil }
        let head = pos.lowercased().split(whereSeparator: { $0 == "," || $0 == " " || $0 == "." || $0 == ";" }).first.map(String.init) ?? ""
        return table[head]
    }

    static func upos(_ pos: String?) -> Set<String>? { list(pos).map(Set.init) }

    /// The usual UD part of speech of a dictionary's (`v` → VERB).
    static func main(_ pos: String?) -> String? { list(pos)?.first }
}

/// A word (or expression) of a sentence that a definition item may ask about.
struct WordCandidate {
    /// As the sentence shows it.
    var form: String
    /// The dictionary key looked up.
    var lemma: String
    /// The dictionary form shown in items, when it differs from the key (`s'agir` for FreeDict's `sagir`).
    var shown: String?
    /// The treebank's part of speech (or the lexicon's for untagged text); nil when unknown.
    var upos: String?
    var method: Lemmatizer.Method
    /// A multiword headword matched in the sentence.
    var multiword = false
    /// Why it is not asked about; nil when it is looked up.
    var skip: String?
    /// Never a candidate by rule (function word, proper noun…): counted in `skipped` only.
    var excluded = false
}

/// Definition items (selector `word`): a word of a segment, its dictionary entry chosen by the
/// lemma and part of speech, and the sense its translation shows.
extension BuildContext {
    mutating func words(_ template: Template, lang: String, pair: Template.DirectedLanguages?,
                        report: inout TemplateReport, met: inout RequirementEvidence) throws {
        let glossary = try self.dictionary(lang, pair?.target)
        guard !glossary.isEmpty else { return }
        let allowed = Set(template.selector.upos)
        var analysed: Set<ContentID> = []
        // Analysed segments first, with their tokens; then, unless the template filters by part
        // of speech, the others, whose words are found by the splitter and the lemmatiser.
        try session.forEachSegment(lang: lang, translationLang: pair?.target, analysedOnly: true) { segment in
            analysed.insert(segment.id)
            let candidates = WordCandidates.tagged(segment.tokens ?? [], glossary: glossary, allowed: allowed)
            try ask(template, segment, candidates, glossary: glossary, lang: lang, pair: pair, report: &report, met: &met)
        }
        guard allowed.isEmpty else { return }
        try session.forEachSegment(lang: lang, translationLang: pair?.target) { segment in
            guard !analysed.contains(segment.id) else { return }
            let candidates = WordCandidates.untagged(segment.text, lang: lang, glossary: glossary)
            try ask(template, segment, candidates, glossary: glossary, lang: lang, pair: pair, report: &report, met: &met)
        }
    }

    private mutating func ask(_ template: Template, _ segment: SourceSegment, _ found: [WordCandidate], glossary: Glossary,
                              lang: String, pair: Template.DirectedLanguages?,
                              report: inout TemplateReport, met: inout RequirementEvidence) throws {
        met.segments += 1
        if !segment.translations.isEmpty { met.translated += 1 }
        if segment.tokens != nil { met.analysed += 1 }
        let translations = segment.translations.map(\.text)
        // One question per form: a form met twice with different analyses («il a été malade tout
        // l'été»: auxiliary and summer) would leave the question unclear about which is meant, so
        // it is not asked.
        var analyses: [String: Set<String>] = [:]
        for candidate in found {
            analyses[candidate.form.lowercased(), default: []].insert(candidate.lemma + "\u{1F}" + (candidate.upos ?? ""))
        }
        var seen: Set<String> = []
        for candidate in found {
            if candidate.excluded {
                report.skipped[candidate.skip ?? "excluded", default: 0] += 1
                continue
            }
            let form = candidate.form.lowercased()
            guard seen.insert(form).inserted else { continue }
            report.candidates += 1
            if (analyses[form]?.count ?? 0) > 1 {
                report.skipped["form occurs twice with different analyses", default: 0] += 1
                continue
            }
            if let skip = candidate.skip {
                report.skipped[skip, default: 0] += 1
                continue
            }
            let pos: String?, senses: [String]
            switch glossary.lookup(candidate.lemma, upos: candidate.upos, anyPOS: candidate.multiword) {
            case let .found(p, s): (pos, senses) = (p, s)
            case .noEntry:
                report.skipped["no dictionary entry for the lemma", default: 0] += 1
                continue
            case .otherPartOfSpeech:
                report.skipped["dictionary entry for another part of speech", default: 0] += 1
                continue
            case .ambiguousPartOfSpeech:
                report.skipped["untagged word whose entries differ in part of speech", default: 0] += 1
                continue
            }
            met.entries += 1
            if senses.count >= 2 { met.multiSense += 1 }
            let match = translations.isEmpty ? SenseMatch.none : SenseMatcher.match(senses: senses, translations: translations)
            let choice = match.choice
            if choice != nil { met.senseShown += 1 }
            if template.requirements.contains(.translation), translations.isEmpty {
                report.skipped["no translation (the template needs one)", default: 0] += 1
                continue
            }
            if template.requirements.contains(.contextSense) {
                switch match {
                case .chosen: break
                case .none:
                    report.skipped["the translation shows none of the senses", default: 0] += 1
                    continue
                case .ambiguous:
                    report.skipped["the translation shows several senses", default: 0] += 1
                    continue
                }
            }
            if template.requirements.contains(.twoSenses), senses.count < 2 {
                report.skipped["the entry lists one sense", default: 0] += 1
                continue
            }
            report.answered += 1
            report.lemmaMethods[candidate.method.rawValue, default: 0] += 1
            if choice != nil { report.inContext += 1 }
            // Without a translation the item is about the French alone: no pair.
            let itemPair = translations.isEmpty ? nil : pair
            let posClass = candidate.upos ?? PartOfSpeech.main(pos) ?? (candidate.multiword ? "MWE" : "?")
            let lemma = candidate.shown ?? candidate.lemma
            let construction = "\(lemma):\(posClass):\(choice.map { String($0.index + 1) } ?? "*")"
            var bindings = common(segment, lang: lang, pair: itemPair)
            bindings["word"] = candidate.form
            bindings["lemma"] = lemma
            bindings["pos"] = pos ?? ""
            bindings["gloss"] = choice.map { senses[$0.index] } ?? ""
            bindings["senses"] = senses
            bindings["all_senses"] = senses.count == 1 ? senses[0]
                : senses.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; ")
            bindings["sense_number"] = choice.map { String($0.index + 1) } ?? ""
            bindings["in_context"] = choice != nil
            bindings["evidence"] = choice?.evidence ?? ""
            bindings["lemmatised"] = candidate.method != .headword
            bindings["construction"] = construction
            try emit(template, lang: lang, pair: itemPair, bindings: bindings, segments: segmentIDs(segment, pair: itemPair),
                     target: Lexeme(lemma: lemma, lang: lang), defaultConsistency: "lexeme:\(lang):\(construction)",
                     source: segment.id, report: &report)
        }
    }
}

/// The words of a sentence that definition items may ask about, each with its lemma and part of
/// speech, or with the reason it is not asked about.
enum WordCandidates {
    /// Parts of speech never asked about unless a template names them in `upos`.
    static let excludedPOS: [String: String] = [
        "PROPN": "proper noun", "AUX": "auxiliary", "NUM": "numeral",
        "ADP": "function word", "DET": "function word", "PRON": "function word", "CCONJ": "function word",
        "SCONJ": "function word", "PART": "function word", "INTJ": "interjection",
    ]
    /// Verbs that form idioms with a bare noun (`avoir envie`, `mettre en cause`): the noun does
    /// not have its dictionary sense there.
    static let supportVerbs: Set<String> = [
        "avoir", "faire", "prendre", "mettre", "donner", "rendre", "tenir", "porter", "perdre", "prêter", "entrer",
        "passer", "tirer", "remettre", "trouver", "courir", "avoir", "garder", "poser", "livrer", "lancer",
    ]

    /// A sentence's units as written: a contraction (`du` = `de le`) is one unit.
    struct Unit {
        var form: String
        var words: [Int]
        var noSpaceAfter: Bool
    }

    static func base(_ deprel: String) -> Substring { deprel.split(separator: ":").first ?? Substring(deprel) }

    static func tagged(_ tokens: [Token], glossary: Glossary, allowed: Set<String>) -> [WordCandidate] {
        var word: [Int: Token] = [:]
        var units: [Unit] = []
        var covered: Set<Int> = []
        for token in tokens {
            if let range = token.range {
                units.append(Unit(form: token.form, words: Array(range), noSpaceAfter: token.noSpaceAfter))
                covered.formUnion(range)
            } else if let index = token.index {
                word[index] = token
                if !covered.contains(index) { units.append(Unit(form: token.form, words: [index], noSpaceAfter: token.noSpaceAfter)) }
            }
        }
        var children: [Int: [Token]] = [:]
        for token in word.values { if let head = token.head { children[head, default: []].append(token) } }

        // UD's expressions: fixed, flat and compound relations join a word to its head.
        var groupOf: [Int: Int] = [:]
        for (index, _) in word {
            var root = index
            var steps = 0
            while let token = word[root], ["fixed", "flat", "compound"].contains(base(token.deprel)), let head = token.head, head > 0, steps < 16 {
                root = head
                steps += 1
            }
            if root != index { groupOf[index] = root; groupOf[root] = root }
        }
        var groups: [Int: Set<Int>] = [:]
        for (index, root) in groupOf { groups[root, default: []].insert(index) }
        // Light-verb constructions: UD's `:lvc`, and a bare noun after a support verb.
        var lightVerb: [Int: Set<Int>] = [:]
        for (index, token) in word {
            guard let head = token.head, let verb = word[head] else { continue }
            let bare = !(children[index] ?? []).contains { ["det", "nummod"].contains(base($0.deprel)) }
            let viaPreposition = (children[index] ?? []).contains { base($0.deprel) == "case" }
            var isIdiom = token.deprel.hasSuffix(":lvc")
            if !isIdiom, token.upos == "NOUN", bare, verb.upos == "VERB", supportVerbs.contains(verb.lemma.lowercased()) {
                isIdiom = base(token.deprel) == "obj" || (base(token.deprel) == "obl" && viaPreposition)
            }
            if isIdiom { lightVerb[index] = [index, head]; lightVerb[head] = [index, head] }
        }

        // Match units as the dictionary's index writes expressions: an elided word joins the next.
        var keys: [(key: String, units: Range<Int>)] = []
        var pending: (String, Int)?
        for (u, unit) in units.enumerated() {
            let form = Glossary.matchForm(unit.form)
            if unit.form.hasSuffix("'") || unit.form.hasSuffix("’") {
                pending = (form, pending?.1 ?? u)
                continue
            }
            if let (prefix, start) = pending {
                keys.append((prefix + form, start..<(u + 1)))
                pending = nil
            } else if !form.isEmpty {
                keys.append((form, u..<(u + 1)))
            }
        }

        func surface(_ range: Range<Int>) -> String {
            var out = ""
            for u in range {
                out += units[u].form
                if u + 1 < range.upperBound, !units[u].noSpaceAfter, !(units[u].form.hasSuffix("'") || units[u].form.hasSuffix("’")) { out += " " }
            }
            return out
        }

        var out: [WordCandidate] = []
        var reported: Set<Int> = []
        var k = 0
        while k < keys.count {
            // The longest multiword headword starting here; the first word may match by lemma.
            if allowed.isEmpty, let (length, headword, unitRange) = expression(at: k, keys: keys, units: units, word: word, groupOf: groupOf,
                                                                       groups: groups, glossary: glossary) {
                out.append(WordCandidate(form: surface(unitRange), lemma: headword, upos: nil, method: .headword, multiword: true))
                k += length
                continue
            }
            for u in keys[k].units {
                let unit = units[u]
                guard unit.words.count == 1, let index = unit.words.first, let token = word[index] else {
                    // A contraction (`au`, `du`): function words joined in writing.
                    if allowed.isEmpty { out.append(WordCandidate(form: unit.form, lemma: "", method: .treebank, skip: "function word", excluded: true)) }
                    continue
                }
                if ["PUNCT", "SYM"].contains(token.upos) { continue }
                if !allowed.isEmpty, !allowed.contains(token.upos) { continue }
                var candidate = WordCandidate(form: token.form, lemma: token.lemma.lowercased(), upos: token.upos, method: .treebank)
                if let reason = exclusion(token, allowed: allowed) {
                    candidate.skip = reason
                    candidate.excluded = true
                } else if let group = groupOf[index].flatMap({ groups[$0] }), group.count > 1 {
                    // Counted once per expression.
                    if !reported.isDisjoint(with: group) { continue }
                    reported.formUnion(group)
                    candidate.form = surface(unitRange(of: group, units: units))
                    candidate.skip = "multiword expression not in the dictionary"
                } else if let pair = lightVerb[index] {
                    if !reported.isDisjoint(with: pair) { continue }
                    reported.formUnion(pair)
                    candidate.skip = "light-verb idiom not in the dictionary"
                } else if token.upos == "ADJ", ["obl", "advmod"].contains(base(token.deprel)),
                          (children[index] ?? []).contains(where: { base($0.deprel) == "case" }) {
                    candidate.skip = "adverbial phrase (preposition and adjective)"
                } else if token.lemma == "_" || token.lemma.isEmpty {
                    candidate.skip = "no lemma in the analysis"
                } else if token.upos == "VERB", (children[index] ?? []).contains(where: { $0.deprel == "expl:pv" }) {
                    // A pronominal verb (`il s'agit`) has its own entry, or is not asked about.
                    if let (key, shown) = pronominal(token.lemma.lowercased(), glossary: glossary) {
                        candidate.lemma = key
                        candidate.shown = shown
                    } else {
                        candidate.skip = "pronominal verb not in the dictionary"
                    }
                }
                out.append(candidate)
            }
            k += 1
        }
        return out
    }

    /// The entry of a pronominal verb: `se laver`, `s'agir` (or FreeDict's index spelling `sagir`).
    static func pronominal(_ lemma: String, glossary: Glossary) -> (key: String, shown: String)? {
        let elided = lemma.first.map { "aeiouyéèêâîôûh".contains($0) } ?? false
        let shown = elided ? "s'" + lemma : "se " + lemma
        for key in [shown, elided ? "s’" + lemma : shown, elided ? "s" + lemma : shown] where glossary.entries[key] != nil {
            return (key, shown)
        }
        return nil
    }

    /// Units spanned by a set of word numbers, from the first to the last.
    static func unitRange(of words: Set<Int>, units: [Unit]) -> Range<Int> {
        let indices = units.indices.filter { !Set(units[$0].words).isDisjoint(with: words) }
        guard let first = indices.first, let last = indices.last else { return 0..<0 }
        return first..<(last + 1)
    }

    /// The longest multiword headword at key `k`: its length in keys, its headword key, its units.
    /// Refused when it would cut a UD expression in two, starts with an auxiliary, or holds a proper noun.
    static func expression(at k: Int, keys: [(key: String, units: Range<Int>)], units: [Unit], word: [Int: Token],
                           groupOf: [Int: Int], groups: [Int: Set<Int>], glossary: Glossary) -> (Int, String, Range<Int>)? {
        var firsts = [keys[k].key]
        let firstWords = keys[k].units.flatMap { units[$0].words }
        if firstWords.count == 1, let token = firstWords.first.flatMap({ word[$0] }), token.upos != "AUX",
           ["VERB", "NOUN", "ADJ"].contains(token.upos), token.lemma != "_" {
            let lemma = Glossary.matchForm(token.lemma)
            if lemma != keys[k].key { firsts.append(lemma) }
        }
        for first in firsts {
            for list in glossary.multiword[first] ?? [] where k + list.count <= keys.count {
                guard (1..<list.count).allSatisfy({ keys[k + $0].key == list[$0] }) else { continue }
                let span = keys[k].units.lowerBound..<keys[k + list.count - 1].units.upperBound
                let spanWords = Set(span.flatMap { units[$0].words })
                if firstWords.first.flatMap({ word[$0] })?.upos == "AUX" { continue }
                if spanWords.contains(where: { word[$0]?.upos == "PROPN" }) { continue }
                // At least one content word: `de la`, `tout le` are function words, not expressions.
                if !spanWords.contains(where: { ["NOUN", "VERB", "ADJ", "ADV"].contains(word[$0]?.upos ?? "") }) { continue }
                let cuts = spanWords.contains { index in
                    guard let group = groupOf[index].flatMap({ groups[$0] }) else { return false }
                    return !group.isSubset(of: spanWords)
                }
                if cuts { continue }
                guard let headword = glossary.multiwordKeys[list.joined(separator: " ")] else { continue }
                return (list.count, headword, span)
            }
        }
        return nil
    }

    /// Why a word is never asked about (unless the template's `upos` names its part of speech).
    static func exclusion(_ token: Token, allowed: Set<String>) -> String? {
        if token.features["Typo"] == "Yes" { return "typo in the treebank" }
        if token.features["Foreign"] == "Yes" || token.deprel == "flat:foreign" { return "foreign word" }
        if allowed.contains(token.upos) { return nil }
        if ["aux", "cop"].contains(base(token.deprel)) { return "auxiliary" }
        return excludedPOS[token.upos]
    }

    /// Untagged text: words found by the splitter; lemma and part of speech from the store's
    /// treebanks where they know the form, else from the lemmatiser's headwords and rules.
    static func untagged(_ text: String, lang: String, glossary: Glossary) -> [WordCandidate] {
        let words = WordSplitter.words(text)
        let keys = words.map { Glossary.matchForm($0) }
        var out: [WordCandidate] = []
        var index = 0
        while index < words.count {
            let form = words[index]
            // A multiword headword, by forms (the first may be lemmatised).
            var firsts = [keys[index]]
            if let lemma = glossary.lemmatizer.analysis(of: form)?.lemma ?? glossary.lemmatizer.lemma(of: form)?.lemma {
                firsts.append(Glossary.matchForm(lemma))
            }
            var matched: (Int, String)?
            search: for first in firsts {
                for list in glossary.multiword[first] ?? [] where index + list.count <= words.count
                    && (1..<list.count).allSatisfy({ keys[index + $0] == list[$0] })
                    && words[index..<(index + list.count)].contains(where: { $0.count > 2 && !StopWords.contains($0, lang: lang) }) {
                    if let headword = glossary.multiwordKeys[list.joined(separator: " ")] { matched = (list.count, headword); break search }
                }
            }
            if let (length, headword) = matched {
                out.append(WordCandidate(form: words[index..<(index + length)].joined(separator: " "), lemma: headword, upos: nil,
                                         method: .headword, multiword: true))
                index += length
                continue
            }
            defer { index += 1 }
            if form.count <= 2 || StopWords.contains(form, lang: lang) {
                out.append(WordCandidate(form: form, lemma: "", method: .headword, skip: "function word", excluded: true))
                continue
            }
            if StopWords.isNumber(form, lang: lang) {
                out.append(WordCandidate(form: form, lemma: "", method: .headword, skip: "numeral", excluded: true))
                continue
            }
            if index > 0, form.first?.isUppercase ?? false {
                out.append(WordCandidate(form: form, lemma: "", method: .headword, skip: "proper noun", excluded: true))
                continue
            }
            if let analysis = glossary.lemmatizer.analysis(of: form) {
                if let reason = excludedPOS[analysis.upos] {
                    out.append(WordCandidate(form: form, lemma: analysis.lemma, upos: analysis.upos, method: .lexicon, skip: reason, excluded: true))
                } else {
                    out.append(WordCandidate(form: form, lemma: analysis.lemma, upos: analysis.upos, method: .lexicon))
                }
                continue
            }
            if let (lemma, method, upos) = glossary.lemmatizer.analysis(rules: form) {
                // A suffix rule's verb ending picks the verb entry; a nominal one, whichever fits.
                out.append(WordCandidate(form: form, lemma: lemma, upos: upos == "VERB" ? "VERB" : nil, method: method))
            } else {
                out.append(WordCandidate(form: form, lemma: form.lowercased(), upos: nil, method: .headword, skip: "no dictionary entry for the lemma"))
            }
        }
        return out
    }
}
