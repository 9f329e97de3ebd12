import Foundation
import GRDB
import HeldoutCore

// The ingest engine's parts that no other module sees: units prepared on the reader's thread,
// the bounded channel to the writer's thread, the writer and its grouping, and corpus removal.
// The entry point, `Store.ingest`, is in Store+Ingest.swift; the two ways of loading a file that
// is large or small beside the store are BulkLoad.swift and IngestStage.swift; the HeldoutStore
// DocC catalogue's "The ingest engine" article describes them together.

/// A unit with its texts normalised and hashed, ready to be written.
struct PreparedUnit: Sendable {
    struct Member: Sendable {
        var segment: Segment
        /// The tag the corpus declared (`fr-CA`); the segment carries the primary subtag.
        var declared: LanguageTag
        /// What an occurrence keeps of the declared tag: nil when it is the primary subtag itself.
        var tag: String? { declared == segment.lang ? nil : declared.value }
    }

    /// The group a unit of these segments is named by until it meets another: its smallest
    /// segment id; nil for a single segment, which is no alignment unit.
    static func groupCandidate(_ segments: [Member]) -> ContentID? {
        segments.count > 1 ? segments.lazy.map(\.segment.id).min() : nil
    }
    var unit: CorpusUnit
    /// Distinct, non-empty segments in the unit's order.
    var segments: [Member]
    /// The unit's metadata as canonical JSON, nil when it declared neither metadata nor domain.
    var metadata: String?
}

/// What the reader's thread tells the writer's, in order.
enum IngestEvent: Sendable {
    case unit(PreparedUnit)
    case entry(DictionaryEntry)
    case skip(String, Int)
    case progress(Int64)
}

/// A bounded queue of batches from the reader's thread to the writer's: the reader blocks when
/// ``capacity`` batches wait, so memory stays flat however fast it reads. Either side can stop
/// the other: the reader by closing with its error, the writer by cancelling.
final class IngestChannel: @unchecked Sendable {
    /// Batches in flight at most.
    static let capacity = 8
    private let condition = NSCondition()
    private var queue: [[IngestEvent]] = []
    private var closed = false
    private var failure: (any Error)?
    private var cancelled = false
    /// Batches the writer is done with, handed back so that they are freed on the reader's
    /// thread: the writer is the slower side, and freeing a batch's strings and arrays (made on
    /// the reader's thread) was a fifth of its time.
    private var finished: [[IngestEvent]] = []

    /// Thrown on the reader's thread when the writer has stopped; never reaches the user, since
    /// the writer's own error is the one reported.
    struct Cancelled: Error {}

    func send(_ batch: [IngestEvent]) throws {
        var done: [[IngestEvent]] = []
        // Declared before the lock is taken, so released after it is let go, on this thread.
        defer { done.removeAll() }
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.capacity, !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        queue.append(batch)
        swap(&done, &finished)
        condition.broadcast()
    }

    /// The writer is done with `batch`: the reader's next `send` frees it.
    func giveBack(_ batch: consuming [IngestEvent]) {
        condition.lock()
        finished.append(batch)
        condition.unlock()
    }

    /// The reader is done; `error` is why it stopped early, if it did.
    func close(error: (any Error)?) {
        condition.lock()
        closed = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The writer has stopped: a reader waiting to send, or sending later, gets ``Cancelled``.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, nil once the reader is done; the reader's error if it failed.
    func receive() throws -> [IngestEvent]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, !closed { condition.wait() }
        if let failure { throw failure }
        guard !queue.isEmpty else { return nil }
        let batch = queue.removeFirst()
        condition.broadcast()
        return batch
    }
}

/// Canonical JSON for unit metadata without a `JSONEncoder` per unit (3% of an ingest's CPU):
/// the common shapes — no key, or one key whose key and value need no escaping — are written
/// directly; anything else goes through ``CanonicalJSON``, which stays the definition. A test
/// checks both agree.
enum UnitMetadataJSON {
    static func encode(_ metadata: [String: String]) throws -> String {
        if metadata.isEmpty { return "{}" }
        if metadata.count == 1, let (key, value) = metadata.first, isPlain(key), isPlain(value) {
            return "{\"" + key + "\":\"" + value + "\"}"
        }
        return try CanonicalJSON.string(metadata)
    }

    /// No quote, backslash or control character: JSON writes it as it is.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F }
    }
}

