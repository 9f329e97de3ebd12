import Foundation
import HeldoutCore

/// Why an item the spec selected is not in any output file.
public enum DropReason: String, Sendable, Codable, CaseIterable, Comparable {
    /// Its component went to the other side of the split (the isolation cost).
    case isolation
    /// An evaluation item, or a supervised training item, without a gold answer.
    case noGold = "no_gold"
    /// A plausibility training item without a rubric.
    case noRubric = "no_rubric"
    /// Left out to match the comparison's training set to the primary split's in size.
    case sizeMatch = "size_match"
    /// A supervised column's training item, in a sweep split whose subset leaves that column out.
    case notInSweep = "not_in_sweep"

    public static func < (l: DropReason, r: DropReason) -> Bool { l.rawValue < r.rawValue }
}

/// Where one item ends up in one split.
public enum ItemFate: Equatable, Sendable {
    case kept(Partition)
    case dropped(DropReason)
}

/// The side of the split every connected component is given (DESIGN "Isolation").
///
/// Each component gets two numbers from `SHA-256(seed, smallest item id of the component)`:
/// `u` chooses between training and evaluation (`u < train`), `v` between dev and test
/// (`v < dev / (dev + test)`). Nothing else — not input order, thread count, or time — enters.
///
/// On that baseline two rules win back held-out items, which is where the cost of isolation is:
/// - a component whose only usable items are evaluation-only (held-out columns) goes to
///   evaluation: no training item is lost by it;
/// - a component that lands on training but holds held-out items is flipped to evaluation when
///   every training column it touches keeps its training share within `partitions.tolerance`
///   of its fraction; components with the most held-out items per training item go first, ties
///   by `u`. Its training items then become evaluation items of their columns (reported as
///   `moved_to_evaluation`); the held-out items of components left on training are dropped.
struct ComponentAssignment {
    /// Partition of each component.
    private(set) var partition: [Partition]
    /// Components sent to evaluation by the second rule.
    private(set) var flipped: [Bool]

    /// Items usable for training under `role`: supervised with gold, plausibility with a rubric.
    static func usableForTraining(_ role: Role, hasGold: Bool, hasRubric: Bool) -> Bool {
        switch role {
        case .supervised: hasGold
        case .plausibility: hasRubric
        case .heldout: false
        }
    }

    init(graph: IsolationGraph, input: SplitInput, spec: SplitSpec) {
        let components = graph.componentCount
        let roles = spec.columns.map(\.role)
        let p = spec.partitions
        let devShare = p.dev / max(p.dev + p.test, .leastNonzeroMagnitude)

        // Smallest item id of a component is its first item: items are in id order.
        var firstItem = [Int32](repeating: -1, count: components)
        var trainable = [Int32](repeating: 0, count: components)
        var heldout = [Int32](repeating: 0, count: components)
        for i in 0..<input.count {
            let c = Int(graph.component[i])
            if firstItem[c] < 0 { firstItem[c] = Int32(i) }
            let role = roles[Int(input.column[i])]
            if role == .heldout {
                heldout[c] += 1
            } else if Self.usableForTraining(role, hasGold: input.hasGold[i], hasRubric: input.hasRubric[i]) {
                trainable[c] += 1
            }
        }

        var u = [Double](repeating: 0, count: components)
        partition = [Partition](repeating: .train, count: components)
        flipped = [Bool](repeating: false, count: components)
        var evaluationSide = [Partition](repeating: .test, count: components)
        for c in 0..<components {
            let draw = ContentID(hashing: [String(spec.seed), input.ids[Int(firstItem[c])].hex])
            u[c] = Double(draw.high >> 11) * 0x1p-53
            let v = Double(draw.low >> 11) * 0x1p-53
            evaluationSide[c] = v < devShare ? .dev : .test
            let evaluationOnly = trainable[c] == 0 && heldout[c] > 0
            partition[c] = (u[c] < p.train && !evaluationOnly) ? .train : evaluationSide[c]
        }

        // Training share of each column under the baseline.
        let columnCount = spec.columns.count
        var total = [Int](repeating: 0, count: columnCount)
        var inTrain = [Int](repeating: 0, count: columnCount)
        for i in 0..<input.count {
            let column = Int(input.column[i])
            total[column] += 1
            if partition[Int(graph.component[i])] == .train { inTrain[column] += 1 }
        }

        // Flip held-out-bearing training components while the fractions allow.
        let candidates = (0..<components).filter { partition[$0] == .train && heldout[$0] > 0 }
            .sorted { a, b in
                let ra = Double(heldout[a]) / Double(max(trainable[a], 1)), rb = Double(heldout[b]) / Double(max(trainable[b], 1))
                return ra != rb ? ra > rb : (u[a] != u[b] ? u[a] < u[b] : a < b)
            }
        guard !candidates.isEmpty else { return }
        // Items of each candidate component, by column.
        var itemsOf: [Int: [Int: Int]] = [:]
        let candidateSet = Set(candidates)
        for i in 0..<input.count where candidateSet.contains(Int(graph.component[i])) {
            let role = roles[Int(input.column[i])]
            guard role.trains else { continue }
            itemsOf[Int(graph.component[i]), default: [:]][Int(input.column[i]), default: 0] += 1
        }
        let floor = p.train - p.tolerance
        for c in candidates {
            let counts = itemsOf[c] ?? [:]
            let allowed = counts.allSatisfy { column, n in
                Double(inTrain[column] - n) >= floor * Double(total[column]) - 1e-9
            }
            guard allowed else { continue }
            for (column, n) in counts { inTrain[column] -= n }
            partition[c] = evaluationSide[c]
            flipped[c] = true
        }
    }
}

