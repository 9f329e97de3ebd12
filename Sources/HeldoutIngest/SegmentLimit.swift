import Foundation
import HeldoutCore

/// The one segment size limit every format shares (`--max-segment-bytes`, 1 MiB by default).
///
/// Every reader's units pass through ``SegmentLimitedReader``, so no format can store a longer
/// segment; the XML readers also check while a segment is collected, so that memory stays
/// bounded by the limit, not by the file.
enum SegmentLimit {
    /// "1 MiB", "64 KiB" or "1000 bytes".
    static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// The message for a segment of `size` bytes (or more, when it is refused while still
    /// being read) over `limit`.
    static func message(size: Int?, limit: Int) -> String {
        let what = size.map { "a segment of \($0) bytes" } ?? "a segment"
        return "\(what) is longer than the segment limit of \(describe(limit)); no sentence is that long (a missing end tag or delimiter, or the wrong format?); raise the limit with --max-segment-bytes (spec: max_segment_bytes) if it is meant"
    }
}

/// A reader whose units are checked against the segment limit: a longer text fails the file
/// (the store's transaction is rolled back) with the file, line and column of the unit.
/// It also gives a unit without a document its own (``CorpusUnit/ownDocument``) where the
/// format's `auto` documents ask for it (``CorpusFormat/emptyDocumentIsOwn``).
struct SegmentLimitedReader: CorpusReader {
    let base: CorpusReader
    let limit: Int
    var emptyDocumentIsOwn = false

    var files: [String] { base.files }

    func read(into sink: UnitSink) throws {
        try base.read(into: SegmentLimitSink(base: sink, limit: limit, file: base.files.first ?? "(input)",
                                             emptyDocumentIsOwn: emptyDocumentIsOwn))
    }
}

private final class SegmentLimitSink: UnitSink {
    let base: UnitSink
    let limit: Int
    let file: String
    let emptyDocumentIsOwn: Bool

    init(base: UnitSink, limit: Int, file: String, emptyDocumentIsOwn: Bool) {
        self.base = base
        self.limit = limit
        self.file = file
        self.emptyDocumentIsOwn = emptyDocumentIsOwn
    }

    func add(_ unit: CorpusUnit) throws {
        for text in unit.texts where text.text.utf8.count > limit {
            throw HeldoutError.badInput(locate(text.text, unit.location),
                                        SegmentLimit.message(size: text.text.utf8.count, limit: limit))
        }
        if emptyDocumentIsOwn, unit.document.isEmpty {
            var own = unit
            own.document = CorpusUnit.ownDocument
            try base.add(own)
        } else {
            try base.add(unit)
        }
    }

    func skip(_ reason: String, count: Int) { base.skip(reason, count: count) }
    func progress(bytesRead: Int64) { base.progress(bytesRead: bytesRead) }
    func addEntry(_ entry: DictionaryEntry) throws { try base.addEntry(entry) }

    /// The unit's location with a column: the reader's own, else where the segment's first
    /// characters stand on the unit's line (found only now, on the error path), else column 1.
    private func locate(_ text: String, _ location: SourceLocation?) -> SourceLocation {
        guard var location else { return SourceLocation(file: file) }
        guard location.column == nil, let line = location.line else { return location }
        let needle = String(text.prefix(24))
        let found = SourceColumn.locate(needle, in: location.file, nearLine: line, lookBack: 0)
        location.column = found.column ?? 1
        location.line = found.line ?? line
        return location
    }
}
