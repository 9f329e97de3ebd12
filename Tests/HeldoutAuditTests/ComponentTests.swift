import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HeldoutCore
import Testing
@testable import HeldoutAudit

@Suite struct ParserTests {
    func parse(_ s: String) throws -> DatasetRecord {
        try Array(s.utf8).withUnsafeBufferPointer { try JSONLineParser.record($0) }
    }

    @Test func agreesWithFoundationsDecoder() throws {
        let lines = (Fixture.train + Fixture.dev + Fixture.test).map(Fixture.line) + [
            #"{"id":7,"answer":3.5,"consistency_group":12,"rubric":"one","unknown":{"deep":[1,{"x":null}]},"source":{"lang":"fr","text":"é \u00e9 \ud83d\ude00 \"q\" \n\t\\ \/ \b\f\r"}}"#,
            #"{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"target":{"lemma":"x"}}"#,
            "{}",
        ]
        for line in lines {
            let fast = try parse(line)
            let slow = try JSONDecoder().decode(DatasetRecord.self, from: Data(line.utf8))
            #expect(fast == slow, "\(line)")
        }
    }

    @Test(arguments: [
        (#"{"id": "a",}"#, 12),
        (#"{"id": "a" "b"}"#, 12),
        (#"{"id": tru}"#, 8),
        (#"{"id": "a"} trailing"#, 13),
        (#"["not an object"]"#, 1),
        ("{\"id\": \"tab\there\"}", 12),
        (#"{"n": 01}"#, 8),
    ])
    func malformedLinesAreRefusedWithAColumn(_ line: String, _ column: Int) {
        #expect {
            _ = try parse(line)
        } throws: { error in
            (error as? JSONLineParser.Failure)?.column == column
        }
    }
}

@Suite struct TextTests {
    @Test func foldingDropsCasePunctuationAndDiacritics() {
        let f = TextFolder()
        #expect(f.folded("Élan — CAFÉ, s'il vous plaît!") == "elan cafe s il vous plait")
        #expect(f.folded("Straße Œuvre ﬁn") == "strasse oeuvre fin")
        #expect(f.folded("e\u{301}te\u{301}") == "ete")
        #expect(f.folded("東京に行く") == "東 京 に 行 く")
        #expect(f.tokens("Hello, World") == f.tokens("hello world!!"))
        #expect(f.tokens("hello world") != f.tokens("world hello"))
    }

    @Test func jaccardAndMinHashAgreeRoughly() {
        let f = TextFolder()
        let a = Shingles.of(f.tokens("one two three four five six seven eight nine ten")[...], size: 1)
        let b = Shingles.of(f.tokens("one two three four five six seven eight nine eleven")[...], size: 1)
        #expect(Shingles.jaccard(a[...], b[...]) == 9.0 / 11.0)
        let family = MinHashSignature.Family(count: 512)
        let (sa, sb) = (family.signature(of: a), family.signature(of: b))
        let estimate = Double(zip(sa.values, sb.values).filter { $0 == $1 }.count) / 512
        #expect(abs(estimate - 9.0 / 11.0) < 0.08)
    }

    @Test func bandIndexFindsEverySentenceOfAKeyAndNothingElse() {
        let keys: [UInt64] = [0x1234_5678_0000_0001, 0xFFFF_0000_1111_2222, 0x0000_0001_0000_0000, 0x1234_5678_0000_0001]
        var entries: [UInt64] = []
        for (s, key) in keys.enumerated() { entries.append(BandIndex.entry(key: key, sentence: Int32(s))) }
        entries.append(contentsOf: (0..<1000).map { BandIndex.entry(key: UInt64($0) &* 0x9E37_79B9_7F4A_7C15, sentence: Int32(100 + $0)) })
        let index = BandIndex(entries.reversed())
        func found(_ key: UInt64) -> [Int32] {
            var out: [Int32] = []
            index.forEach(key) { out.append($0) }
            return out.sorted()
        }
        #expect(found(0x1234_5678_0000_0001) == [0, 3])
        #expect(found(0xFFFF_0000_1111_2222) == [1])
        #expect(found(0x0000_0001_0000_0000) == [2])
        #expect(found(0x0BAD_0BAD_0000_0000).isEmpty)
        #expect(found(5 &* 0x9E37_79B9_7F4A_7C15).contains(105))
        #expect(BandIndex([]).isEmpty)
    }

    @Test func multiMapKeepsEveryValueOfAKey() {
        let map = HashMultiMap<Int32>([(5, 1), (9, 2), (5, 3), (1 << 40, 4)])
        #expect(Array(map[5]) == [1, 3])
        #expect(Array(map[9]) == [2])
        #expect(map[7].isEmpty)
        #expect(Array(map[1 << 40]) == [4])
    }
}

@Suite struct ReportTests {
    func leakingReport() throws -> (AuditReport, String) {
        let plants = AuditTests.plants
        let dir = try Fixture.write(train: Fixture.train + plants.map(\.record),
                                    manifest: #"{"isolation_cost": {"total": 3, "by_column": {"tone": {"total": 3, "by_link": {"translation": 2}, "indirect": 1}}}}"#)
        let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        try Audit.write(report, to: dir)
        return (report, dir)
    }

    /// Collects the heat-map cells of a page parsed as XML: proves it well formed.
    final class Cells: NSObject, XMLParserDelegate {
        var cells: [String: Int] = [:]
        var svgs = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "svg" { svgs += 1 }
            if name == "g", attributes["class"] == "cell", let t = attributes["data-training"], let e = attributes["data-evaluation"],
               let n = attributes["data-count"].flatMap(Int.init) {
                cells["\(t)→\(e)"] = n
            }
        }
    }

    @Test func pageIsWellFormedWithTheRightHeatMap() throws {
        let (report, dir) = try leakingReport()
        let html = try String(contentsOfFile: dir + "/audit.html", encoding: .utf8)
        let parser = XMLParser(data: Data(html.utf8))
        let cells = Cells()
        parser.delegate = cells
        #expect(parser.parse(), "audit.html is not well formed: \(String(describing: parser.parserError))")
        // grammar → tone: exact (p1), folded (p2), 13-gram (p5), answer (p6), group (p9); definition →
        // definition: folded (p3); definition → tone: lexeme (p8); grammar → definition: document (p7);
        // grammar → grammar: near (p4).
        #expect(cells.cells["grammar→tone"] == 5)
        #expect(cells.cells["definition→definition"] == 1)
        #expect(cells.cells["grammar→definition"] == 1)
        #expect(cells.cells["grammar→grammar"] == 1)
        #expect(cells.cells["definition→tone"] == 1)
        #expect(cells.cells.values.reduce(0, +) == report.leaks.count)
        #expect(cells.svgs >= 1 + 2 * 3) // heat map + band and domain per column
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        // The isolation cost, column × link, as the manifest gives it.
        #expect(html.contains("<th>translation</th><th>through dropped items</th></tr>\n<tr><td>tone</td><td class=\"n\">3</td><td class=\"n\">2</td><td class=\"n\">1</td></tr>"))
    }

    @Test func dataIsEscapedInThePage() throws {
        let evil = Fixture.rec("x<1>", "tone", "<script>alert('leak & run')</script> is what the old sign said about the café", partition: "test", answer: "n")
        let copy = Fixture.rec("y", "grammar", "<script>alert('leak & run')</script> is what the old sign said about the café", partition: "train", answer: "n")
        let dir = try Fixture.write(train: Fixture.train + [copy], test: Fixture.test + [evil])
        let report = try Audit.run(directory: dir, store: nil, options: Fixture.options())
        #expect(report.leaks.count == 1)
        let html = AuditHTML.render(report)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;leak &amp; run&#39;)&lt;/script&gt;"))
        #expect(XMLParser(data: Data(html.utf8)).parse())
    }
}

@Suite struct IdentityTests {
    @Test("the audit forms a segment's id as the store does: on the primary language subtag")
    func segmentIDUsesThePrimarySubtag() {
        for (tag, text) in [("fr-CA", "Bonjour à tous."), ("en-GB", "Colour me surprised."), ("de", "Guten Tag.")] {
            let lang = LanguageTag(tag)!
            #expect(AuditText.segmentID(lang: lang, text: text) == Segment(lang: lang, rawText: text).id)
        }
    }
}
