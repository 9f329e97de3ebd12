import ArgumentParser
import HeldoutStore

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count what the store holds: segments per language, alignment groups, pairs, corpora."
    )

    @OptionGroup var common: StoreOptions

    func run() throws {
        let store = try Store(path: common.store, mustExist: true)
        let stats = try store.statistics()
        if common.json {
            try Console.json(stats)
            return
        }
        Console.out("segments          \(stats.segments)")
        Console.out("occurrences       \(stats.occurrences)")
        Console.out("documents         \(stats.documents)")
        Console.out("alignment groups  \(stats.alignmentGroups)")
        Console.out("")
        Console.out(Table(["language", "segments"], stats.languages.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }).render())
        Console.out("")
        Console.out(Table(["pair", "groups"], stats.pairs.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }).render())
        if !stats.bands.isEmpty {
            Console.out("")
            Console.out(Table(["band", "segments"], stats.bands.sorted { GradeCommand.bandOrder($0.key, $1.key) }.map { [$0.key, "\($0.value)"] }).render())
        }
        if let check = try? store.languageCheckSummary(), !check.languages.isEmpty {
            Console.out("")
            Console.out("language check: \(check.flagged) segments flagged as not in their tag's language (docs/grading.md)")
        }
        if !stats.domains.isEmpty {
            Console.out("")
            Console.out(Table(["domain", "segments"], stats.domains.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }).render())
        }
        Console.out("")
        Console.out(Table(["corpus", "format", "units", "languages", "sha256"], stats.corpora.map {
            [$0.name, $0.format, "\($0.units)", $0.languages.joined(separator: ","), String($0.sha256.prefix(12))]
        }).render())
        try Self.printItemSection(store)
    }
}

/// A plain aligned text table; numbers right-aligned.
struct Table {
    let header: [String]
    let rows: [[String]]

    init(_ header: [String], _ rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// `12`, `11.18`, `-0.5`, `97.5%`: right-aligned.
    static func isNumber(_ cell: String) -> Bool {
        let digits = cell.hasSuffix("%") ? String(cell.dropLast()) : cell
        return !digits.isEmpty && Double(digits) != nil && digits.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" }
    }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.count > column ? $0[column].count : 0 }.max() ?? 0 }
        // The first column labels the row and is left-aligned, whatever it holds (a grade
        // `10` under `<1` and `9`); numbers in the others are right-aligned. Only trailing
        // spaces are trimmed: trimming leading ones shifted a right-aligned first cell.
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index > 0 && Self.isNumber(cell) ? pad + cell : cell + pad
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
