import GRDB
import HeldoutCore

/// The units of a file that is large beside the store, written straight into `segment` and
/// `occurrence` while the reader runs.
///
/// Most units of a large file bring segments that are new to the store and to the file. Such a
/// unit needs no look-up at all: its segments are appended with the next rowids, its group is its
/// smallest segment id (what the per-unit logic gives a unit that meets nothing), and its
/// occurrences are appended in file order. The one index that would cost a random insert per
/// segment, the unique index on `segment.id`, is dropped for the load and built again at the end,
/// which sorts once instead.
///
/// Whether a segment is new is decided by a ``SeenFilter`` holding every id of the store and of
/// the file so far. It can err only one way: a unit it is unsure of (a shared segment, or a false
/// positive) waits in a temp table and is written unit by unit through the ordinary upsert path
/// once the index is back. So the result is what writing every unit in turn gives, and memory
/// does not grow with the file (held-back units wait on disk, in the temp file).
final class BulkLoad {
    private let db: Database
    private let corpusID: Int64
    private var filter: SeenFilter
    private var nextRowid: Int64
    /// Segments appended since the last flush, written `batchRows` at a time: one statement per
    /// row spends more on running the statement than on the row.
    private var batch: [(position: Int64, document: Int64, member: PreparedUnit.Member, group: ContentID?)] = []
    /// Multi-row statements for full batches, single-row ones for the last rows.
    private let appendSegments: (full: RawStatement, one: RawStatement)
    private let appendOccurrences: (full: RawStatement, one: RawStatement)
    private let holdBack: RawStatement
    private(set) var pendingUnits = 0
    private let timer = PhaseTimer()
    static let batchRows = 64

    /// The index the load drops and builds again.
    static let idIndex = "segment_id"
    /// Dropped too: every unit's group is a random id, so its entries would land all over the
    /// index; one sort at the end is cheaper. Its definition is read back from the schema.
    static let groupIndex = "segment_grp"
    private let groupIndexSQL: String?

    /// A bulk load pays for rebuilding the id index over the whole store and for reading every
    /// stored id into the filter: worth it when the file may bring about as many segments as
    /// the store holds.
    static func isWorthIt(storedSegments: Int64, fileBytes: Int64) -> Bool {
        storedSegments <= estimatedSegments(fileBytes: fileBytes)
    }

    /// About as many segments as the store holds: the largest rowid, found in the table's
    /// B-tree at once, where `count(*)` would read a whole index (seconds on a large store, paid
    /// by every ingest). Rows removed with a corpus make it an over-estimate, which only tilts
    /// the choice towards the staged merge.
    static func storedSegments(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM main.segment") ?? 0
    }

    /// About this many segments in a file of `fileBytes` (a TMX of short sentences spends 86
    /// bytes per segment, a Moses pair of short lines 30). Only speed depends on it: too low, and
    /// the filter gives more false positives, which cost held-back units.
    static func estimatedSegments(fileBytes: Int64) -> Int64 { max(fileBytes / 40, 1) }

    init(_ db: Database, corpusID: Int64, fileBytes: Int64, filterBits: Int? = nil) throws {
        self.db = db
        self.corpusID = corpusID
        let stored = try BulkLoad.storedSegments(db)
        filter = filterBits.map { SeenFilter(bits: $0) }
            ?? SeenFilter(expectedCount: Int(stored + Self.estimatedSegments(fileBytes: fileBytes)))
        // Every stored id goes into the filter: a unit touching one waits for the index.
        let ids = try RawStatement(db, "SELECT id FROM main.segment")
        while try ids.step() {
            if let id = ids.contentID(0) { _ = filter.insert(id) }
        }
        ids.reset()
        nextRowid = stored + 1
        groupIndexSQL = try String.fetchOne(db, sql: "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND name = ?",
                                            arguments: [Self.groupIndex])
        if groupIndexSQL != nil { try db.execute(sql: "DROP INDEX main.\(Self.groupIndex)") }
        try db.execute(sql: """
            DROP INDEX main.\(Self.idIndex);
            DROP TABLE IF EXISTS temp.bulk_pending;
            CREATE TEMP TABLE bulk_pending (
                pos  INTEGER NOT NULL,
                doc  INTEGER NOT NULL,
                lang TEXT NOT NULL,
                text TEXT NOT NULL,
                tag  TEXT
            );
            """)
        func statements(_ insert: String) throws -> (full: RawStatement, one: RawStatement) {
            let rows = Array(repeating: "(?, ?, ?, ?, ?)", count: Self.batchRows).joined(separator: ", ")
            return (try RawStatement(db, "\(insert) VALUES \(rows)"), try RawStatement(db, "\(insert) VALUES (?, ?, ?, ?, ?)"))
        }
        appendSegments = try statements("INSERT INTO main.segment(rowid, id, lang, text, grp)")
        appendOccurrences = try statements("INSERT INTO main.occurrence(corpus_id, position, segment, document_id, tag)")
        batch.reserveCapacity(Self.batchRows)
        holdBack = try RawStatement(db, "INSERT INTO temp.bulk_pending(pos, doc, lang, text, tag) VALUES (?1, ?2, ?3, ?4, ?5)")
    }

    /// Writes one unit now when all its segments are surely new, or holds it back.
    func add(position: Int64, document: Int64, segments: [PreparedUnit.Member], candidate: ContentID?) throws {
        var maybeSeen = false
        for member in segments where filter.insert(member.segment.id) { maybeSeen = true }
        guard !maybeSeen else {
            for member in segments {
                let segment = member.segment
                holdBack.bind(1, position)
                holdBack.bind(2, document)
                holdBack.bind(3, segment.lang.value)
                holdBack.bind(4, segment.text)
                holdBack.bind(5, member.tag)
                try holdBack.run()
            }
            pendingUnits += 1
            return
        }
        for member in segments {
            batch.append((position, document, member, candidate))
            if batch.count == Self.batchRows { try flush() }
        }
    }

