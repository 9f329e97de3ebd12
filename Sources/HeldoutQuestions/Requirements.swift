import HeldoutCore
import HeldoutStore

/// What the data showed of a template's requirements while its items were made (word selector),
/// so that a template that made nothing can say which input was missing.
struct RequirementEvidence {
    var segments = 0
    var translated = 0
    var analysed = 0
    /// Words whose entry was found.
    var entries = 0
    /// Of those, entries listing at least two senses.
    var multiSense = 0
    /// Words whose sense the translation showed.
    var senseShown = 0
}

/// Question → answer of the items stored in one run, per template, as 64-bit digests (memory
/// stays small on millions of items). A reference type, so that rendering stays non-mutating.
final class QuestionLedger {
    enum Outcome { case new, sameAnswer, otherAnswer }
    private var answers: [String: [UInt64: UInt64]] = [:]

    func record(template: String, question: String, answer: String) -> Outcome {
        let q = Self.digest(question), a = Self.digest(answer)
        if let known = answers[template]?[q] { return known == a ? .sameAnswer : .otherAnswer }
        answers[template, default: [:]][q] = a
        return .new
    }

    /// FNV-1a over the UTF-8 bytes: the same digest in every run, unlike `Hasher`.
    static func digest(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// Stops a scan of the store at the first segment that answers a probe.
private struct FoundOne: Error {}

extension BuildContext {
    /// The template's requirements that no segment met, with what is missing; called when the
    /// template made no item.
    mutating func unmetRequirements(_ template: Template, targets: [(lang: String, pair: Template.DirectedLanguages?)],
                                    met: RequirementEvidence) throws -> [UnmetRequirement] {
        var out: [UnmetRequirement] = []
        for requirement in template.requirements.sorted() {
            for (lang, pair) in targets {
                let name = LanguageNames.name(lang)
                let target = pair.map { LanguageNames.name($0.target) } ?? "another language"
                var reason: String?
                switch requirement {
                case .dictionary:
                    if try dictionary(lang, pair?.target).isEmpty {
                        reason = "the store has no \(lang)-\(pair?.target ?? "*") dictionary (ingest one, e.g. FreeDict)"
                    }
                case .translation:
                    let seen = template.selector.kind == .word && met.segments > 0 ? met.translated > 0 : try anySegment(lang, translation: pair?.target)
                    if !seen { reason = "no \(name) segment has a translation into \(target) (monolingual data)" }
                case .tokens:
                    let seen = template.selector.kind == .word && met.analysed > 0 ? true : try anyAnalysed(lang)
                    if !seen { reason = "no \(name) segment has a treebank analysis (ingest CoNLL-U)" }
                case .label:
                    let name = template.selector.label ?? "?"
                    if try !anyLabelled(lang, label: name) { reason = "no \(LanguageNames.name(lang)) segment carries the label \(name)" }
                case .twoSenses:
                    if met.entries > 0, met.multiSense == 0 {
                        reason = "none of the \(met.entries) words found in the dictionary has an entry with two senses or more"
                    }
                case .contextSense:
                    if met.translated > 0, met.entries > 0, met.senseShown == 0 {
                        reason = "no translation shows one listed sense of a word"
                    }
                }
                if let reason { out.append(UnmetRequirement(requirement: requirement, reason: reason)) }
            }
        }
        return out
    }

    private func anySegment(_ lang: String, translation: String?) throws -> Bool {
        guard let translation else { return false }
        do {
            try session.forEachSegment(lang: lang, translationLang: translation) { if !$0.translations.isEmpty { throw FoundOne() } }
        } catch is FoundOne { return true }
        return false
    }

    private func anyAnalysed(_ lang: String) throws -> Bool {
        do {
            try session.forEachSegment(lang: lang, translationLang: nil, analysedOnly: true) { _ in throw FoundOne() }
        } catch is FoundOne { return true }
        return false
    }

    private func anyLabelled(_ lang: String, label: String) throws -> Bool {
        do {
            try session.forEachLabelledSegment(label: label, lang: lang, translationLang: nil) { _ in throw FoundOne() }
        } catch is FoundOne { return true }
        return false
    }
}
