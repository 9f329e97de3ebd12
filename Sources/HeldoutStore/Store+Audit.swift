import Foundation
import GRDB
import HeldoutCore

/// A segment as the audit sees it: its text, alignment group and the documents it occurs in.
public struct AuditSegment: Sendable, Hashable {
    public var id: ContentID
    public var lang: String
    /// Normalised text.
    public var text: String
    public var group: ContentID?
    /// Documents it occurs in (store ids, for ``Store/auditDocumentSegments(_:)``) with their
    /// keys `CORPUS/DOCUMENT` (the key format of `DatasetRecord.documents`).
    public var documents: [AuditDocument]
}

public struct AuditDocument: Sendable, Hashable, Comparable {
    public var storeID: Int64
    public var key: String

    public static func < (l: AuditDocument, r: AuditDocument) -> Bool { l.key < r.key }
}

/// Read-only queries for the audit (issue 6). Kept apart from the splitter's queries on
/// purpose: the audit re-derives translations and documents by its own path.
extension Store {
    /// SQLite's default limit on bound parameters is 32766; stay well under it.
    private static let batch = 500

    /// The segments of `ids` that the store holds, with group and documents. Ids it does not
    /// hold are absent from the result.
    public func auditSegments(_ ids: [ContentID]) throws -> [ContentID: AuditSegment] {
        let unique = Array(Set(ids)).sorted()
        var out: [ContentID: AuditSegment] = [:]
        try read { db in
            for start in stride(from: 0, to: unique.count, by: Self.batch) {
                let slice = unique[start..<min(start + Self.batch, unique.count)]
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT s.id, s.lang, s.text, s.grp, d.id, c.name, d.name
                    FROM segment s
                    LEFT JOIN occurrence o ON o.segment = s.rowid
                    LEFT JOIN document d ON d.id = o.document_id
                    LEFT JOIN corpus c ON c.id = d.corpus_id
                    WHERE s.id IN (\(marks))
                    """, arguments: StatementArguments(slice.map { Data($0.bytes) }))
                while let row = try rows.next() {
                    guard let id = ContentID(bytes: row[0] as Data) else { continue }
                    var segment = out[id] ?? AuditSegment(
                        id: id, lang: row[1], text: row[2],
                        group: (row[3] as Data?).flatMap { ContentID(bytes: $0) }, documents: [])
                    if let docID = row[4] as Int64?, let corpus = row[5] as String?, let name = row[6] as String? {
                        let doc = AuditDocument(storeID: docID, key: corpus + "/" + name)
                        if !segment.documents.contains(doc) { segment.documents.append(doc) }
                    }
                    out[id] = segment
                }
            }
        }
        for (id, var segment) in out {
            segment.documents.sort()
            out[id] = segment
        }
        return out
    }

    /// Every segment of each alignment group in `groups` (translations, pivots included, since
    /// the store keeps groups merged transitively). Documents are not filled in.
    public func auditGroupMembers(_ groups: [ContentID]) throws -> [ContentID: [AuditSegment]] {
        let unique = Array(Set(groups)).sorted()
        var out: [ContentID: [AuditSegment]] = [:]
        try read { db in
            for start in stride(from: 0, to: unique.count, by: Self.batch) {
                let slice = unique[start..<min(start + Self.batch, unique.count)]
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT id, lang, text, grp FROM segment WHERE grp IN (\(marks)) ORDER BY id
                    """, arguments: StatementArguments(slice.map { Data($0.bytes) }))
                while let row = try rows.next() {
                    guard let id = ContentID(bytes: row[0] as Data),
                          let group = ContentID(bytes: row[3] as Data) else { continue }
                    out[group, default: []].append(AuditSegment(id: id, lang: row[1], text: row[2], group: group, documents: []))
                }
            }
        }
        return out
    }

    /// Calls `body` with every (document, segment id) of the documents `documentIDs`, streaming.
    /// A corpus without documents is one document: this can be the whole corpus.
    public func auditDocumentSegments(_ documentIDs: [Int64], _ body: (Int64, ContentID) throws -> Void) throws {
        let unique = Array(Set(documentIDs)).sorted()
        try read { db in
            for start in stride(from: 0, to: unique.count, by: Self.batch) {
                let slice = unique[start..<min(start + Self.batch, unique.count)]
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT DISTINCT o.document_id, s.id FROM occurrence o JOIN segment s ON s.rowid = o.segment
                    WHERE o.document_id IN (\(marks))
                    """, arguments: StatementArguments(slice))
                while let row = try rows.next() {
                    guard let id = ContentID(bytes: row[1] as Data) else { continue }
                    try body(row[0], id)
                }
            }
        }
    }
}
