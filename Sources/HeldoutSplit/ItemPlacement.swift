import Foundation
import HeldoutCore

/// Where one item lands in every variant of a split (the primary, its comparison, its sweeps)
/// and the record it is written as there, from what a cluster knows of it: its column, its
/// component's side, whether step 1 of the side choice dropped it, its texts and documents.
/// The split's own fate rule (`SplitVariant.fate`) and record layout (``SplitRecord``), so a
/// cluster that chose the sides from per-component summaries writes the records the local
/// split writes (`heldout map records`, issue 15).
///
/// Only the size match is left to the caller, being global: a sibling trains on as many items
/// as the primary (comparison) or the smallest sweep member, the items with the smallest
/// ``sizeMatchRank(seed:id:)``. ``Placed/rank`` carries that rank on every sibling's training
/// record.
public struct ItemPlacement: Sendable {
    /// One variant, as its files are named: `name` is its directory's name, `kind` one of
    /// `primary`, `comparison`, `sweep`.
    public struct Variant: Codable, Sendable, Equatable {
        public var name: String
        public var kind: String
    }

    /// One segment of an item, as its record shows it.
    public struct Segment: Sendable {
        public var id: ContentID
        /// The primary language subtag (the store's `lang_primary`).
        public var lang: String
        public var text: String
        /// `corpus/document` of every occurrence in a named document (a unit alone has none).
        public var documents: [String]

        public init(id: ContentID, lang: String, text: String, documents: [String]) {
            self.id = id
            self.lang = lang
            self.text = text
            self.documents = documents
        }
    }

    /// What the split knows of one of its items: its row, column, side and segments.
    public struct Item: Sendable {
        /// The item as the store keeps it (its `segments` are ``segments``' ids).
        public var item: HeldoutCore.Item
        /// Its column's name in the spec.
        public var column: String
        /// The item's own segments, in order (the first is the record's source).
        public var segments: [Segment]
        /// Its component's side.
        public var side: Partition
        /// Dropped by step 1 of the side choice (a key training owns).
        public var dropped: Bool
        /// For an item with a pair none of whose later segments is in the pair's target
        /// language: the segment the split looked up for it (the smallest of its first
        /// segment's alignment group in that language), or nil when the group has none.
        public var lookedUp: Segment?

        public init(item: HeldoutCore.Item, column: String, segments: [Segment], side: Partition, dropped: Bool,
                    lookedUp: Segment? = nil) {
            self.item = item
            self.column = column
            self.segments = segments
            self.side = side
            self.dropped = dropped
            self.lookedUp = lookedUp
        }
    }

    /// One record to write: into `variant`'s `partition` file, at its id's place.
    public struct Placed: Sendable {
        /// Index into ``ItemPlacement/variants``.
        public var variant: Int
        public var partition: Partition
        /// A sibling's training record: the size-match rank (hex), smallest kept first.
        public var rank: String?
        /// The record, one JSON line without its newline.
        public var line: [UInt8]

        /// `VARIANT<TAB>PARTITION<TAB>RANK<TAB>ID<TAB>RECORD`: the variant's index in
        /// ``ItemPlacement/variants``, the rank `-` on the primary's records. A record's JSON
        /// escapes tabs and newlines, so the fifth field is the record's bytes.
        public func shardLine(id: String) -> [UInt8] {
            var out = Array("\(variant)\t\(partition.rawValue)\t\(rank ?? "-")\t\(id)\t".utf8)
            out.append(contentsOf: line)
            return out
        }
    }

    /// A variant that leaves the item out, and why.
    public struct Drop: Sendable, Equatable {
        /// Index into ``ItemPlacement/variants``.
        public var variant: Int
        public var reason: DropReason

        /// `VARIANT<TAB>dropped<TAB>-<TAB>ID<TAB>REASON`: beside ``Placed/shardLine(id:)``'s
        /// lines, told apart by the second field.
        public func shardLine(id: String) -> [UInt8] {
            Array("\(variant)\t\(Self.partition)\t-\t\(id)\t\(reason.rawValue)".utf8)
        }

        /// The second field of a drop's line.
        public static let partition = "dropped"
    }

    public enum PlacementError: ReportableError {
        case unknownColumn(String)
        case noSegment(String)
        case needlessLookup(String)
        case segmentsDiffer(String)
        case badID(String)

        public var exitStatus: Int32 { 3 }
        public var userMessage: String {
            switch self {
            case let .unknownColumn(name): "column \(name) is not one of the spec's"
            case let .noSegment(id): "item \(id) has no segment"
            case let .needlessLookup(id):
                "item \(id) has a looked-up translation, but the split looks one up only for an item with a pair none of whose later segments is in its target language"
            case let .badID(value): "not an id (32 lowercase hex digits): \(value)"
            case let .segmentsDiffer(id): "item \(id): its sources must be its segments, in the order of segments, then at most the translation looked up for it"
            }
        }
    }

    public let spec: SplitSpec
    private let splitVariants: [SplitVariant]
    let columnIndex: [String: Int]
    public var variants: [Variant] {
        splitVariants.map { variant in
            switch variant.kind {
            case .primary: Variant(name: variant.name, kind: "primary")
            case .comparison: Variant(name: variant.name, kind: "comparison")
            case .sweep: Variant(name: variant.name, kind: "sweep")
            }
        }
    }

