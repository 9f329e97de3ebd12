import Foundation

/// What changed between two releases, item by item: the basis of `CHANGES.md` and of the rule
/// that evaluation membership may only change with a major version (a reader comparing scores
/// across minor versions must be comparing the same test items).
public struct ReleaseDiff: Sendable, Equatable {
    public struct Key: Sendable, Hashable, Comparable {
        public var partition: String
        public var column: String
        public static func < (l: Key, r: Key) -> Bool { (l.partition, l.column) < (r.partition, r.column) }
    }

    public var previous: String?
    public var current: String
    /// Items new in (partition, column); an item that moved partition counts as removed from the old and added to the new.
    public var added: [Key: Int] = [:]
    public var removed: [Key: Int] = [:]
    public var evaluationAdded = 0
    public var evaluationRemoved = 0

    public var evaluationMembershipChanged: Bool { evaluationAdded > 0 || evaluationRemoved > 0 }

    public init(previous: (version: String, contents: SplitContents)?, current: String, contents: SplitContents) {
        self.previous = previous?.version
        self.current = current
        let new = Set(contents.entries)
        let old = Set(previous?.contents.entries ?? [])
        for e in new.subtracting(old) { added[Key(partition: e.partition, column: e.column), default: 0] += 1 }
        for e in old.subtracting(new) { removed[Key(partition: e.partition, column: e.column), default: 0] += 1 }
        if let previous {
            let before = previous.contents.evaluationIDs, after = contents.evaluationIDs
            evaluationAdded = after.subtracting(before).count
            evaluationRemoved = before.subtracting(after).count
        }
    }

    /// `CHANGES.md`: a table per partition and column, and the evaluation-membership verdict.
    public func markdown(notes: String?) -> String {
        var out = "# Changes in \(current)\n\n"
        guard let previous else {
            out += "First release: every item is new.\n\n"
            out += table()
            if let notes, !notes.isEmpty { out += "\n## Notes\n\n\(notes.trimmingCharacters(in: .whitespacesAndNewlines))\n" }
            return out
        }
        out += "Against \(previous).\n\n"
        if evaluationMembershipChanged {
            out += "**Evaluation membership changed**: \(evaluationAdded) item(s) entered dev/test and \(evaluationRemoved) left. "
            out += "Scores on this release are not comparable with scores on \(previous).\n\n"
        } else {
            out += "Evaluation membership unchanged: dev and test hold the same items as \(previous), so scores remain comparable.\n\n"
        }
        out += added.isEmpty && removed.isEmpty ? "No item was added or removed.\n" : table()
        if let notes, !notes.isEmpty { out += "\n## Notes\n\n\(notes.trimmingCharacters(in: .whitespacesAndNewlines))\n" }
        return out
    }

    private func table() -> String {
        var out = "| partition | column | added | removed |\n| --- | --- | ---: | ---: |\n"
        for key in Set(added.keys).union(removed.keys).sorted() {
            out += "| \(key.partition) | \(key.column) | \(added[key] ?? 0) | \(removed[key] ?? 0) |\n"
        }
        return out
    }
}
