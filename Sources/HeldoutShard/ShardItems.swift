import Foundation
import HeldoutCore
import HeldoutQuestions
import HeldoutStore

/// `heldout map items`: segment bundles in, the questions stage's items out, through
/// ``QuestionBuilder/run(source:)`` over a shard (``ShardAnswerSource``), with an order key that
/// makes "first kept" a deterministic reduce (``ShardItems/reduce(_:)``).
public enum ShardItems {
    /// One segment with everything the `translation` and `label` selectors read about it.
    /// A line on stdin:
    /// `{"id":HEX,"lang":"fr","text":"…","group":HEX|null,"labels":{"tone":["polite"]},
    ///   "grade":7.1|null,"domain":"…"|null,"domain_source":"metadata"|"classifier"|null,"domain_confidence":0.9|null,
    ///   "members":[{"id":HEX,"lang":"en","text":"…","grade":…,"domain":…,"domain_source":…,"domain_confidence":…}]}`
    /// `members` are the other segments of the alignment group (the bundle's own segment may be
    /// listed too: it is taken once). `labels`, the grading fields and `members` may be absent.
    public struct Bundle: Codable, Sendable, Equatable {
        public var id: String
        public var lang: String
        public var text: String
        public var group: String?
        public var labels: [String: [String]]?
        public var grade: Double?
        public var domain: String?
        public var domainSource: String?
        public var domainConfidence: Double?
        public var members: [Member]?

        /// Another segment of the group: what a translation is made of, and its grading (an item
        /// about a translation copies the translation's grade and domain).
        public struct Member: Codable, Sendable, Equatable {
            public var id: String
            public var lang: String
            public var text: String
            public var grade: Double?
            public var domain: String?
            public var domainSource: String?
            public var domainConfidence: Double?

            public init(id: String, lang: String, text: String, grading: SegmentGradingLookup = SegmentGradingLookup()) {
                self.id = id
                self.lang = lang
                self.text = text
                grade = grading.grade
                domain = grading.domain
                domainSource = grading.domainSource
                domainConfidence = grading.domainConfidence
            }

            enum CodingKeys: String, CodingKey {
                case id, lang, text, grade, domain
                case domainSource = "domain_source", domainConfidence = "domain_confidence"
            }
        }

        public init(id: String, lang: String, text: String, group: String?, labels: [String: [String]]? = nil,
                    grading: SegmentGradingLookup = SegmentGradingLookup(), members: [Member]? = nil) {
            self.id = id
            self.lang = lang
            self.text = text
            self.group = group
            self.labels = labels
            grade = grading.grade
            domain = grading.domain
            domainSource = grading.domainSource
            domainConfidence = grading.domainConfidence
            self.members = members
        }

        enum CodingKeys: String, CodingKey {
            case id, lang, text, group, labels, grade, domain, members
            case domainSource = "domain_source", domainConfidence = "domain_confidence"
        }
    }

    /// One item as the store keeps it (`item` and its `item_segment` rows), with its order key.
    /// A line on stdout (keys sorted, every field present, null when absent):
    /// `{"answer":…,"category":…,"consistency_group":…,"domain":…,"domain_confidence":…,"domain_source":…,
    ///   "grade":…,"id":HEX,"key":"PPPPPP:HEX:SSSSSS","lang":…,"pair":…,"question":…,"rubric":[…],
    ///   "segments":[HEX,…],"target_lang":…,"target_lemma":…,"template":…,"template_version":N}`
    public struct Record: Codable, Sendable, Equatable {
        /// The order key: `pass:segment:rank`, see ``ShardItems/key(pass:segment:rank:)``.
        public var key: String
        public var id: String
        public var template: String
        public var templateVersion: Int
        public var category: String
        public var lang: String
        public var pair: String?
        public var question: String
        public var answer: String?
        public var rubric: [String]
        public var targetLemma: String?
        public var targetLang: String?
        public var consistencyGroup: String?
        public var grade: Double?
        public var domain: String?
        public var domainSource: String?
        public var domainConfidence: Double?
        public var segments: [String]

        public init(_ item: Item, key: String) {
            self.key = key
            id = item.id.hex
            template = item.template
            templateVersion = item.templateVersion
            category = item.category
            lang = item.lang
            pair = item.pair
            question = item.question
            answer = item.answer
            rubric = item.rubric
            targetLemma = item.target?.lemma
            targetLang = item.target?.lang
            consistencyGroup = item.consistencyGroup
            grade = item.grade
            domain = item.domain
            domainSource = item.domainSource
            domainConfidence = item.domainConfidence
            segments = item.segments.map(\.hex)
        }