    /// Writes the batched segments and their occurrences: a full batch with one statement each,
    /// the last rows of the file one by one.
    private func flush() throws {
        var index = 0
        while index < batch.count {
            let rows = batch.count - index >= Self.batchRows ? Self.batchRows : 1
            let segments = rows == 1 ? appendSegments.one : appendSegments.full
            let occurrences = rows == 1 ? appendOccurrences.one : appendOccurrences.full
            for k in 0..<rows {
                let row = batch[index + k]
                let rowid = nextRowid + Int64(index + k)
                let base = Int32(k * 5)
                segments.bind(base + 1, rowid)
                segments.bind(base + 2, row.member.segment.id)
                segments.bind(base + 3, row.member.segment.lang.value)
                segments.bind(base + 4, row.member.segment.text)
                segments.bind(base + 5, row.group)
                occurrences.bind(base + 1, corpusID)
                occurrences.bind(base + 2, row.position)
                occurrences.bind(base + 3, rowid)
                occurrences.bind(base + 4, row.document)
                occurrences.bind(base + 5, row.member.tag)
            }
            // Every parameter was just bound: SQLite may keep its buffers for the next rows.
            try segments.runRebinding()
            try occurrences.runRebinding()
            index += rows
        }
        nextRowid += Int64(batch.count)
        batch.removeAll(keepingCapacity: true)
    }

    /// Builds the indexes again, then hands every held-back unit, in file order, to `write`
    /// (the per-unit path), and drops the temp table.
    func finish(_ write: (_ position: Int64, _ document: Int64, _ segments: [PreparedUnit.Member]) throws -> Void) throws {
        try flush()
        timer.mark("read+append")
        // (`PRAGMA threads` would sort on a second core, a quarter faster at 8M segments, but
        // each sorter thread takes a page cache's worth of memory: 160 MiB peak instead of 130.)
        // Fails only if two appended rows shared an id, which the filter rules out.
        try db.execute(sql: "CREATE UNIQUE INDEX main.\(Self.idIndex) ON segment(id)")
        // Held-back units merge groups through this index: it is back before them.
        if let groupIndexSQL { try db.execute(sql: groupIndexSQL) }
        timer.mark("indexes")
        let pending = try RawStatement(db, "SELECT pos, doc, lang, text, tag FROM temp.bulk_pending ORDER BY rowid")
        var current: (position: Int64, document: Int64)?
        var members: [PreparedUnit.Member] = []
        while try pending.step() {
            let position = pending.int64(0)
            if let unit = current, unit.position != position {
                try write(unit.position, unit.document, members)
                members.removeAll(keepingCapacity: true)
            }
            current = (position, pending.int64(1))
            guard let lang = LanguageTag(pending.string(2)) else {
                throw HeldoutError.store("held-back segment of unit \(position) did not read back")
            }
            // The text is stored normalised; hashing it again gives the same id.
            let segment = Segment(lang: lang, normalizedText: pending.string(3))
            let declared = pending.isNull(4) ? lang : LanguageTag(pending.string(4)) ?? lang
            members.append(PreparedUnit.Member(segment: segment, declared: declared))
        }
        if let unit = current { try write(unit.position, unit.document, members) }
        pending.reset()
        try db.execute(sql: "DROP TABLE temp.bulk_pending")
        timer.mark("held-back units (\(pendingUnits))")
    }
}

/// A Bloom filter over content ids: "surely not seen" or "maybe seen", in a fixed number of bits.
///
/// Blocked: the probes of one id fall in one 64-byte block, so a look-up costs one cache miss
/// however large the filter (a plain filter of 16 MiB costs one miss per probe, and misses were
/// most of its cost). Content ids are SHA-256 prefixes, so their bits are already uniform: the
/// block and the probes are taken from the id itself instead of hashing it again. The size is a
/// power of two chosen for the expected count (about 16 bits each, at most 2^27 bits = 16 MiB):
/// past that, false positives only grow, and a false positive costs a held-back unit, not a
/// wrong answer.
struct SeenFilter {
    private var words: [UInt64]
    private let blockMask: UInt64
    static let wordsPerBlock = 8
    static let maxBits = 1 << 27

    init(expectedCount: Int) {
        var bits = 1 << 16
        while bits < Self.maxBits, bits < expectedCount.multipliedReportingOverflow(by: 16).partialValue { bits <<= 1 }
        self.init(bits: bits)
    }

    /// `bits`: a power of two of at least one block (512).
    init(bits: Int) {
        precondition(bits >= 64 * Self.wordsPerBlock && bits & (bits - 1) == 0, "filter size must be a power of two ≥ 512")
        words = [UInt64](repeating: 0, count: bits / 64)
        blockMask = UInt64(bits / 64 / Self.wordsPerBlock - 1)
    }

    /// Adds `id`; true when it may have been added before (all its bits were already set).
    mutating func insert(_ id: ContentID) -> Bool {
        let block = Int(id.high & blockMask) * Self.wordsPerBlock
        var seen = true
        // Four probes of 9 bits each (word 0–7, bit 0–63) from the low half.
        var bits = id.low
        words.withUnsafeMutableBufferPointer { words in
            for _ in 0..<4 {
                let word = block + Int(bits & 7)
                let mask: UInt64 = 1 << ((bits >> 3) & 63)
                if words[word] & mask == 0 {
                    seen = false
                    words[word] |= mask
                }
                bits >>= 9
            }
        }
        return seen
    }
}
