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
    /// What `records` reads besides the item record `map items` wrote (``ShardItems/Record``,
    /// in the same line): its `column`, its component's `side` (`train`, `dev`, `test`, from
    /// `map choose`), `dropped` (step 1 of the side choice dropped it; absent is false) and
    /// `sources`, its segments in the order of `segments`, each `{"id", "lang", "text",
    /// "documents": ["corpus/document"]}`, then, for an item with a pair none of whose later
    /// segments is in the pair's target language, the segment the split looks up (the smallest
    /// of the first segment's alignment group in that language), when the group has one.
    public struct Placement: Codable, Sendable {
        public struct Source: Codable, Sendable {
            public var id: String
            public var lang: String
            public var text: String
            public var documents: [String]?
        }

        public var column: String
        public var side: Partition
        public var dropped: Bool?
        public var sources: [Source]
    }

    public let placement: ItemPlacement

    public init(spec: SplitSpec) {
        placement = ItemPlacement(spec: spec)
    }

    /// The item's placed records as lines (`ItemPlacement.Placed.shardLine(id:)`), then a line
    /// per variant that leaves it out (`ItemPlacement.Drop.shardLine(id:)`), from which the
    /// cluster builds `dropped.jsonl` (``ShardMapper/dropped(_:write:)``).
    public func records(_ record: ShardItems.Record, _ placement: Placement) throws -> [[UInt8]] {
        guard let item = record.item else { throw ShardRecordsError.badID("id or segments", record.id) }
        var segments: [ItemPlacement.Segment] = []
        for source in placement.sources {
            guard let segment = ContentID(hex: source.id) else { throw ShardRecordsError.badID("sources.id", source.id) }
            segments.append(.init(id: segment, lang: source.lang, text: source.text, documents: source.documents ?? []))
        }
        // `sources` are `segments`, then possibly the translation the split looked up.
        let own = item.segments.count
        guard segments.count == own || segments.count == own + 1 else { throw ItemPlacement.PlacementError.segmentsDiffer(record.id) }
        let placed = ItemPlacement.Item(item: item, column: placement.column, segments: Array(segments.prefix(own)), side: placement.side,
                                        dropped: placement.dropped ?? false, lookedUp: segments.count > own ? segments.last : nil)
        return try self.placement.place(placed).map { $0.shardLine(id: record.id) }
            + self.placement.drops(placed).map { $0.shardLine(id: record.id) }
    }
}

enum ShardRecordsError: ReportableError {
    case badID(String, String)

    var exitStatus: Int32 { 3 }
    var userMessage: String {
        switch self {
        case let .badID(field, value): "\(field) is not an id (32 lowercase hex digits): \(value)"
        }
    }
}
