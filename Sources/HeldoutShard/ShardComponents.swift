import Foundation
import HeldoutCore
import HeldoutSplit

/// `heldout map choose`: the per-component summaries a cluster made of the split's isolation
/// components in, the side of each component out, chosen by the local split's own code
/// (``ComponentChoice``). It is the driver's one global step of the side choice: it holds a few
/// counts per component, never an item.
public struct ShardComponents {
    /// One component: `{"id": smallest item id, "items": {column: n}, "gold": {column: n with
    /// gold}, "evaluable": {column: n with gold not dropped}, "keepable": {column: n with gold
    /// or what training needs}, "pinned": n, "dropped": n, "keyed": n}` (``ComponentSummary``);
    /// a column with no such item may be left out, `gold` when it equals `evaluable`, and the
    /// counts when 0.
    public struct Summary: Codable, Sendable, Equatable {
        public var id: String
        public var items: [String: Int32]
        public var gold: [String: Int32]?
        public var evaluable: [String: Int32]
        public var keepable: [String: Int32]
        public var pinned: Int32?
        public var dropped: Int32?
        public var keyed: Int32?

        public init(id: String, items: [String: Int32], gold: [String: Int32]? = nil, evaluable: [String: Int32],
                    keepable: [String: Int32], pinned: Int32? = nil, dropped: Int32? = nil, keyed: Int32? = nil) {
            self.id = id
            self.items = items
            self.gold = gold
            self.evaluable = evaluable
            self.keepable = keepable
            self.pinned = pinned
            self.dropped = dropped
            self.keyed = keyed
        }

        /// The summary of `summary` under `spec`'s column names.
        public init(_ summary: ComponentSummary, spec: SplitSpec) {
            func named(_ counts: [Int32]) -> [String: Int32] {
                Dictionary(uniqueKeysWithValues: zip(spec.columns.map(\.name), counts).filter { $0.1 > 0 })
            }
            func count(_ n: Int32) -> Int32? { n > 0 ? n : nil }
            self.init(id: summary.smallestItem.hex, items: named(summary.items),
                      gold: summary.gold == summary.evaluable ? nil : named(summary.gold), evaluable: named(summary.evaluable),
                      keepable: named(summary.keepable), pinned: count(summary.pinned), dropped: count(summary.dropped),
                      keyed: count(summary.keyed))
        }
    }

    /// The side of one component; a last line `{"bound": {"kept_upper_bound", "method"}}`
    /// carries what the manifest records of the choice.
    public struct Side: Codable, Sendable, Equatable {
        public var id: String
        public var partition: Partition
        public var flipped: Bool
    }

    public struct Bound: Codable, Sendable, Equatable {
        public var keptUpperBound: Int
        public var method: String

        enum CodingKeys: String, CodingKey {
            case keptUpperBound = "kept_upper_bound"
            case method
        }
    }

    public let spec: SplitSpec

    public init(spec: SplitSpec) { self.spec = spec }

