import Foundation
import Testing

/// The README's main command, end to end, on the bundled samples.
@Suite("heldout build", .serialized)
struct BuildTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func demoWorkspace() throws -> Workspace {
        let w = try Workspace()
        // Only the committed inputs: a checkout may hold splits a user built there.
        for item in ["corpora/samples", "templates", "splits/demo.yaml"] {
            let target = w.url.appendingPathComponent(item)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.repository.appendingPathComponent(item), to: target)
        }
        return w
    }

    func records(_ file: String, in w: Workspace) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: w.path("splits/demo/\(file)"), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("the demo builds, passes its audit, keeps the held-out column out of training, and rebuilds byte for byte")
    func demo() throws {
        let w = try demoWorkspace()
        let first = try w.run("build", "splits/demo.yaml")
        #expect(first.status == 0, "\(first.stderr)")
        let files = ["train.jsonl", "dev.jsonl", "test.jsonl", "manifest.json", "spec.yaml", "audit.json"]
        let before = try files.map { try Data(contentsOf: URL(fileURLWithPath: w.path("splits/demo/\($0)"))) }

        let train = try records("train.jsonl", in: w)
        let evaluation = try records("dev.jsonl", in: w) + records("test.jsonl", in: w)
        #expect(!train.isEmpty && !evaluation.isEmpty)
        #expect(train.allSatisfy { ($0["role"] as? String) != "heldout" })
        #expect(evaluation.contains { ($0["column"] as? String) == "tone" })
        // No training record shares a segment with an evaluation record of the held-out column.
        let trainSegments = Set(train.flatMap { ($0["segments"] as? [String]) ?? [] })
        for record in evaluation where (record["column"] as? String) == "tone" {
            #expect(Set((record["segments"] as? [String]) ?? []).isDisjoint(with: trainSegments))
        }
        let audit = try #require(try JSONSerialization.jsonObject(with: before[5]) as? [String: Any])
        #expect(audit["clean"] as? Bool == true)

        let second = try w.run("build", "splits/demo.yaml")
        #expect(second.status == 0)
        #expect(second.stderr.contains("questions unchanged"))
        let after = try files.map { try Data(contentsOf: URL(fileURLWithPath: w.path("splits/demo/\($0)"))) }
        #expect(before == after)
    }

    @Test("a spec naming a missing source fails with exit 3 before anything is stored")
    func missingSource() throws {
        let w = try demoWorkspace()
        try FileManager.default.removeItem(atPath: w.path("corpora/samples/fr.conllu"))
        let result = try w.run("build", "splits/demo.yaml")
        #expect(result.status == 3)
        #expect(result.stderr.contains("fr.conllu"))
        #expect(!FileManager.default.fileExists(atPath: w.path("heldout.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: w.path("splits/demo")))
    }
}
