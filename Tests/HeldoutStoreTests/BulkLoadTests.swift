import Foundation
import GRDB
import Testing
import HeldoutCore
@testable import HeldoutStore

/// The bulk load (append with the id index dropped, a filter deciding what is surely new) must
/// give the store that writing every unit in turn gives, whatever the filter gets wrong.
@Suite("Bulk load")
struct BulkLoadTests {
    /// Corpora with every kind of sharing: repeats inside a file, pivots across files, region
    /// tags, one-sentence units, metadata, several documents.
    static func corpora(seed: UInt64) -> [[CorpusUnit]] {
        var rng = SplitMix64(seed: seed)
        let langs = ["en", "fr", "de", "fr-CA"]
        func corpus(_ size: Int, vocabulary: UInt64) -> [CorpusUnit] {
            (0..<size).map { i in
                let n = 1 + Int(rng.next() % 3)
                var u = CorpusUnit(document: "d\(i % 4)", texts: (0..<n).map { _ in
                    let lang = langs[Int(rng.next() % UInt64(langs.count))]
                    let primary = lang.prefix(2)
                    return CorpusUnit.Text(lang: tag(lang), text: "\(primary) sentence \(rng.next() % vocabulary)")
                })
                if i % 7 == 0 { u.metadata = ["note": "unit \(i)"] }
                return u
            }
        }
        return [corpus(3000, vocabulary: 5000), corpus(800, vocabulary: 5000), corpus(400, vocabulary: 300)]
    }

