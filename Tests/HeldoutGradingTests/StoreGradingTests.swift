import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutGrading

/// A real store in a temporary directory, removed afterwards.
final class TemporaryStore {
    let directory: URL
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-grading-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("store.sqlite").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Ingests monolingual units: (lang, text, unit domain).
    @discardableResult
    func ingest(_ name: String, domain: String? = nil, _ units: [(String, String, String?)]) throws -> IngestReport {
        let hash = FileDigest.sha256(of: Data((name + units.map { $0.1 + ($0.2 ?? "") }.joined()).utf8))
        return try store.ingest(CorpusDescriptor(name: name, format: "test", sha256: hash, size: 0, files: [], domain: domain)) { sink in
            for (lang, text, unitDomain) in units {
                try sink.add(CorpusUnit(texts: [.init(lang: LanguageTag(lang)!, text: text)], domain: unitDomain))
            }
        }
    }

    func segments() throws -> [String: SegmentRecord] {
        var out: [String: SegmentRecord] = [:]
        try store.forEachSegment { out[$0.text] = $0 }
        return out
    }

    func jsonl() throws -> String {
        var lines: [String] = []
        try store.forEachSegment { lines.append(try CanonicalJSON.string($0)) }
        return lines.joined(separator: "\n")
    }
}

@Suite struct StoreGradingTests {
    func grader(bands: BandScheme? = nil) -> Grader {
        var options = Grader.Options()
        options.bands = bands
        options.threads = 2
        options.batchSize = 7   // several batches even on small fixtures
        return Grader(options: options)
    }

    @Test func gradesEverySegmentAndShowsItInSegments() throws {
        let t = try TemporaryStore()
        try t.ingest("a", [("en", "The cat sat on the mat.", nil), ("en", "Yes.", nil),
                           ("fr", "Le chat dort sur la table.", nil),
                           ("en", "Notwithstanding considerable organisational complexity, interdepartmental collaboration materialised.", nil)])
        let run = try grader().run(store: t.store)
        #expect(run.graded == 4 && run.segments == 4 && run.ungradable == 1)
        #expect(run.bands == "1-5,6-8,9-12,13+")
        let segments = try t.segments()
        let cat = try #require(segments["The cat sat on the mat."])
        #expect(cat.words == 6 && cat.syllables == 6 && cat.grade == -1.45 && cat.band == "1-5")
        #expect(cat.readability?["flesch_kincaid_grade"] == -1.45)
        #expect(cat.readability?["lix"] == 6)
        let yes = try #require(segments["Yes."])
        #expect(yes.band == "ungradable" && yes.grade == nil && yes.readability == [:])
        #expect(segments["Le chat dort sur la table."]?.readability?["kandel_moles"] == 127.31)
        #expect(segments.values.first { $0.text.hasPrefix("Notwithstanding") }?.band == "13+")
        let stats = try t.store.statistics()
        #expect(stats.bands == ["1-5": 2, "ungradable": 1, "13+": 1])
    }

    @Test func incrementalOnlyWhenTheGraderVersionChanges() throws {
        let t = try TemporaryStore()
        try t.ingest("a", [("en", "The cat sat on the mat.", nil), ("en", "A dog ran in the park.", nil)])
        #expect(try grader().run(store: t.store).graded == 2)
        #expect(try grader().run(store: t.store).graded == 0)        // nothing new
        try t.ingest("b", [("en", "Birds sing in the morning.", nil)])
        #expect(try grader().run(store: t.store).graded == 1)        // only the new segment
        // Rows written by an older grader are graded again.
        try t.store.write { db in try db.execute(sql: "UPDATE grade SET grader_version = \(Grader.version - 1), words = 0") }
        #expect(try grader().run(store: t.store).graded == 3)
        #expect(try t.segments()["A dog ran in the park."]?.words == 6)
        #expect(try t.store.gradingSummary().graderVersions == ["\(Grader.version)": 3])
    }

    /// Segments are read in batches (keyset pages: after a rowid, a limit): a last batch that is full, one
    /// that is short, and a single batch must each grade every segment exactly once, as one
    /// batch of everything does, and mixed languages keep their own formulas.
    @Test(arguments: [1, 4, 5, 7, 40])
    func everyBatchSizeGradesEverySegmentOnce(batchSize: Int) throws {
        let t = try TemporaryStore()
        let langs = ["en", "fr", "fr", "de", "en-GB"]
        let units = (0..<20).map { i in (langs[i % langs.count], "Sentence number \(i) is here today, \(i * 7).", nil as String?) }
        try t.ingest("a", units)
        var options = Grader.Options()
        options.batchSize = batchSize
        options.threads = 2
        let run = try Grader(options: options).run(store: t.store)
        #expect(run.graded == 20)
        let rows = try t.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grade") }
        #expect(rows == 20)
        let batched = try t.jsonl()
        // The same store graded in one batch gives the same records.
        let u = try TemporaryStore()
        try u.ingest("a", units)
        _ = try grader().run(store: u.store)
        #expect(try u.jsonl() == batched)
        #expect(try t.segments()["Sentence number 1 is here today, 7."]?.readability?["kandel_moles"] != nil)
        #expect(try Grader(options: options).run(store: t.store).graded == 0)
    }

