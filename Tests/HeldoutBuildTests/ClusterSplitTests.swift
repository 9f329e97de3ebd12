import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutShard
import Testing

/// `heldout map place`: a split the cluster finished is put in place with no store and no
/// replay, as the split puts its own; a folder that is not a finished split is refused, and
/// nothing is written or lost.
@Suite("map place")
struct ClusterSplitTests {
    static let files = ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl", "spec.yaml", "manifest.json", "audit.json", "audit.html"]

    /// The README's demo (the repository's samples, with its comparison: two variants) built
    /// locally, and its files gathered as a cluster's records folder holds them (`VARIANT/…`, a
    /// sibling's dev and test the primary's).
    static func built() throws -> (directory: URL, spec: String, records: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-place-\(UUID().uuidString)")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spec = repository.appendingPathComponent("splits/demo.yaml").path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var request = BuildPipeline.Request(specPath: spec, storePath: directory.appendingPathComponent("s.sqlite").path, toolVersion: "test")
        request.output = directory.appendingPathComponent("local/demo").path
        _ = try BuildPipeline.run(request)
        let records = directory.appendingPathComponent("records")
        for variant in ["demo", "demo-comparison"] {
            let into = records.appendingPathComponent(variant)
            try FileManager.default.createDirectory(at: into, withIntermediateDirectories: true)
            for file in files {
                let from = ["dev.jsonl", "test.jsonl"].contains(file) ? "demo" : variant
                try FileManager.default.copyItem(at: directory.appendingPathComponent("local/\(from)/\(file)"), to: into.appendingPathComponent(file))
            }
        }
        return (directory, spec, records)
    }

    static func place(_ spec: String, _ records: URL, out: URL) throws -> [String: Any] {
        var data = Data()
        try ShardMapper(specPath: spec).place(recordsPath: records.path, output: out.path, write: { data.append($0) })
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func contents(_ folder: URL) -> [String: Data] {
        var found: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            found[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        }
        return found
    }

    @Test("every variant put in place with the records folder's bytes (the local build's), over an earlier split of its own; its summary names each output and its clean audit")
    func placed() throws {
        let (directory, spec, records) = try Self.built()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("splits/demo")
        for _ in 0..<2 {  // the second replaces the first, as a split replaces its own
            let summary = try Self.place(spec, records, out: out)
            let outputs = try #require(summary["outputs"] as? [[String: Any]])
            #expect(outputs.map { $0["name"] as? String } == ["demo", "demo-comparison"])
            #expect(outputs.map { $0["directory"] as? String } == [out.path, out.path + "-comparison"])
            let splits = try #require(summary["splits"] as? [[String: Any]])
            #expect(splits.allSatisfy { ($0["audit"] as? [String: Any])?["clean"] as? Bool == true })
            for suffix in ["", "-comparison"] {
                let local = Self.contents(directory.appendingPathComponent("local/demo\(suffix)"))
                #expect(Self.contents(URL(fileURLWithPath: out.path + suffix)) == local)
                #expect(Set(local.keys) == Set(Self.files))
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("refused with nothing written (exit 1): a file missing, a file no split writes, a record changed after the manifest digested it, an audit with a leak; a destination holding the user's file is refused (exit 2) and kept")
    func refused() throws {
        let (directory, spec, records) = try Self.built()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fm = FileManager.default
        let out = directory.appendingPathComponent("splits/demo")
        func refusedWith(_ status: Int32, _ why: String, _ change: (URL) throws -> Void) throws {
            let copy = directory.appendingPathComponent("records-\(UUID().uuidString)")
            try fm.copyItem(at: records, to: copy)
            try change(copy)
            #expect { _ = try Self.place(spec, copy, out: out) } throws: { error in
                (error as? HeldoutError).map { $0.exitStatus == status && $0.userMessage.contains(why) } ?? false
            }
            #expect(!fm.fileExists(atPath: out.path) && !fm.fileExists(atPath: out.path + "-comparison"), "\(why)")
            let leftovers = (try? fm.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)) ?? []
            #expect(leftovers.isEmpty, "\(why): \(leftovers)")
        }
        try refusedWith(1, "lacks audit.json") { try fm.removeItem(at: $0.appendingPathComponent("demo-comparison/audit.json")) }
        try refusedWith(1, "holds notes.txt") { try Data("x".utf8).write(to: $0.appendingPathComponent("demo/notes.txt")) }
        try refusedWith(1, "not the file the manifest digests") { folder in
            let test = folder.appendingPathComponent("demo-comparison/test.jsonl")
            var lines = try String(contentsOf: test, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            lines.removeFirst()
            try lines.joined(separator: "\n").write(to: test, atomically: true, encoding: .utf8)
        }
        try refusedWith(1, "enforced leak") { folder in
            let audit = folder.appendingPathComponent("demo/audit.json")
            let text = try String(contentsOf: audit, encoding: .utf8).replacingOccurrences(of: "\"enforced_leaks\":0", with: "\"enforced_leaks\":2")
                .replacingOccurrences(of: "\"enforced_leaks\" : 0", with: "\"enforced_leaks\" : 2")
            #expect(text != (try String(contentsOf: audit, encoding: .utf8)), "the audit report's spelling changed")
            try text.write(to: audit, atomically: true, encoding: .utf8)
        }
        try refusedWith(1, "not of demo-comparison") { folder in
            let manifest = folder.appendingPathComponent("demo-comparison/manifest.json")
            try fm.removeItem(at: manifest)
            try fm.copyItem(at: folder.appendingPathComponent("demo/manifest.json"), to: manifest)
        }

        try fm.createDirectory(at: out.deletingLastPathComponent().appendingPathComponent("demo-comparison"), withIntermediateDirectories: true)
        let notes = out.deletingLastPathComponent().appendingPathComponent("demo-comparison/notes.txt")
        try Data("the user's".utf8).write(to: notes)
        #expect { _ = try Self.place(spec, records, out: out) } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 2 && $0.userMessage.contains("is not a heldout split") } ?? false
        }
        #expect(fm.contents(atPath: notes.path) == Data("the user's".utf8))
        #expect(!fm.fileExists(atPath: out.path))
    }
}
