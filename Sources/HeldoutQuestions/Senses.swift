import HeldoutCore

/// The sense a word has in its sentence, as its aligned translation shows it.
///
/// A dictionary lists senses (`pont`: 1. deck, 2. bridge); the aligned translation says which one
/// the sentence means when it contains one of a sense's glosses (*le vieux pont* / *the old
/// bridge* → bridge). Glosses and translation are compared as English stems, word sequence by word
/// sequence. A sense is claimed only when exactly one sense matches: no translation, no match, or
/// glosses of two senses in the translation all leave the sense unknown.
public struct SenseChoice: Sendable, Equatable {
    /// 0-based index into the senses.
    public var index: Int
    /// The translation's words that matched, as written there.
    public var evidence: String
}

public enum SenseMatch: Sendable, Equatable {
    /// One sense, and the translation's words that show it.
    case chosen(SenseChoice)
    /// Glosses of several senses occur in the translation (their 0-based indices).
    case ambiguous([Int])
    /// No translation, or none of the glosses occurs in it.
    case none

    public var choice: SenseChoice? {
        if case let .chosen(choice) = self { return choice }
        return nil
    }
}

public enum SenseMatcher {
    public static func match(senses: [String], translations: [String]) -> SenseMatch {
        let texts = translations.map { text in
            let words = text.split(whereSeparator: { !$0.isLetter && $0 != "-" }).map(String.init)
            return (words: words, stems: words.map(EnglishStem.stem))
        }
        var found: [(index: Int, evidence: String)] = []
        for (index, sense) in senses.enumerated() {
            search: for alternative in alternatives(of: sense) {
                let needle = EnglishStem.stems(alternative)
                guard !needle.isEmpty else { continue }
                for text in texts where text.stems.count >= needle.count {
                    for start in 0...(text.stems.count - needle.count)
                    where Array(text.stems[start..<(start + needle.count)]) == needle {
                        found.append((index, text.words[start..<(start + needle.count)].joined(separator: " ")))
                        break search
                    }
                }
            }
        }
        switch found.count {
        case 0: return .none
        case 1: return .chosen(SenseChoice(index: found[0].index, evidence: found[0].evidence))
        default: return .ambiguous(found.map(\.index))
        }
    }

    /// `to defend, protect (sb.)` → [`defend`, `protect`]: synonyms split at `,`/`;`/`/`, remarks in
    /// parentheses dropped, a leading infinitive `to` and articles dropped, function words ignored.
    static func alternatives(of sense: String) -> [String] {
        var cleaned = ""
        var depth = 0
        for character in sense {
            if character == "(" || character == "[" { depth += 1; continue }
            if character == ")" || character == "]" { depth = max(0, depth - 1); continue }
            if depth == 0 { cleaned.append(character) }
        }
        return cleaned.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "/" }).compactMap { part in
            var words = part.split(separator: " ").map { String($0).lowercased() }
            while let first = words.first, ["to", "a", "an", "the"].contains(first) { words.removeFirst() }
            words = words.filter { !StopWords.contains($0, lang: "en") || words.count == 1 }
            return words.isEmpty ? nil : words.joined(separator: " ")
        }
    }
}

/// Dictionary markup removed from a sense before it reaches a question or an answer.
///
/// FreeDict and other dictionaries carry cross-references (`see: {Einzelteile}`), grammar codes in
/// braces or angle brackets (`{f}`, `{pl}`, `<vt>`), and braces around words. A sense is what is
/// left: cross-references and codes dropped, other braces unwrapped, separators tidied. A sense
/// that was nothing but markup is dropped (nil). A sense listing synonyms (`dial, disc, record`)
/// stays one sense.
public enum SenseText {
    /// Grammar codes written in braces: `{f}`, `{m,pl}`, `{vt}`, `{adj}`, `{Br.}`.
    static let codes: Set<String> = [
        "f", "m", "n", "nt", "pl", "sg", "sing", "plur", "adj", "adv", "v", "vt", "vi", "vr", "prp", "prep", "conj",
        "pron", "num", "art", "interj", "int", "ugs", "coll", "fam", "fig", "br", "am", "obs", "old", "slang", "vulg",
        "past", "p", "pp", "pres", "inf", "masc", "fem", "neut", "abbr", "abk", "sb", "sth", "jd", "etw", "refl",
    ]

