import Foundation
import HeldoutCore

/// Each column's partitions against what the spec asks (quotas are part of the
/// promise). A training column (supervised or plausibility) should hold `train`, `dev` and
/// `test` of its kept items; a held-out column `dev` and `test` in their ratio. A partition is
/// met when its share is within `partitions.tolerance` of the target, or within one item of it
/// (a column of 10 items cannot hold 8.5 of them), and is never empty when its target is not 0.
typealias QuotaTable = SplitManifest.Quotas

extension SplitManifest.Quotas {
    init(spec: SplitSpec, input: SplitInput, fates: [ItemFate], roles: [Role]) {
        self.init(spec: spec, tally: ManifestTally(spec: spec, input: input, fates: fates), roles: roles)
    }

    /// From the items kept per column and partition (all a quota reads), however they were counted.
    init(spec: SplitSpec, tally: ManifestTally, roles: [Role]) {
        self.init(tolerance: 0, rows: [], acceptedShort: false)
        let p = spec.partitions
        tolerance = p.tolerance
        let kept = tally.kept
        var rows: [Row] = []
        for (index, column) in spec.columns.enumerated() {
            let role = roles[index]
            let counts = kept[index]
            let evaluation = p.dev + p.test
            for (k, partition) in Partition.allCases.enumerated() {
                let target: Double
                let base: Int
                if role == .heldout {
                    guard partition.isEvaluation else { continue }
                    target = evaluation > 0 ? p.fraction(partition) / evaluation : 0
                    base = counts[1] + counts[2]
                } else {
                    target = p.fraction(partition)
                    base = counts.reduce(0, +)
                }
                let share = base > 0 ? Double(counts[k]) / Double(base) : 0
                let expected = target * Double(base)
                var met = abs(share - target) <= p.tolerance + 1e-9 || abs(Double(counts[k]) - expected) <= 1 + 1e-9
                if target > 0, counts[k] == 0 { met = false }
                rows.append(Row(column: column.name, role: role.rawValue, partition: partition.rawValue,
                                target: Self.rounded(target), items: counts[k], share: Self.rounded(share), met: met))
            }
        }
        self.rows = rows
        acceptedShort = p.allowShort && rows.contains { !$0.met }
    }

    /// Shares as the manifest writes them: six decimals, so the bytes do not depend on how the
    /// platform spells the last bits of a double.
    static func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}