    @Test func changingBandsRebandsWithoutRegrading() throws {
        let t = try TemporaryStore()
        try t.ingest("a", [("en", "The cat sat on the mat.", nil),
                           ("en", "Notwithstanding considerable organisational complexity, interdepartmental collaboration materialised.", nil)])
        _ = try grader().run(store: t.store)
        let run = try grader(bands: try BandScheme(gapBetween: 5, and: 8)).run(store: t.store)
        // The easy sentence stays in 1-5; only the hard one moves (13+ → 8+).
        #expect(run.graded == 0 && run.rebanded == 1 && run.bands == "1-5,8+")
        #expect(Set(try t.segments().values.compactMap(\.band)) == ["1-5", "8+"])
        // Without --bands the store's bands stay in force.
        #expect(try grader().run(store: t.store).bands == "1-5,8+")
    }

    /// Deriving metadata domains reads every occurrence; it runs again only when what it reads
    /// (the corpora: their bytes, read options, units and --domain) changed.
    @Test func metadataDomainsAreDerivedAgainOnlyWhenACorpusChanges() throws {
        let t = try TemporaryStore()
        try t.ingest("news", domain: "news", [("en", "The minister resigned on Monday.", nil),
                                             ("en", "Rain is expected across the north.", nil)])
        #expect(try grader().run(store: t.store).metadataDomains == 2)
        // A mark no derivation would write: it survives a run with no corpus changed.
        try t.store.write { db in try db.execute(sql: "UPDATE segment_domain SET confidence = 0.125") }
        #expect(try grader().run(store: t.store).metadataDomains == 2)
        #expect(try t.segments()["Rain is expected across the north."]?.domainConfidence == 0.125)
        // A new corpus that shares a sentence under another domain: derived again, everywhere.
        try t.ingest("weather", domain: "weather", [("en", "Rain is expected across the north.", nil),
                                                   ("en", "Snow will fall on high ground.", nil)])
        #expect(try grader().run(store: t.store).metadataDomains == 3)
        let segments = try t.segments()
        #expect(segments["The minister resigned on Monday."]?.domainConfidence == 1)
        #expect(segments["Rain is expected across the north."]?.domain == "news")        // tie: alphabetical
        #expect(segments["Rain is expected across the north."]?.domainConfidence == 0.5)
        #expect(segments["Snow will fall on high ground."]?.domain == "weather")
    }

    /// The one-pass derivation keeps what the window-function query it replaced chose: the most
    /// frequent domain, ties to the smallest (`Éco` after `eco` and `zoo`, as bytes), its share.
    @Test func metadataDomainsMatchTheWindowQuery() throws {
        let t = try TemporaryStore()
        let sentences = (0..<12).map { "Sentence number \($0) of the shared pool is here." }
        let domains: [String?] = [nil, "eco", "zoo", "Éco", "eco", ""]
        var random = SplitMix64(seed: 7)
        for corpus in 0..<5 {
            let units: [(String, String, String?)] = (0..<20).map { _ in
                ("en", sentences.randomElement(using: &random) ?? "", domains.randomElement(using: &random) ?? nil)
            }
            _ = try t.ingest("c\(corpus)", domain: corpus == 0 ? nil : ["eco", "zoo", "Éco", "news"][corpus - 1], units)
        }
        _ = try grader().run(store: t.store)
        let derived = try t.store.read { db in
            try String.fetchAll(db, sql: "SELECT segment || '|' || domain || '|' || confidence FROM segment_domain ORDER BY segment")
        }
        let expected = try t.store.read { db in
            try String.fetchAll(db, sql: """
                SELECT segment || '|' || domain || '|' || (CAST(n AS REAL) / total) FROM (
                    SELECT segment, domain, n, sum(n) OVER (PARTITION BY segment) AS total,
                           row_number() OVER (PARTITION BY segment ORDER BY n DESC, domain) AS r
                    FROM (
                        SELECT o.segment, coalesce(nullif(trim(um.domain), ''), nullif(trim(c.domain), '')) AS domain,
                               count(*) AS n
                        FROM occurrence o JOIN corpus c ON c.id = o.corpus_id
                        LEFT JOIN unit_metadata um ON um.corpus_id = o.corpus_id AND um.position = o.position
                        WHERE coalesce(nullif(trim(um.domain), ''), nullif(trim(c.domain), '')) IS NOT NULL
                        GROUP BY 1, 2)) WHERE r = 1 ORDER BY segment
                """)
        }
        #expect(derived.count > sentences.count / 2)
        #expect(derived == expected)
        #expect(Set(derived.map { $0.split(separator: "|")[2] }).count > 1)   // some segments are split between domains
    }

