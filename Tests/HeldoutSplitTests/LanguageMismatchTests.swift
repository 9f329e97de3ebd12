import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutSplit

/// Issue 20: items on a segment the grader flagged as not in its tag's language are left out of
/// splits unless the spec keeps them (`language_mismatch: keep`).
@Suite("language mismatch") struct LanguageMismatchTests {
    func flaggedBench() throws -> Workbench {
        let bench = try Workbench()
        try bench.ingest("c", fillers("a", 30) + fillers("tone", 30))
        for category in ["a", "tone"] {
            try bench.store.replaceItems(ofTemplates: ["t-\(category)"], with: fillerItems(category, 30, category: category))
        }
        let flagged = (0..<4).map { "'" + fillerText("a", $0) + "'" }.joined(separator: ", ")
        try bench.store.write { db in
            try db.execute(sql: """
                INSERT INTO grade(segment, grader_version, words, sentences, syllables, letters, long_words,
                                  polysyllables, monosyllables, grade, band, detected_lang, lang_flagged)
                SELECT rowid, 3, 5, 1, 5, 20, 0, 0, 5, 7, '6-8', 'fr', text IN (\(flagged)) FROM segment
                """)
        }
        return bench
    }

    @Test("flagged items are excluded; `keep` keeps them; anything else is an error")
    func excludedUnlessKept() throws {
        let bench = try flaggedBench()
        let spec = "name: m\ncolumns: { a: supervised, tone: heldout }\n"
        let excluded = try bench.split(spec, out: "x")
        #expect(excluded.all.filter { $0.category == "a" }.count == 26)
        let kept = try bench.split(spec + "language_mismatch: keep\n", out: "k")
        #expect(kept.all.filter { $0.category == "a" }.count == 30)
        #expect(throws: (any Error).self) { try SplitSpec(yaml: spec + "language_mismatch: maybe\n", file: "spec.yaml") }
    }

    @Test("the manifest states the items left out for a language mismatch, per column; without any, no key")
    func manifestCountsThem() throws {
        let bench = try flaggedBench()
        let spec = "name: m\ncolumns: { a: supervised, tone: heldout }\n"
        let excluded = try SplitManifest.read(from: bench.split(spec, out: "x").url.appendingPathComponent("manifest.json"))
        #expect(excluded.languageMismatch == ["a": 4])
        // Kept items write no key (nor does a store with none flagged: the golden sums hold).
        let kept = try bench.split(spec + "language_mismatch: keep\n", out: "k")
        #expect(try !String(decoding: kept.bytes("manifest.json"), as: UTF8.self).contains("language_mismatch"))
    }
}