        /// The item the record stands for, as the store keeps it; nil when an id is not 32 hex digits.
        public var item: Item? {
            guard let itemID = ContentID(hex: id) else { return nil }
            var ids: [ContentID] = []
            for segment in segments {
                guard let segmentID = ContentID(hex: segment) else { return nil }
                ids.append(segmentID)
            }
            var item = Item(template: template, templateVersion: templateVersion, boundValues: [:], category: category,
                            lang: lang, pair: pair, question: question, answer: answer, rubric: rubric, segments: ids,
                            target: targetLemma.flatMap { lemma in targetLang.map { Lexeme(lemma: lemma, lang: $0) } },
                            consistencyGroup: consistencyGroup, grade: grade, domain: domain)
            item.id = itemID  // the id is the one made from the bound values on the executor
            item.domainSource = domainSource
            item.domainConfidence = domainConfidence
            return item
        }

        enum CodingKeys: String, CodingKey {
            case key, id, template, category, lang, pair, question, answer, rubric, grade, domain, segments
            case templateVersion = "template_version", targetLemma = "target_lemma", targetLang = "target_lang"
            case consistencyGroup = "consistency_group", domainSource = "domain_source", domainConfidence = "domain_confidence"
        }

        // Nulls written, not left out: a Spark schema reads the same columns from every line.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(id, forKey: .id)
            try c.encode(template, forKey: .template)
            try c.encode(templateVersion, forKey: .templateVersion)
            try c.encode(category, forKey: .category)
            try c.encode(lang, forKey: .lang)
            try c.encode(pair, forKey: .pair)
            try c.encode(question, forKey: .question)
            try c.encode(answer, forKey: .answer)
            try c.encode(rubric, forKey: .rubric)
            try c.encode(targetLemma, forKey: .targetLemma)
            try c.encode(targetLang, forKey: .targetLang)
            try c.encode(consistencyGroup, forKey: .consistencyGroup)
            try c.encode(grade, forKey: .grade)
            try c.encode(domain, forKey: .domain)
            try c.encode(domainSource, forKey: .domainSource)
            try c.encode(domainConfidence, forKey: .domainConfidence)
            try c.encode(segments, forKey: .segments)
        }
    }

    /// The order key of an item: the template's pass (its index among the template's languages
    /// or pairs), the segment the pass was reading when it made the item (32 hex digits), and
    /// the item's rank among those that segment's pass kept; zero-padded so that keys compare as
    /// strings in the order the local stage makes items in.
    public static func key(pass: Int, segment: ContentID, rank: Int) -> String {
        pad(pass) + ":" + segment.hex + ":" + pad(rank)
    }

    private static func pad(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The items a local questions stage keeps, from the records of every shard in any order:
    /// per (template, question) the record with the smallest key (the question ledger keeps the
    /// first item of a question), then per item id the smallest key (the store keeps the first
    /// of an id). Returned in (template, key) order. The same in PySpark: `min` by `key` grouped
    /// by (template, question), then by id.
    public static func reduce<Records: Sequence<Record>>(_ records: Records) -> [Record] {
        var byQuestion: [Question: Record] = [:]
        for record in records {
            let question = Question(template: record.template, question: record.question)
            if let kept = byQuestion[question], kept.key <= record.key { continue }
            byQuestion[question] = record
        }
        var byID: [String: Record] = [:]
        for record in byQuestion.values {
            if let kept = byID[record.id], kept.key <= record.key { continue }
            byID[record.id] = record
        }
        return byID.values.sorted { ($0.template, $0.key) < ($1.template, $1.key) }
    }

    /// What the ledger keys a question by: its template and text.
    private struct Question: Hashable {
        var template: String
        var question: String
    }
}

/// A shard of segment bundles as an answer source: the segments of the shard only, each with
/// the translations and grading its bundle carries. What it keeps are ``ShardItems/Record``s,
/// keyed by the pass and segment that made them.
public final class ShardAnswerSource: AnswerSource {
    private struct Segment {
        var id: ContentID
        var lang: String
        var primary: String
        var text: String
        var group: ContentID?
        var labels: [String: [String]]
        /// The group's segments, this one included, in id order.
        var members: [(id: ContentID, primary: String, text: String)]
    }

    /// The shard's segments by primary language subtag, in id order.
    private var segments: [String: [Segment]] = [:]
    private var gradings: [ContentID: SegmentGradingLookup] = [:]
    private var pass = 0
    private var reading: ContentID?
    private var rank = 0
    private var kept: Set<ContentID> = []
    /// What the run kept, in the order it was made.
    public private(set) var records: [ShardItems.Record] = []

