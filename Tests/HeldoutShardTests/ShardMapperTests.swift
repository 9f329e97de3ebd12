import Foundation
import Testing
import HeldoutCore
import HeldoutGrading
import HeldoutIngest
import HeldoutShard
import HeldoutStore

/// Issue 15: each mapper computes what the local stage computes, record for record. The corpus
/// is written here (original sentences): a multi-way TMX whose units share a pivot, a sentence
/// that normalises to nothing, a duplicate text inside a unit, and a TU with a domain prop.
@Suite("cluster mappers agree with the local stages")
struct ShardMapperTests {
    static let tmx = """
        <?xml version="1.0" encoding="UTF-8"?>
        <tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/>
        <body>
        <tu><prop type="x-domain">weather</prop><tuv xml:lang="en"><seg>The rain stopped  before noon.</seg></tuv><tuv xml:lang="fr"><seg>La pluie a cessé avant midi.</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>La pluie a cessé avant midi.</seg></tuv><tuv xml:lang="de"><seg>Der Regen hörte vor Mittag auf.</seg></tuv></tu>
        <tu><tuv xml:lang="en"><seg>Our neighbours painted the fence green.</seg></tuv><tuv xml:lang="es"><seg>Nuestros vecinos pintaron la valla de verde.</seg></tuv><tuv xml:lang="en-GB"><seg>Our neighbours painted the fence green.</seg></tuv></tu>
        <tu><tuv xml:lang="en"><seg>   </seg></tuv><tuv xml:lang="fr"><seg> </seg></tuv></tu>
        <tu><tuv xml:lang="en"><seg>A long and patient explanation of the municipal budget followed, which nobody understood entirely.</seg></tuv><tuv xml:lang="fr"><seg>Suivit une longue explication du budget municipal, que personne ne comprit tout à fait.</seg></tuv></tu>
        </body></tmx>
        """

