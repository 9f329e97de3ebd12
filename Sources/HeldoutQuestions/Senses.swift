import HeldoutCore

/// Chooses the sense a word has in its sentence, from the sentence's translation.
///
/// A dictionary lists senses (`pont`: 1. deck, 2. bridge); the aligned translation says which one
/// the sentence means when it contains one of a sense's glosses (*le vieux pont* / *the old
/// bridge* → bridge). Glosses and translation are compared as English stems, word sequence by word
/// sequence; the first sense in dictionary order that matches wins, so the choice does not depend
/// on anything but the dictionary and the texts.
public struct SenseChoice: Sendable, Equatable {
    /// 0-based index into the senses.
    public var index: Int
    /// The translation's words that matched, as written there; nil when no sense matched and the
    /// first sense was taken.
    public var evidence: String?
}

public enum SenseMatcher {
    public static func choose(senses: [String], translations: [String]) -> SenseChoice {
        let texts = translations.map { text in
            let words = text.split(whereSeparator: { !$0.isLetter && $0 != "-" }).map(String.init)
            return (words: words, stems: words.map(EnglishStem.stem))
        }
        for (index, sense) in senses.enumerated() {
            for alternative in alternatives(of: sense) {
                let needle = EnglishStem.stems(alternative)
                guard !needle.isEmpty else { continue }
                for text in texts where text.stems.count >= needle.count {
                    for start in 0...(text.stems.count - needle.count)
                    where Array(text.stems[start..<(start + needle.count)]) == needle {
                        return SenseChoice(index: index, evidence: text.words[start..<(start + needle.count)].joined(separator: " "))
                    }
                }
            }
        }
        return SenseChoice(index: 0, evidence: nil)
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
