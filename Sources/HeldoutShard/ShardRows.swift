import Foundation
import HeldoutCore
import HeldoutStore

/// One line of `heldout map units`: what a reader delivered for one source, as JSON, so that a
/// cluster can read sources in parallel and the driver can replay them into a store exactly as
/// `heldout build` would have read them (issue 15).
///
/// `source`, `corpus` and `ordinal` order the rows: sorted by them, the rows of every corpus come
/// back in the order its reader made them, whatever partition or executor read the file.
public struct ShardRow: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case corpus, unit, skip }

    /// What the store records of a corpus, carried by a `corpus` row: the store's own type, so
    /// a row cannot drop a field the store adds.
    public typealias Descriptor = CorpusDescriptor

    public var kind: Kind
    /// Index of the spec's source.
    public var source: Int
    /// Index of the corpus among those the source plans (a Moses pair is one, a TMX one).
    public var corpus: Int
    /// Position of the row among its corpus's rows; the `corpus` row is 0.
    public var ordinal: Int
    public var descriptor: Descriptor?
    /// The unit as the reader made it: raw texts (`[lang, text]`), document, domain, metadata, labels.
    public var document: String?
    public var texts: [[String]]?
    public var domain: String?
    public var metadata: [String: String]?
    public var labels: [String: String]?
    /// The unit's segments as the store derives them (``Segment``): `[id, lang, normalised text]`,
    /// for the cluster's own joins (alignment groups, grades); replay ignores them.
    public var segments: [[String]]?
    public var reason: String?
    public var count: Int?

    public init(kind: Kind, source: Int, corpus: Int, ordinal: Int) {
        self.kind = kind
        self.source = source
        self.corpus = corpus
        self.ordinal = ordinal
    }

    /// The unit back as the reader delivered it (location aside: it only ever names a place in
    /// a message, and the replay reads no file).
    public func unit() throws -> CorpusUnit {
        let texts = try (self.texts ?? []).map { pair -> CorpusUnit.Text in
            guard pair.count == 2, let lang = LanguageTag(pair[0]) else {
                throw ShardError.badRow("unit \(source)/\(corpus)/\(ordinal): a text is not [lang, text]")
            }
            return CorpusUnit.Text(lang: lang, text: pair[1])
        }
        return CorpusUnit(document: document ?? "", texts: texts, domain: domain, metadata: metadata ?? [:], labels: labels ?? [:])
    }

    /// Row order: source, corpus, ordinal.
    public static func precedes(_ a: ShardRow, _ b: ShardRow) -> Bool {
        (a.source, a.corpus, a.ordinal) < (b.source, b.corpus, b.ordinal)
    }
}

/// Why a mapper refused its input.
public enum ShardError: Error, CustomStringConvertible, Equatable {
    /// A row that is not what the mapper reads (line number, 1-based).
    case badRow(String)
    /// What the first version of the cluster path does not carry; the message says what to do.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .badRow(message): "bad row: \(message)"
        case let .unsupported(message): message
        }
    }
}

/// Encodes rows one JSON object per line, keys sorted, so the same rows are the same bytes.
public struct ShardRowWriter {
    private let encoder: JSONEncoder
    private let emit: (Data) throws -> Void

    public init(emit: @escaping (Data) throws -> Void) {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.emit = emit
    }

    public func write(_ row: ShardRow) throws {
        var data = try encoder.encode(row)
        data.append(0x0A)
        try emit(data)
    }
}

/// The sink a reader fills when `heldout map units` reads a source: each unit becomes a row,
/// with the segments the store's own sink (``CorpusSink``) would derive from it.
public final class ShardRowSink: UnitSink {
    private let writer: ShardRowWriter
    private let source: Int
    private let corpus: Int
    private var ordinal = 0

    public init(writer: ShardRowWriter, source: Int, corpus: Int) {
        self.writer = writer
        self.source = source
        self.corpus = corpus
    }

    public func add(_ unit: CorpusUnit) throws {
        guard unit.tokens == nil else {
            throw ShardError.unsupported("source \(source): its units carry word analyses (CoNLL-U); the cluster path does not carry them yet — build this source locally")
        }
        ordinal += 1
        var row = ShardRow(kind: .unit, source: source, corpus: corpus, ordinal: ordinal)
        row.document = unit.document
        row.texts = unit.texts.map { [$0.lang.value, $0.text] }
        row.domain = unit.domain
        row.metadata = unit.metadata.isEmpty ? nil : unit.metadata
        row.labels = unit.labels.isEmpty ? nil : unit.labels
        var seen: Set<ContentID> = []
        var segments: [[String]] = []
        for text in unit.texts {
            let segment = Segment(lang: text.lang, rawText: text.text)
            guard !segment.text.isEmpty, seen.insert(segment.id).inserted else { continue }
            segments.append([segment.id.hex, segment.lang.value, segment.text])
        }
        row.segments = segments
        try writer.write(row)
    }

    public func skip(_ reason: String, count: Int) {
        ordinal += 1
        var row = ShardRow(kind: .skip, source: source, corpus: corpus, ordinal: ordinal)
        row.reason = reason
        row.count = count
        // `skip` cannot throw (the protocol's does not); a broken pipe shows at the next unit.
        try? writer.write(row)
    }

    public func addEntry(_ entry: DictionaryEntry) throws {
        throw ShardError.unsupported("source \(source): dictionary entries (\(entry.headword)) are not carried by the cluster path yet — build this source locally")
    }
}

/// Replays rows into a store: one ``Store/ingest(_:progress:_:)`` per corpus, fed the units in
/// their reader's order, so the store holds what a local ingest of the same sources holds.
public struct ShardReplay {
    public init() {}

    /// Rows must come sorted by ``ShardRow/precedes(_:_:)``; every corpus starts with its
    /// `corpus` row. Returns the reports, in order.
    public func replay<S: Sequence>(_ rows: S, into store: Store) throws -> [IngestReport] where S.Element == ShardRow {
        var iterator = rows.makeIterator()
        return try replay(next: { iterator.next() }, into: store)
    }

    /// The same, pulling rows one at a time (`next` returns nil at the end), so that a replay
    /// of millions of rows holds one at a time.
    public func replay(next: () throws -> ShardRow?, into store: Store) throws -> [IngestReport] {
        var reports: [IngestReport] = []
        var pending = try next()
        while let head = pending {
            guard head.kind == .corpus, let descriptor = head.descriptor else {
                throw ShardError.badRow("source \(head.source) corpus \(head.corpus): rows do not start with the corpus row (are they sorted by source, corpus, ordinal?)")
            }
            pending = try next()
            var previous = 0
            let report = try store.ingest(descriptor) { sink in
                while let row = pending, row.source == head.source, row.corpus == head.corpus {
                    guard row.ordinal == previous + 1 else {
                        throw ShardError.badRow("source \(row.source) corpus \(row.corpus): row \(row.ordinal) follows \(previous); rows are missing or unsorted")
                    }
                    previous = row.ordinal
                    switch row.kind {
                    case .unit: try sink.add(try row.unit())
                    case .skip: sink.skip(row.reason ?? "", count: row.count ?? 0)
                    case .corpus: throw ShardError.badRow("source \(row.source) corpus \(row.corpus): a second corpus row")
                    }
                    pending = try next()
                }
            }
            // An unchanged corpus (same name and bytes already stored) is not read: skip its rows.
            while let row = pending, row.source == head.source, row.corpus == head.corpus { pending = try next() }
            reports.append(report)
        }
        return reports
    }
}
