import Foundation

/// One line of a split's `train.jsonl`, `dev.jsonl` or `test.jsonl` (DESIGN "Outputs").
///
/// The first block of fields is DESIGN's record. The second block is what the audit needs to
/// re-derive leaks without trusting the splitter's grouping; the splitter should write them:
///
/// - `segments`: ids (32 hex digits) of every store segment the item is about — the source
///   sentence, its translation, any context sentence. With a store, the audit follows them to
///   alignment groups (translations, pivots included) and documents.
/// - `documents`: document keys, `CORPUS/DOCUMENT` (corpus name as in the store, then the
///   document name; `CORPUS/` when the corpus has no documents). Opaque to the audit: compared
///   for equality only, so another tool may use any stable key.
/// - `target`: the lexeme a question asks about (lemma + language), e.g. a definition of
///   *défendre*. Compared on the primary language subtag and the NFC, lower-cased lemma.
///
/// Decoding is lenient, so files written by other tools can be audited: unknown fields are
/// ignored, every field but none is optional (`id` defaults to empty, and the audit then names
/// the record by file and line), and scalars where a string is expected (a numeric `answer` or
/// `consistency_group`) are read as their JSON text. Encoding writes DESIGN's fields always
/// (`null` when absent, as in DESIGN's example) and the audit fields only when present.
public struct DatasetRecord: Codable, Sendable, Hashable {
    public struct Source: Codable, Sendable, Hashable {
        public var lang: String?
        public var text: String?
        public var translation: String?

        public init(lang: String? = nil, text: String? = nil, translation: String? = nil) {
            self.lang = lang
            self.text = text
            self.translation = translation
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            lang = try c.decodeLenientString(.lang)
            text = try c.decodeLenientString(.text)
            translation = try c.decodeLenientString(.translation)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lang, forKey: .lang)
            try c.encode(text, forKey: .text)
            try c.encode(translation, forKey: .translation)
        }

        enum CodingKeys: String, CodingKey { case lang, text, translation }
    }

    /// One chat message. `content` may be a string or, as in OpenAI's format, an array of parts
    /// whose `text` fields are then joined with newlines.
    public struct Message: Codable, Sendable, Hashable {
        public var role: String?
        public var content: String?

        public init(role: String?, content: String?) {
            self.role = role
            self.content = content
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try c.decodeLenientString(.role)
            if let parts = try? c.decodeIfPresent([Part].self, forKey: .content) {
                content = parts.compactMap(\.text).joined(separator: "\n")
            } else {
                content = try c.decodeLenientString(.content)
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(content, forKey: .content)
        }

        struct Part: Decodable { var text: String? }
        enum CodingKeys: String, CodingKey { case role, content }
    }

    /// The word a question asks about: lemma and language.
    public struct Lexeme: Codable, Sendable, Hashable {
        public var lemma: String
        public var lang: String

        public init(lemma: String, lang: String) {
            self.lemma = lemma
            self.lang = lang
        }

        /// The comparison key: primary language subtag and NFC, lower-cased lemma, so `fr-CA`
        /// *Défendre* and `fr` *défendre* are one lexeme (diacritics are kept: *pêche* ≠ *péché*).
        public var key: String {
            let primary = LanguageTag(lang)?.primary ?? lang.lowercased()
            return primary + ":" + TextNormalization.normalize(lemma).lowercased()
        }
    }

    // DESIGN "Outputs"
    public var id: String
    public var partition: String?
    public var column: String?
    public var role: String?
    public var category: String?
    public var pair: String?
    public var band: String?
    public var domain: String?
    public var question: String?
    public var answer: String?
    public var rubric: [String]?
    public var source: Source?
    public var consistencyGroup: String?
    public var messages: [Message]?
    // For the audit (see the type's documentation).
    public var segments: [String]?
    public var documents: [String]?
    public var target: Lexeme?

    public init(id: String, partition: String? = nil, column: String? = nil, role: String? = nil,
                category: String? = nil, pair: String? = nil, band: String? = nil, domain: String? = nil,
                question: String? = nil, answer: String? = nil, rubric: [String]? = nil, source: Source? = nil,
                consistencyGroup: String? = nil, messages: [Message]? = nil, segments: [String]? = nil,
                documents: [String]? = nil, target: Lexeme? = nil) {
        self.id = id
        self.partition = partition
        self.column = column
        self.role = role
        self.category = category
        self.pair = pair
        self.band = band
        self.domain = domain
        self.question = question
        self.answer = answer
        self.rubric = rubric
        self.source = source
        self.consistencyGroup = consistencyGroup
        self.messages = messages
        self.segments = segments
        self.documents = documents
        self.target = target
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, partition, column, role, category, pair, band, domain, question, answer, rubric, source
        case consistencyGroup = "consistency_group"
        case messages, segments, documents, target
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeLenientString(.id) ?? ""
        partition = try c.decodeLenientString(.partition)
        column = try c.decodeLenientString(.column)
        role = try c.decodeLenientString(.role)
        category = try c.decodeLenientString(.category)
        pair = try c.decodeLenientString(.pair)
        band = try c.decodeLenientString(.band)
        domain = try c.decodeLenientString(.domain)
        question = try c.decodeLenientString(.question)
        answer = try c.decodeLenientString(.answer)
        if let list = try? c.decodeIfPresent([String].self, forKey: .rubric) {
            rubric = list
        } else {
            rubric = try c.decodeLenientString(.rubric).map { [$0] }
        }
        source = try? c.decodeIfPresent(Source.self, forKey: .source)
        consistencyGroup = try c.decodeLenientString(.consistencyGroup)
        messages = try? c.decodeIfPresent([Message].self, forKey: .messages)
        segments = try? c.decodeIfPresent([String].self, forKey: .segments)
        documents = try? c.decodeIfPresent([String].self, forKey: .documents)
        target = try? c.decodeIfPresent(Lexeme.self, forKey: .target)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(partition, forKey: .partition)
        try c.encode(column, forKey: .column)
        try c.encode(role, forKey: .role)
        try c.encode(category, forKey: .category)
        try c.encode(pair, forKey: .pair)
        try c.encode(band, forKey: .band)
        try c.encode(domain, forKey: .domain)
        try c.encode(question, forKey: .question)
        try c.encode(answer, forKey: .answer)
        try c.encode(rubric, forKey: .rubric)
        try c.encode(source, forKey: .source)
        try c.encode(consistencyGroup, forKey: .consistencyGroup)
        try c.encode(messages, forKey: .messages)
        try c.encodeIfPresent(segments, forKey: .segments)
        try c.encodeIfPresent(documents, forKey: .documents)
        try c.encodeIfPresent(target, forKey: .target)
    }
}

extension KeyedDecodingContainer {
    /// A string, or the JSON text of a number or boolean; `nil` for null, absent or anything else.
    func decodeLenientString(_ key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let s = try? decode(String.self, forKey: key) { return s }
        if let i = try? decode(Int64.self, forKey: key) { return String(i) }
        if let d = try? decode(Double.self, forKey: key) { return String(d) }
        if let b = try? decode(Bool.self, forKey: key) { return b ? "true" : "false" }
        return nil
    }
}
