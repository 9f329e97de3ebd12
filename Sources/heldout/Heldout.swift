import ArgumentParser
import HeldoutCore

/// `heldout`: build datasets that test whether honesty trained where answers can be checked
/// carries over to where they cannot — with the held-out column guaranteed isolated.
struct Heldout: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "heldout",
        abstract: "Build held-out generalisation datasets with guaranteed isolation.",
        discussion: """
        Exit status: 0 success, 1 a check failed, 2 usage error, 3 bad input (with file, line
        and column), 4 the store cannot be used (busy, not a heldout store, disk full).
        """,
        version: version,
        subcommands: [BuildCommand.self, IngestCommand.self, GradeCommand.self, StatsCommand.self, SegmentsCommand.self, QuestionsCommand.self, ItemsCommand.self, SplitCommand.self, AuditCommand.self, SyllablesCommand.self, PublishCommand.self, VerifyCommand.self, RebuildCommand.self, MapCommand.self]
    )
}

/// Options every command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite store to use.")
    var store: String = "heldout.sqlite"

    @Flag(name: .long, help: "Print a machine-readable JSON result on stdout.")
    var json = false
}