    /// Reads every summary (in any order), and returns the sides in ascending id order with the
    /// bound. A line that is not a summary, a column the spec does not have, a count out of
    /// range or a repeated component is refused with its line (exit 3); summaries that counts
    /// cannot decide (a cut key, a component too large to place) are refused with exit 1.
    public func choose<Lines: Sequence<String>>(_ lines: Lines) throws -> (sides: [Side], bound: Bound) {
        let columnIndex = Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, $0.offset) })
        let decoder = JSONDecoder()
        var summaries: [(line: Int, summary: ComponentSummary)] = []
        for (index, text) in lines.enumerated() where !text.isEmpty {
            let line = index + 1
            func refuse(_ why: String) -> HeldoutError { .badInput(SourceLocation(file: "<stdin>", line: line), why) }
            let raw: Summary
            do {
                raw = try decoder.decode(Summary.self, from: Data(text.utf8))
            } catch {
                throw refuse("not a component summary {id, items, evaluable, keepable}: \(error)")
            }
            guard let id = ContentID(hex: raw.id) else { throw refuse("\"id\" is not a 32-hex-digit item id: \(raw.id)") }
            let zeros = [Int32](repeating: 0, count: spec.columns.count)
            var counts = ["items": zeros, "gold": zeros, "evaluable": zeros, "keepable": zeros]
            let fields = [("items", raw.items), ("gold", raw.gold ?? raw.evaluable), ("evaluable", raw.evaluable), ("keepable", raw.keepable)]
            for (field, named) in fields {
                for (column, count) in named {
                    guard let x = columnIndex[column] else {
                        throw refuse("\"\(field)\" names the column \(column), which the spec does not have (\(spec.columns.map(\.name).joined(separator: ", ")))")
                    }
                    // Each count is bounded by the one before it: evaluable ≤ gold ≤ items.
                    let most = field == "items" ? Int32.max : field == "evaluable" ? (raw.gold ?? raw.items)[column] ?? 0 : raw.items[column] ?? 0
                    guard count >= 0, count <= most else {
                        throw refuse("\"\(field)\".\(column) = \(count) is not between 0 and \(most) (the component's items of that column\(field == "evaluable" ? " with gold" : ""))")
                    }
                    counts[field]?[x] = count
                }
            }
            let items = counts["items"] ?? zeros
            let total = items.reduce(0) { $0 + Int($1) }
            let extra = [raw.pinned, raw.dropped, raw.keyed].map { Int($0 ?? 0) }
            guard total > 0, extra.allSatisfy({ $0 >= 0 && $0 <= total }) else {
                throw refuse("a component has at least one item, and no more pinned, dropped or keyed items than items")
            }
            summaries.append((line, ComponentSummary(smallestItem: id, items: items, evaluable: counts["evaluable"] ?? zeros,
                                                     keepable: counts["keepable"] ?? zeros, gold: counts["gold"] ?? zeros,
                                                     pinned: Int32(extra[0]), dropped: Int32(extra[1]), keyed: Int32(extra[2]))))
        }
        summaries.sort { $0.summary.smallestItem < $1.summary.smallestItem }
        for (a, b) in zip(summaries, summaries.dropFirst()) where a.summary.smallestItem == b.summary.smallestItem {
            throw HeldoutError.badInput(SourceLocation(file: "<stdin>", line: max(a.line, b.line)),
                                        "the component \(a.summary.smallestItem.hex) is summarised twice (also line \(min(a.line, b.line)))")
        }
        let choice = try ComponentChoice(summaries.map(\.summary), spec: spec)
        let sides = summaries.indices.map { Side(id: summaries[$0].summary.smallestItem.hex, partition: choice.partition[$0], flipped: choice.flipped[$0]) }
        return (sides, Bound(keptUpperBound: choice.keptUpperBound, method: choice.boundMethod))
    }

    /// A sides file as `choose` writes it: a side a line, then the bound.
    public static func sides(at path: String) throws -> GivenSides {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), "cannot read the sides file")
        }
        let decoder = JSONDecoder()
        var sides: [ContentID: (partition: Partition, flipped: Bool)] = [:]
        var bound: Bound?
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let location = SourceLocation(file: path, line: index + 1)
            if let side = try? decoder.decode(Side.self, from: Data(line)) {
                guard let id = ContentID(hex: side.id) else { throw HeldoutError.badInput(location, "\"id\" is not a 32-hex-digit item id: \(side.id)") }
                guard bound == nil else { throw HeldoutError.badInput(location, "a side after the bound line: the bound comes last") }
                guard sides.updateValue((side.partition, side.flipped), forKey: id) == nil else {
                    throw HeldoutError.badInput(location, "the component \(side.id) has two sides")
                }
            } else if let last = try? decoder.decode([String: Bound].self, from: Data(line)), let given = last["bound"], bound == nil {
                bound = given
            } else {
                throw HeldoutError.badInput(location, "not a side {id, partition, flipped} or the bound line {bound: {kept_upper_bound, method}}")
            }
        }
        guard let bound else { throw HeldoutError.badInput(SourceLocation(file: path), "no bound line: the file is cut short") }
        return GivenSides(sides: sides, keptUpperBound: bound.keptUpperBound, boundMethod: bound.method)
    }

}
