import Foundation
import HeldoutCore

extension ItemPlacement {
    /// One item a variant leaves out, with what a cluster joined for it: its `dropped.jsonl`
    /// entry is then the split's (`DroppedItems`), by the same rule.
    ///
    /// For an item dropped for isolation, `partners` are, per link and side, the kept item the
    /// split names: of the item's keys under that link, in the split's key order (its segments
    /// in order; a segment's passage hashes ascending), the first that a kept item on that side
    /// holds, and of its holders the smallest id. `dropLink` and `dropPartner` are step 1's: the
    /// first lexeme or consistency group (in the links' order) that training owns, and its
    /// smallest trainable item.
    public struct DroppedItem: Codable, Sendable {
        public struct Partner: Codable, Sendable {
            public var link: IsolationLink
            public var side: SplitSide
            public var id: String

            public init(link: IsolationLink, side: SplitSide, id: String) {
                self.link = link
                self.side = side
                self.id = id
            }
        }

        /// Index into ``ItemPlacement/variants``.
        public var variant: Int
        public var id: String
        public var column: String
        /// Its component's side.
        public var side: Partition
        public var reason: DropReason
        public var dropLink: IsolationLink?
        public var dropPartner: String?
        public var partners: [Partner]?

        enum CodingKeys: String, CodingKey {
            case variant, id, column, side, reason, partners
            case dropLink = "drop_link"
            case dropPartner = "drop_partner"
        }

        public init(variant: Int, id: String, column: String, side: Partition, reason: DropReason, dropLink: IsolationLink? = nil,
                    dropPartner: String? = nil, partners: [Partner]? = nil) {
            self.variant = variant
            self.id = id
            self.column = column
            self.side = side
            self.reason = reason
            self.dropLink = dropLink
            self.dropPartner = dropPartner
            self.partners = partners
        }
    }

    public enum DroppedItemError: ReportableError {
        case unknownVariant(Int)

        public var exitStatus: Int32 { 3 }
        public var userMessage: String {
            switch self {
            case let .unknownVariant(v): "variant \(v) is not one of the split's (see map plan's variants)"
            }
        }
    }

    /// The item's line of `dropped.jsonl` (with its newline), as the split writes it, and the
    /// links under which it counts in the manifest's isolation cost (`IsolationCost`: an item
    /// dropped for isolation with a partner through that link on the side it gave way to).
    public func droppedLine(_ dropped: DroppedItem) throws -> (line: [UInt8], costLinks: [IsolationLink]) {
        guard let column = columnIndex[dropped.column] else { throw PlacementError.unknownColumn(dropped.column) }
        guard variants.indices.contains(dropped.variant) else { throw DroppedItemError.unknownVariant(dropped.variant) }
        for id in [dropped.id] + (dropped.dropPartner.map { [$0] } ?? []) + (dropped.partners ?? []).map(\.id) where ContentID(hex: id) == nil {
            throw PlacementError.badID(id)
        }
        var partners: [IsolationLink: [SplitSide: String]] = [:]
        for partner in dropped.partners ?? [] { partners[partner.link, default: [:]][partner.side] = partner.id }
        let opposing = KeptKeyHolders.opposingSide(component: dropped.side, role: spec.columns[column].role)
        let links = spec.isolation.enabledLinks
        let entry = DroppedItems.entry(id: dropped.id, column: dropped.column, reason: dropped.reason, opposing: opposing, links: links,
                                       dropLink: dropped.dropLink, dropPartner: dropped.dropPartner) { link, side in partners[link]?[side] }
        var line = try CanonicalJSON.Encoder().data(entry)
        line.append(0x0A)
        let costLinks = dropped.reason == .isolation ? links.filter { partners[$0]?[opposing] != nil } : []
        return (Array(line), costLinks)
    }
}