    @Test func metadataDomainsAndUnitOverride() throws {
        let t = try TemporaryStore()
        try t.ingest("news", domain: "news", [("en", "The minister resigned on Monday.", nil),
                                             ("en", "Stocks fell sharply at the open.", "finance")])
        _ = try grader().run(store: t.store)
        let segments = try t.segments()
        #expect(segments["The minister resigned on Monday."]?.domain == "news")
        #expect(segments["The minister resigned on Monday."]?.domainSource == "metadata")
        #expect(segments["Stocks fell sharply at the open."]?.domain == "finance")   // unit beats corpus
        #expect(segments["Stocks fell sharply at the open."]?.domainConfidence == 1)
    }

    @Test func classifierFillsTheRestAndNeverOverwritesMetadata() throws {
        let t = try TemporaryStore()
        let cooking = (0..<25).map { ("en", DomainFixtures.sentence(DomainFixtures.cooking, $0), String?.none) }
        let computing = (0..<25).map { ("en", DomainFixtures.sentence(DomainFixtures.computing, $0 + 500), String?.none) }
        try t.ingest("cook", domain: "cooking", cooking)
        try t.ingest("comp", domain: "computing", computing)
        // A mislabelled metadata segment: computing words, cooking corpus. It must stay cooking.
        let planted = "The kernel and the compiler and the server and the socket."
        try t.ingest("odd", domain: "cooking", [("en", planted, nil)])
        let unknown1 = "We simmer the garlic and onion with butter in the pan."
        let unknown2 = "The router dropped a packet and the driver freed memory."
        try t.ingest("unlabelled", [("en", unknown1, nil), ("en", unknown2, nil), ("en", planted, nil)])
        let run = try grader().run(store: t.store)
        #expect(run.classifier.status == "trained")
        #expect(run.classifier.classified == 2)
        #expect(run.metadataDomains == 51)
        let segments = try t.segments()
        #expect(segments[unknown1]?.domain == "cooking" && segments[unknown1]?.domainSource == "classifier")
        #expect(segments[unknown2]?.domain == "computing")
        #expect((segments[unknown2]?.domainConfidence ?? 0) > 0.5)
        #expect(segments[planted]?.domain == "cooking" && segments[planted]?.domainSource == "metadata")

        // Direct attempt to overwrite metadata with a prediction: refused by the store.
        let rowid = try t.store.read { db in
            try Int64.fetchOne(db, sql: "SELECT rowid FROM segment WHERE text = ?", arguments: [planted])
        }
        try t.store.grading { session in
            try session.savePredictions([PredictedDomain(segment: rowid ?? 0, domain: "computing", confidence: 1)])
        }
        #expect(try t.segments()[planted]?.domain == "cooking")

        // Metadata arriving later replaces a prediction.
        try t.ingest("late", domain: "recipes", [("en", unknown1, nil)])
        _ = try grader().run(store: t.store)
        let after = try t.segments()
        #expect(after[unknown1]?.domain == "recipes" && after[unknown1]?.domainSource == "metadata")
        #expect(after[unknown2]?.domainSource == "classifier")
        #expect(try t.store.statistics().domains["recipes"] == 1)
    }

    @Test func sameStoreSameGrades() throws {
        let units: [(String, String, String?)] = (0..<30).map {
            ("en", DomainFixtures.sentence($0 % 2 == 0 ? DomainFixtures.cooking : DomainFixtures.computing, $0), $0 < 20 ? ($0 % 2 == 0 ? "cooking" : "computing") : nil)
        }
        let a = try TemporaryStore(), b = try TemporaryStore()
        try a.ingest("x", units)
        try b.ingest("x", units.reversed())
        _ = try grader().run(store: a.store)
        var options = Grader.Options()
        options.threads = 1
        options.batchSize = 1000
        _ = try Grader(options: options).run(store: b.store)
        #expect(try a.jsonl() == b.jsonl())
        #expect(try a.store.gradingState("classifier.report") == b.store.gradingState("classifier.report"))
    }

    @Test func deletedSegmentsLoseTheirGrades() throws {
        let t = try TemporaryStore()
        try t.ingest("a", [("en", "The cat sat on the mat.", nil)])
        try t.ingest("b", [("en", "A dog ran in the park.", nil)])
        _ = try grader().run(store: t.store)
        // (Deleted directly: the trigger is what keeps grades from outliving a segment, whatever
        // removes it.)
        try t.store.write { db in try db.execute(sql: "DELETE FROM segment WHERE text = 'A dog ran in the park.'") }
        let remaining = try t.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grade") }
        #expect(remaining == 1)
    }
}
