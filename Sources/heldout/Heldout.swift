import ArgumentParser
import Foundation
import HeldoutCore
import HeldoutStore

/// `heldout`: build datasets that test whether honesty trained where answers can be checked
/// carries over to where they cannot — with the held-out column guaranteed isolated.
struct Heldout: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "heldout",
        abstract: "Build held-out generalisation datasets with guaranteed isolation.",
        discussion: """
        Exit status: 0 success, 1 a check failed, 2 usage error, 3 bad input (with file, line and column), 4 the store cannot be used (busy, not a heldout store, disk full).

        `heldout --version` prints the version.
        """,
        groupedSubcommands: [
            CommandGroup(name: "Pipeline", subcommands: [BuildCommand.self, IngestCommand.self, GradeCommand.self, QuestionsCommand.self,
                                                         SplitCommand.self, AuditCommand.self]),
            CommandGroup(name: "Releases", subcommands: [PublishCommand.self, VerifyCommand.self, RebuildCommand.self]),
            CommandGroup(name: "Inspection", subcommands: [StatsCommand.self, SegmentsCommand.self, ItemsCommand.self, SyllablesCommand.self]),
            CommandGroup(name: "More than one machine", subcommands: [MapCommand.self]),
        ]
    )

    // `heldout --version` is answered in main.swift before parsing: as the configuration's
    // `version`, or as a flag of this command, it was also listed (and parsed) under
    // `publish`, whose `--version` is the release's.

    /// Every subcommand's name, for suggestions and the help snapshots.
    static var subcommandNames: [String] {
        configuration.subcommands.compactMap { $0.configuration.commandName }
    }

    /// The subcommand `word` was probably meant to be (`bulid` → `build`): within two edits.
    static func suggestion(for word: String) -> String? {
        let scored = subcommandNames.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

/// Options every command that reads or writes the store takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite store to use.")
    var store: String = "heldout.sqlite"

    @Flag(name: .long, help: "Print a machine-readable JSON result on stdout.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("How long to wait for another heldout process writing to the store.", valueName: "seconds"))
    var busyTimeout: Int = 600

    func validate() throws {
        if busyTimeout < 0 { throw ValidationError("--busy-timeout \(busyTimeout): must be 0 or more seconds") }
    }

    /// The store, saying on standard error when it has to wait for another writer.
    func open(mustExist: Bool = false) throws -> Store {
        try Store(path: store, mustExist: mustExist, busyTimeout: busyTimeout, onWait: Self.waitNotice(busyTimeout))
    }

    static func waitNotice(_ seconds: Int) -> @Sendable (String) -> Void {
        { path in Console.error("heldout: \(path): another heldout process is writing to the store; waiting for it (up to \(seconds) s, --busy-timeout)") }
    }
}
