import Foundation
import HeldoutCore
import HeldoutSplit

/// `heldout map records`: one of the split's items in, with its column, its component's side
/// and its texts, its records out, one line per variant file that keeps it (`ItemPlacement`:
/// the split's fate rule and record layout). A cluster sorts each file's lines by id, keeps the
/// size match's smallest ranks on siblings' training files (`ItemPlacement.reduce(_:variants:)`,
/// what the driver does in PySpark), and hands the files to the replay (`--records`), which holds them
/// to its own fates item by item.
public struct ShardRecords {
    /// What `records` reads: the item as `map items` writes it (other fields ignored), plus its
    /// `column`, its component's `side` (`train`, `dev`, `test`, from `map choose`), `dropped`
    /// (step 1 of the side choice dropped it; absent is false) and `sources`, its segments in
    /// the order of `segments`, each `{"id", "lang", "text", "documents": ["corpus/document"]}`,
    /// then, for an item with a pair none of whose later segments is in the pair's target
    /// language, the segment the split looks up (the smallest of the first segment's alignment
    /// group in that language), when the group has one.
    public struct Input: Codable, Sendable {
        public struct Source: Codable, Sendable {
            public var id: String
            public var lang: String
            public var text: String
            public var documents: [String]?
        }

        public var id: String
        public var template: String
        public var category: String
        public var pair: String?
        public var question: String
        public var answer: String?
        public var rubric: [String]
        public var targetLemma: String?
        public var targetLang: String?
        public var consistencyGroup: String?
        public var grade: Double?
        public var domain: String?
        public var segments: [String]
        public var column: String
        public var side: Partition
        public var dropped: Bool?
        public var sources: [Source]

        enum CodingKeys: String, CodingKey {
            case id, template, category, pair, question, answer, rubric, grade, domain, segments, column, side, dropped, sources
            case targetLemma = "target_lemma", targetLang = "target_lang", consistencyGroup = "consistency_group"
        }
    }

    public let placement: ItemPlacement

    public init(spec: SplitSpec) {
        placement = ItemPlacement(spec: spec)
    }

    /// The item's placed records as lines (`ItemPlacement.Placed.shardLine(id:)`).
    public func records(_ input: Input) throws -> [[UInt8]] {
        guard let id = ContentID(hex: input.id) else { throw ShardRecordsError.badID("id", input.id) }
        var segments: [ItemPlacement.Segment] = []
        // `sources` are `segments`, then possibly the translation the split looked up.
        guard input.sources.count - input.segments.count == 0 || input.sources.count - input.segments.count == 1,
              Array(input.sources.map(\.id).prefix(input.segments.count)) == input.segments else {
            throw ShardRecordsError.sourcesOutOfOrder(input.id)
        }
        for source in input.sources {
            guard let segment = ContentID(hex: source.id) else { throw ShardRecordsError.badID("sources.id", source.id) }
            segments.append(.init(id: segment, lang: source.lang, text: source.text, documents: source.documents ?? []))
        }
        var target: Lexeme?
        if let lemma = input.targetLemma, let lang = input.targetLang { target = Lexeme(lemma: lemma, lang: lang) }
        let item = ItemPlacement.Item(
            id: id, template: input.template, category: input.category, pair: input.pair, question: input.question,
            answer: input.answer, rubric: input.rubric, target: target, consistencyGroup: input.consistencyGroup,
            grade: input.grade, domain: input.domain, column: input.column, segments: Array(segments.prefix(input.segments.count)),
            side: input.side, dropped: input.dropped ?? false,
            lookedUp: segments.count > input.segments.count ? segments.last : nil)
        return try placement.place(item).map { $0.shardLine(id: input.id) }
    }
}

enum ShardRecordsError: ReportableError {
    case badID(String, String)
    case sourcesOutOfOrder(String)

    var exitStatus: Int32 { 3 }
    var userMessage: String {
        switch self {
        case let .badID(field, value): "\(field) is not an id (32 lowercase hex digits): \(value)"
        case let .sourcesOutOfOrder(id): "item \(id): sources must be its segments, in the order of segments, then at most the translation looked up for it"
        }
    }
}
