import Foundation
import Testing

/// Issue 16: a spec's relative paths are relative to the spec's folder, not to the working
/// directory, for `build` and for the `spec.yaml` a split and its release keep.
@Suite("spec paths relative to the spec", .serialized)
struct SpecPathTests {
    /// Every file under `folder`, by relative path.
    static func files(under folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return out }
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let url = folder.appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            out[relative] = try Data(contentsOf: url)
        }
        return out
    }

    @Test("the demo built from splits/ writes the same bytes as from the repository's root")
    func otherWorkingDirectory() throws {
        let root = try BuildTests().demoWorkspace()
        let fromRoot = try root.run("build", "splits/demo.yaml")
        try #require(fromRoot.status == 0, "\(fromRoot.stderr)")

        let inside = try BuildTests().demoWorkspace()
        let splits = inside.url.appendingPathComponent("splits")
        // As the README says: `swift run --package-path .. heldout build demo.yaml`, from splits/.
        let fromSplits = try HeldoutBinary.run(["build", "demo.yaml", "--out", "demo"], in: splits)
        try #require(fromSplits.status == 0, "\(fromSplits.stderr)")

        for name in ["demo", "demo-comparison"] {
            let expected = try Self.files(under: root.url.appendingPathComponent("splits/\(name)"))
            let actual = try Self.files(under: splits.appendingPathComponent(name))
            #expect(expected.count >= 7, "\(name): \(expected.keys.sorted())")
            #expect(Set(expected.keys) == Set(actual.keys))
            for (file, bytes) in expected { #expect(actual[file] == bytes, "\(name)/\(file) differs") }
        }
        // The stored spec says where its paths start: the spec's folder, from the split's.
        let stored = try String(contentsOfFile: root.path("splits/demo/spec.yaml"), encoding: .utf8)
        #expect(stored.contains("base: \"..\"") && stored.contains("\"../corpora/samples/en-fr.tmx\""), "\(stored)")
        // And the split's spec.yaml builds from anywhere, meaning the same files.
        let again = try HeldoutBinary.run(["build", root.path("splits/demo/spec.yaml"), "--out", root.path("again"), "--store", root.path("again.sqlite")],
                                          in: root.url.appendingPathComponent("corpora"))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: root.path("again/train.jsonl")))
                == Data(contentsOf: URL(fileURLWithPath: root.path("splits/demo/train.jsonl"))))
    }

    @Test("a missing relative source names the resolved path and the spec's file:line:column (exit 3)")
    func missingSource() throws {
        let w = try BuildTests().demoWorkspace()
        try w.write("splits/missing.yaml", """
            name: missing
            sources:
              - { path: ../corpora/samples/fr.txt, format: text, lang: fr }
              - { path: ../corpora/samples/nowhere.txt, format: text, lang: fr }
            axis: category
            columns:
              tone: { role: supervised }

            """)
        let result = try w.run("build", "splits/missing.yaml")
        #expect(result.status == 3, "\(result.stderr)")
        let resolved = w.url.standardizedFileURL.appendingPathComponent("corpora/samples/nowhere.txt").path
        #expect(result.stderr.contains(resolved), "\(result.stderr)")
        #expect(result.stderr.contains("splits/missing.yaml:4:"), "\(result.stderr)")
        #expect(result.stderr.contains("sources[1].path"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: w.path("heldout.sqlite")), "nothing stored")

        // A spec written for the working directory: the message says how to spell it now.
        try w.write("splits/old.yaml", """
            name: old
            sources:
              - { path: corpora/samples/fr.txt, format: text, lang: fr }
            axis: category
            columns:
              tone: { role: supervised }

            """)
        let old = try w.run("build", "splits/old.yaml")
        #expect(old.status == 3, "\(old.stderr)")
        #expect(old.stderr.contains("splits/old.yaml:3:") && old.stderr.contains("write it as ../corpora/samples/fr.txt"), "\(old.stderr)")
    }

    @Test("a release rebuilds from any working directory; one whose spec.yaml predates `base` still rebuilds from where it was built")
    func releaseRebuild() throws {
        let w = try ReleaseCLITests().builtDemo()
        defer { ReleaseCLITests().unseal(w) }
        try #require(try w.run("publish", "splits/demo", "--version", "1.0.0", "--date", "2026-01-02").status == 0)
        let release = w.url.appendingPathComponent("splits/demo/releases/v1.0.0")
        let record = try String(contentsOf: release.appendingPathComponent("release.json"), encoding: .utf8)
        #expect(record.contains("\"spec_directory\":\"../..\""), "\(record)")
        // From inside the release itself.
        let inside = try HeldoutBinary.run(["rebuild", "."], in: release)
        #expect(inside.status == 0, "\(inside.stderr)")
        #expect(inside.stdout.contains("byte-identical"))

        // A release as an older heldout wrote it: no `base`, paths of the build's working directory.
        ReleaseCLITests().unseal(w)
        let specURL = release.appendingPathComponent("spec.yaml")
        let spec = try String(contentsOf: specURL, encoding: .utf8)
        let legacy = spec.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("base:") }
            .joined(separator: "\n").replacingOccurrences(of: "\"../corpora/", with: "\"corpora/")
            .replacingOccurrences(of: "\"../templates", with: "\"templates")
        #expect(legacy != spec)
        try Data(legacy.utf8).write(to: specURL)
        let fromRoot = try w.run("rebuild", "splits/demo/releases/v1.0.0")
        #expect(fromRoot.status == 0, "\(fromRoot.stderr)")
        let elsewhere = try HeldoutBinary.run(["rebuild", "."], in: release)
        #expect(elsewhere.status == 3, "\(elsewhere.stderr)")
        #expect(elsewhere.stderr.contains("predates spec-relative paths"), "\(elsewhere.stderr)")
    }
}
