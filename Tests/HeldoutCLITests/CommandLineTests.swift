import Foundation
import Testing
import HeldoutCore
import HeldoutStore

/// Runs the built `heldout` binary, as a user would.
struct HeldoutBinary {
    static let url: URL = {
        // `swift test` runs from .build/<config>/heldoutPackageTests.xctest; the binary is its
        // sibling, built with the tests. No other place is tried: a binary elsewhere (an older
        // .build/debug) could be stale, and the tests would check it instead of the code.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("heldout")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        preconditionFailure("no heldout binary built next to the test bundle (\(CommandLine.arguments[0])); run `swift build --build-tests`")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs to completion and collects output.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL) throws -> Result {
        let process = start(arguments, in: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting, so a large output cannot fill the pipe and stall the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func start(_ arguments: [String], in directory: URL) -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = directory
        return process
    }
}

/// A temporary working directory for one test.
final class Workspace {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = self.path(name)
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    func run(_ arguments: String...) throws -> HeldoutBinary.Result {
        try HeldoutBinary.run(arguments, in: url)
    }

    var store: Store {
        get throws { try Store(path: path("heldout.sqlite")) }
    }
}

/// A Moses pair of `count` distinct lines per side, written in blocks: large inputs for the crash
/// and concurrency tests without holding them in memory twice.
func writeMosesPair(in workspace: Workspace, stem: String, count: Int) throws -> [String] {
    let en = workspace.path("\(stem).en"), fr = workspace.path("\(stem).fr")
    FileManager.default.createFile(atPath: en, contents: nil)
    FileManager.default.createFile(atPath: fr, contents: nil)
    let enHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: en))
    let frHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: fr))
    defer { try? enHandle.close(); try? frHandle.close() }
    var enBlock = "", frBlock = ""
    for i in 0..<count {
        enBlock += "Sentence number \(i) of \(stem) is written to fill a large corpus.\n"
        frBlock += "La phrase numéro \(i) de \(stem) est écrite pour remplir un grand corpus.\n"
        if i % 10_000 == 9_999 || i == count - 1 {
            enHandle.write(Data(enBlock.utf8)); frHandle.write(Data(frBlock.utf8))
            enBlock = ""; frBlock = ""
        }
    }
    return [en, fr]
}

@Suite("Command line", .serialized)
struct CommandLineTests {
    @Test("usage errors exit 2, a missing file exits 3, stats on no store exits 3")
    func exitStatuses() throws {
        let w = try Workspace()
        #expect(try w.run("ingest").status == 2)
        #expect(try w.run("ingest", "--pair", "nonsense!", "x.tmx").status == 2)
        #expect(try w.run("frobnicate").status == 2)
        let missing = try w.run("ingest", "--format", "tmx", "nope.tmx")
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("nope.tmx"))
        #expect(missing.stderr.contains("no such file"))
        #expect(try w.run("stats").status == 3)
        #expect(try w.run("--help").status == 0)
    }

    @Test("an empty file is bad input and leaves the store unchanged")
    func emptyFile() throws {
        let w = try Workspace()
        try w.write("empty.tmx", "")
        let result = try w.run("ingest", "empty.tmx")
        #expect(result.status == 3)
        #expect(result.stderr.contains("empty.tmx: file is empty"))
    }

    @Test("grade --report: the grade column is left-aligned and the counts line up, for one- and two-digit grades")
    func gradeReportTable() throws {
        let w = try Workspace()
        let easy = (0..<3).map { "The cat sat on mat number \($0) today." }
        let hard = (0..<3).map { "Notwithstanding considerable organisational complexity, interdisciplinary collaboration materialised unexpectedly within institution \($0)." }
        let middle = (0..<3).map { "The committee reviewed the proposal and decided to postpone the final decision until \($0)." }
        try w.write("s.tsv", (easy + hard + middle).enumerated().map { "\($0.offset)\ten\t\($0.element)" }.joined(separator: "\n") + "\n")
        #expect(try w.run("ingest", "--format", "tsv", "--columns", "id,lang,text", "s.tsv").status == 0)
        let result = try w.run("grade", "--report")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("grade ") })
        let end = lines[start...].firstIndex { $0.isEmpty } ?? lines.count
        let table = Array(lines[start..<end])
        let rows = table.dropFirst(2)
        #expect(rows.contains { $0.split(separator: " ").first.map { $0.count == 1 } == true })   // a one-digit grade
        #expect(rows.contains { $0.split(separator: " ").first.map { $0.count == 2 && Int($0) != nil } == true })   // a two-digit one
        for row in rows {
            #expect(row.first?.isWhitespace == false, "\(row)")             // labels start the line
            #expect(row.count == table[1].count, "\(row)")                   // counts end under the rule
        }
    }

    @Test("grade with bad bands or a bad gap: exit 2, the option named, nothing graded")
    func gradeBadBands() throws {
        let w = try Workspace()
        try w.write("s.tsv", "1\ten\tThe cat sat on the mat today.\n")
        #expect(try w.run("ingest", "--format", "tsv", "--columns", "id,lang,text", "s.tsv").status == 0)
        for arguments in [["--bands", "9-12,1-5"], ["--bands", "one-five"], ["--gap", "8,5"], ["--gap", "5"],
                          ["--bands", "1-5", "--gap", "5,8"]] {
            let result = try HeldoutBinary.run(["grade"] + arguments, in: w.url)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(arguments[0] == "--gap" ? "gap" : "bands"), "\(arguments): \(result.stderr)")
        }
        let graded = try w.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grade") }
        #expect(graded == 0)
    }

    @Test("a file that is not a heldout store is refused, not overwritten")
    func notAStore() throws {
        let w = try Workspace()
        try w.write("heldout.sqlite", String(repeating: "not a database ", count: 100))
        let result = try w.run("stats")
        #expect(result.status == 4)
        #expect(result.stderr.contains("not a heldout store"))
        #expect(try String(contentsOfFile: w.path("heldout.sqlite"), encoding: .utf8).hasPrefix("not a database"))
    }
}
