import Foundation
import HeldoutCore
@testable import HeldoutPublish

/// A scratch directory holding a small split, as `heldout build` would write it.
final class SplitFixture {
    let root: URL
    var split: URL { root.appendingPathComponent("splits/demo") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-publish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("splits/demo"), withIntermediateDirectories: true)
    }

    deinit {
        Self.unseal(root)
        try? FileManager.default.removeItem(at: root)
    }

    /// Makes every folder under `url` writable again (releases are sealed 0555), as a user who
    /// means to change or delete one would; root needs none of it, anyone else does.
    static func unseal(_ url: URL) {
        let fm = FileManager.default
        try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        guard let walker = fm.enumerator(atPath: url.path) else { return }
        for case let relative as String in walker {
            let path = url.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
                try? fm.setAttributes([.posixPermissions: isDirectory.boolValue ? 0o755 : 0o644], ofItemAtPath: path)
            }
        }
    }

    static func record(_ id: String, _ partition: String, _ column: String, band: String = "6-8", domain: String = "news") -> String {
        let role = column == "tone" ? "heldout" : "supervised"
        return #"{"answer":null,"band":"\#(band)","column":"\#(column)","domain":"\#(domain)","id":"\#(id)","pair":"fr-en","partition":"\#(partition)","question":"Q \#(id)?","role":"\#(role)","source":{"lang":"fr","text":"t \#(id)","translation":"u \#(id)"}}"#
    }

    /// Writes the split: `train`, `dev`, `test` are lists of (id, column).
    func write(train: [(String, String)], dev: [(String, String)], test: [(String, String)], directory: URL? = nil, name: String = "demo",
               auditLeaks: Int = 0,
               sources: [String] = ["{ path: corpora/samples/fr.txt, format: text, lang: fr, license: CC-BY-4.0 }"]) throws {
        let dir = directory ?? split
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, rows) in [("train", train), ("dev", dev), ("test", test)] {
            let text = rows.map { Self.record($0.0, file, $0.1) + "\n" }.joined()
            try Data(text.utf8).write(to: dir.appendingPathComponent("\(file).jsonl"))
        }
        try Data("""
            name: \(name)
            seed: 17
            sources:
            \(sources.map { "  - \($0)" }.joined(separator: "\n"))
            axis: category
            columns:
              definition: { role: supervised }
              tone: { role: heldout }

            """.utf8).write(to: dir.appendingPathComponent("spec.yaml"))
        try Data(#"{"id":"gone","reason":"isolation"}"#.utf8 + [0x0A]).write(to: dir.appendingPathComponent("dropped.jsonl"))
        // What the splitter records of its own output (`outputs`), so publish can tell a changed file.
        var outputs: [String] = []
        for file in ["dev.jsonl", "dropped.jsonl", "spec.yaml", "test.jsonl", "train.jsonl"] {
            outputs.append("\"\(file)\":\"\(try FileDigest.sha256(ofFile: dir.appendingPathComponent(file).path).hex)\"")
        }
        let manifest = """
            {"audit":{"enforce":["exact_segment"]},"inputs":{"corpora":{"fr":"\(String(repeating: "a", count: 64))"},"items":"x","sources":{"corpora/samples/fr.txt":"\(String(repeating: "b", count: 64))"}},"isolation":["shared_segment"],"name":"\(name)","outputs":{\(outputs.joined(separator: ","))},"roles":{"definition":"supervised","tone":"heldout"},"tool":{"name":"heldout","version":"0.1.0"}}

            """
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        try Data(#"{"clean":\#(auditLeaks == 0),"enforced_leaks":\#(auditLeaks)}"#.utf8).write(to: dir.appendingPathComponent("audit.json"))
    }

    func standard() throws {
        try write(train: [("a1", "definition"), ("a2", "definition"), ("a3", "definition")],
                  dev: [("d1", "tone")], test: [("t1", "tone"), ("t2", "definition")])
    }

    func publish(_ version: String, license: String? = "CC-BY-4.0", notes: String? = nil, allowLeaks: Bool = false,
                 auditRunner: AuditRunner? = nil) throws -> URL {
        var options = Publisher.Options(version: version, toolVersion: "0.1.0")
        options.allowLeaks = allowLeaks
        options.auditRunner = auditRunner
        options.license = license
        options.date = "2026-01-02"
        options.notes = notes
        options.corpusLicences = ["fr": "CC-BY-SA-4.0"]
        return try Publisher(split: split).publish(options, environment: [:])
    }

    func text(_ url: URL, _ name: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
    }
}