/// Writes a reader's units inside the ingest transaction, on the transaction's thread.
///
/// Units sharing a segment with an earlier unit (of this corpus or any other) join its
/// alignment group, which keeps pivots (en→de, en→fr in two files) one group.
final class CorpusWriter {
    let corpusID: Int64
    private let findSegment: RawStatement
    private let insertSegment: RawStatement
    private let setGroup: RawStatement
    private let insertOccurrence: RawStatement
    private let insertDocument: RawStatement
    private let insertMetadata: RawStatement
    private let groups: GroupMerger
    private var documents: [String: Int64] = [:]
    private var position: Int64 = 0
    private(set) var units = 0
    private(set) var occurrences = 0
    private(set) var languages: Set<String> = []
    private(set) var skipped: [String: Int] = [:]
    private var rowids: [Int64] = []
    private var found: [ContentID?] = []
    /// Tokens, labels and dictionary entries (Store+AnswerSources.swift).
    private let answerSources: AnswerSourceWriter
    /// How units reach the store while the file is read (see ``Load``).
    private var load: Load
    var onProgress: ((Int64, Int) -> Void)?

    /// A file large beside the store is appended with the id index dropped (``BulkLoad``); a
    /// small file into a large store is staged and merged in id order (``IngestStage``); once a
    /// unit needs its segments' rowids at once (tokens, labels), units are written one by one.
    private enum Load {
        case bulk(BulkLoad)
        case staged(IngestStage)
        case unitByUnit
    }

    init(_ db: Database, corpusID: Int64, fileBytes: Int64, policy: LoadPolicy = .automatic) throws {
        self.corpusID = corpusID
        // Units written one by one are mostly units that share a segment (held back by a bulk
        // load, pivot files): so the segment is looked up first, and written only when it is new
        // or has no group yet. (An upsert that rewrote every stored segment also rewrote its
        // `segment_grp` entry, and cost twice as much on pivot files.)
        findSegment = try RawStatement(db, "SELECT rowid, grp FROM segment WHERE id = ?1")
        insertSegment = try RawStatement(db, "INSERT INTO segment(id, lang, text, grp) VALUES (?1, ?2, ?3, ?4) RETURNING rowid")
        setGroup = try RawStatement(db, "UPDATE segment SET grp = ?1 WHERE rowid = ?2")
        insertOccurrence = try RawStatement(db, """
            INSERT OR IGNORE INTO occurrence(corpus_id, position, segment, document_id, tag) VALUES (?1, ?2, ?3, ?4, ?5)
            """)
        insertDocument = try RawStatement(db, "INSERT INTO document(corpus_id, name) VALUES (?1, ?2) RETURNING id")
        insertMetadata = try RawStatement(db, """
            INSERT OR REPLACE INTO unit_metadata(corpus_id, position, domain, metadata) VALUES (?1, ?2, ?3, ?4)
            """)
        groups = try GroupMerger(db)
        answerSources = AnswerSourceWriter(db, corpusID: corpusID)
        switch policy {
        case .automatic:
            let stored = try BulkLoad.storedSegments(db)
            load = BulkLoad.isWorthIt(storedSegments: stored, fileBytes: fileBytes)
                ? .bulk(try BulkLoad(db, corpusID: corpusID, fileBytes: fileBytes))
                : .staged(try IngestStage(db, corpusID: corpusID))
        case let .bulk(filterBits):
            load = .bulk(try BulkLoad(db, corpusID: corpusID, fileBytes: fileBytes, filterBits: filterBits))
        case .staged:
            load = .staged(try IngestStage(db, corpusID: corpusID))
        case .unitByUnit:
            load = .unitByUnit
        }
    }

    func apply(_ event: IngestEvent) throws {
        switch event {
        case let .unit(prepared):
            try add(prepared)
        case let .entry(entry):
            try answerSources.addEntry(entry)
            units += 1
        case let .skip(reason, count):
            skipped[reason, default: 0] += count
        case let .progress(bytesRead):
            onProgress?(bytesRead, units)
        }
    }

    /// Completes what the load left for the end (index, held-back units, staged merge); called
    /// once the reader is done, or before the first unit that needs rowids at once.
    func finish() throws {
        switch load {
        case let .bulk(bulk):
            load = .unitByUnit
            try bulk.finish { position, document, segments in
                _ = try writeUnit(position: position, document: document, segments: segments)
            }
        case let .staged(stage):
            load = .unitByUnit
            try stage.finish()
        case .unitByUnit:
            break
        }
    }

