import ArgumentParser
import HeldoutBuild
import HeldoutStore

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count what the store holds: segments per language, alignment groups, pairs, corpora."
    )

    @OptionGroup var common: StoreOptions

    func run() throws {
        let store = try common.open(mustExist: true)
        let stats = try store.statistics()
        let checks = try store.gradingCheckCounts()
        if common.json {
            try Console.json(StatsOutput(stats: stats, checks: checks))
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
        if !stats.bands.isEmpty {
            Console.out("")
            Console.out("language check: \(checks.languageFlagged) segments flagged as not in their tag's language (docs/grading.md)")
            let reasons = checks.ungradableReasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            Console.out("ungradable: \(checks.ungradable) segments" + (reasons.isEmpty ? "" : " (\(reasons))"))
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

/// `stats --json`: the store's statistics with grading's checks beside them, in one object.
struct StatsOutput: Encodable {
    let stats: StoreStatistics
    let checks: GradingCheckCounts

    func encode(to encoder: any Encoder) throws {
        try stats.encode(to: encoder)
        try checks.encode(to: encoder)
    }
}
