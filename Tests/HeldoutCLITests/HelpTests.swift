import Foundation
import Testing

/// The command line documents itself: every command's `--help` is committed under `Tests/help/`
/// (so a change to it shows in review), and the README's command table names every command.
///
/// A change on purpose: regenerate with
///
///     HELDOUT_UPDATE_HELP=1 swift test --skip-build --filter HelpTests
@Suite("help", .serialized)
struct HelpTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let snapshots = repository.appendingPathComponent("Tests/help")

    /// `heldout ARGS --help` at 80 columns, as a terminal of that width shows it.
    func help(_ arguments: [String]) throws -> String {
        let process = HeldoutBinary.start(arguments + ["--help"], in: FileManager.default.temporaryDirectory)
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments) --help")
        return String(decoding: data, as: UTF8.self)
    }

    /// The subcommands as the root help lists them, under its groups.
    func subcommands() throws -> [String] {
        let root = try help([])
        var names: [String] = []
        var inGroup = false
        for line in root.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix(":") && line.uppercased() == line { inGroup = line.hasSuffix("SUBCOMMANDS:"); continue }
            if line.isEmpty || line.hasPrefix("  See ") { continue }
            // A name starts at column 3; its abstract's continuation lines are indented further.
            if inGroup, line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first {
                names.append(String(word))
            }
        }
        return names
    }

    @Test("every command's --help matches its committed snapshot")
    func snapshots() throws {
        let names = try subcommands()
        #expect(names.contains("build") && names.contains("syllables"), "\(names)")
        let update = ProcessInfo.processInfo.environment["HELDOUT_UPDATE_HELP"] == "1"
        var mismatched: [String] = []
        for name in [""] + names {
            let text = try help(name.isEmpty ? [] : [name])
            let file = Self.snapshots.appendingPathComponent((name.isEmpty ? "heldout" : name) + ".txt")
            if update {
                try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: file)
            } else if (try? String(contentsOf: file, encoding: .utf8)) != text {
                mismatched.append(file.lastPathComponent)
            }
            // No option is listed twice (publish's --version once was: its own and the root's).
            let options = text.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.drop { $0 == " " }
                guard line.hasPrefix("  "), trimmed.hasPrefix("--") else { return nil }
                return String(trimmed.prefix { $0 != " " && $0 != "," })
            }
            #expect(Set(options).count == options.count, "\(name): \(options)")
        }
        #expect(mismatched.isEmpty, "help changed: \(mismatched); review, then regenerate with HELDOUT_UPDATE_HELP=1")
        // Every snapshot is a command's: a removed command leaves no stale file.
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.snapshots.path).filter { $0.hasSuffix(".txt") }
        #expect(Set(files) == Set((["heldout"] + names).map { $0 + ".txt" }))
    }

    @Test("the README's command table names every command, and only commands that exist")
    func readmeTable() throws {
        let names = try subcommands()
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let section = readme.components(separatedBy: "## Commands").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| `heldout ") }
        var documented = Set<String>()
        for row in rows {
            for part in row.components(separatedBy: "`heldout ").dropFirst() {
                if let word = part.split(whereSeparator: { $0 == " " || $0 == "`" }).first { documented.insert(String(word)) }
            }
        }
        #expect(Set(names).subtracting(documented).isEmpty, "missing from README's table: \(Set(names).subtracting(documented).sorted())")
        #expect(documented.subtracting(names).isEmpty, "in README's table but not a command: \(documented.subtracting(names).sorted())")
    }

    @Test("a misspelled command gets a suggestion, and exits 2")
    func suggestion() throws {
        let w = try Workspace()
        let result = try w.run("bulid", "splits/demo.yaml")
        #expect(result.status == 2)
        #expect(result.stderr.contains("Did you mean 'build'?"), "\(result.stderr)")
        let far = try w.run("frobnicate")
        #expect(far.status == 2)
        #expect(!far.stderr.contains("Did you mean"))
    }
}