/// Why a quota could not be met, in words a researcher can act on: which column and partition,
/// what was asked against what was reached, which links cost the most items, and what to change.
enum QuotaRefusal {
    static func message(split name: String, table: QuotaTable, cost: IsolationCost?, graph: IsolationGraph,
                        input: SplitInput, spec: SplitSpec, bound: SideAssignment.Bound, kept: Int) -> String {
        var lines = unmet(split: name, table: table)
        for column in Array(Set(table.unmet.map(\.column))).sorted() {
            guard let c = cost?.byColumn[column] else { continue }
            let total = input.column.indices.filter { spec.columns[Int(input.column[$0])].name == column }.count
            let links = c.byLink.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  \(column): \(c.total) of \(total) item(s) dropped for isolation" + (links.isEmpty ? "" : " (by link: \(links))")
                         + (c.indirect > 0 ? "; \(c.indirect) through other dropped items" : ""))
        }
        for (column, description) in largestComponents(graph: graph, input: input, spec: spec, columns: Set(table.unmet.map(\.column))) {
            lines.append("  \(column): \(description)")
        }
        if !graph.hubs.isEmpty {
            lines.append("  keys cut to place oversized components: " + graph.hubs.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        }
        if graph.bridges > 0 {
            lines.append("  items dropped because their sentence ties several documents together: \(graph.bridges)")
        }
        lines.append("  kept \(kept) item(s); an upper bound for these components is \(bound.keptUpperBound)")
        lines.append("  to fix: " + fixes(table: table, cost: cost, spec: spec, graph: graph).joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    /// The refusal's first lines: which quotas are not met, by how much. All a refusal can say
    /// from counts alone (a cluster's, `ManifestFacts`).
    static func unmet(split name: String, table: QuotaTable) -> [String] {
        var lines = ["split \(name): the quotas of \(Set(table.unmet.map(\.column)).count) column(s) cannot be met; nothing was written"]
        for row in table.unmet {
            let asked = String(format: "%.1f%%", row.target * 100), got = String(format: "%.1f%%", row.share * 100)
            lines.append("  \(row.column) (\(row.role)), \(row.partition): \(row.items) item(s), \(got) of the column against \(asked) asked (tolerance \(String(format: "%.1f%%", table.tolerance * 100)))")
        }
        return lines
    }

    /// The largest component holding items of each column, when it holds a large part of it.
    static func largestComponents(graph: IsolationGraph, input: SplitInput, spec: SplitSpec, columns: Set<String>) -> [(String, String)] {
        var size = [Int](repeating: 0, count: graph.componentCount)
        var perColumn: [Int: [Int: Int]] = [:]
        var columnTotal = [Int](repeating: 0, count: spec.columns.count)
        for i in 0..<input.count {
            let c = Int(graph.component[i]), x = Int(input.column[i])
            size[c] += 1
            columnTotal[x] += 1
            perColumn[x, default: [:]][c, default: 0] += 1
        }
        var out: [(String, String)] = []
        for (x, column) in spec.columns.enumerated() where columns.contains(column.name) {
            guard let (c, n) = perColumn[x]?.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }),
                  n > 1, Double(n) >= 0.1 * Double(columnTotal[x]) else { continue }
            var linkCounts: [String] = []
            for link in graph.links where !IsolationGraph.cutLinks.contains(link) {
                var keys: Set<Int32> = []
                for i in 0..<input.count where Int(graph.component[i]) == c {
                    graph.forEachKey(link, of: i) { if !graph.isCut(link, $0) { keys.insert($0) } }
                }
                if !keys.isEmpty { linkCounts.append("\(keys.count) \(link.rawValue) key(s)") }
            }
            out.append((column.name, "\(n) of \(columnTotal[x]) item(s) are tied into one component of \(size[c]) item(s) through " + linkCounts.joined(separator: ", ")))
        }
        return out
    }

    static func fixes(table: QuotaTable, cost: IsolationCost?, spec: SplitSpec, graph: IsolationGraph) -> [String] {
        var out: [String] = []
        var byLink: [String: Int] = [:]
        for column in Set(table.unmet.map(\.column)) {
            for (link, n) in cost?.byColumn[column]?.byLink ?? [:] { byLink[link, default: 0] += n }
        }
        let links = byLink.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        for link in links.prefix(2) {
            switch IsolationLink(rawValue: link) {
            case .document: out.append("use finer documents (ingest with a document option) or `isolation.level: segment`")
            case .lexeme: out.append("`isolation.lexemes: false` (the same word may then be asked in training and evaluation)")
            case .consistencyGroup: out.append("`isolation.consistency_groups: false`")
            case .translation: out.append("fewer pivot languages per spec, or `isolation.translations: false` (translations of evaluation sentences may then be trained on)")
            case .nearDuplicate: out.append("a higher `isolation.near_duplicates.threshold`")
            case .sharedPassage: out.append("`isolation.shared_passages: false`")
            case .sharedSegment, nil: break
            }
        }
        if graph.hubs[.document] != nil, !links.prefix(2).contains(IsolationLink.document.rawValue) {
            out.append("finer documents: a document held a component too large to place (ingest with a document option, e.g. per <tu> or paragraph) or `isolation.level: segment`")
        }
        let worst = table.unmet.map { abs($0.share - $0.target) }.max() ?? 0
        if worst > table.tolerance, worst < 0.5 {
            // The next hundredth above the worst deviation, so the suggestion is enough.
            out.append("`partitions.tolerance: \(String(format: "%.2f", ((worst + 0.005) * 100).rounded(.up) / 100))` to accept these shares")
        }
        if table.unmet.contains(where: { $0.items == 0 }) {
            out.append("more items in the short column (more templates or corpora)")
        }
        out.append("`partitions.allow_short: true` (or `--allow-short`) to write it anyway, marked short in the manifest and card")
        return out
    }
}