    func corpus() throws -> (directory: URL, planned: PlannedCorpus, ingester: Ingester) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-shard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("multi.tmx").path
        try Data(Self.tmx.utf8).write(to: URL(fileURLWithPath: path))
        let ingester = Ingester(options: IngestOptions(), licence: "CC0-1.0")
        let planned = try #require(try ingester.plan(files: [path], format: .tmx, corpusName: nil).first)
        return (directory, planned, ingester)
    }

    /// The rows `heldout map units` writes for the corpus.
    func rows(_ planned: PlannedCorpus, _ ingester: Ingester) throws -> [ShardRow] {
        var lines = Data()
        let writer = ShardRowWriter { lines.append($0) }
        let (reader, descriptor) = try ingester.describe(planned)
        var head = ShardRow(kind: .corpus, source: 0, corpus: 0, ordinal: 0)
        head.descriptor = descriptor
        try writer.write(head)
        try reader.read(into: ShardRowSink(writer: writer, source: 0, corpus: 0))
        return try lines.split(separator: 0x0A).map { try JSONDecoder().decode(ShardRow.self, from: Data($0)) }
    }

    func segments(_ store: Store) throws -> [SegmentRecord] {
        var all: [SegmentRecord] = []
        try store.forEachSegment { all.append($0) }
        return all
    }

    @Test("map units: its segments are the store's segments after a local ingest, and their groups the components of its units")
    func unitsMatchIngest() throws {
        let (directory, planned, ingester) = try corpus()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("local.sqlite").path)
        _ = try ingester.ingest(planned, into: store)
        let local = try segments(store)

        let rows = try rows(planned, ingester)
        var mapped: [String: [String]] = [:]
        var parent: [String: String] = [:]
        func find(_ x: String) -> String { var x = x; while let p = parent[x], p != x { x = p }; return x }
        for row in rows where row.kind == .unit {
            let segs = try #require(row.segments)
            for s in segs { mapped[s[0]] = s }
            // Units of two or more segments join their groups (the store's rule), smallest id wins.
            if segs.count > 1 {
                for s in segs { parent[s[0]] = parent[s[0]] ?? s[0] }
                for s in segs.dropFirst() {
                    let a = find(segs[0][0]), b = find(s[0])
                    if a != b { if a < b { parent[b] = a } else { parent[a] = b } }
                }
            }
        }
        #expect(mapped.count == local.count)
        for record in local {
            let row = try #require(mapped[record.id], "segment \(record.text) missing from the rows")
            #expect(row[1] == record.lang && row[2] == record.text)
            #expect(parent[record.id].map(find) == record.group, "\(record.text)")
        }
        // The empty unit is a skip of the store's; the rows carry it as a unit the replay skips alike.
        #expect(rows.first?.descriptor?.sha256 == (try store.corpus(named: planned.name))?.sha256)
    }

    @Test("map replay: rows replayed into a store give the store a local ingest gives, whatever order they arrived in")
    func replayMatchesIngest() throws {
        let (directory, planned, ingester) = try corpus()
        defer { try? FileManager.default.removeItem(at: directory) }
        let local = try Store(path: directory.appendingPathComponent("local.sqlite").path)
        let localReport = try ingester.ingest(planned, into: local)

        let shuffled = try rows(planned, ingester).reversed()
        let replayed = try Store(path: directory.appendingPathComponent("replayed.sqlite").path)
        let reports = try ShardReplay().replay(shuffled.sorted(by: ShardRow.precedes), into: replayed)
        #expect(reports == [localReport])
        #expect(try segments(replayed) == segments(local))
        let a = try #require(try local.corpus(named: planned.name)), b = try #require(try replayed.corpus(named: planned.name))
        #expect(a.sha256 == b.sha256 && a.units == b.units && a.skipped == b.skipped && a.files == b.files && a.languages == b.languages)
        #expect(try local.statistics().alignmentGroups == replayed.statistics().alignmentGroups)
        #expect(try local.statistics().alignmentGroups == 3)

        // Unsorted rows are refused with a message, not stored.
        let other = try Store(path: directory.appendingPathComponent("unsorted.sqlite").path)
        #expect(throws: ShardError.self) { try ShardReplay().replay(Array(shuffled), into: other) }
    }

    @Test("map grade: each segment's grade, band, words and syllables are what `heldout grade` stores")
    func gradeMatchesGrader() throws {
        let (directory, planned, ingester) = try corpus()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("local.sqlite").path)
        _ = try ingester.ingest(planned, into: store)
        var options = Grader.Options()
        options.classify = false
        _ = try Grader(options: options).run(store: store)
        let grades = ShardGrades()
        let local = try segments(store)
        #expect(local.contains { $0.grade != nil })
        for (index, record) in local.enumerated() {
            let mapped = try grades.grade([record.id, record.lang, record.text], line: index + 1)
            #expect(mapped.grade == record.grade, "\(record.text)")
            #expect(mapped.band == record.band, "\(record.text)")
            #expect(mapped.words == record.words && mapped.syllables == record.syllables, "\(record.text)")
        }
        #expect(throws: ShardError.self) { try grades.grade(["only-an-id"], line: 1) }
    }

    @Test("map grade: the language flag and folded hash are the grader's and the split's, segment for segment")
    func flagAndFoldMatchLocalStages() throws {
        // Original sentences; the second unit's French side is German (the grader flags it), and
        // two segments fold alike.
        let tmx = """
            <?xml version="1.0" encoding="UTF-8"?>
            <tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/>
            <body>
            <tu><tuv xml:lang="en"><seg>The ferry leaves the harbour every morning at seven.</seg></tuv><tuv xml:lang="fr"><seg>Le ferry quitte le port chaque matin à sept heures.</seg></tuv></tu>
            <tu><tuv xml:lang="en"><seg>The children played in the garden until the evening rain began.</seg></tuv><tuv xml:lang="fr"><seg>Die Kinder spielten im Garten, bis am Abend der Regen anfing und alle ins Haus liefen.</seg></tuv></tu>
            <tu><tuv xml:lang="en"><seg>the ferry leaves the harbour every morning at seven</seg></tuv><tuv xml:lang="de"><seg>Die Fähre verlässt den Hafen jeden Morgen um sieben.</seg></tuv></tu>
            <tu><tuv xml:lang="en"><seg>!!!</seg></tuv><tuv xml:lang="fr"><seg>???</seg></tuv></tu>
            </body></tmx>
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-flags-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("flags.tmx").path
        try Data(tmx.utf8).write(to: URL(fileURLWithPath: path))
        let ingester = Ingester(options: IngestOptions(), licence: "CC0-1.0")
        let planned = try #require(try ingester.plan(files: [path], format: .tmx, corpusName: nil).first)
        let store = try Store(path: directory.appendingPathComponent("local.sqlite").path)
        _ = try ingester.ingest(planned, into: store)
        var options = Grader.Options()
        options.classify = false
        _ = try Grader(options: options).run(store: store)
        let flagged: Set<String> = try store.read { db in
            Set(try String.fetchAll(db, sql: "SELECT lower(hex(s.id)) FROM grade g JOIN segment s ON s.rowid = g.segment WHERE g.lang_flagged = 1"))
        }
        let local = try segments(store)
        let grades = ShardGrades()
        let mapped = try local.enumerated().map { try grades.grade([$0.element.id, $0.element.lang, $0.element.text], line: $0.offset + 1) }
        #expect(flagged.count == 1)
        #expect(Set(mapped.filter { $0.flagged == true }.map(\.id)) == flagged)
        #expect(mapped.allSatisfy { $0.flagged != false })  // absent, not false, when not flagged
        // The split's hashes: two English segments share one, the punctuation-only ones have none.
        let folded = mapped.map(\.folded)
        #expect(folded.filter { $0 == nil }.count == 2)
        let present = folded.compactMap { $0 }
        #expect(present.count == Set(present).count + 1)
        #expect(present.allSatisfy { $0.count == 16 })
    }

}