    /// `bundles` with their line numbers (messages name them).
    public init(bundles: [(line: Int, bundle: ShardItems.Bundle)]) throws {
        var seen: Set<ContentID> = []
        for (line, bundle) in bundles {
            func id(_ hex: String, _ field: String) throws -> ContentID {
                guard hex.utf8.count == 32, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
                      let id = ContentID(hex: hex) else {
                    throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: line), "\(field) is not a segment id (32 lowercase hex digits): \(hex)")
                }
                return id
            }
            let own = try id(bundle.id, "id")
            guard seen.insert(own).inserted else {
                throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: line), "segment \(bundle.id) has a bundle already; one bundle per segment")
            }
            let group = try bundle.group.map { try id($0, "group") }
            var members: [ContentID: (id: ContentID, primary: String, text: String)] = [own: (own, Self.primary(bundle.lang), bundle.text)]
            for member in bundle.members ?? [] {
                let memberID = try id(member.id, "members.id")
                members[memberID] = (memberID, Self.primary(member.lang), member.text)
                if gradings[memberID] == nil {
                    gradings[memberID] = SegmentGradingLookup(grade: member.grade, domain: member.domain,
                                                              domainSource: member.domainSource, domainConfidence: member.domainConfidence)
                }
            }
            gradings[own] = SegmentGradingLookup(grade: bundle.grade, domain: bundle.domain,
                                                 domainSource: bundle.domainSource, domainConfidence: bundle.domainConfidence)
            // Label values as the store lists them: distinct, non-empty (its list drops empty
            // values), in byte order (SQLite's); a label named with no value is still a
            // candidate, skipped as conflicting, as in the store.
            let labels = (bundle.labels ?? [:]).mapValues { values in
                Array(Set(values.filter { !$0.isEmpty })).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            }
            let segment = Segment(id: own, lang: bundle.lang, primary: Self.primary(bundle.lang), text: bundle.text, group: group,
                                  labels: labels, members: members.values.sorted { $0.id < $1.id })
            segments[segment.primary, default: []].append(segment)
        }
        for key in segments.keys { segments[key]?.sort { $0.id < $1.id } }
    }

    /// The primary subtag as the store's `lang_primary` column computes it: up to the first `-`.
    static func primary(_ lang: String) -> String {
        String(lang.prefix { $0 != "-" })
    }

    public func dictionaryEntries(sourceLang: String, targetLang: String?) throws -> [DictionaryEntry] { [] }
    public func formAnalyses(lang: String) throws -> [FormAnalysis] { [] }

    public func forEachSegment(lang: String, translationLang: String?, analysedOnly: Bool,
                               _ body: (SourceSegment) throws -> Void) throws {
        guard !analysedOnly else { return }  // bundles carry no treebank analysis
        for segment in segments[lang] ?? [] {
            try read(segment.id)
            try body(source(segment, translationLang))
        }
    }

    public func forEachLabelledSegment(label name: String, lang: String, translationLang: String?,
                                       _ body: (LabelledSegment) throws -> Void) throws {
        for segment in segments[lang] ?? [] {
            guard let values = segment.labels[name] else { continue }
            try read(segment.id)
            try body(LabelledSegment(segment: source(segment, translationLang), values: values))
        }
    }

    public func grading(of segment: ContentID) throws -> SegmentGradingLookup {
        gradings[segment] ?? SegmentGradingLookup()
    }

    public func add(_ item: Item) throws -> Bool {
        guard let reading, kept.insert(item.id).inserted else { return false }
        records.append(ShardItems.Record(item, key: ShardItems.key(pass: pass, segment: reading, rank: rank)))
        rank += 1
        return true
    }

    public func beginPass(template: Int, pass: Int) {
        self.pass = pass
        reading = nil
    }

    private func read(_ segment: ContentID) throws {
        reading = segment
        rank = 0
    }

    /// The segment as the store gives it: translations are the group's segments (itself
    /// included, as the store's query does) whose primary subtag is `translationLang`, by id.
    private func source(_ segment: Segment, _ translationLang: String?) -> SourceSegment {
        var out = SourceSegment(id: segment.id, lang: segment.lang, text: segment.text, group: segment.group, translations: [], tokens: nil)
        if segment.group != nil, let translationLang {
            out.translations = segment.members.filter { $0.primary == translationLang }.map { .init(id: $0.id, text: $0.text) }
        }
        return out
    }
}
