import Foundation
import GRDB
import Testing
import HeldoutCore
@testable import HeldoutStore

/// The ingest pipeline: the reader on its own thread, batches through a bounded channel, the
/// staged merge with and without a replay. The store must come out as the per-unit definition
/// says, whatever the batch boundaries, and a failure on either side must keep nothing.
@Suite("Ingest pipeline")
struct IngestPipelineTests {
    /// More units than the channel holds at once, so the reader blocks and resumes.
    static let manyUnits = CorpusSink.batchSize * IngestChannel.capacity * 3 + 17

    @Test("a file of distinct units (no replay) and files that tie into it group as the definition says, in any order")
    func distinctThenShared() throws {
        let distinct = (0..<Self.manyUnits).map { i in
            unit(("en", "Distinct sentence \(i)."), ("fr", "Phrase distincte \(i)."))
        }
        // Ties into `distinct` through a stored segment, and within itself through a repeated one.
        let pivot = (0..<300).map { i in
            i % 2 == 0 ? unit(("en", "Distinct sentence \(i * 7)."), ("de", "Eigener Satz \(i).")) :
                unit(("de", "Eigener Satz \(i - 1)."), ("es", "Frase propia \(i)."))
        }
        let alone = (0..<50).map { i in unit(("es", "Sola \(i).")) }
        let corpora = [distinct, pivot, alone]
        let expected = StoreTests.referenceGroups(corpora)
        for order in [[0, 1, 2], [1, 2, 0], [2, 1, 0]] {
            let t = try TemporaryStore()
            for k in order {
                let report = try t.store.ingest(descriptor("c\(k)")) { sink in for u in corpora[k] { try sink.add(u) } }
                #expect(report.units == corpora[k].count)
            }
            #expect(try groups(t.store) == expected)
            #expect(try t.store.integrityCheck() == ["ok"])
            // Each occurrence points at its own unit's sentence (the merge numbers segments
            // instead of looking them up when the file is all new).
            let rows = try t.store.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT o.position, s.text FROM occurrence o JOIN segment s ON s.rowid = o.segment
                    JOIN corpus c ON c.id = o.corpus_id WHERE c.name = 'c0' ORDER BY o.position, s.lang
                    """)
            }
            #expect(rows.count == 2 * distinct.count)
            for row in rows {
                let position: Int = row[0]
                let text: String = row[1]
                #expect(text.hasSuffix(" \(position - 1).") && (text.hasPrefix("Distinct") || text.hasPrefix("Phrase")),
                        "position \(position): \(text)")
            }
        }
    }

    @Test("a reader failing after many batches keeps nothing of the corpus")
    func readerFailsLate() throws {
        let t = try TemporaryStore()
        _ = try t.store.ingest(descriptor("kept")) { try $0.add(unit(("en", "Stay."), ("fr", "Reste."))) }
        let before = try t.store.rowCounts()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try t.store.ingest(descriptor("broken")) { sink in
                for i in 0..<Self.manyUnits {
                    try sink.add(unit(("en", "Line \(i)."), ("fr", "Ligne \(i).")))
                }
                sink.skip("untranslated")
                throw Boom()
            }
        }
        #expect(try t.store.rowCounts() == before)
        #expect(try t.store.integrityCheck() == ["ok"])
        // The store is usable at once, and the same corpus name can be ingested.
        let report = try t.store.ingest(descriptor("broken")) { try $0.add(unit(("en", "Fine."), ("fr", "Bien."))) }
        #expect(report.outcome == .added)
    }

    @Test("skips and units are counted in order across batches; the reader's thread does the reading")
    func countsAcrossBatches() throws {
        let t = try TemporaryStore()
        let caller = Thread.current
        var readerThread: Thread?
        let report = try t.store.ingest(descriptor("a")) { sink in
            readerThread = Thread.current
            for i in 0..<Self.manyUnits {
                if i % 10 == 0 { sink.skip("fuzzy") }
                try sink.add(unit(("en", "Count \(i)."), ("fr", "Compte \(i).")))
            }
        }
        #expect(report.units == Self.manyUnits)
        #expect(report.occurrences == 2 * Self.manyUnits)
        #expect(report.skipped == ["fuzzy": (Self.manyUnits + 9) / 10])
        #expect(readerThread != nil && readerThread !== caller)
    }

    @Test("unit metadata JSON written directly is what CanonicalJSON writes")
    func metadataJSON() throws {
        let samples: [[String: String]] = [
            [:], ["prop:x-domain": "news"], ["note": "Fenêtre « principale » — ok"], ["prop:type": "a/b"],
            ["note": "quote \" inside"], ["note": "back\\slash"], ["note": "tab\there"], ["note": "line\nbreak"],
            ["note": "\u{7F}del"], ["note": "\u{2028}sep\u{2029}"], ["note": "emoji 🙂 and ß"], ["k": ""],
            ["prop:x-domain": "news", "note": "two keys"], ["b": "1", "a": "2", "prop:10": "x", "prop:9": "y"],
        ]
        for sample in samples {
            #expect(try UnitMetadataJSON.encode(sample) == CanonicalJSON.string(sample))
        }
        for byte in UInt8(0)..<0x20 {
            let sample = ["note": "c\(Character(Unicode.Scalar(byte)))c"]
            #expect(try UnitMetadataJSON.encode(sample) == CanonicalJSON.string(sample))
        }
    }
}
