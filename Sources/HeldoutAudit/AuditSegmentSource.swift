import Foundation
import HeldoutCore
import HeldoutStore

/// What the audit asks of the segments behind a split: the segments evaluation records name,
/// the other segments of their documents, and every grouped segment (its translation
/// closures). A store answers (`Store`), or a file of the segments a cluster
/// wrote (``SegmentsFile``), so that a split made on a cluster is audited without a store,
/// and alike: the audit's own indexes are built the same way from either.
public protocol AuditSegmentSource: Sendable {
    /// The segments of `ids` it holds, with their group and documents (sorted by key); ids it
    /// does not hold are absent.
    func auditSegments(_ ids: [ContentID]) throws -> [ContentID: AuditSegment]
    /// Every (document, segment id) of the documents `documentIDs`, numbered as
    /// ``auditSegments(_:)`` numbered them (`AuditDocument.storeID`).
    func auditDocumentSegments(_ documentIDs: [Int64], _ body: (Int64, ContentID) throws -> Void) throws
    /// Every segment with an alignment group: its id, group and text.
    func groupedSegments(_ body: (_ id: ContentID, _ group: ContentID, _ text: String) throws -> Void) throws
}

extension Store: AuditSegmentSource {
    public func groupedSegments(_ body: (_ id: ContentID, _ group: ContentID, _ text: String) throws -> Void) throws {
        try scan { try $0.groupedSegments(body) }
    }
}

/// The segments of a split's corpora as a cluster writes them (`heldout audit --segments`):
/// one JSON object a line, `{"id", "lang", "text", "group", "documents": ["CORPUS/DOCUMENT",
/// …]}` (`group` null or absent for a segment in no alignment group; `documents` the named
/// documents it occurs in, as records name them), each segment once, in any order. Each of the
/// audit's questions is one streaming pass over the file; nothing but the answers is kept.
/// A document is numbered by a hash of its key, so the numbers need no table between passes.
public struct SegmentsFile: AuditSegmentSource {
    /// The file, read again for each question.
    public let path: String

    /// Refuses an unreadable file (exit 3) before the audit starts.
    public init(path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        self.path = path
    }

    private struct Line: Decodable {
        var id: String
        var lang: String
        var text: String
        var group: String?
        var documents: [String]?
    }

    /// The number a document key stands for in `AuditDocument.storeID`.
    static func number(_ key: String) -> Int64 { Int64(bitPattern: Hash64.string(key, salt: Hash64.saltDocument)) }

    /// Each line with its segment id and group; a line that is not a segment is bad input at
    /// its line.
    private func forEach(_ body: (Line, ContentID, ContentID?) throws -> Void) throws {
        let reader = try LineChunkReader(path: path)
        let decoder = JSONDecoder()
        while let chunk = try reader.next() {
            for k in chunk.lines.indices where !chunk.lines[k].isEmpty {
                let location = SourceLocation(file: path, line: chunk.firstLine + k)
                let line: Line
                do {
                    line = try decoder.decode(Line.self, from: Data(chunk.bytes[chunk.lines[k]]))
                } catch {
                    throw HeldoutError.badInput(location, "not a segment {id, lang, text, group, documents}: \(error)")
                }
                guard let id = ContentID(hex: line.id) else { throw HeldoutError.badInput(location, "id: \"\(line.id)\" is not a segment id (32 hex digits)") }
                var group: ContentID?
                if let hex = line.group {
                    guard let g = ContentID(hex: hex) else { throw HeldoutError.badInput(location, "group: \"\(hex)\" is not a segment id (32 hex digits)") }
                    group = g
                }
                try body(line, id, group)
            }
        }
    }

    public func auditSegments(_ ids: [ContentID]) throws -> [ContentID: AuditSegment] {
        let wanted = Set(ids)
        var out: [ContentID: AuditSegment] = [:]
        try forEach { line, id, group in
            guard wanted.contains(id) else { return }
            let documents = Set(line.documents ?? []).map { AuditDocument(storeID: Self.number($0), key: $0) }.sorted()
            out[id] = AuditSegment(id: id, lang: line.lang, text: line.text, group: group, documents: documents)
        }
        return out
    }

    public func auditDocumentSegments(_ documentIDs: [Int64], _ body: (Int64, ContentID) throws -> Void) throws {
        let wanted = Set(documentIDs)
        try forEach { line, id, _ in
            for number in Set((line.documents ?? []).map(Self.number)) where wanted.contains(number) { try body(number, id) }
        }
    }

    public func groupedSegments(_ body: (_ id: ContentID, _ group: ContentID, _ text: String) throws -> Void) throws {
        try forEach { line, id, group in
            if let group { try body(id, group, line.text) }
        }
    }
}