    public init(spec: SplitSpec) {
        self.spec = spec
        splitVariants = SplitVariant.all(for: spec)
        columnIndex = Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, $0.offset) })
    }

    /// The rank by which a sibling keeps its training items when it must match another's size:
    /// SHA-256(seed, "comparison", id), smallest first (blind to column).
    public static func sizeMatchRank(seed: UInt64, id: ContentID) -> ContentID {
        ContentID(hashing: [String(seed), "comparison", id.hex])
    }

    /// The item's records, one per variant file it is kept in. Evaluation records are the
    /// primary's only: siblings get the primary's evaluation files whole.
    public func place(_ placed: Item) throws -> [Placed] {
        let item = placed.item
        guard let column = columnIndex[placed.column] else { throw PlacementError.unknownColumn(placed.column) }
        guard let source = placed.segments.first else { throw PlacementError.noSegment(item.id.hex) }
        guard placed.segments.map(\.id) == item.segments else { throw PlacementError.segmentsDiffer(item.id.hex) }
        // The translation the record shows: the item's first later segment in the pair's
        // target language, or else the one the split's loader looked up in the group, which
        // then counts among the item's segments (its id, its documents).
        var translation: String?
        var segments = placed.segments
        if let pair = SplitInputLoader.canonicalPair(item.pair ?? "") {
            let target = String(pair.split(separator: "-").last ?? "")
            if let own = placed.segments.dropFirst().first(where: { $0.lang == target }) {
                translation = own.text
            } else if let found = placed.lookedUp {
                translation = found.text
                segments.append(found)
            }
        }
        if placed.lookedUp != nil, segments.count == placed.segments.count { throw PlacementError.needlessLookup(item.id.hex) }
        var record = SplitRecord(
            id: item.id.hex, partition: .train, column: placed.column, role: .supervised, category: item.category,
            pair: item.pair.flatMap(SplitInputLoader.canonicalPair), band: spec.bands.band(forGrade: item.grade),
            domain: item.domain, question: item.question, answer: item.answer, rubric: item.rubric,
            source: .init(lang: source.lang, text: source.text, translation: translation),
            consistencyGroup: item.consistencyGroup.flatMap { $0.isEmpty ? nil : $0 }, messages: [],
            segments: segments.map(\.id.hex), documents: Array(Set(segments.flatMap(\.documents))).sorted(),
            target: item.target, template: item.template)
        var out: [Placed] = []
        var rank: String?
        let fates = fates(placed, column: column)
        for (v, variant) in splitVariants.enumerated() {
            guard case let .kept(partition) = fates[v], v == 0 || partition == .train else { continue }
            record.place(in: partition, as: variant.recordRole(column: column, partition: partition), answer: item.answer)
            var line: [UInt8] = []
            record.appendJSON(to: &line)
            line.removeLast()  // the newline
            if v > 0, rank == nil { rank = Self.sizeMatchRank(seed: spec.seed, id: item.id).hex }
            out.append(Placed(variant: v, partition: partition, rank: v > 0 ? rank : nil, line: line))
        }
        return out
    }

    /// Why each variant that does not write the item leaves it out (before the size match,
    /// which drops a sibling's training item as `size_match`).
    public func drops(_ placed: Item) throws -> [Drop] {
        guard let column = columnIndex[placed.column] else { throw PlacementError.unknownColumn(placed.column) }
        return fates(placed, column: column).enumerated().compactMap { v, fate in
            guard case let .dropped(reason) = fate else { return nil }
            return Drop(variant: v, reason: reason)
        }
    }

    /// The item's fate in every variant: the split's rule (`SplitVariant.fate`). A cluster's
    /// sides come from counts, so no key is cut item by item and nothing is blocked beyond step 1.
    private func fates(_ placed: Item, column: Int) -> [ItemFate] {
        let hasGold = !(placed.item.answer ?? "").isEmpty, hasRubric = !placed.item.rubric.isEmpty
        return splitVariants.map {
            $0.fate(column: column, side: placed.side, dropped: placed.dropped, blockedInTraining: false, hasGold: hasGold, hasRubric: hasRubric)
        }
    }

    /// The files of every variant from all shards' lines, in any order: each file's records by
    /// id; a comparison's training cut to the primary's size, a sweep member's to the smallest
    /// member's, keeping the smallest ranks. Keyed `VARIANT/PARTITION.jsonl` (files with no
    /// record are absent), each record ending in a newline. A cluster's driver computes this
    /// with sorts; this is the reference its tests hold it to.
    public static func reduce(_ lines: some Sequence<String>, variants: [Variant]) throws -> [String: String] {
        var files: [String: [(rank: Substring, id: Substring, record: Substring)]] = [:]
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let fields = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5, let v = Int(fields[0]), variants.indices.contains(v) else {
                throw HeldoutError.badInput(SourceLocation(file: "<records>", line: index + 1),
                                            "not a records line VARIANT<TAB>PARTITION<TAB>RANK<TAB>ID<TAB>RECORD")
            }
            guard fields[1] != Drop.partition else { continue }
            files["\(variants[v].name)/\(fields[1]).jsonl", default: []].append((fields[2], fields[3], fields[4]))
        }
        func trainCount(_ v: Int) -> Int { files["\(variants[v].name)/train.jsonl"]?.count ?? 0 }
        let smallestSweep = variants.indices.filter { variants[$0].kind == "sweep" }.map(trainCount).min() ?? 0
        for (v, variant) in variants.enumerated() where v > 0 {
            let target = variant.kind == "comparison" ? trainCount(0) : smallestSweep
            let key = "\(variant.name)/train.jsonl"
            guard let records = files[key], records.count > target else { continue }
            files[key] = Array(records.sorted { $0.rank < $1.rank }.prefix(target))
        }
        return files.mapValues { records in
            records.sorted { $0.id < $1.id }.map { $0.record + "\n" }.joined()
        }
    }
}
