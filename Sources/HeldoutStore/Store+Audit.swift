import Foundation
import GRDB
import HeldoutCore

/// A segment as the audit sees it: its text, alignment group and the documents it occurs in.
public struct AuditSegment: Sendable, Hashable {
    /// The segment's id.
    public var id: ContentID
    /// Its language tag.
    public var lang: String
    /// Normalised text.
    public var text: String
    /// Its alignment group, from which the audit builds its own translation closures.
    public var group: ContentID?
    /// Documents it occurs in (store ids, for ``Store/auditDocumentSegments(_:_:)``) with their
    /// keys `CORPUS/DOCUMENT` (the key format of `DatasetRecord.documents`).
    public var documents: [AuditDocument]

    /// A segment as a source of segments answers for it (the store, or a cluster's file).
    public init(id: ContentID, lang: String, text: String, group: ContentID?, documents: [AuditDocument]) {
        self.id = id
        self.lang = lang
        self.text = text
        self.group = group
        self.documents = documents
    }
}

/// A document a segment occurs in: the store's id, by which the audit asks for the document's
/// other segments, and the key by which records name it.
public struct AuditDocument: Sendable, Hashable, Comparable {
    /// The store's document id (for ``Store/auditDocumentSegments(_:_:)``).
    public var storeID: Int64
    /// `CORPUS/DOCUMENT`, as `DatasetRecord.documents` names it.
    public var key: String

    /// A document as a source of segments numbers it (the store: its row id).
    public init(storeID: Int64, key: String) {
        self.storeID = storeID
        self.key = key
    }

    /// By key, so a segment's documents are listed in the order records would sort them.
    public static func < (l: AuditDocument, r: AuditDocument) -> Bool { l.key < r.key }
}

/// Read-only queries for the audit (issue 6): what the store knows of the segments evaluation
/// records name. Kept apart from the splitter's queries on purpose: the audit re-derives
/// translations and documents by its own path (its translation closures read
/// ``StoreScan/groupedSegments(_:)``, the one full scan it shares with the split).
extension Store {
    /// SQLite's default limit on bound parameters is 32766; stay well under it.
    private static let batch = 500

    /// The segments of `ids` that the store holds, with group and documents. Ids it does not
    /// hold are absent from the result.
    public func auditSegments(_ ids: [ContentID]) throws -> [ContentID: AuditSegment] {
        var out: [ContentID: AuditSegment] = [:]
        try read { db in
            try Self.batched(db, Array(Set(ids)).sorted(), sql: { marks in """
                SELECT s.id, s.lang, s.text, s.grp, d.id, c.name, d.name
                FROM segment s
                LEFT JOIN occurrence o ON o.segment = s.rowid
                LEFT JOIN document d ON d.id = o.document_id
                LEFT JOIN corpus c ON c.id = d.corpus_id
                WHERE s.id IN (\(marks))
                """ }, bind: { $0.bind($1, $2) }) { row in
                guard let id = row.contentID(0) else { return }
                var segment = out[id] ?? AuditSegment(id: id, lang: row.string(1), text: row.string(2), group: row.contentID(3), documents: [])
                if !row.isNull(4), !row.isNull(5), !row.isNull(6) {
                    let doc = AuditDocument(storeID: row.int64(4), key: row.string(5) + "/" + row.string(6))
                    if !segment.documents.contains(doc) { segment.documents.append(doc) }
                }
                out[id] = segment
            }
        }
        for (id, var segment) in out where segment.documents.count > 1 {
            segment.documents.sort()
            out[id] = segment
        }
        return out
    }

    /// Calls `body` with every (document, segment id) of the documents `documentIDs`, streaming.
    /// A corpus without documents is one document: this can be the whole corpus.
    public func auditDocumentSegments(_ documentIDs: [Int64], _ body: (Int64, ContentID) throws -> Void) throws {
        try read { db in
            try Self.batched(db, Array(Set(documentIDs)).sorted(), sql: { marks in """
                SELECT DISTINCT o.document_id, s.id FROM occurrence o JOIN segment s ON s.rowid = o.segment
                WHERE o.document_id IN (\(marks))
                """ }, bind: { $0.bind($1, $2) }) { row in
                guard let id = row.contentID(1) else { return }
                try body(row.int64(0), id)
            }
        }
    }

    /// Runs `sql(marks)` over `keys` in batches (one prepared statement per batch size),
    /// binding each key with `bind`, and calls `row` for every row: the audit reads hundreds of
    /// thousands of segments, where GRDB's row decoding would cost seconds.
    private static func batched<Key>(_ db: Database, _ keys: [Key], sql: (String) -> String,
                                     bind: (RawStatement, Int32, Key) -> Void, row: (RawStatement) throws -> Void) throws {
        var statements: [Int: RawStatement] = [:]
        for start in stride(from: 0, to: keys.count, by: batch) {
            let slice = keys[start..<min(start + batch, keys.count)]
            let statement: RawStatement
            if let prepared = statements[slice.count] {
                statement = prepared
            } else {
                statement = try RawStatement(db, sql(Array(repeating: "?", count: slice.count).joined(separator: ",")))
                statements[slice.count] = statement
            }
            for (k, key) in slice.enumerated() { bind(statement, Int32(k + 1), key) }
            defer { statement.reset() }
            while try statement.step() { try row(statement) }
        }
    }
}