    /// Everything a store says about its corpora, without rowids (paths number segments differently).
    static func contents(_ store: Store) throws -> [String] {
        try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT 'segment ' || hex(id) || ' ' || lang || ' ' || text || ' ' || coalesce(hex(grp), '-') FROM segment
                UNION ALL
                SELECT 'occurrence ' || c.name || ' ' || o.position || ' ' || hex(s.id) || ' ' || d.name || ' ' || coalesce(o.tag, '-')
                FROM occurrence o JOIN segment s ON s.rowid = o.segment JOIN corpus c ON c.id = o.corpus_id
                JOIN document d ON d.id = o.document_id
                UNION ALL
                SELECT 'metadata ' || c.name || ' ' || m.position || ' ' || m.metadata
                FROM unit_metadata m JOIN corpus c ON c.id = m.corpus_id
                ORDER BY 1
                """)
        }
    }

    func load(_ corpora: [[CorpusUnit]], order: [Int], policy: LoadPolicy) throws -> TemporaryStore {
        let t = try TemporaryStore()
        for k in order {
            _ = try t.store.ingest(descriptor("c\(k)"), policy: policy) { sink in for u in corpora[k] { try sink.add(u) } }
        }
        return t
    }

    @Test("bulk, staged and unit-by-unit loads give the same store, in any order of the files", arguments: [1, 2] as [UInt64])
    func pathsAgree(seed: UInt64) throws {
        let corpora = Self.corpora(seed: seed)
        let expectedGroups = StoreTests.referenceGroups(corpora)
        #expect(Set(expectedGroups.values.compactMap { $0 }).count > 10)
        let reference = try Self.contents(load(corpora, order: [0, 1, 2], policy: .unitByUnit).store)
        #expect(reference.count > 8000)
        for order in [[0, 1, 2], [2, 0, 1]] {
            for policy in [LoadPolicy.bulk(filterBits: nil), .staged, .automatic] {
                let t = try load(corpora, order: order, policy: policy)
                #expect(try Self.contents(t.store) == reference, "\(policy), order \(order)")
                #expect(try groups(t.store) == expectedGroups)
                #expect(try t.store.integrityCheck() == ["ok"])
            }
        }
    }

    @Test("a filter far too small for the file (false positives everywhere) changes nothing but speed")
    func overfullFilter() throws {
        let corpora = Self.corpora(seed: 3)
        let reference = try Self.contents(load(corpora, order: [0, 1, 2], policy: .unitByUnit).store)
        // 512 bits for thousands of segments: nearly every unit is held back.
        let t = try load(corpora, order: [0, 1, 2], policy: .bulk(filterBits: 512))
        #expect(try Self.contents(t.store) == reference)
        #expect(try t.store.integrityCheck() == ["ok"])
    }

    @Test("a file of distinct units is appended in file order, each occurrence on its own sentence, with the id index back")
    func distinctAppend() throws {
        let units = (0..<2000).map { i in unit(("en", "Fresh sentence \(i)."), ("fr", "Phrase fraîche \(i).")) }
        let t = try TemporaryStore()
        // A roomy filter: no false positive holds a unit back and puts it out of file order.
        _ = try t.store.ingest(descriptor("fresh"), policy: .bulk(filterBits: 1 << 24)) { sink in for u in units { try sink.add(u) } }
        let rows = try t.store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.position, s.text, s.rowid FROM occurrence o JOIN segment s ON s.rowid = o.segment ORDER BY o.position, s.rowid
                """)
        }
        #expect(rows.count == 4000)
        for (k, row) in rows.enumerated() {
            let position: Int = row[0], text: String = row[1], rowid: Int = row[2]
            #expect(position == k / 2 + 1 && rowid == k + 1)
            #expect(text == (k % 2 == 0 ? "Fresh sentence \(k / 2)." : "Phrase fraîche \(k / 2)."))
        }
        // The unique index is back and enforced: the store cannot take a second row of an id.
        let indexes = try t.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'segment' ORDER BY name")
        }
        #expect(indexes == ["segment_grp", "segment_id"])
        let duplicate = #expect(throws: HeldoutError.self) {
            try t.store.write { db in
                try db.execute(sql: "INSERT INTO segment(id, lang, text) SELECT id, lang, text FROM segment LIMIT 1")
            }
        }
        #expect("\(duplicate.map { "\($0)" } ?? "")".contains("UNIQUE constraint failed: segment.id"))
    }

    @Test("a bulk load that fails keeps nothing, and the dropped indexes are back")
    func failureRollsBack() throws {
        let t = try TemporaryStore()
        _ = try t.store.ingest(descriptor("first")) { try $0.add(unit(("en", "Kept."), ("fr", "Gardé."))) }
        let before = try Self.contents(t.store)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try t.store.ingest(descriptor("second"), policy: .bulk(filterBits: nil)) { sink in
                for i in 0..<3000 { try sink.add(unit(("en", "Doomed \(i)."), ("de", "Verloren \(i)."))) }
                throw Boom()
            }
        }
        #expect(try Self.contents(t.store) == before)
        let indexes = try t.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'segment' ORDER BY name")
        }
        #expect(indexes == ["segment_grp", "segment_id"])
        #expect(try t.store.integrityCheck() == ["ok"])
    }

    @Test("the filter never forgets an id, and at its design load few new ids look seen")
    func filter() {
        var rng = SplitMix64(seed: 11)
        let ids = (0..<100_000).map { _ in ContentID(high: rng.next(), low: rng.next()) }
        var filter = SeenFilter(expectedCount: ids.count)
        let firstTime = ids.filter { filter.insert($0) }.count
        #expect(ids.allSatisfy { filter.insert($0) })
        // Blocked, 4 probes, ≥ 16 bits per id: about 0.3% false positives; allow 1%.
        #expect(firstTime < ids.count / 100, "\(firstTime) of \(ids.count) new ids looked seen")
        let others = (0..<100_000).map { _ in ContentID(high: rng.next(), low: rng.next()) }
        #expect(others.filter { filter.insert($0) }.count < others.count / 100)
    }

    @Test("a store made before the id index moved out of the table keeps its rows, rowids, groups and grades")
    func migration() throws {
        let old = try OldSchemaStore(upTo: "grading-drop-version-index", holding: """
            INSERT INTO corpus(id, name, format, sha256, size, files, options, languages, ingested_at, units, skipped)
                VALUES (1, 'old', 'test', 'x', 1, '[]', '', 'en,fr', 'then', 1, '{}');
            INSERT INTO document(id, corpus_id, name) VALUES (1, 1, '');
            INSERT INTO segment(rowid, id, lang, text, grp) VALUES
                (7, x'00000000000000000000000000000001', 'en', 'One.', x'00000000000000000000000000000001'),
                (9, x'00000000000000000000000000000002', 'fr', 'Un.', x'00000000000000000000000000000001');
            INSERT INTO occurrence VALUES (1, 1, 7, 1, NULL), (1, 1, 9, 1, NULL);
            INSERT INTO grade(segment, grader_version, words, sentences, syllables, letters, long_words, polysyllables,
                              monosyllables, readability, band) VALUES (9, 1, 1, 1, 1, 2, 0, 0, 1, '{}', 'ungradable');
            """)
        let store = old.store
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT rowid, hex(id), text, hex(grp), lang_primary FROM segment ORDER BY rowid")
        }
        #expect(rows.map { $0[0] as Int } == [7, 9])
        #expect(rows.map { $0[2] as String } == ["One.", "Un."])
        #expect(rows.map { $0[3] as String } == Array(repeating: "00000000000000000000000000000001", count: 2))
        #expect(rows.map { $0[4] as String } == ["en", "fr"])
        // New units still find the old segments by id, and the grading trigger still follows deletions.
        _ = try store.ingest(descriptor("new")) { try $0.add(unit(("en", "Two."), ("fr", "Deux."))) }
        #expect(try store.statistics().segments == 4)
        try store.write { db in try db.execute(sql: "DELETE FROM segment WHERE rowid = 9") }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grade") } == 0)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("grades stored as a JSON object before the formula columns keep their values, in columns")
    func formulaColumnsMigration() throws {
        let old = try OldSchemaStore(upTo: "segment-id-index", holding: """
            INSERT INTO segment(rowid, id, lang, text) VALUES
                (1, x'00000000000000000000000000000001', 'en', 'The cat sat on the mat.'),
                (2, x'00000000000000000000000000000002', 'fr', 'Oui.'),
                (3, x'00000000000000000000000000000003', 'de', 'Der Hund schläft in der Küche.');
            INSERT INTO grade VALUES
                (1, 2, 6, 1, 6, 17, 0, 0, 6,
                 '{"flesch_kincaid_grade":-1.45,"flesch_reading_ease":116.15,"lix":6,"rix":0}',
                 -1.45, 'flesch_kincaid_grade', '1-5'),
                (2, 2, 1, 1, 1, 3, 0, 0, 1, '{}', NULL, NULL, 'ungradable'),
                (3, 1, 6, 1, 8, 25, 1, 0, 4,
                 '{"amstad":69.5,"lix":22.67,"rix":1,"wiener_sachtextformel_1":1.25}', 7.3, 'amstad', '6-8');
            """)
        let store = old.store
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT segment, grader_version, words, monosyllables, grade, band, flesch_kincaid_grade,
                       flesch_reading_ease, lix, rix, amstad, wiener_sachtextformel_1, kandel_moles
                FROM grade ORDER BY segment
                """)
        }
        #expect(rows.count == 3)
        #expect(rows.map { $0[1] as Int } == [2, 2, 1] && rows.map { $0[2] as Int } == [6, 1, 6])
        #expect(rows.map { $0[5] as String } == ["1-5", "ungradable", "6-8"])
        #expect(rows[0][4] as Double? == -1.45 && rows[0][6] as Double? == -1.45 && rows[0][7] as Double? == 116.15)
        #expect(rows[0][8] as Double? == 6 && rows[0][9] as Double? == 0 && rows[0][10] as Double? == nil)
        #expect(([4] + Array(6...12)).allSatisfy { rows[1][$0] as Double? == nil })
        #expect(rows[2][10] as Double? == 69.5 && rows[2][11] as Double? == 1.25 && rows[2][12] as Double? == nil)
        let columns = try store.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(grade)").map { $0["name"] as String } }
        #expect(!columns.contains("readability") && !columns.contains("grade_basis"))
        // The trigger that follows deletions survived the table's replacement.
        try store.write { db in try db.execute(sql: "DELETE FROM segment WHERE rowid = 1") }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grade") } == 2)
        #expect(try store.integrityCheck() == ["ok"])
    }
}

/// A store built at an older schema (`migration` the last one applied) holding what `sql`
/// inserts, then opened as a ``Store``, which migrates it. Its directory goes with it.
final class OldSchemaStore {
    let directory: URL
    let store: Store

    init(upTo migration: String, holding sql: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("old.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: migration)
            try queue.write { db in try db.execute(sql: sql) }
        }
        store = try Store(path: path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
