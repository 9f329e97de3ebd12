import HeldoutCore
import HeldoutStore

/// Translation closures (issue 13, item 8): the alignment groups (of the store, or of a cluster's segments), joined wherever two
/// groups hold segments whose folded texts are equal (`Déconnexion` in one, `déconnexion` in
/// another), taken transitively. A chain `Hangup` → `Déconnexion` ≈ `déconnexion` ← `logout` →
/// `Abmelden` is one closure, so an evaluation item on `Déconnexion` and a training item on
/// `Abmelden` are tied by `translation`.
///
/// The audit's own derivation: it reads every grouped segment, folds it with
/// ``TextFolder`` (the one definition of "the same words") and unites, with its own
/// union-find, each segment's group with its folded text. A folded text is identified by the
/// audit's 64-bit hash of its folded words. A text, an id or a segment without a group is in a
/// closure when its folded text is the folded text of some grouped segment.
struct TranslationClosures {
    /// One closure that holds evaluation segments.
    struct Entry: Sendable {
        /// The smallest group id of the closure (what reports name it by).
        var group: ContentID
        /// Evaluation records in it, ascending, and for each the first of its segments in it
        /// (an index into ``EvaluationIndex/segments``).
        var records: [Int32] = []
        var segments: [Int32] = []
    }

    /// Folded-text hash → closure root (a node number), for every grouped segment's text.
    private(set) var rootOfFolded: [UInt64: Int32] = [:]
    /// Smallest group id under each root.
    private(set) var groupOfRoot: [Int32: ContentID] = [:]
    /// Smallest segment id of each folded text (evidence), and every grouped segment's id with
    /// its folded text (training records name segments by id).
    private(set) var segmentOfFolded: [UInt64: ContentID] = [:]
    private(set) var grouped: [(id: ContentID, folded: UInt64)] = []

    var isEmpty: Bool { rootOfFolded.isEmpty }

    /// Reads and unites every grouped segment of `source`, a block at a time (texts are folded
    /// on all cores; only hashes are kept).
    static func build(source: any AuditSegmentSource) throws -> TranslationClosures {
        var out = TranslationClosures()
        var parent: [Int32] = []
        var groupNode: [ContentID: Int32] = [:]
        var foldedNode: [UInt64: Int32] = [:]
        func find(_ x: Int32) -> Int32 {
            var r = x
            while parent[Int(r)] != r { r = parent[Int(r)] }
            var y = x
            while parent[Int(y)] != r { let next = parent[Int(y)]; parent[Int(y)] = r; y = next }
            return r
        }
        func node(_ n: Int32?, _ make: () -> Void) -> Int32 {
            if let n { return n }
            parent.append(Int32(parent.count))
            make()
            return Int32(parent.count - 1)
        }
        var block: [(id: ContentID, text: String, group: ContentID)] = []
        func flush() {
            let hashes = SentenceWork.foldedHashes(block.map(\.text))
            for (row, hash) in zip(block, hashes) {
                guard let h = hash else { continue }
                let g = node(groupNode[row.group]) { groupNode[row.group] = Int32(parent.count - 1) }
                let f = node(foldedNode[h]) { foldedNode[h] = Int32(parent.count - 1) }
                let (a, b) = (find(g), find(f))
                if a != b { if a < b { parent[Int(b)] = a } else { parent[Int(a)] = b } }
                if let old = out.segmentOfFolded[h], old < row.id {} else { out.segmentOfFolded[h] = row.id }
                out.grouped.append((row.id, h))
            }
            block.removeAll(keepingCapacity: true)
        }
        try source.groupedSegments { id, group, text in
            block.append((id, text, group))
            if block.count >= 65_536 { flush() }
        }
        flush()
        out.rootOfFolded.reserveCapacity(foldedNode.count)
        for (h, n) in foldedNode { out.rootOfFolded[h] = find(n) }
        for (g, n) in groupNode {
            let r = find(n)
            if let old = out.groupOfRoot[r], old < g { continue }
            out.groupOfRoot[r] = g
        }
        return out
    }
}
