import Foundation
import Testing

/// Issue 20: `heldout stats` counts the segments flagged for a language mismatch and the
/// ungradable ones by reason, in its text and its JSON.
@Suite("stats: grading checks")
struct StatsGradingChecksTests {
    /// Sentences written for this test: one English sentence tagged French (flagged), three that
    /// are not prose (too few words, a path, a label), two ordinary sentences.
    static let fixture = [
        "1\tfr\tThe backup finished late in the evening because the office network was slow.",
        "2\ten\tThe backup finished late in the evening because the office network was slow.",
        "3\ten\tOpen the drawer",
        "4\ten\t/var/cache/local/builds/nightly/output.log",
        "5\ten\tChoosing the preferred keyboard layout options",
        "6\tfr\tLe serveur a redémarré tout seul après la mise à jour du noyau.",
    ].joined(separator: "\n") + "\n"

    @Test("stats --json and the text output count flagged and ungradable segments")
    func countsFlaggedAndUngradable() throws {
        let w = try Workspace()
        try w.write("s.tsv", Self.fixture)
        #expect(try w.run("ingest", "--format", "tsv", "--columns", "id,lang,text", "s.tsv").status == 0)

        // Before grading: nothing checked yet, and the text output says nothing of it.
        let before = try w.run("stats", "--json")
        #expect(before.status == 0)
        let ungraded = try #require(try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any])
        #expect(ungraded["language_flagged"] as? Int == 0)
        #expect(ungraded["ungradable"] as? Int == 0)
        #expect(try !w.run("stats").stdout.contains("language check"))

        #expect(try w.run("grade", "--no-classifier").status == 0)
        let result = try w.run("stats", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["segments"] as? Int == 6)   // the statistics are still there, beside the checks
        #expect(json["language_flagged"] as? Int == 1)
        #expect(json["ungradable"] as? Int == 3)
        #expect(json["ungradable_reasons"] as? [String: Int] == ["too_few_words": 1, "path": 1, "label": 1])

        let text = try w.run("stats").stdout
        #expect(text.contains("language check: 1 segments flagged"), "\(text)")
        #expect(text.contains("ungradable: 3 segments (label 1, path 1, too_few_words 1)"), "\(text)")
    }
}
