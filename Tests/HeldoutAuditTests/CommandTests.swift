import Foundation
import Testing
@testable import HeldoutAudit

/// `heldout audit` as a user runs it: exit statuses and messages (DESIGN: 0 clean, 1 a leak,
/// 3 bad input with file and line).
@Suite struct CommandTests {
    /// The `heldout` binary built beside this test bundle (`swift build` builds it).
    static let binary: String? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let path = dir.appendingPathComponent("heldout").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary))
        process.arguments = arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test(.enabled(if: binary != nil, "the heldout executable is not built beside the tests (run swift build)"))
    func exitStatuses() throws {
        let clean = try Fixture.write()
        let ok = try run(["audit", clean])
        #expect(ok.status == 0)
        #expect(ok.out.contains("clean: no leak of an enforced rule"))
        #expect(FileManager.default.fileExists(atPath: clean + "/audit.json"))
        #expect(FileManager.default.fileExists(atPath: clean + "/audit.html"))

        let leaking = try Fixture.write(train: Fixture.train + [AuditTests.plants[1].record])
        let leak = try run(["audit", leaking, "--json"])
        #expect(leak.status == 1)
        let report = try JSONDecoder().decode(AuditReport.self, from: Data(leak.out.utf8))
        #expect(report.leaks.map(\.rule) == [.foldedSegment])

        let broken = try Fixture.write()
        try "{\"id\": \"x\"}\n{\"id\": \"y\"\n".write(toFile: broken + "/dev.jsonl", atomically: true, encoding: .utf8)
        let bad = try run(["audit", broken])
        #expect(bad.status == 3)
        #expect(bad.err.contains(broken + "/dev.jsonl:2:"))

        let missing = try run(["audit", clean, "--against", clean + "/nope.txt"])
        #expect(missing.status == 3)
        #expect(missing.err.contains("nope.txt: no such file"))
    }

    @Test("audit.json lists the first 100 leaks of a rule; --full lists them all",
          .enabled(if: binary != nil, "the heldout executable is not built beside the tests (run swift build)"))
    func fullListOnlyOnRequest() throws {
        let copies = (0..<101).map { k in
            Fixture.rec(String(format: "c%03d", k), "grammar",
                        "We regret to inform you that your application has not been successful on this occasion.",
                        partition: "train", answer: "yes")
        }
        let dir = try Fixture.write(train: Fixture.train + copies)
        let capped = try run(["audit", dir, "--json"])
        #expect(capped.status == 1)
        let short = try JSONDecoder().decode(AuditReport.self, from: Data(capped.out.utf8))
        #expect(short.leaks.count == 100 && short.unlisted == ["exact_segment": 1] && short.enforcedLeaks == 101)
        let written = try JSONDecoder().decode(AuditReport.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/audit.json")))
        #expect(written.leaks.count == 100)
        let full = try run(["audit", dir, "--json", "--full"])
        let all = try JSONDecoder().decode(AuditReport.self, from: Data(full.out.utf8))
        #expect(all.leaks.count == 101 && all.unlisted.isEmpty)
    }
}
