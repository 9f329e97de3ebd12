import Foundation
import GRDB
import HeldoutCore

/// The units of a file that is small beside the store, appended to a TEMP table while the reader
/// runs and merged into the store when it is done. (A file about as large as the store or larger
/// goes through ``BulkLoad``, which appends without a merge.)
///
/// Writing each unit straight into `segment` costs a random insert into the `id` index (and the
/// `grp` index) per segment: once those indexes outgrow the page cache, every insert reads and
/// dirties a page, and the one big transaction pushes each page to the WAL again and again
/// (10 GB written for a 705 MB file). Staged, the same work becomes a few set-based statements:
/// new segments go in sorted by id (each index page written once), occurrences in file order.
///
/// Alignment groups come out exactly as the per-unit logic makes them: every new segment is
/// stored with its unit's smallest segment id as a provisional group, which for a unit whose
/// segments are all new to the store and met nowhere else in the file is its final group; every
/// other unit is replayed through ``UnitGrouper`` afterwards, which is order-independent. When
/// every staged row became a new segment — a fresh file, nothing repeated — there is nothing to
/// replay and the search for shared ids (a sort of the whole stage) is skipped.
///
/// Memory stays bounded: the stage lives in the temp file (`temp_store = FILE`) and the sorts
/// are SQLite's external merge sorts.
final class IngestStage {
    private let db: Database
    private let corpusID: Int64
    private let insert: RawStatement
    private let timer = PhaseTimer()

    init(_ db: Database, corpusID: Int64) throws {
        self.db = db
        self.corpusID = corpusID
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.ingest_stage;
            CREATE TEMP TABLE ingest_stage (
                pos  INTEGER NOT NULL,
                id   BLOB NOT NULL,
                lang TEXT NOT NULL,
                text TEXT NOT NULL,
                doc  INTEGER NOT NULL,
                tag  TEXT,
                cand BLOB               -- the unit's smallest segment id; NULL for a one-segment unit
            );
            """)
        insert = try RawStatement(db, """
            INSERT INTO temp.ingest_stage(pos, id, lang, text, doc, tag, cand) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
    }

    func add(position: Int64, segment: Segment, document: Int64, tag: String?, candidate: ContentID?) throws {
        insert.bind(1, position)
        insert.bind(2, segment.id)
        insert.bind(3, segment.lang.value)
        insert.bind(4, segment.text)
        insert.bind(5, document)
        insert.bind(6, tag)
        insert.bind(7, candidate)
        try insert.run()
        rows += 1
    }

    private var rows: Int64 = 0

    /// The secondary indexes a large merge drops and builds again: building an index sorts,
    /// which costs far less than as many random inserts once the index outgrows the cache.
    /// (Not `segment.id`: it is UNIQUE and the merge relies on it. Not `occurrence_document`:
    /// occurrences go in in file order and documents are numbered as the file meets them, so
    /// its entries arrive nearly in order and cost an append each, less than a rebuild's sort.)
    static let deferrableIndexes = ["segment_grp", "occurrence_segment"]

