/// A word asked about: its lemma in a language (DESIGN isolation link 5, "same target lexeme").
public struct Lexeme: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var lemma: String
    /// Primary language subtag.
    public var lang: String

    public init(lemma: String, lang: String) {
        self.lemma = lemma
        self.lang = lang
    }

    public var description: String { "\(lang):\(lemma)" }
    public static func < (l: Lexeme, r: Lexeme) -> Bool { (l.lang, l.lemma) < (r.lang, r.lemma) }
}

/// One question about one or more segments, made from one template (DESIGN "Identity").
///
/// Its id is derived from the template id and version and the values bound into it, so the same
/// store and templates give the same ids whatever order anything was read in.
public struct Item: Hashable, Sendable, Codable {
    public var id: ContentID
    public var template: String
    public var templateVersion: Int
    /// The category of knowledge asked about: `definition`, `grammar`, `tone`, or a user's own.
    public var category: String
    /// Primary language of the segment asked about (the source segment).
    public var lang: String
    /// `fr-en`: source language, then the language of the translation shown or asked for; nil
    /// for a monolingual item.
    public var pair: String?
    public var question: String
    /// The gold answer, when the answer source has one.
    public var answer: String?
    /// Criteria a person who does not speak the source language can check.
    public var rubric: [String]
    /// The segments the item is about; the first is the source segment.
    public var segments: [ContentID]
    public var target: Lexeme?
    public var consistencyGroup: String?
    /// Reading grade of the source segment (US grade scale), nil when ungradable or not graded.
    public var grade: Double?
    /// Domain of the source segment, when known.
    public var domain: String?
    /// Where ``domain`` comes from: `metadata` (declared by the corpus or unit) or `classifier`
    /// (predicted); nil without a domain.
    public var domainSource: String?
    /// The domain's confidence: for metadata the share of occurrences that agree, for the
    /// classifier its posterior probability.
    public var domainConfidence: Double?

    public init(template: String, templateVersion: Int, boundValues: [String: String], category: String,
                lang: String, pair: String?, question: String, answer: String?, rubric: [String],
                segments: [ContentID], target: Lexeme? = nil, consistencyGroup: String? = nil,
                grade: Double? = nil, domain: String? = nil) {
        self.id = Item.id(template: template, version: templateVersion, boundValues: boundValues)
        self.template = template
        self.templateVersion = templateVersion
        self.category = category
        self.lang = lang
        self.pair = pair
        self.question = question
        self.answer = answer
        self.rubric = rubric
        self.segments = segments
        self.target = target
        self.consistencyGroup = consistencyGroup
        self.grade = grade
        self.domain = domain
    }

    /// SHA-256 over the template id, its version and the bound values in key order.
    public static func id(template: String, version: Int, boundValues: [String: String]) -> ContentID {
        var fields = [template, String(version)]
        for key in boundValues.keys.sorted() {
            fields.append(key)
            fields.append(boundValues[key] ?? "")
        }
        return ContentID(hashing: fields)
    }

    enum CodingKeys: String, CodingKey {
        case id, template, category, lang, pair, question, answer, rubric, segments, target, grade, domain
        case domainSource = "domain_source", domainConfidence = "domain_confidence"
        case templateVersion = "template_version"
        case consistencyGroup = "consistency_group"
    }
}