/// Roles of one output split: the primary one, its comparison, or one of its sweeps. All share
/// one ``ComponentAssignment``, so their evaluation items are the same.
struct SplitVariant: Sendable {
    enum Kind: Sendable, Equatable {
        case primary
        case comparison
        case sweep([String])
    }

    var kind: Kind
    var name: String
    /// Role of each column (by index of `spec.columns`) in this variant's training.
    var roles: [Role]
    /// Roles of the primary split, which evaluation records carry in every variant so that the
    /// evaluation files of all variants are the same bytes.
    var primaryRoles: [Role]

    static func all(for spec: SplitSpec) -> [SplitVariant] {
        let roles = spec.columns.map(\.role)
        var out = [SplitVariant(kind: .primary, name: spec.name, roles: roles, primaryRoles: roles)]
        if spec.comparison {
            out.append(SplitVariant(kind: .comparison, name: "\(spec.name)-comparison",
                                    roles: roles.map { _ in .supervised }, primaryRoles: roles))
        }
        if let sweep = spec.sweep {
            let supervised = spec.columns.enumerated().filter { $0.element.role == .supervised }.map(\.offset)
            for size in sweep.supervised {
                for subset in combinations(of: supervised, size: size) {
                    let names = subset.map { spec.columns[$0].name }
                    var variantRoles = roles
                    for index in supervised where !subset.contains(index) { variantRoles[index] = .heldout }
                    out.append(SplitVariant(kind: .sweep(names), name: "\(spec.name)-sweep-\(names.joined(separator: "+"))",
                                            roles: variantRoles, primaryRoles: roles))
                }
            }
        }
        return out
    }

    /// k-subsets of `elements` in lexicographic order of positions (columns are sorted by name).
    static func combinations(of elements: [Int], size: Int) -> [[Int]] {
        guard size > 0, size <= elements.count else { return size == 0 ? [[]] : [] }
        var out: [[Int]] = []
        var chosen: [Int] = []
        func walk(_ start: Int) {
            if chosen.count == size {
                out.append(chosen)
                return
            }
            guard start < elements.count else { return }
            for i in start..<elements.count where elements.count - i >= size - chosen.count {
                chosen.append(elements[i])
                walk(i + 1)
                chosen.removeLast()
            }
        }
        walk(0)
        return out
    }

    /// Where `item` ends up in this variant.
    func fate(of item: Int, input: SplitInput, assignment: ComponentAssignment, graph: IsolationGraph) -> ItemFate {
        let partition = assignment.partition[Int(graph.component[item])]
        let role = roles[Int(input.column[item])]
        if partition.isEvaluation {
            return input.hasGold[item] ? .kept(partition) : .dropped(.noGold)
        }
        switch role {
        case .heldout: return primaryRoles[Int(input.column[item])] == .heldout ? .dropped(.isolation) : .dropped(.notInSweep)
        case .supervised: return input.hasGold[item] ? .kept(.train) : .dropped(.noGold)
        case .plausibility: return input.hasRubric[item] ? .kept(.train) : .dropped(.noRubric)
        }
    }
}
