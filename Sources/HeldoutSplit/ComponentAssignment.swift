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
                                    roles: roles.map { $0 == .heldout ? .supervised : $0 }, primaryRoles: roles))
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

    /// Where `item` ends up in this variant. Evaluation is the primary split's in every variant
    /// (the same files). On training, an item the primary dropped for isolation stays dropped,
    /// except a held-out column's item that a variant supervises: it was dropped only because
    /// its column was held out, and its component is on training, isolated from evaluation.
    func fate(of item: Int, input: SplitInput, assignment: SideAssignment, graph: IsolationGraph) -> ItemFate {
        fate(column: Int(input.column[item]), side: assignment.partition[Int(graph.component[item])],
             dropped: assignment.isDropped[item], blockedInTraining: assignment.blockedInTraining[item],
             hasGold: input.hasGold[item], hasRubric: input.hasRubric[item])
    }

    /// The same rule over what an item's component and step 1 decided of it: its component's
    /// `side`, whether it was `dropped` and, if so, kept out of every variant's training
    /// (`blockedInTraining`). A cluster that knows these places items without the graph.
    func fate(column: Int, side partition: Partition, dropped: Bool, blockedInTraining: Bool, hasGold: Bool, hasRubric: Bool) -> ItemFate {
        let role = roles[column]
        if partition.isEvaluation {
            if dropped { return .dropped(.isolation) }
            return hasGold ? .kept(partition) : .dropped(.noGold)
        }
        if dropped, primaryRoles[column] != .heldout || blockedInTraining {
            return .dropped(.isolation)
        }
        switch role {
        case .heldout: return primaryRoles[column] == .heldout ? .dropped(.isolation) : .dropped(.notInSweep)
        case .supervised: return hasGold ? .kept(.train) : .dropped(.noGold)
        case .plausibility: return hasRubric ? .kept(.train) : .dropped(.noRubric)
        }
    }
}
