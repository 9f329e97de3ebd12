import Foundation
import Testing

/// Issue 13: a split exits 0 only when every column gets the shares asked for; otherwise it is
/// refused with a message that says why, and nothing is written. `--out` never touches what
/// heldout did not write.
@Suite("split quotas and output safety", .serialized)
struct SplitQuotaTests {
    /// The demo store, built once through the README's command.
    func demoStore() throws -> Workspace {
        let w = try BuildTests().demoWorkspace()
        let built = try w.run("build", "splits/demo.yaml")
        #expect(built.status == 0, "\(built.stderr)")
        return w
    }

    /// The demo spec with `heldout` as the held-out column (the others supervised) at `level`.
    func rotated(_ heldout: String, level: String, in w: Workspace) throws -> String {
        var text = try String(contentsOfFile: w.path("splits/demo.yaml"), encoding: .utf8)
        for column in ["definition", "grammar", "tone"] {
            let role = column == heldout ? "heldout" : "supervised"
            text = text.replacingOccurrences(of: #"(?m)^  \#(column):\s*\{ role: \w+ \}"#, with: "  \(column): { role: \(role) }",
                                             options: .regularExpression)
        }
        text = text.replacingOccurrences(of: "level: segment", with: "level: \(level)")
        text = text.replacingOccurrences(of: "name: demo", with: "name: rot-\(heldout)-\(level)")
        let path = "splits/rot-\(heldout)-\(level).yaml"
        try text.write(toFile: w.path(path), atomically: true, encoding: .utf8)
        return path
    }

    @Test("each demo column held out in turn, at segment and document level: every quota met, or refused with the reason")
    func rotation() throws {
        let w = try demoStore()
        for heldout in ["definition", "grammar", "tone"] {
            for level in ["segment", "document"] {
                let spec = try rotated(heldout, level: level, in: w)
                let result = try w.run("split", spec)
                let directory = w.path("splits/rot-\(heldout)-\(level)")
                if result.status == 0 {
                    let manifest = try #require(try JSONSerialization.jsonObject(
                        with: Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))) as? [String: Any])
                    let rows = try #require((manifest["quotas"] as? [String: Any])?["rows"] as? [[String: Any]])
                    #expect(rows.allSatisfy { $0["met"] as? Bool == true }, "\(heldout)/\(level): \(rows)")
                    let heldoutEvaluation = rows.filter { $0["column"] as? String == heldout }.map { $0["items"] as? Int ?? 0 }
                    #expect(heldoutEvaluation.count == 2 && heldoutEvaluation.allSatisfy { $0 > 0 })
                } else {
                    #expect(result.status == 1, "\(heldout)/\(level): \(result.stderr)")
                    #expect(result.stderr.contains("cannot be met") && result.stderr.contains("to fix:"))
                    #expect(!FileManager.default.fileExists(atPath: directory))
                }
            }
        }
    }

    @Test("a short split is written only when accepted, and then says so")
    func allowShort() throws {
        let w = try demoStore()
        // Nine in ten items to test and none to dev cannot be met by any column.
        var text = try String(contentsOfFile: w.path("splits/demo.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: #"(?m)^partitions:.*$"#, with: "partitions: { train: 0.1, dev: 0.0, test: 0.9, tolerance: 0.0 }",
                                         options: .regularExpression)
        text = text.replacingOccurrences(of: "name: demo", with: "name: short")
        try text.write(toFile: w.path("splits/short.yaml"), atomically: true, encoding: .utf8)
        let refused = try w.run("split", "splits/short.yaml")
        #expect(refused.status == 1)
        #expect(!FileManager.default.fileExists(atPath: w.path("splits/short")))
        let accepted = try w.run("split", "splits/short.yaml", "--allow-short")
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: w.path("splits/short/manifest.json")))) as? [String: Any])
        #expect((manifest["quotas"] as? [String: Any])?["accepted_short"] as? Bool == true)
        // The audit page shows the shares against the spec, and what was left out.
        let page = try String(contentsOfFile: w.path("splits/short/audit.html"), encoding: .utf8)
        #expect(page.contains("Shares against the spec") && page.contains("Accepted short") && page.contains("Left out"))
        // Such a split publishes only because it was accepted, and its card says it is short.
        let published = try w.run("publish", "splits/short", "--version", "1.0.0", "--date", "2026-01-01")
        #expect(published.status == 0, "\(published.stderr)")
        let card = try String(contentsOfFile: w.path("splits/short/releases/v1.0.0/README.md"), encoding: .utf8)
        #expect(card.contains("This split is short"))
    }

    @Test("--out on a directory heldout did not write is refused with exit 2, and the user's file is untouched")
    func outputSafety() throws {
        let w = try demoStore()
        // A folder of the user's.
        try FileManager.default.createDirectory(atPath: w.path("mine"), withIntermediateDirectories: true)
        try "my notes\n".write(toFile: w.path("mine/notes.txt"), atomically: true, encoding: .utf8)
        let intoFolder = try w.run("split", "splits/demo.yaml", "--out", "mine")
        #expect(intoFolder.status == 2, "\(intoFolder.stderr)")
        #expect(try String(contentsOfFile: w.path("mine/notes.txt"), encoding: .utf8) == "my notes\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.path("mine")) == ["notes.txt"])
        // The working directory itself.
        let before = try FileManager.default.contentsOfDirectory(atPath: w.url.path).sorted()
        let intoHere = try w.run("split", "splits/demo.yaml", "--out", ".")
        #expect(intoHere.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.url.path).sorted() == before)
        // A split of ours with a user's file added: replaced only whole, so refused.
        try "keep me\n".write(toFile: w.path("splits/demo/notes.txt"), atomically: true, encoding: .utf8)
        let intoSplit = try w.run("split", "splits/demo.yaml")
        #expect(intoSplit.status == 2)
        #expect(try String(contentsOfFile: w.path("splits/demo/notes.txt"), encoding: .utf8) == "keep me\n")
        // Without it, the split is replaced as before.
        try FileManager.default.removeItem(atPath: w.path("splits/demo/notes.txt"))
        #expect(try w.run("split", "splits/demo.yaml").status == 0)
    }
}
