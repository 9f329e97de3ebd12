/// Universal Dependencies morphological features (`Gender=Fem|Number=Sing`), kept sorted by name
/// so that two spellings of one analysis compare equal and print the same.
public struct Features: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Name → value, e.g. `Tense` → `Imp`.
    public private(set) var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// Parses the FEATS column; `_` is no features. Returns nil when a pair has no `=`.
    public init?(conllu raw: String) {
        var values: [String: String] = [:]
        if raw != "_" && !raw.isEmpty {
            for pair in raw.split(separator: "|") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
                values[String(parts[0])] = String(parts[1])
            }
        }
        self.values = values
    }

    public subscript(name: String) -> String? { values[name] }
    public var isEmpty: Bool { values.isEmpty }

    /// The CoNLL-U spelling: sorted `Name=Value` joined by `|`, or `_`.
    public var description: String {
        values.isEmpty ? "_" : values.keys.sorted().map { "\($0)=\(values[$0] ?? "")" }.joined(separator: "|")
    }

    public static func < (l: Features, r: Features) -> Bool { l.description < r.description }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Features(conllu: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not CoNLL-U features: \(raw)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// One word of an analysed sentence, as CoNLL-U gives it. A multiword token (`au` = `à le`) is
/// kept as its own token with a range id (`3-4`) and no analysis, so the surface can be rebuilt.
public struct Token: Hashable, Sendable, Codable {
    /// `7`, or `3-4` for a multiword token.
    public var id: String
    public var form: String
    public var lemma: String
    /// Universal part of speech (`VERB`); `_` for a multiword token.
    public var upos: String
    public var features: Features
    /// The id of the head word, 0 for the root; nil for a multiword token.
    public var head: Int?
    public var deprel: String
    /// `SpaceAfter=No` in MISC: no space follows this token in the sentence text.
    public var noSpaceAfter: Bool

    public init(id: String, form: String, lemma: String, upos: String, features: Features = Features(),
                head: Int?, deprel: String, noSpaceAfter: Bool = false) {
        self.id = id
        self.form = form
        self.lemma = lemma
        self.upos = upos
        self.features = features
        self.head = head
        self.deprel = deprel
        self.noSpaceAfter = noSpaceAfter
    }

    /// The word number of a syntactic word; nil for a multiword token.
    public var index: Int? { Int(id) }

    /// The word numbers a multiword token spans (`3-4` → 3...4); nil for a syntactic word.
    public var range: ClosedRange<Int>? {
        let parts = id.split(separator: "-")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a <= b else { return nil }
        return a...b
    }
}

/// One entry of a bilingual dictionary: a headword and its senses in order, each sense a gloss in
/// the target language (`défendre` → [`defend`], `pont` → [`deck`, `bridge`]).
public struct DictionaryEntry: Hashable, Sendable, Codable {
    public var headword: String
    /// Part of speech as the dictionary writes it (`v`, `n, masc`), when it gives one.
    public var pos: String?
    /// Glosses, one per sense, in the dictionary's order; a sense may list synonyms (`defence, defense`).
    public var senses: [String]
    /// Primary language subtags.
    public var sourceLang: String
    public var targetLang: String
    public var location: SourceLocation?

    public init(headword: String, pos: String? = nil, senses: [String], sourceLang: String, targetLang: String,
                location: SourceLocation? = nil) {
        self.headword = headword
        self.pos = pos
        self.senses = senses
        self.sourceLang = sourceLang
        self.targetLang = targetLang
        self.location = location
    }

    /// The lookup key: NFC, lowercased, whitespace collapsed.
    public static func key(_ word: String) -> String {
        TextNormalization.normalize(word).lowercased()
    }

    enum CodingKeys: String, CodingKey {
        case headword, pos, senses
        case sourceLang = "source_lang"
        case targetLang = "target_lang"
    }
}