    /// Stores one unit.
    private func add(_ prepared: PreparedUnit) throws {
        let unit = prepared.unit
        let segments = prepared.segments
        let documentID = try document(named: unit.document)
        position += 1
        units += 1
        let candidate = PreparedUnit.groupCandidate(segments)
        let needsRowids = unit.tokens != nil || !unit.labels.isEmpty
        if needsRowids { try finish() }
        for member in segments { languages.insert(member.declared.value) }
        occurrences += segments.count
        switch load {
        case let .bulk(bulk):
            try bulk.add(position: position, document: documentID, segments: segments, candidate: candidate)
        case let .staged(stage):
            for member in segments {
                try stage.add(position: position, segment: member.segment, document: documentID,
                              tag: member.tag, candidate: candidate)
            }
        case .unitByUnit:
            let rowids = try writeUnit(position: position, document: documentID, segments: segments)
            if needsRowids {
                let firstTextID = unit.texts.first.map { Segment(lang: $0.lang, rawText: $0.text).id }
                try answerSources.add(unit, position: position,
                                      segments: zip(rowids, segments).map { ($0, $1.segment.id) }, firstTextID: firstTextID)
            }
        }
        try addMetadata(unit, prepared.metadata)
    }

    /// Writes one unit's segments and occurrences at once, joining the groups it meets: the
    /// per-unit path, which every other path must agree with. Returns the segments' rowids.
    private func writeUnit(position: Int64, document documentID: Int64, segments: [PreparedUnit.Member]) throws -> [Int64] {
        let candidate = PreparedUnit.groupCandidate(segments)
        rowids.removeAll(keepingCapacity: true)
        found.removeAll(keepingCapacity: true)
        for member in segments {
            let segment = member.segment
            findSegment.bind(1, segment.id)
            if try findSegment.step() {
                let rowid = findSegment.int64(0)
                let group = findSegment.contentID(1)
                findSegment.reset()
                rowids.append(rowid)
                if group == nil, let candidate {
                    setGroup.bind(1, candidate)
                    setGroup.bind(2, rowid)
                    try setGroup.run()
                    found.append(candidate)
                } else {
                    found.append(group)
                }
            } else {
                findSegment.reset()
                insertSegment.bind(1, segment.id)
                insertSegment.bind(2, segment.lang.value)
                insertSegment.bind(3, segment.text)
                insertSegment.bind(4, candidate)
                guard try insertSegment.step() else { throw HeldoutError.store("segment insert returned no row") }
                rowids.append(insertSegment.int64(0))
                insertSegment.reset()
                found.append(candidate)
            }

            insertOccurrence.bind(1, corpusID)
            insertOccurrence.bind(2, position)
            insertOccurrence.bind(3, rowids[rowids.count - 1])
            insertOccurrence.bind(4, documentID)
            insertOccurrence.bind(5, member.tag)
            try insertOccurrence.run()
        }
        if candidate != nil {
            try groups.merge(found.compactMap { $0 })
        }
        return rowids
    }

    private func addMetadata(_ unit: CorpusUnit, _ json: String?) throws {
        if let json {
            insertMetadata.bind(1, corpusID)
            insertMetadata.bind(2, position)
            insertMetadata.bind(3, unit.domain)
            insertMetadata.bind(4, json)
            try insertMetadata.run()
        }
    }

    private func document(named name: String) throws -> Int64 {
        if name == CorpusUnit.ownDocument { return 0 } // no row: see CorpusUnit.ownDocument
        if let id = documents[name] { return id }
        insertDocument.bind(1, corpusID)
        insertDocument.bind(2, name)
        guard try insertDocument.step() else { throw HeldoutError.store("document insert returned no row") }
        let id = insertDocument.int64(0)
        insertDocument.reset()
        documents[name] = id
        return id
    }
}

/// How a file's units reach the store. `automatic` chooses by the sizes of file and store; the
/// others exist so that tests can hold every path to the same result.
enum LoadPolicy {
    case automatic
    /// ``BulkLoad``; `filterBits` overrides the filter's size (a small one forces false positives).
    case bulk(filterBits: Int?)
    case staged
    case unitByUnit
}

