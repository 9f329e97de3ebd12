import Foundation
import Testing

/// `heldout publish`, `verify` and `rebuild` end to end on the bundled demo, run as a user would.
@Suite("HeldoutPublishTests commands", .serialized)
struct CommandTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: URL = {
        // `swift test` runs from .build/<config>/heldoutPackageTests.xctest; the binary is its sibling.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("heldout")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/heldout")
    }()

    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("publish the demo; verify passes, rebuild matches byte for byte; a changed byte fails verify; republishing fails")
    func demo() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-publish-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("corpora"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // Only the committed inputs this test needs: a checkout may hold splits and releases a
        // user built there, and a copied v1.0.0 would make the first publish fail.
        for item in ["corpora/samples", "templates", "splits/demo.yaml"] {
            let target = work.appendingPathComponent(item)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.repository.appendingPathComponent(item), to: target)
        }
        defer { _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+w", work.path]).waitUntilExit() }
        let build = try Self.run(["build", "splits/demo.yaml"], in: work)
        try #require(build.status == 0, "\(build.stderr)")

        let publish = try Self.run(["publish", "splits/demo", "--version", "1.0.0", "--date", "2026-01-02"], in: work)
        try #require(publish.status == 0, "\(publish.stderr)")
        let release = "splits/demo/releases/v1.0.0"
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("\(release)/comparison/train.jsonl").path))

        let verify = try Self.run(["verify", release], in: work)
        #expect(verify.status == 0, "\(verify.stderr)")
        let rebuild = try Self.run(["rebuild", release], in: work)
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(rebuild.stdout.contains("byte-identical"))

        // Building the split again keeps its releases.
        let rebuildSplit = try Self.run(["build", "splits/demo.yaml"], in: work)
        #expect(rebuildSplit.status == 0, "\(rebuildSplit.stderr)")
        #expect(try Self.run(["verify", release], in: work).status == 0)

        let again = try Self.run(["publish", "splits/demo", "--version", "1.0.0"], in: work)
        #expect(again.status == 2)
        #expect(again.stderr.contains("immutable"))
        let semver = try Self.run(["publish", "splits/demo", "--version", "1.0"], in: work)
        #expect(semver.status == 2)

        let dev = work.appendingPathComponent("\(release)/dev.jsonl")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dev.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dev.deletingLastPathComponent().path)
        var data = try Data(contentsOf: dev)
        data[data.count / 2] ^= 0x20
        try data.write(to: dev)
        let tampered = try Self.run(["verify", release], in: work)
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("dev.jsonl"), "\(tampered.stderr)")
        let rebuilt = try Self.run(["rebuild", release], in: work)
        #expect(rebuilt.status == 1)
        #expect(rebuilt.stderr.contains("dev.jsonl: differs"), "\(rebuilt.stderr)")
    }
}
