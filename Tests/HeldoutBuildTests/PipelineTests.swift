import Foundation
import HeldoutAudit
import HeldoutBuild
import HeldoutCore
import HeldoutStore
import Testing

/// The pipeline runs in-process: no binary, no working directory of its own.
@Suite("build pipeline, in-process", .serialized)
struct PipelineTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A temporary folder holding the demo spec with its source and template paths made absolute.
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-build-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    func demoSpec(in folder: Folder) throws -> String {
        var text = try String(contentsOf: Self.repository.appendingPathComponent("splits/demo.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "path: ../corpora/", with: "path: \(Self.repository.path)/corpora/")
            .replacingOccurrences(of: "templates: ../templates/", with: "templates: \(Self.repository.path)/templates/")
        let spec = folder.path("demo.yaml")
        try Data(text.utf8).write(to: URL(fileURLWithPath: spec))
        return spec
    }

    func request(_ folder: Folder, spec: String, log: @escaping (String) -> Void = { _ in }) -> BuildPipeline.Request {
        var request = BuildPipeline.Request(specPath: spec, storePath: folder.path("heldout.sqlite"), toolVersion: "test")
        request.output = folder.path("splits/demo")
        request.log = log
        return request
    }

    @Test("the demo builds in-process, audited; a second build skips every unchanged stage and writes the same bytes")
    func demo() throws {
        let folder = try Folder()
        let spec = try demoSpec(in: folder)
        let first = try BuildPipeline.run(request(folder, spec: spec))

        let names = ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl", "manifest.json", "spec.yaml", "audit.json"]
        let before = try names.map { try Data(contentsOf: URL(fileURLWithPath: folder.path("splits/demo/\($0)"))) }
        let primary = try #require(first.outputs.first)
        #expect(primary.name == "demo")
        #expect((primary.records["train"] ?? 0) > 0 && (primary.records["test"] ?? 0) > 0)
        let audit = try #require(try JSONSerialization.jsonObject(with: before[6]) as? [String: Any])
        #expect(audit["clean"] as? Bool == true)
        // Seven sources (the Moses pair is one corpus), then grade, questions and split: all ran.
        #expect(first.stages.map(\.stage) == Array(repeating: "ingest", count: 7) + ["grade", "questions", "split"])
        #expect(first.stages.allSatisfy { $0.status == .ran })
        // `build --json`: each split's audit verdict and drops, read back from what was written.
        let result = try #require(first.splits.first)
        #expect(result.audit?.clean == true && result.audit?.enforcedLeaks == 0)
        let manifest = try #require(try SplitManifest.read(directory: URL(fileURLWithPath: folder.path("splits/demo"))))
        #expect(result.dropped == manifest.dropped ?? [:])
        #expect(first.splits.map(\.name) == first.outputs.map(\.name))

        var lines: [String] = []
        let second = try BuildPipeline.run(request(folder, spec: spec) { lines.append($0) })
        #expect(second.stages.filter { $0.stage != "split" }.allSatisfy { $0.status == .skipped })
        #expect(second.stages.last?.status == .ran)
        #expect(lines.contains { $0.hasPrefix("questions unchanged") })
        let after = try names.map { try Data(contentsOf: URL(fileURLWithPath: folder.path("splits/demo/\($0)"))) }
        #expect(before == after)

        // The skip is recorded in the store: a changed template makes questions run again.
        let store = try Store(path: folder.path("heldout.sqlite"), mustExist: true)
        try store.setStageFingerprint("questions", "stale")
        let third = try BuildPipeline.run(request(folder, spec: spec))
        #expect(third.stages.first { $0.stage == "questions" }?.status == .ran)
        #expect(third.stages.first { $0.stage == "grade" }?.status == .skipped)
    }

    /// A stage that counts its runs and fails on demand.
    final class Counting: Stage, @unchecked Sendable {
        var runs = 0
        var fail = false
        var input = "a"
        var name: String { "count" }
        var key: String { "count" }
        func fingerprint(_ store: Store) throws -> String? { input }
        func run(_ context: StageContext) throws -> Int {
            runs += 1
            if fail { throw HeldoutError.checkFailed("asked to fail") }
            return runs
        }
        func summary(_ report: Int) -> String { "ran \(report)" }
    }

    @Test("the runner skips a stage whose fingerprint is recorded, and records it only when the stage succeeds")
    func runnerSkips() throws {
        let folder = try Folder()
        let store = try Store(path: folder.path("s.sqlite"))
        let stage = Counting()
        let runner = StageRunner(store: store)
        #expect(try runner.run(stage) == 1)
        #expect(try runner.run(stage) == nil)
        stage.input = "b"
        stage.fail = true
        #expect(throws: HeldoutError.self) { try runner.run(stage) }
        #expect(try store.stageFingerprint("count") == "a")
        stage.fail = false
        #expect(try runner.run(stage) == 3)
        #expect(runner.results.map(\.status) == [.ran, .skipped, .ran])
        // A command that runs its stage anyway still records the fingerprint.
        let always = StageRunner(store: store, skipUnchanged: false)
        #expect(try always.run(stage) == 4)
        #expect(try store.stageFingerprint("count") == "b")
    }

    @Test("the audit seam names a leak by the link its rule checks; the two rules no link covers keep their name")
    func leakNames() {
        for rule in LeakRule.allCases {
            let name = IndependentAudit.link(for: rule)
            if let link = IsolationLink(rawValue: name) {
                #expect(link.auditRules.contains(rule.rawValue), "\(rule) → \(name)")
            } else {
                #expect(name == rule.rawValue)
                #expect([LeakRule.ngramOverlap, .answerLeak].contains(rule), "\(rule) checks no link")
            }
        }
    }
}