/// Carries the reader's closure to its thread, where the hand-over itself guarantees that the
/// two threads never use it at once, and drops it as soon as it has run.
final class ReaderBox: @unchecked Sendable {
    private var body: ((CorpusSink) throws -> Void)?

    init(_ body: @escaping (CorpusSink) throws -> Void) { self.body = body }

    func run(_ sink: CorpusSink) throws {
        defer { body = nil }
        try body?(sink)
    }
}

/// Keeps "groups sharing a segment are one group" true: when a unit touches several groups,
/// all of them take the smallest group id, which is the smallest segment id among them, so the
/// result does not depend on the order units arrive in.
final class GroupMerger {
    private let rename: RawStatement

    init(_ db: Database) throws {
        rename = try RawStatement(db, "UPDATE segment SET grp = ?1 WHERE grp = ?2")
    }

    func merge(_ groupsOfUnit: [ContentID]) throws {
        guard let target = groupsOfUnit.min() else { return }
        var renamed: Set<ContentID> = []
        for group in groupsOfUnit where group != target && renamed.insert(group).inserted {
            rename.bind(1, target)
            rename.bind(2, group)
            try rename.run()
        }
    }
}

/// Takes a corpus out of the store: its occurrences, documents and metadata, the segments that
/// occurred nowhere else, and then rebuilds the alignment groups it took part in from the units
/// of the other corpora, since removing a unit can split a group in two.
struct CorpusRemoval {
    let db: Database

    init(_ db: Database) { self.db = db }

    func remove(corpusID: Int64) throws {
        try Schema.removeAnswerSources(db, corpusID: corpusID)
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.removed_segment;
            DROP TABLE IF EXISTS temp.regroup;
            CREATE TEMP TABLE removed_segment(rowid INTEGER PRIMARY KEY);
            CREATE TEMP TABLE regroup(rowid INTEGER PRIMARY KEY);
            INSERT OR IGNORE INTO removed_segment SELECT segment FROM occurrence WHERE corpus_id = :corpus;
            -- every segment of every group the corpus touched must be grouped again
            INSERT OR IGNORE INTO regroup
                SELECT s.rowid FROM segment s
                WHERE s.grp IN (SELECT g.grp FROM segment g JOIN removed_segment r ON r.rowid = g.rowid
                                WHERE g.grp IS NOT NULL);
            DELETE FROM occurrence WHERE corpus_id = :corpus;
            DELETE FROM unit_metadata WHERE corpus_id = :corpus;
            DELETE FROM document WHERE corpus_id = :corpus;
            DELETE FROM corpus WHERE id = :corpus;
            DELETE FROM segment WHERE rowid IN (SELECT rowid FROM removed_segment)
                AND NOT EXISTS (SELECT 1 FROM occurrence o WHERE o.segment = segment.rowid);
            UPDATE segment SET grp = NULL WHERE rowid IN (SELECT rowid FROM regroup);
            """, arguments: ["corpus": corpusID])
        try rebuildGroups()
        try db.execute(sql: "DROP TABLE temp.removed_segment; DROP TABLE temp.regroup;")
    }

    /// Replays every remaining unit that holds a segment of `temp.regroup`.
    private func rebuildGroups() throws {
        let grouper = try UnitGrouper(db)
        let units = try Row.fetchCursor(db, sql: """
            SELECT o.corpus_id, o.position, s.rowid, s.id
            FROM occurrence o JOIN segment s ON s.rowid = o.segment
            WHERE (o.corpus_id, o.position) IN (
                SELECT o2.corpus_id, o2.position FROM occurrence o2 JOIN temp.regroup r ON r.rowid = o2.segment)
            ORDER BY o.corpus_id, o.position
            """)
        var current: (Int64, Int64)?
        var members: [(Int64, ContentID)] = []
        func flush() throws {
            defer { members.removeAll(keepingCapacity: true) }
            guard members.count > 1, let candidate = members.map(\.1).min() else { return }
            try grouper.group(members.map(\.0), candidate: candidate)
        }
        while let row = try units.next() {
            let key = (row[0] as Int64, row[1] as Int64)
            if let current, current != key { try flush() }
            current = key
            let bytes: Data = row[3]
            guard let id = ContentID(bytes: bytes) else { continue }
            members.append((row[2], id))
        }
        try flush()
    }
}