    public static func clean(_ raw: String) -> String? {
        var text = ""
        var index = raw.startIndex
        while index < raw.endIndex {
            let character = raw[index]
            // A cross-reference: `see: {X}`, `see also {X}`, `cf. {X}`, `syn: {X}` up to its closing brace.
            if let reference = crossReference(in: raw, at: index) {
                index = reference
                continue
            }
            switch character {
            case "<":
                // `<vt>`, `<n, masc>`: a grammar code, dropped with its content.
                index = raw[index...].firstIndex(of: ">").map { raw.index(after: $0) } ?? raw.endIndex
                continue
            case "{":
                guard let close = raw[index...].firstIndex(of: "}") else { index = raw.index(after: index); continue }
                let inner = raw[raw.index(after: index)..<close]
                if !isCode(inner) { text += inner }
                index = raw.index(after: close)
                continue
            case "[":
                // `[geogr.] Bosnian`, `[einmaliger] mistake`: a usage or domain remark, dropped.
                index = raw[index...].firstIndex(of: "]").map { raw.index(after: $0) } ?? raw.endIndex
                continue
            case "}", ">", "]":
                index = raw.index(after: index)
                continue
            default:
                text.append(character)
                index = raw.index(after: index)
            }
        }
        // Tidy: whitespace collapsed, empty list items and separators at the ends dropped.
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            .filter { !$0.isEmpty && $0 != "()" && $0 != "[]" }
        var out = parts.joined(separator: ", ")
        while let last = out.last, ",;:/".contains(last) || last.isWhitespace { out.removeLast() }
        while let first = out.first, ",;:/".contains(first) || first.isWhitespace { out.removeFirst() }
        out = out.replacingOccurrences(of: "()", with: "").replacingOccurrences(of: "  ", with: " ")
        return out.contains(where: \.isLetter) ? out : nil
    }

    /// Cleaned senses, in order, empty and repeated ones dropped, and the lines some
    /// dictionaries (FreeDict's Ding-derived deu-eng) list among senses that are not senses:
    /// `Synonyms: …`, `Note: …`, and usage examples (`"er/sie benötigt" - he/she needs`).
    public static func clean(senses: [String]) -> [String] {
        var out: [String] = []
        for sense in senses where !isNotASense(sense) {
            if let cleaned = clean(sense), !out.contains(cleaned) { out.append(cleaned) }
        }
        return out
    }

    static let metadataPrefixes = ["synonym:", "synonyms:", "note:", "notes:", "example:", "examples:", "see also:", "antonym:", "antonyms:"]

    static func isNotASense(_ raw: String) -> Bool {
        let trimmed = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if metadataPrefixes.contains(where: { trimmed.hasPrefix($0) }) { return true }
        // An example: a quoted phrase and its translation.
        if let first = trimmed.first, "\"„“«".contains(first), trimmed.contains(" - ") { return true }
        return false
    }

    static func isCode(_ inner: Substring) -> Bool {
        let parts = inner.lowercased().split(whereSeparator: { $0 == "," || $0 == "." || $0 == " " || $0 == ";" })
        return !parts.isEmpty && parts.allSatisfy { codes.contains(String($0)) }
    }

    /// Where a cross-reference starting at `index` ends, or nil when none starts there.
    static func crossReference(in text: String, at index: String.Index) -> String.Index? {
        // Only at a word start.
        if index > text.startIndex, text[text.index(before: index)].isLetter { return nil }
        let rest = text[index...].lowercased()
        for marker in ["see also", "see", "cf.", "cf", "syn", "compare", "→"] where rest.hasPrefix(marker) {
            var cursor = text.index(index, offsetBy: marker.count)
            while cursor < text.endIndex, text[cursor] == ":" || text[cursor] == " " { cursor = text.index(after: cursor) }
            guard cursor < text.endIndex, text[cursor] == "{" else { continue }
            guard let close = text[cursor...].firstIndex(of: "}") else { return text.endIndex }
            var end = text.index(after: close)
            // A list of references: `see: {a}, {b}`.
            while true {
                var probe = end
                while probe < text.endIndex, text[probe] == "," || text[probe] == " " { probe = text.index(after: probe) }
                guard probe < text.endIndex, text[probe] == "{", let next = text[probe...].firstIndex(of: "}") else { break }
                end = text.index(after: next)
            }
            return end
        }
        return nil
    }
}
