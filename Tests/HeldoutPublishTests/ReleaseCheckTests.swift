import Foundation
import HeldoutCore
import Testing
@testable import HeldoutPublish

/// Issue 14: publish checks what it publishes, and a release is sealed and complete.
@Suite("HeldoutPublishTests checks")
struct ReleaseCheckTests {
    /// An audit that finds `leaks` and remembers the `--against` files it was given.
    final class FakeAudit: @unchecked Sendable {
        let leaks: Int
        var against: [[String]] = []
        init(leaks: Int) { self.leaks = leaks }
        var runner: AuditRunner {
            { _, files in
                self.against.append(files)
                return AuditOutcome(enforcedLeaks: self.leaks, summary: "LEAKING: \(self.leaks) leak(s): exact_segment t1 ~ a1",
                                    json: Data(#"{"clean":\#(self.leaks == 0)}"#.utf8), html: Data("<html>audit</html>".utf8))
            }
        }
    }

    @Test("a line deleted from train.jsonl after the split was written: publish refuses, names the file, writes nothing")
    func tamperedLine() throws {
        let f = try SplitFixture()
        try f.standard()
        let train = f.split.appendingPathComponent("train.jsonl")
        let lines = try f.text(f.split, "train.jsonl").split(separator: "\n")
        try Data((lines.dropFirst().joined(separator: "\n") + "\n").utf8).write(to: train)
        do {
            _ = try f.publish("1.0.0")
            Issue.record("published a changed split")
        } catch let PublishError.splitChanged(problems) {
            #expect(problems.count == 1)
            #expect(problems.first?.hasPrefix("train.jsonl: SHA-256") == true, "\(problems)")
            #expect(PublishError.splitChanged(problems).heldoutError.exitCode == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: f.split.appendingPathComponent("releases").path))
    }

    @Test("a leak found with --against: publish re-runs the audit with the recorded file and refuses; --allow-leaks publishes it and says so")
    func leakAgainst() throws {
        let f = try SplitFixture()
        try f.standard()
        let outside = f.root.appendingPathComponent("outside.txt")
        try Data("t t1\n".utf8).write(to: outside)
        // `heldout audit --against outside.txt` recorded the file among its inputs.
        try Data(#"{"clean":false,"enforced_leaks":1,"inputs":[{"file":"train.jsonl","side":"training"},{"file":"\#(outside.path)","side":"against"}]}"#.utf8)
            .write(to: f.split.appendingPathComponent("audit.json"))
        let audit = FakeAudit(leaks: 1)
        do {
            _ = try f.publish("1.0.0", auditRunner: audit.runner)
            Issue.record("published a leaking split")
        } catch let PublishError.leaking(count, summary) {
            #expect(count == 1)
            #expect(summary.contains("t1"))
        }
        #expect(audit.against == [[outside.path]])
        #expect(!FileManager.default.fileExists(atPath: f.split.appendingPathComponent("releases/v1.0.0").path))

        // Without a runner, the recorded verdict alone refuses too.
        #expect(throws: PublishError.self) { try f.publish("1.0.0") }

        let release = try f.publish("1.0.0", allowLeaks: true, auditRunner: audit.runner)
        let record = try ReleaseRecord.read(release: release)
        #expect(record.allowedLeaks == 1)
        #expect(record.auditAgainst == [AgainstInput(path: outside.path, sha256: FileDigest.sha256(of: Data("t t1\n".utf8)))])
        let card = try f.text(release, "README.md")
        #expect(card.contains("**Warning: this release is known to leak.**"))
        #expect(card.contains("NOT clean"))
        #expect(card.contains(outside.path))
        // The release ships the audit publish ran, not the split's older one.
        #expect(try f.text(release, "audit.html") == "<html>audit</html>")
    }

    @Test("a recorded --against file that is gone stops publish, naming it")
    func againstGone() throws {
        let f = try SplitFixture()
        try f.standard()
        let gone = f.root.appendingPathComponent("gone.tmx").path
        try Data(#"{"clean":true,"enforced_leaks":0,"inputs":[{"file":"\#(gone)","side":"against"}]}"#.utf8)
            .write(to: f.split.appendingPathComponent("audit.json"))
        #expect(throws: PublishError.againstUnavailable(gone)) { try f.publish("1.0.0", auditRunner: FakeAudit(leaks: 0).runner) }
    }

    @Test("an evaluation column without an item is refused unless the split was accepted as short")
    func emptyEvaluationColumn() throws {
        let f = try SplitFixture()
        try f.write(train: [("a1", "definition"), ("a2", "tone")], dev: [("d1", "tone")], test: [("t1", "tone")])
        do {
            _ = try f.publish("1.0.0")
            Issue.record("published a column nobody can be scored on")
        } catch let PublishError.unusable(why) {
            #expect(why == "column definition has no item in dev.jsonl or test.jsonl")
        }
        // The splitter's verdict that the split is short is kept: then it publishes.
        let manifestURL = f.split.appendingPathComponent("manifest.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        manifest["quotas"] = ["accepted_short": true, "rows": [] as [Any]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        _ = try f.publish("1.0.0")
    }

    @Test("a release is read-only (files 0444, folders 0555) and holds audit.html and dropped.jsonl; a changed mode is reported")
    func sealedAndComplete() throws {
        let f = try SplitFixture()
        try f.standard()
        try Data("<html>split audit</html>".utf8).write(to: f.split.appendingPathComponent("audit.html"))
        try f.write(train: [("c1", "tone"), ("c2", "definition")], dev: [("d1", "tone")], test: [("t1", "tone")],
                    directory: f.root.appendingPathComponent("splits/demo-comparison"), name: "demo-comparison")
        let release = try f.publish("1.0.0")
        let files = try Checksums.listFiles(in: release)
        for name in ["audit.html", "dropped.jsonl", "comparison/dropped.jsonl"] { #expect(files.contains(name), "\(name) missing") }
        func mode(_ path: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) & 0o777
        }
        #expect(try mode(release.path) == 0o555)
        #expect(try mode(release.appendingPathComponent("comparison").path) == 0o555)
        for name in files { #expect(try mode(release.appendingPathComponent(name).path) == 0o444, "\(name)") }
        #expect(try ReleaseChecks.modeProblems(in: release).isEmpty)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: release.appendingPathComponent("comparison/train.jsonl").path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: release.path)
        let problems = try ReleaseChecks.modeProblems(in: release)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.hasPrefix("comparison/train.jsonl: mode 0644, published 0444") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix(".: mode 0755, published 0555") }, "\(problems)")
        // The bytes did not change, so SHA256SUMS alone would have said all was well.
        #expect(try ReleaseVerifier.differences(in: release).isEmpty)
    }

    @Test("the same version of two splits gets two config names, so datasets never shares a cache entry")
    func uniqueConfigNames() throws {
        let a = try SplitFixture()
        try a.standard()
        try a.write(train: [("c1", "tone")], dev: [("d1", "tone")], test: [("t1", "definition")],
                    directory: a.root.appendingPathComponent("splits/demo-comparison"), name: "demo-comparison")
        let b = try SplitFixture()
        try b.write(train: [("a1", "definition")], dev: [("d1", "tone")], test: [("t1", "definition")], name: "by-domain")
        let headerA = try a.text(try a.publish("1.0.0"), "README.md").components(separatedBy: "\n---\n")[0]
        let headerB = try b.text(try b.publish("1.0.0"), "README.md").components(separatedBy: "\n---\n")[0]
        #expect(headerA.contains(#"- config_name: "demo-v1.0.0""#))
        #expect(headerA.contains(#"- config_name: "demo-v1.0.0-comparison""#))
        #expect(headerB.contains(#"- config_name: "by-domain-v1.0.0""#))
        #expect(!headerA.contains("config_name: default"))
    }

    @Test("release.json records the versions that shape the bytes, and they are the ones Package.resolved resolves")
    func dependencyVersions() throws {
        let f = try SplitFixture()
        try f.standard()
        let record = try ReleaseRecord.read(release: try f.publish("1.0.0"))
        let build = try #require(record.build)
        for key in ["heldout", "swift", "foundation", "yams", "swift-mustache"] { #expect(build[key] != nil, "\(key)") }
        #expect(record.format == ReleaseRecord.currentFormat)

        let resolved = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Package.resolved")
        // `swift test` resolves the packages before it builds, so the file is always there.
        let data = try Data(contentsOf: resolved)
        let pins = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["pins"] as? [[String: Any]])
        for (identity, version) in OutputDependencies.packages {
            let pin = try #require(pins.first { $0["identity"] as? String == identity }, "\(identity) not in Package.resolved")
            let resolvedVersion = (pin["state"] as? [String: Any])?["version"] as? String
            #expect(resolvedVersion == version, "\(identity): Package.resolved has \(resolvedVersion ?? "?"), OutputDependencies says \(version); update it and the golden sums")
        }
    }
}

/// Issue 14, licences: the card gives the licence the sources allow, and says so when they
/// disagree or are silent.
@Suite("HeldoutPublishTests licences")
struct LicenceTests {
    @Test("sources that disagree or state nothing: licence 'other', the card names each problem; agreeing sources give their licence")
    func conflicting() throws {
        let f = try SplitFixture()
        try f.write(train: [("a1", "definition")], dev: [("d1", "tone")], test: [("t1", "definition")],
                    sources: ["{ path: a.txt, format: text, lang: fr, license: CC-BY-4.0 }",
                              "{ path: b.txt, format: text, lang: fr, license: CC-BY-SA-4.0 }",
                              "{ path: c.txt, format: text, lang: fr }"])
        var options = Publisher.Options(version: "1.0.0", toolVersion: "0.1.0")
        options.date = "2026-01-02"
        let release = try Publisher(split: f.split).publish(options, environment: [:])
        #expect(try ReleaseRecord.read(release: release).license == "other")
        let card = try f.text(release, "README.md")
        #expect(card.contains("Licence of the release: **other**. Its sources do not settle it"))
        #expect(card.contains("no licence stated for `c.txt`"))
        #expect(card.contains("the sources' licences differ: CC-BY-4.0 (`a.txt`); CC-BY-SA-4.0 (`b.txt`)"))
        #expect(card.contains("| `a.txt` | text | ? | CC-BY-4.0 |"))

        let g = try SplitFixture()
        try g.write(train: [("a1", "definition")], dev: [("d1", "tone")], test: [("t1", "definition")],
                    sources: ["{ path: a.txt, format: text, lang: fr, license: CC0-1.0 }", "{ path: b.txt, format: text, lang: fr, license: CC0-1.0 }"])
        let clean = try Publisher(split: g.split).publish(options, environment: [:])
        #expect(try ReleaseRecord.read(release: clean).license == "CC0-1.0")
        #expect(try g.text(clean, "README.md").contains("Licence of the release: **CC0-1.0**, what its sources allow."))
    }
}
