import Foundation
import GRDB
import HeldoutCore

/// What an ingest is about to store: one corpus, read from one or more files.
public struct CorpusDescriptor: Sendable, Codable, Equatable {
    /// The corpus's name in the store (`--corpus`, else the file's): a second ingest of that name replaces it.
    public var name: String
    /// The reader's format name (`tmx`, `po`, …), recorded for `stats` and for rebuilding the spec.
    public var format: String
    /// SHA-256 of the file, or for several files of their hashes joined in order.
    public var sha256: String
    /// Bytes read, for `stats` and for choosing between the bulk load and the staged merge.
    public var size: Int64
    /// The paths as given, so a spec's `sources` can be written back and `rebuild` can read them again.
    public var files: [String]
    /// The declared domain (`--domain`), which grading's metadata domains and `axis: domain` use.
    public var domain: String?
    /// The licence, repeated on the dataset card of a release built from the corpus.
    public var licence: String?
    /// How the files are read (pair, column mapping, …), canonical: the same bytes read another
    /// way are another corpus version, not "unchanged".
    public var readOptions: String

    /// A descriptor; `readOptions` is canonical JSON (empty when the format has no options).
    public init(name: String, format: String, sha256: String, size: Int64, files: [String],
                domain: String? = nil, licence: String? = nil, readOptions: String = "") {
        self.readOptions = readOptions
        self.name = name
        self.format = format
        self.sha256 = sha256
        self.size = size
        self.files = files
        self.domain = domain
        self.licence = licence
    }
}

/// What an ingest did.
public struct IngestReport: Sendable, Codable, Equatable {
    /// What happened to the corpus: stored for the first time, replaced (its hash changed), or left alone.
    public enum Outcome: String, Sendable, Codable {
        /// A corpus of that name was not in the store.
        case added
        /// A corpus of that name was, with other bytes or read options: it was replaced whole.
        case replaced
        /// The same corpus, read the same way, was already stored: nothing was read.
        case unchanged
    }
    /// The corpus's name.
    public var corpus: String
    /// Whether the corpus was added, replaced or unchanged.
    public var outcome: Outcome
    /// Units the reader delivered (aligned units, sentences, entries).
    public var units: Int
    /// Occurrences stored: one per segment per unit.
    public var occurrences: Int
    /// Segments the store did not hold before.
    public var newSegments: Int
    /// Language tags met, sorted.
    public var languages: [String]
    /// Units left out, by reason (untranslated, fuzzy, invalid with `--skip-invalid`, …).
    public var skipped: [String: Int]

    enum CodingKeys: String, CodingKey {
        case corpus, outcome, units, occurrences, languages, skipped
        case newSegments = "new_segments"
    }
}

/// Receives a reader's units; the reader runs on a thread of its own (see ``Store/ingest(_:progress:_:)``).
///
/// Each unit's texts are normalised and hashed here, on the reader's thread, so no reader can
/// get identity wrong and the writer's thread only writes. Units travel to the writer in
/// batches through a bounded `IngestChannel`, in the order the reader made them.
public final class CorpusSink: UnitSink {
    private let channel: IngestChannel
    private var batch: [IngestEvent] = []
    /// Units per batch: enough that handing a batch over costs nothing per unit, few enough
    /// that the batches in flight (``IngestChannel/capacity`` of them) stay small.
    static let batchSize = 256

    init(channel: IngestChannel) {
        self.channel = channel
        batch.reserveCapacity(Self.batchSize)
    }

    /// Normalises and hashes one unit's texts and queues it for the writer. Texts that
    /// normalise to nothing are dropped; a unit left with no text is counted as skipped ("empty").
    public func add(_ unit: CorpusUnit) throws {
        var segments: [PreparedUnit.Member] = []
        segments.reserveCapacity(unit.texts.count)
        for text in unit.texts {
            let segment = Segment(lang: text.lang, rawText: text.text)
            if segment.text.isEmpty || segments.contains(where: { $0.segment.id == segment.id }) { continue }
            segments.append(PreparedUnit.Member(segment: segment, declared: text.lang))
        }
        guard !segments.isEmpty else {
            try append(.skip("empty", 1))
            return
        }
        let metadata = unit.domain != nil || !unit.metadata.isEmpty ? try UnitMetadataJSON.encode(unit.metadata) : nil
        try append(.unit(PreparedUnit(unit: unit, segments: segments, metadata: metadata)))
    }

    /// Stores one dictionary entry; it counts as one unit of the corpus.
    public func addEntry(_ entry: DictionaryEntry) throws {
        try append(.entry(entry))
    }

    /// Counts a unit the reader left out, by reason.
    public func skip(_ reason: String, count: Int) {
        // Cannot throw here (the protocol's `skip` does not): a cancelled channel is noticed
        // at the next unit.
        try? append(.skip(reason, count))
    }

    /// Forwarded to whoever watches the ingest (the command line's progress line), on the
    /// writer's thread, as before.
    public func progress(bytesRead: Int64) {
        try? append(.progress(bytesRead))
    }

    private func append(_ event: IngestEvent) throws {
        batch.append(event)
        if batch.count >= Self.batchSize { try flush() }
    }

    /// Hands what is batched to the writer; called once the reader is done. The batch is let go
    /// of even when the writer has stopped, so that a reader that goes on skipping units after
    /// that (``skip(_:count:)`` cannot throw) does not pile them up.
    func flush() throws {
        guard !batch.isEmpty else { return }
        let full = batch
        batch = []
        batch.reserveCapacity(Self.batchSize)
        try channel.send(full)
    }
}

