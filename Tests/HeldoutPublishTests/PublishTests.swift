import Foundation
import HeldoutCore
import Testing
@testable import HeldoutPublish

@Suite("HeldoutPublishTests")
struct PublishTests {
    @Test("a release has the data, card, croissant, checksums and change log, and a card header datasets reads")
    func layout() throws {
        let f = try SplitFixture()
        try f.standard()
        let release = try f.publish("1.0.0")
        #expect(release.lastPathComponent == "v1.0.0")
        let files = try Checksums.listFiles(in: release)
        for name in ["train.jsonl", "dev.jsonl", "test.jsonl", "spec.yaml", "manifest.json", "audit.json",
                     "README.md", "croissant.json", "SHA256SUMS", "CHANGES.md", "release.json"] {
            #expect(files.contains(name), "\(name) missing")
        }
        let card = try f.text(release, "README.md")
        #expect(card.hasPrefix("---\n"))
        let header = card.components(separatedBy: "\n---\n")[0]
        for key in ["configs:", "data_files:", "language:", "license: \"cc-by-4.0\"", "task_categories:", "size_categories:", "pretty_name:",
                    "- split: validation\n    path: dev.jsonl", "- fr", "- en", "n<1K"] {
            #expect(header.contains(key), "card header lacks \(key)")
        }
        for prose in ["| tone | heldout | 0 | 1 | 1 |", "| definition | supervised | 3 | 0 | 1 |", "audit", "clean", "CC-BY-4.0",
                      String(repeating: "b", count: 64), "heldout rebuild \(f.split.path)/releases/v1.0.0", "name: demo", "| 6-8 | 6 |", "| news | 6 |", "| fr | ? | ? | ? | CC-BY-SA-4.0 |", "| `corpora/samples/fr.txt` | text | "] {
            #expect(card.contains(prose), "card lacks \(prose)")
        }

        let croissant = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: release.appendingPathComponent("croissant.json"))) as? [String: Any])
        #expect(croissant["@type"] as? String == "sc:Dataset")
        #expect(croissant["dct:conformsTo"] as? String == "http://mlcommons.org/croissant/1.0")
        #expect(croissant["datePublished"] as? String == "2026-01-02")
        for key in ["@context", "name", "description", "license", "url", "creator", "recordSet"] { #expect(croissant[key] != nil, "\(key)") }
        let distribution = try #require(croissant["distribution"] as? [[String: Any]])
        let train = try #require(distribution.first { $0["@id"] as? String == "train.jsonl" })
        #expect(train["sha256"] as? String == (try FileDigest.sha256(ofFile: release.appendingPathComponent("train.jsonl").path).hex))

        // SHA256SUMS lists every other file, in sha256sum's format.
        let sums = try Checksums.parse(try f.text(release, "SHA256SUMS"), file: "SHA256SUMS")
        #expect(Set(sums.entries.keys) == Set(files).subtracting(["SHA256SUMS"]))
        #expect(try ReleaseVerifier.differences(in: release).isEmpty)
        // No temporary directory is left beside the release.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: release.deletingLastPathComponent().path)
        #expect(leftovers == ["v1.0.0"])
    }

    @Test("sha256sum -c accepts SHA256SUMS")
    func sha256sum() throws {
        let f = try SplitFixture()
        try f.standard()
        let release = try f.publish("1.0.0")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", "--quiet", "-c", "SHA256SUMS"]
        process.currentDirectoryURL = release
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("a published version cannot be published again")
    func immutability() throws {
        let f = try SplitFixture()
        try f.standard()
        let release = try f.publish("1.0.0")
        let before = try f.text(release, "SHA256SUMS")
        #expect(throws: PublishError.versionExists(release.path)) { try f.publish("1.0.0") }
        #expect(try f.text(release, "SHA256SUMS") == before)
    }

    @Test("versions: semver only, newer only, major bump when evaluation membership changes")
    func versionRules() throws {
        for bad in ["1.0", "1.0.0.0", "v1.0.0", "01.0.0", "1.0.0-rc1", "a.b.c", "", "1..0"] {
            let f = try SplitFixture()
            try f.standard()
            #expect(throws: PublishError.invalidVersion(bad)) { try f.publish(bad) }
        }
        #expect(ReleaseVersion("1.2.3") == ReleaseVersion(major: 1, minor: 2, patch: 3))
        #expect(ReleaseVersion("1.10.0")! > ReleaseVersion("1.9.9")!)

        let f = try SplitFixture()
        try f.standard()
        try f.publish("1.0.0")
        #expect(throws: PublishError.versionNotNewer(new: "0.9.0", latest: "1.0.0")) { try f.publish("0.9.0") }
        // Training-only change: a minor bump is fine.
        try f.write(train: [("a1", "definition"), ("a2", "definition"), ("a4", "definition")],
                    dev: [("d1", "tone")], test: [("t1", "tone"), ("t2", "definition")])
        try f.publish("1.1.0")
        // Evaluation membership changes: minor refused, major accepted.
        try f.write(train: [("a1", "definition"), ("a2", "definition"), ("a4", "definition")],
                    dev: [("d1", "tone"), ("d2", "tone")], test: [("t1", "tone"), ("t2", "definition")])
        #expect(throws: PublishError.majorBumpRequired(new: "1.2.0", previous: "1.1.0", added: 1, removed: 0)) { try f.publish("1.2.0") }
        let release = try f.publish("2.0.0")
        #expect(try ReleaseRecord.read(release: release).evaluationMembershipChanged)
    }

    @Test("names and paths cannot leave the split directory")
    func pathTraversal() throws {
        for bad in ["../x", "/etc/passwd", "a/../../b", "a//b", ".", "..", "~/x", ""] {
            #expect(throws: PublishError.unsafePath(bad)) { try SafePath.check(bad) }
        }
        #expect(try SafePath.join(URL(fileURLWithPath: "/r"), "a/b.jsonl").path == "/r/a/b.jsonl")
        // A tampered SHA256SUMS cannot make verify read outside the release.
        let f = try SplitFixture()
        try f.standard()
        let release = try f.publish("1.0.0")
        SplitFixture.unseal(release)
        try Data("\(String(repeating: "0", count: 64))  ../../../etc/passwd\n".utf8).write(to: release.appendingPathComponent("SHA256SUMS"))
        #expect(throws: HeldoutError.self) { try ReleaseVerifier.differences(in: release) }
        // A sibling split whose suffix would escape is refused: only `NAME-…` names next to the split are read.
        #expect(throws: (any Error).self) { try SafePath.join(release, "comparison/../../x") }
    }

    @Test("verify names a file with one changed byte, a missing file and an unlisted one")
    func verifyCatchesChangedByte() throws {
        let f = try SplitFixture()
        try f.standard()
        let release = try f.publish("1.0.0")
        SplitFixture.unseal(release)
        let test = release.appendingPathComponent("test.jsonl")
        var data = try Data(contentsOf: test)
        data[10] ^= 0x01
        try data.write(to: test)
        try FileManager.default.removeItem(at: release.appendingPathComponent("CHANGES.md"))
        try Data("x".utf8).write(to: release.appendingPathComponent("extra.txt"))
        let problems = try ReleaseVerifier.differences(in: release)
        #expect(problems.count == 3)
        #expect(problems.contains { $0.hasPrefix("test.jsonl: SHA-256") })
        #expect(problems.contains { $0.hasPrefix("CHANGES.md: missing") })
        #expect(problems.contains { $0.hasPrefix("extra.txt: not listed") })
    }

    @Test("CHANGES.md counts items added and removed per partition and column, and says whether evaluation changed")
    func changes() throws {
        let f = try SplitFixture()
        try f.standard()
        let first = try f.publish("1.0.0", notes: nil)
        #expect(try f.text(first, "CHANGES.md").contains("First release"))
        try f.write(train: [("a1", "definition"), ("a5", "definition"), ("a6", "definition")],
                    dev: [("d1", "tone"), ("d2", "tone")], test: [("t1", "tone"), ("t3", "definition")])
        let notes = f.root.appendingPathComponent("notes.md")
        try Data("Rebalanced tone.".utf8).write(to: notes)
        let second = try f.publish("2.0.0", notes: notes.path)
        let changes = try f.text(second, "CHANGES.md")
        #expect(changes.contains("Against 1.0.0"))
        #expect(changes.contains("**Evaluation membership changed**: 2 item(s) entered dev/test and 1 left"))
        #expect(changes.contains("| train | definition | 2 | 2 |"))
        #expect(changes.contains("| dev | tone | 1 | 0 |"))
        #expect(changes.contains("| test | definition | 1 | 1 |"))
        #expect(changes.contains("Rebalanced tone."))
    }

    @Test("comparison siblings are published in their own folder and config")
    func siblings() throws {
        let f = try SplitFixture()
        try f.standard()
        try f.write(train: [("c1", "tone")], dev: [("d1", "tone")], test: [("t1", "tone")],
                    directory: f.root.appendingPathComponent("splits/demo-comparison"), name: "demo-comparison")
        try f.write(train: [("x", "tone")], dev: [], test: [], directory: f.root.appendingPathComponent("splits/demo-other"), name: "other")
        let release = try f.publish("1.0.0")
        let files = try Checksums.listFiles(in: release)
        #expect(files.contains("comparison/train.jsonl"))
        #expect(!files.contains { $0.hasPrefix("other/") })
        #expect(try f.text(release, "README.md").contains("path: comparison/dev.jsonl"))
    }

    @Test("the date comes from --date, else SOURCE_DATE_EPOCH, else today")
    func date() throws {
        #expect(try Publisher.resolveDate(explicit: "2025-03-04", environment: ["SOURCE_DATE_EPOCH": "0"]) == "2025-03-04")
        #expect(try Publisher.resolveDate(explicit: nil, environment: ["SOURCE_DATE_EPOCH": "86400"]) == "1970-01-02")
        #expect(throws: PublishError.badDate("2025-13-01")) { try Publisher.resolveDate(explicit: "2025-13-01", environment: [:]) }
    }
}
