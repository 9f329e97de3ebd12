import HeldoutCore

/// The first kept item of each key, per link and side: whom an item dropped for isolation gave
/// way to. The isolation cost (counted per link) and `dropped.jsonl` (a partner per item) both
/// ask it, so the rule for which side that is lives here once.
struct KeptKeyHolders {
    typealias Side = SplitSide

    /// `holders[link][side]`: per key, the first kept item (in id order) on that side, or -1.
    private let holders: [IsolationLink: [[Int32]]]

    init(graph: IsolationGraph, input: SplitInput, fates: [ItemFate]) {
        var holders: [IsolationLink: [[Int32]]] = [:]
        for link in graph.links {
            var bySide = [[Int32]](repeating: [Int32](repeating: -1, count: graph.keySpace(link)), count: 2)
            for i in 0..<input.count {
                guard case let .kept(partition) = fates[i] else { continue }
                let side = partition == .train ? 0 : 1
                graph.forEachKey(link, of: i) { key in
                    if bySide[side][Int(key)] < 0 { bySide[side][Int(key)] = Int32(i) }
                }
            }
            holders[link] = bySide
        }
        self.holders = holders
    }

    /// The side an item dropped for isolation gave way to: a held-out item left on training
    /// gave way to the training items beside it; any other to the side across from its own.
    static func opposingSide(of item: Int, input: SplitInput, spec: SplitSpec, assignment: SideAssignment,
                             graph: IsolationGraph) -> Side {
        opposingSide(component: assignment.partition[Int(graph.component[item])], role: spec.columns[Int(input.column[item])].role)
    }

    /// The same from the item's component's side and its column's role in the spec.
    static func opposingSide(component: Partition, role: Role) -> Side {
        guard component == .train else { return .train }
        return role == .heldout ? .train : .evaluation
    }

    /// A kept item on `side` that shares a key of `link` with `item`, if any.
    func partner(of item: Int, link: IsolationLink, side: Side, graph: IsolationGraph) -> Int32? {
        guard let holder = holders[link]?[side == .train ? 0 : 1] else { return nil }
        var found: Int32?
        graph.forEachKey(link, of: item) { key in if found == nil, holder[Int(key)] >= 0 { found = holder[Int(key)] } }
        return found
    }
}

/// The two sides of a split an isolation key must not straddle: training, and evaluation (dev
/// and test together). An item dropped for isolation gave way to one of them.
public enum SplitSide: String, Codable, Sendable {
    case train, evaluation
}