extension Store {
    /// Stores a corpus in one transaction: `body` feeds the units to the sink; if it throws,
    /// nothing of the corpus is kept and the store is as it was.
    ///
    /// A corpus whose name and SHA-256 are already in the store is not read again
    /// (`outcome == .unchanged`, `body` is not called). A corpus of that name with another hash
    /// is replaced: its old occurrences go, and groups they held together are rebuilt.
    public func ingest(_ descriptor: CorpusDescriptor, progress: ((Int64, Int) -> Void)? = nil,
                       _ body: (CorpusSink) throws -> Void) throws -> IngestReport {
        try ingest(descriptor, progress: progress, policy: .automatic, body)
    }

    /// `policy` picks how units reach the store; every policy must give the same store, which
    /// is what the tests check by forcing each one.
    func ingest(_ descriptor: CorpusDescriptor, progress: ((Int64, Int) -> Void)? = nil, policy: LoadPolicy,
                _ body: (CorpusSink) throws -> Void) throws -> IngestReport {
        let storedOptions = try read { db in
            try String.fetchOne(db, sql: "SELECT options FROM corpus WHERE name = ?", arguments: [descriptor.name])
        }
        if let existing = try corpus(named: descriptor.name), existing.sha256 == descriptor.sha256,
           storedOptions == descriptor.readOptions {
            return IngestReport(corpus: descriptor.name, outcome: .unchanged, units: existing.units,
                                occurrences: 0, newSegments: 0, languages: existing.languages, skipped: existing.skipped)
        }
        return try write { db in
            var replaced = false
            if let old = try Int64.fetchOne(db, sql: "SELECT id FROM corpus WHERE name = ?", arguments: [descriptor.name]) {
                try CorpusRemoval(db).remove(corpusID: old)
                replaced = true
            }
            let segmentsBefore = try Int.fetchOne(db, sql: "SELECT count(*) FROM segment") ?? 0
            try db.execute(sql: """
                INSERT INTO corpus(name, format, sha256, size, files, options, languages, domain, licence, ingested_at, units, skipped)
                VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, 0, '{}')
                """, arguments: [descriptor.name, descriptor.format, descriptor.sha256, descriptor.size,
                                 try CanonicalJSON.string(descriptor.files), descriptor.readOptions,
                                 descriptor.domain, descriptor.licence,
                                 ISO8601DateFormatter().string(from: Date())])
            let corpusID = db.lastInsertedRowID
            let sink = try CorpusWriter(db, corpusID: corpusID, fileBytes: descriptor.size, policy: policy)
            sink.onProgress = progress
            try Self.readConcurrently(body, into: sink)
            try sink.finish()
            let languages = sink.languages.sorted()
            try db.execute(sql: "UPDATE corpus SET languages = ?, units = ?, skipped = ? WHERE id = ?",
                           arguments: [languages.joined(separator: ","), sink.units,
                                       try CanonicalJSON.string(sink.skipped), corpusID])
            let segmentsAfter = try Int.fetchOne(db, sql: "SELECT count(*) FROM segment") ?? 0
            return IngestReport(corpus: descriptor.name, outcome: replaced ? .replaced : .added,
                                units: sink.units, occurrences: sink.occurrences,
                                newSegments: segmentsAfter - segmentsBefore,
                                languages: languages, skipped: sink.skipped)
        }
    }

    /// Runs `body` (the reader: XML parsing, normalisation, hashing) on a thread of its own
    /// while this thread, which holds the transaction, writes what it produces: on two cores
    /// the reading and the writing overlap instead of taking turns.
    ///
    /// The reader's error (bad input) is rethrown here, so the transaction rolls back exactly as
    /// before; if writing fails, the reader is stopped and the writer's error is thrown. Either
    /// way the reader's thread has ended when this returns.
    static func readConcurrently(_ body: (CorpusSink) throws -> Void, into writer: CorpusWriter) throws {
        let channel = IngestChannel()
        let done = DispatchSemaphore(value: 0)
        try withoutActuallyEscaping(body) { body in
            // The thread is done with `body` before this function returns (`done`), so `body`
            // and what it captures are never used from two threads at once; the box lets go of
            // it first, so that it does not outlive `withoutActuallyEscaping`.
            let reader = ReaderBox(body)
            let thread = Thread {
                let sink = CorpusSink(channel: channel)
                do {
                    try reader.run(sink)
                    try sink.flush()
                    channel.close(error: nil)
                } catch {
                    channel.close(error: error)
                }
                done.signal()
            }
            // libxml2 and the readers recurse little, but a secondary thread's default stack is small.
            thread.stackSize = 8 << 20
            thread.start()
            defer {
                channel.cancel()
                done.wait()
            }
            while let batch = try channel.receive() {
                for event in batch { try writer.apply(event) }
                channel.giveBack(batch)
            }
        }
    }

    /// Removes a corpus and everything only it held, in one transaction. `false` if no such corpus.
    @discardableResult
    public func removeCorpus(named name: String) throws -> Bool {
        try write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM corpus WHERE name = ?", arguments: [name]) else {
                return false
            }
            try CorpusRemoval(db).remove(corpusID: id)
            return true
        }
    }
}