    /// Merges the stage into `segment` and `occurrence`, groups its units, and drops it.
    func finish() throws {
        // Rebuilding an index costs in proportion to the whole table: only worth it when the
        // file brings at least half as many segments as the store holds.
        let stored = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM main.segment") ?? 0
        var deferred: [String] = []
        if rows > 0, rows * 2 >= stored {
            for name in Self.deferrableIndexes {
                guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND name = ?",
                                                    arguments: [name]) else { continue }
                try db.execute(sql: "DROP INDEX main.\(name)")
                deferred.append(sql)
            }
        }
        let t = timer
        t.mark("read+stage")
        // New segments, in id order, each with its unit's candidate as a provisional group.
        // For a unit whose segments are new and met nowhere else in the file that is its final
        // group; any other unit is replayed below, and the replay only ever merges provisional
        // groups (each is named by a segment id of its own component), so the result is what the
        // per-unit logic gives. NULL cands sort first: which row of a repeated id wins does not
        // matter, since every unit holding a repeated id is replayed.
        try db.execute(sql: """
            INSERT INTO main.segment(id, lang, text, grp)
                SELECT id, lang, text, cand FROM temp.ingest_stage WHERE true ORDER BY id
                ON CONFLICT(id) DO NOTHING;
            """)
        // Every stage row became a new segment: no id was met twice or was already stored, so
        // no unit ties into another and nothing needs replaying (the common case of a fresh file).
        let inserted = Int64(db.changesCount)
        t.mark("segments")
        let needsReplay = inserted < rows
        // Looking each id up again costs a random index probe per row once the index outgrows
        // the page cache. Numbering the stage by id instead (the k-th new id has rowid
        // `stored + k`) was measured slower at 1M units and took 30 MB more: the window
        // function's sort costs more than the probes it saves.
        try db.execute(sql: """
            INSERT OR IGNORE INTO main.occurrence(corpus_id, position, segment, document_id, tag)
                SELECT \(corpusID), st.pos, s.rowid, st.doc, st.tag
                FROM temp.ingest_stage st CROSS JOIN main.segment s ON s.id = st.id
                ORDER BY st.rowid;
            """)
        t.mark("occurrences")
        if needsReplay {
            try db.execute(sql: """
                DROP TABLE IF EXISTS temp.ingest_shared;
                DROP TABLE IF EXISTS temp.ingest_complex;
                -- ids met more than once in the file, or stored before it (rowids only grow, so
                -- those are the rowids up to `stored`): their units may tie groups together.
                -- GROUP BY sorts, so the store is probed in id order.
                CREATE TEMP TABLE ingest_shared(id BLOB PRIMARY KEY) WITHOUT ROWID;
                INSERT INTO temp.ingest_shared
                    SELECT st.id FROM temp.ingest_stage st GROUP BY st.id
                    HAVING count(*) > 1 OR (SELECT s.rowid FROM main.segment s WHERE s.id = st.id) <= \(stored);
                CREATE TEMP TABLE ingest_complex(pos INTEGER PRIMARY KEY);
                INSERT OR IGNORE INTO temp.ingest_complex
                    SELECT pos FROM temp.ingest_stage
                    WHERE cand IS NOT NULL AND id IN (SELECT id FROM temp.ingest_shared);
                """)
            t.mark("shared")
        }
        // The replay below renames groups through `segment_grp`: the indexes are back first.
        for sql in deferred { try db.execute(sql: sql) }
        t.mark("indexes")
        guard needsReplay else {
            try db.execute(sql: "DROP TABLE temp.ingest_stage")
            return
        }
        let grouper = try UnitGrouper(db)
        let units = try RawStatement(db, """
            SELECT st.pos, s.rowid, st.cand
            FROM temp.ingest_stage st CROSS JOIN main.segment s ON s.id = st.id
            WHERE st.cand IS NOT NULL AND EXISTS (SELECT 1 FROM temp.ingest_complex c WHERE c.pos = st.pos)
            ORDER BY st.rowid
            """)
        var current: Int64?
        var candidate: ContentID?
        var members: [Int64] = []
        while try units.step() {
            let position = units.int64(0)
            if position != current, let candidate {
                try grouper.group(members, candidate: candidate)
                members.removeAll(keepingCapacity: true)
            }
            current = position
            candidate = units.contentID(2)
            members.append(units.int64(1))
        }
        if let candidate { try grouper.group(members, candidate: candidate) }
        units.reset()
        t.mark("replay")
        try db.execute(sql: """
            DROP TABLE temp.ingest_shared;
            DROP TABLE temp.ingest_complex;
            DROP TABLE temp.ingest_stage;
            """)
    }
}

/// HELDOUT_INGEST_TIMES=1: wall time of each ingest phase on stderr, for bench/ingest.sh.
final class PhaseTimer {
    private static let enabled = getenv("HELDOUT_INGEST_TIMES") != nil
    private var last = DispatchTime.now().uptimeNanoseconds

    func mark(_ phase: String) {
        guard Self.enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data("ingest phase \(phase): \(String(format: "%.2f", Double(now - last) / 1e9)) s\n".utf8))
        last = now
    }
}

/// Puts the segments of one unit into one group, as ingest does per unit: each segment keeps
/// its group or takes the candidate (the unit's smallest segment id), and the groups met are
/// merged into the smallest. Used to replay units (``IngestStage``, ``CorpusRemoval``).
final class UnitGrouper {
    private let setIfNull: RawStatement
    private let groupOf: RawStatement
    private let merger: GroupMerger
    private var found: [ContentID] = []

    init(_ db: Database) throws {
        // Only a segment without a group is written; one that has a group is read (rewriting
        // it would rewrite its `segment_grp` entry for nothing).
        setIfNull = try RawStatement(db, "UPDATE main.segment SET grp = ?1 WHERE rowid = ?2 AND grp IS NULL RETURNING grp")
        groupOf = try RawStatement(db, "SELECT grp FROM main.segment WHERE rowid = ?1")
        merger = try GroupMerger(db)
    }

    /// `members` are segment rowids of one unit of two or more segments.
    func group(_ members: [Int64], candidate: ContentID) throws {
        found.removeAll(keepingCapacity: true)
        for rowid in members {
            setIfNull.bind(1, candidate)
            setIfNull.bind(2, rowid)
            if try setIfNull.step() {
                if let group = setIfNull.contentID(0) { found.append(group) }
            } else {
                groupOf.bind(1, rowid)
                if try groupOf.step(), let group = groupOf.contentID(0) { found.append(group) }
                groupOf.reset()
            }
            setIfNull.reset()
        }
        try merger.merge(found)
    }
}
