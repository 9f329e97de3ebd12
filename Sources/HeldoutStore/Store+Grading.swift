import Foundation
import GRDB
import GRDBSQLite
import HeldoutCore

/// Segments handed to the grader, texts packed into one byte buffer: a batch of 20,000 segments
/// is three allocations, not 20,000 `String`s.
public struct SegmentBatch: Sendable {
    /// Each segment's rowid, which its ``GradeRecord`` is saved against.
    public var rowids: [Int64] = []
    /// Each segment's language tag: which formulas apply.
    public var langs: [String] = []
    /// UTF-8 of every text, back to back; text `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
    public var bytes: [UInt8] = []
    /// Where each text starts in ``bytes``, plus the end of the last one.
    public var offsets: [Int] = [0]

    /// An empty batch (tests, and the classifier's batches built by hand).
    public init() {}

    /// Every row of `statement`, whose columns are rowid (0), lang (2) and text (3).
    init(reading statement: RawStatement) throws {
        while try statement.step() {
            rowids.append(statement.int64(0))
            langs.append(statement.string(2))
            statement.appendText(3, to: &bytes)
            offsets.append(bytes.count)
        }
    }

    /// Segments in the batch.
    public var count: Int { rowids.count }
    /// Whether the batch holds no segment: the grading loop's end.
    public var isEmpty: Bool { rowids.isEmpty }

    /// Adds one segment (its text is copied into ``bytes``).
    public mutating func append(rowid: Int64, lang: String, text: String) {
        rowids.append(rowid)
        langs.append(lang)
        bytes.append(contentsOf: text.utf8)
        offsets.append(bytes.count)
    }

    /// The text of segment `index`, decoded from ``bytes``.
    public func text(_ index: Int) -> String {
        String(decoding: bytes[offsets[index]..<offsets[index + 1]], as: UTF8.self)
    }
}

/// What the grader stores for one segment (table `grade`).
///
/// Plain values only (the band label is shared by every record of its band): a batch of
/// records is built on the analysis threads and freed on the thread that owns the connection,
/// and a `String` per record was an allocation on one and a free on the other.
public struct GradeRecord: Sendable {
    /// One value per entry of ``formulaColumns`` (a test checks the two sizes agree).
    public typealias FormulaValues = InlineArray<11, Double>

    /// The `grade` table's formula columns, one per readability formula, named as the formula.
    /// A grader's formula that is not in this list cannot be stored (a test checks them all).
    public static let formulaColumns = [
        "amstad", "fernandez_huerta", "flesch_kincaid_grade", "flesch_reading_ease", "flesch_vacca", "gulpease",
        "kandel_moles", "lix", "rix", "szigriszt_pazos", "wiener_sachtextformel_1",
    ]

    /// The segment's rowid.
    public var segment: Int64
    /// Words, as the grader tokenises them.
    public var words: Int
    /// Sentences.
    public var sentences: Int
    /// Syllables (the syllable counter of the segment's language).
    public var syllables: Int
    /// Letters (Gulpease counts letters, not syllables).
    public var letters: Int
    /// Words of more than six letters (LIX, RIX, Wiener Sachtextformel).
    public var longWords: Int
    /// Words of three syllables or more.
    public var polysyllables: Int
    /// Words of one syllable.
    public var monosyllables: Int
    /// Value of formula `formulaColumns[i]` at `i`; NaN where the formula does not apply
    /// (another language's) or the segment is ungradable.
    public var formulas: FormulaValues
    /// The grade on the common US-grade scale; nil when ungradable.
    public var grade: Double?
    /// The band label of the grade, `gap` or `ungradable`.
    public var band: String
    /// Why the segment has no grade (`label`, `path`, …; docs/grading.md), nil when graded.
    public var ungradableReason: String?
    /// The language the identifier found (HeldoutGrading's `LanguageIdentifier`), nil when it could not tell.
    public var detectedLanguage: String?
    /// Whether the text is confidently in another language than its tag.
    public var languageFlagged = false

    /// A record, the language check's fields included (the grader builds each record in place
    /// in its batch: one built and then changed was copied there field by field, strings retained).
    public init(segment: Int64, words: Int, sentences: Int, syllables: Int, letters: Int, longWords: Int,
                polysyllables: Int, monosyllables: Int, formulas: FormulaValues, grade: Double?,
                band: String, ungradableReason: String? = nil, detectedLanguage: String? = nil,
                languageFlagged: Bool = false) {
        self.ungradableReason = ungradableReason
        self.detectedLanguage = detectedLanguage
        self.languageFlagged = languageFlagged
        self.segment = segment
        self.words = words
        self.sentences = sentences
        self.syllables = syllables
        self.letters = letters
        self.longWords = longWords
        self.polysyllables = polysyllables
        self.monosyllables = monosyllables
        self.formulas = formulas
        self.grade = grade
        self.band = band
    }

    /// No formula values: an ungradable segment's.
    public static var noFormulas: FormulaValues { FormulaValues(repeating: .nan) }
}

/// A segment whose domain is known from metadata: a training example for the domain classifier.
public struct DomainExample: Sendable {
    /// The segment's id.
    public var id: ContentID
    /// Its language tag.
    public var lang: String
    /// Its text, what the classifier learns from.
    public var text: String
    /// The domain its metadata declares: the example's label.
    public var domain: String
}

/// A domain the classifier predicted for a segment.
public struct PredictedDomain: Sendable {
    /// The segment's rowid.
    public var segment: Int64
    /// The predicted domain.
    public var domain: String
    /// The classifier's probability for it.
    public var confidence: Double

    /// A prediction for segment `segment`.
    public init(segment: Int64, domain: String, confidence: Double) {
        self.segment = segment
        self.domain = domain
        self.confidence = confidence
    }
}

/// The grader's access to the store, inside one write transaction (``Store/grading(_:)``):
/// a grading run is kept whole or not at all.
public final class GradingSession {
    let db: Database
    /// Prepared once per session and reset between batches, not compiled again for each batch.
    private var ungradedStatement: RawStatement?
    private var saveStatement: RawStatement?
    private var saveManyStatement: RawStatement?

    init(_ db: Database) {
        self.db = db
    }

    /// Segments in the store, for progress and the classifier's sample sizes.
    public var segmentCount: Int {
        get throws { try Int.fetchOne(db, sql: "SELECT count(*) FROM segment") ?? 0 }
    }

    /// How many segments grader `version` has not graded: the total of a progress line.
    public func ungradedCount(version: Int) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM segment s LEFT JOIN grade g ON g.segment = s.rowid
            WHERE g.segment IS NULL OR g.grader_version <> ?
            """, arguments: [version]) ?? 0
    }

    /// Up to `limit` segments after `rowid` not graded by grader `version`, in rowid order.
    public func ungraded(version: Int, after rowid: Int64, limit: Int) throws -> SegmentBatch {
        let statement = try ungradedStatement ?? RawStatement(db, """
            SELECT s.rowid, NULL, s.lang, s.text FROM segment s LEFT JOIN grade g ON g.segment = s.rowid
            WHERE s.rowid > ?1 AND (g.segment IS NULL OR g.grader_version <> ?2)
            ORDER BY s.rowid LIMIT ?3
            """)
        ungradedStatement = statement
        defer { statement.reset() }
        statement.bind(1, rowid)
        statement.bind(2, Int64(version))
        statement.bind(3, Int64(limit))
        return try SegmentBatch(reading: statement)
    }

    /// Rows per multi-row `INSERT`: each statement execution ends with bookkeeping (halting
    /// the program, resetting, clearing bindings) that cost ~20% of writing a one-row grade;
    /// 32 rows share it. 32 × 22 parameters stay far below SQLite's limit (32,766).
    static let rowsPerInsert = 32
    private static let countColumns = ["segment", "grader_version", "words", "sentences", "syllables", "letters",
                                       "long_words", "polysyllables", "monosyllables", "grade", "band",
                                       "ungradable_reason", "detected_lang", "lang_flagged"]
    private static var gradeColumns: Int { countColumns.count + GradeRecord.formulaColumns.count }

    /// Anonymous `?` parameters, numbered left to right (row r's column c is r·columns + c):
    /// numbered `?NNN` ones made SQLite's parser search its list of names once per parameter,
    /// quadratic in the statement's 704.
    private static func insertSQL(rows: Int) -> String {
        let tuple = "(" + Array(repeating: "?", count: gradeColumns).joined(separator: ", ") + ")"
        let tuples = Array(repeating: tuple, count: rows)
        return """
            INSERT OR REPLACE INTO grade(\((countColumns + GradeRecord.formulaColumns).joined(separator: ", ")))
            VALUES \(tuples.joined(separator: ", "))
            """
    }

    /// Stores grades (replacing older versions' rows), in record order: groups of
    /// `rowsPerInsert` through one prepared multi-row statement, the rest one by one.
    ///
    /// A group's band labels are first copied into one byte buffer and bound from there
    /// without SQLite copying them (`SQLITE_STATIC`): binding a `String` made a C string of it
    /// and a heap copy inside SQLite, on the thread that owns the connection, which is the
    /// grading pass's bottleneck. Formulas that do not apply are left unbound (NULL): running
    /// a statement clears its bindings.
    public func save(_ records: [GradeRecord], version: Int) throws {
        let many = try saveManyStatement ?? RawStatement(db, Self.insertSQL(rows: Self.rowsPerInsert))
        saveManyStatement = many
        let one = try saveStatement ?? RawStatement(db, Self.insertSQL(rows: 1))
        saveStatement = one
        var text: [UInt8] = []
        text.reserveCapacity(Self.rowsPerInsert * 8)
        var index = 0
        while index < records.count {
            let rows = records.count - index >= Self.rowsPerInsert ? Self.rowsPerInsert : 1
            let statement = rows == 1 ? one : many
            text.removeAll(keepingCapacity: true)
            for row in index..<(index + rows) {
                // Read in place: a copy of the record would retain and release its three strings.
                text.append(contentsOf: records[row].band.utf8)
                if let reason = records[row].ungradableReason { text.append(contentsOf: reason.utf8) }
                if let detected = records[row].detectedLanguage { text.append(contentsOf: detected.utf8) }
            }
            text.append(0)   // never empty, so the buffer always has an address
            try text.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { throw HeldoutError.store("grades: no text buffer") }
                var offset = 0
                for row in 0..<rows {
                    offset = Self.bind(records[index + row], version: version, to: statement,
                                       at: Int32(row * Self.gradeColumns), band: base, offset: offset)
                }
                try statement.run()
            }
            index += rows
        }
    }

    /// Binds one record; its band label (then its reason and detected language, when it has
    /// them) lies in `band` from `offset` on, in the order `save` copied them. Returns the
    /// offset after them.
    private static func bind(_ record: GradeRecord, version: Int, to statement: RawStatement, at column: Int32,
                             band: UnsafePointer<UInt8>, offset: Int) -> Int {
        statement.bind(column + 1, record.segment)
        statement.bind(column + 2, Int64(version))
        statement.bind(column + 3, Int64(record.words))
        statement.bind(column + 4, Int64(record.sentences))
        statement.bind(column + 5, Int64(record.syllables))
        statement.bind(column + 6, Int64(record.letters))
        statement.bind(column + 7, Int64(record.longWords))
        statement.bind(column + 8, Int64(record.polysyllables))
        statement.bind(column + 9, Int64(record.monosyllables))
        statement.bind(column + 10, record.grade)
        var offset = offset
        let count = record.band.utf8.count
        statement.bindStatic(column + 11, band + offset, count: count)
        offset += count
        // The reason and the detected language follow the band in the buffer, bound the same way.
        if let reason = record.ungradableReason {
            let length = reason.utf8.count
            statement.bindStatic(column + 12, band + offset, count: length)
            offset += length
        }
        if let detected = record.detectedLanguage {
            let length = detected.utf8.count
            statement.bindStatic(column + 13, band + offset, count: length)
            offset += length
        }
        statement.bind(column + 14, Int64(record.languageFlagged ? 1 : 0))
        let formulas = column + Int32(countColumns.count) + 1
        for i in record.formulas.indices where !record.formulas[i].isNaN {
            statement.bind(formulas + Int32(i), record.formulas[i])
        }
        return offset
    }

    /// Re-bands every graded segment whose band `assign` now labels differently; returns how many.
    public func reband(_ assign: (Double?) -> String) throws -> Int {
        var changes: [(Int64, String)] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT segment, grade, band FROM grade")
        while let row = try rows.next() {
            let label = assign(row[1] as Double?)
            if label != (row[2] as String) { changes.append((row[0], label)) }
        }
        let update = try RawStatement(db, "UPDATE grade SET band = ?1 WHERE segment = ?2")
        for (segment, label) in changes {
            update.bind(1, label)
            update.bind(2, segment)
            try update.run()
        }
        return changes.count
    }

    /// A grading state value (grader version, bands, classifier accuracy) saved by an earlier run.
    public func state(_ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM grading_state WHERE key = ?", arguments: [key])
    }

    /// Saves a grading state value in this run's transaction.
    public func setState(_ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO grading_state(key, value) VALUES (?, ?)", arguments: [key, value])
    }

    /// Re-derives every segment's domain from metadata: a unit's own domain (TMX/XLIFF property,
    /// TSV/JSONL column) overrides its corpus's `--domain`; a segment met in several places takes
    /// the domain most of its occurrences declare (ties: alphabetical), with the agreeing share
    /// as confidence. Metadata replaces a classifier's prediction; it is never replaced by one.
    /// Returns the number of segments with a metadata domain.
    @discardableResult
    public func refreshMetadataDomains() throws -> Int {
        // What the derivation reads comes from the corpora: their occurrences and units'
        // metadata follow from their bytes and read options, plus each corpus's --domain. When
        // none of that changed since the last derivation, its rows stand: deriving reads every
        // occurrence (4 s for the 772k occurrences of the Debian gettext corpora), which a
        // `grade` with nothing new to grade paid on every run.
        let fingerprint = try metadataInputsFingerprint()
        if try state(Self.metadataFingerprintKey) != fingerprint {
            try deriveMetadataDomains()
            try setState(Self.metadataFingerprintKey, fingerprint)
        }
        return try metadataDomainCount()
    }

    private func deriveMetadataDomains() throws {
        // No corpus and no unit declares a domain: nothing to derive, only stale rows to drop.
        // The derivation below reads every occurrence (~40 ms for 25k segments, as long as
        // grading them); checking the two sources first costs ~2 ms.
        let declared = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM corpus WHERE nullif(trim(domain), '') IS NOT NULL)
                OR EXISTS (SELECT 1 FROM unit_metadata WHERE nullif(trim(domain), '') IS NOT NULL)
            """) ?? true
        if !declared {
            try db.execute(sql: "DELETE FROM segment_domain WHERE source = 'metadata'")
            return
        }
        // Each segment's occurrences per domain (occurrences without a domain dropped before
        // grouping), in (segment, domain) order: the GROUP BY's own order, so the ORDER BY costs
        // no sort. The most frequent domain is kept, ties going to the smallest (the first in
        // that order, compared as bytes like SQL's), with its share of the segment's occurrences
        // as confidence. One pass here instead of two window functions over the groups, which
        // sorted them twice more: 0.75 s of the 1.1 s this took on the Debian gettext store
        // (254,719 segments), more than grading them.
        //
        // The occurrences with a domain are read in two parts, as they are stored: every
        // occurrence of a corpus with a --domain (a unit's own domain overriding it), and, in
        // the other corpora, the occurrences of units that declare one, found from the units
        // (CROSS JOIN keeps SQLite's planner from driving the join by occurrence instead). The
        // single query over all occurrences this replaces (in the test
        // metadataDomainsMatchTheWindowQuery's reference) looked a unit up for each occurrence,
        // in segment order, all over the table: 0.34 s against 0.13 s of CPU on a generated
        // store of 500k occurrences with 125k declared, 0.46 s against 0.26 s on the Debian
        // gettext store. The same rows reach the GROUP BY.
        try db.execute(sql: "DELETE FROM segment_domain WHERE source = 'metadata'")
        let groups = try RawStatement(db, """
            SELECT segment, domain, count(*) FROM (
                SELECT o.segment, coalesce(nullif(trim(um.domain), ''), nullif(trim(c.domain), '')) AS domain
                FROM corpus c CROSS JOIN occurrence o ON o.corpus_id = c.id
                LEFT JOIN unit_metadata um ON um.corpus_id = o.corpus_id AND um.position = o.position
                WHERE nullif(trim(c.domain), '') IS NOT NULL
                UNION ALL
                SELECT o.segment, nullif(trim(um.domain), '')
                FROM corpus c CROSS JOIN unit_metadata um ON um.corpus_id = c.id
                CROSS JOIN occurrence o ON o.corpus_id = um.corpus_id AND o.position = um.position
                WHERE nullif(trim(c.domain), '') IS NULL AND nullif(trim(um.domain), '') IS NOT NULL
            )
            GROUP BY 1, 2 ORDER BY 1, 2
            """)
        let insert = try RawStatement(db, """
            INSERT INTO segment_domain(segment, domain, source, confidence) VALUES (?, ?, 'metadata', ?)
            ON CONFLICT(segment) DO UPDATE SET domain = excluded.domain, source = 'metadata',
                confidence = excluded.confidence
            """)
        var segment: Int64 = 0
        var best: [UInt8] = []   // the kept domain's UTF-8, bound as is
        var bestCount: Int64 = 0, total: Int64 = 0
        func save() throws {
            guard total > 0 else { return }
            best.append(0)   // never empty, so the buffer has an address; not bound
            defer { best.removeAll(keepingCapacity: true) }
            try best.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                insert.bind(1, segment)
                insert.bindStatic(2, base, count: buffer.count - 1)
                insert.bind(3, Double(bestCount) / Double(total))
                try insert.run()
            }
        }
        while try groups.step() {
            let s = groups.int64(0), n = groups.int64(2)
            if s != segment || total == 0 {
                try save()
                segment = s
                total = 0
                bestCount = 0
            }
            total += n
            if n > bestCount {
                bestCount = n
                best.removeAll(keepingCapacity: true)
                groups.appendText(1, to: &best)
            }
        }
        try save()
    }

    static let metadataFingerprintKey = "metadata.fingerprint"

    private func metadataDomainCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM segment_domain WHERE source = 'metadata'") ?? 0
    }

    /// A digest of the corpora as the later stages see them (``Store/corpusFingerprintLines(_:includingDomain:)``),
    /// with each corpus's `--domain`.
    private func metadataInputsFingerprint() throws -> String {
        let lines = try Store.corpusFingerprintLines(db, includingDomain: true)
        return FileDigest.sha256(of: Data((["metadata-domains v1"] + lines).joined(separator: "\n").utf8))
    }

    /// Segments with a metadata domain, at most `maxPerDomain` per domain (the smallest ids, which
    /// are hashes: a deterministic sample that does not follow input order), ordered by id.
    ///
    /// The same rows in the same order as `row_number() OVER (PARTITION BY domain ORDER BY id)
    /// <= maxPerDomain ORDER BY id`, without it: that query sorted every labelled segment twice
    /// in SQLite's sorter, text included (0.45 s of a 3 s `grade` of a generated 500k-segment
    /// store with 125k labelled, for a classifier that then declined to train). Here one scan
    /// reads ids and domains and keeps, per domain, the `maxPerDomain` smallest 16-byte ids met
    /// so far (`SmallestIDs`: memory bounded by the cap, not by the labelled segments;
    /// `ContentID` orders as SQLite orders the blobs), and only the kept segments' texts are
    /// read. A store with an id of another size, which no ingest writes, takes the window query.
    public func labelledSegments(maxPerDomain: Int) throws -> [DomainExample] {
        guard maxPerDomain > 0 else { return [] }
        var kept: [String: SmallestIDs] = [:]
        let scan = try RawStatement(db, """
            SELECT s.id, d.segment, d.domain FROM segment_domain d JOIN segment s ON s.rowid = d.segment
            WHERE d.source = 'metadata'
            """)
        var scratch: [UInt8] = []
        while try scan.step() {
            guard let id = scan.contentID(0) else { return try labelledSegmentsByWindow(maxPerDomain: maxPerDomain) }
            kept[Self.cString(scan, 2, scratch: &scratch), default: SmallestIDs(capacity: maxPerDomain)].offer(id, scan.int64(1))
        }
        var labelled: [(id: ContentID, segment: Int64, domain: String)] = []
        for (domain, smallest) in kept {
            for entry in smallest.entries { labelled.append((entry.id, entry.segment, domain)) }
        }
        labelled.sort { $0.id < $1.id }
        // Texts of the kept segments, read in rowid order (neighbouring pages) into id order.
        let text = try RawStatement(db, "SELECT lang, text FROM segment WHERE rowid = ?1")
        var out = labelled.map { DomainExample(id: $0.id, lang: "", text: "", domain: $0.domain) }
        for index in labelled.indices.sorted(by: { labelled[$0].segment < labelled[$1].segment }) {
            text.bind(1, labelled[index].segment)
            guard try text.step() else { throw HeldoutError.store("segment \(labelled[index].segment) vanished while reading") }
            out[index].lang = Self.cString(text, 0, scratch: &scratch)
            out[index].text = Self.cString(text, 1, scratch: &scratch)
            text.reset()
        }
        return out
    }

    /// A text column as GRDB's `String` decoding reads it (the window query's reader): up to
    /// the first NUL, invalid UTF-8 repaired.
    private static func cString(_ statement: RawStatement, _ column: Int32, scratch: inout [UInt8]) -> String {
        scratch.removeAll(keepingCapacity: true)
        statement.appendText(column, to: &scratch)
        let end = scratch.firstIndex(of: 0) ?? scratch.count
        return String(decoding: scratch[..<end], as: UTF8.self)
    }

    /// The window query `labelledSegments(maxPerDomain:)` replaces, for stores it cannot read.
    func labelledSegmentsByWindow(maxPerDomain: Int) throws -> [DomainExample] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, lang, text, domain FROM (
                SELECT s.id, s.lang, s.text, d.domain,
                       row_number() OVER (PARTITION BY d.domain ORDER BY s.id) AS r
                FROM segment_domain d JOIN segment s ON s.rowid = d.segment
                WHERE d.source = 'metadata'
            ) WHERE r <= ? ORDER BY id
            """, arguments: [maxPerDomain])
        var out: [DomainExample] = []
        while let row = try rows.next() {
            let bytes: Data = row[0]
            guard let id = ContentID(bytes: bytes) else { continue }
            out.append(DomainExample(id: id, lang: row[1], text: row[2], domain: row[3]))
        }
        return out
    }

    /// Removes every classifier prediction (the model changed; they are predicted again).
    public func clearClassifierDomains() throws {
        try db.execute(sql: "DELETE FROM segment_domain WHERE source = 'classifier'")
    }

    /// Up to `limit` segments after `rowid` that have no domain at all.
    public func segmentsWithoutDomain(after rowid: Int64, limit: Int) throws -> SegmentBatch {
        let statement = try RawStatement(db, """
            SELECT s.rowid, NULL, s.lang, s.text FROM segment s
            WHERE s.rowid > ?1 AND NOT EXISTS (SELECT 1 FROM segment_domain d WHERE d.segment = s.rowid)
            ORDER BY s.rowid LIMIT ?2
            """)
        statement.bind(1, rowid)
        statement.bind(2, Int64(limit))
        return try SegmentBatch(reading: statement)
    }

    /// Stores predictions; a segment that has a metadata domain keeps it (`DO NOTHING`).
    public func savePredictions(_ predictions: [PredictedDomain]) throws {
        let statement = try RawStatement(db, """
            INSERT INTO segment_domain(segment, domain, source, confidence) VALUES (?1, ?2, 'classifier', ?3)
            ON CONFLICT(segment) DO UPDATE SET domain = excluded.domain, confidence = excluded.confidence
            WHERE segment_domain.source = 'classifier'
            """)
        for prediction in predictions {
            statement.bind(1, prediction.segment)
            statement.bind(2, prediction.domain)
            statement.bind(3, prediction.confidence)
            try statement.run()
        }
    }
}

/// Per-language and per-domain figures of the graded store (`heldout grade --report`, `stats`).
public struct GradingSummary: Sendable, Codable, Equatable {
    /// One language's figures.
    public struct LanguageSummary: Sendable, Codable, Equatable {
        /// Segments of the language.
        public var segments: Int
        /// Segments with a grade.
        public var graded: Int
        /// Segments without one (too short, labels, paths…).
        public var ungradable: Int
        /// Mean grade of the graded segments.
        public var meanGrade: Double?
        /// Segments per band label (including `gap` and `ungradable`).
        public var bands: [String: Int]
        /// Segments per whole grade (`<1`, `1` … `17`, `18+`), graded segments only.
        public var grades: [String: Int]

        enum CodingKeys: String, CodingKey {
            case segments, graded, ungradable, bands, grades
            case meanGrade = "mean_grade"
        }
    }

    /// One domain's segments, by where the domain came from.
    public struct DomainSummary: Sendable, Codable, Equatable {
        /// Segments whose domain a source declared.
        public var metadata: Int
        /// Segments whose domain the classifier predicted.
        public var classifier: Int
    }

    /// Segments per grader version: more than one means `grade` was interrupted or the grader changed.
    public var graderVersions: [String: Int]
    /// Per language tag.
    public var languages: [String: LanguageSummary]
    /// Per domain.
    public var domains: [String: DomainSummary]
    /// Segments with no domain, declared or predicted.
    public var segmentsWithoutDomain: Int

    enum CodingKeys: String, CodingKey {
        case languages, domains
        case graderVersions = "grader_versions"
        case segmentsWithoutDomain = "segments_without_domain"
    }
}

/// One segment's grading, as the splitter and `segments` read it.
public struct SegmentGrading: Sendable, Equatable, Codable {
    /// Words.
    public var words: Int
    /// Syllables.
    public var syllables: Int
    /// Formula name → value.
    public var readability: [String: Double]
    /// Grade on the common US-grade scale; nil when ungradable.
    public var grade: Double?
    /// Band label, `gap` or `ungradable`.
    public var band: String
    /// Domain, declared or predicted.
    public var domain: String?
    /// `metadata` or `classifier`.
    public var domainSource: String?
    /// The classifier's confidence, for a predicted domain.
    public var domainConfidence: Double?

    /// A segment's grading, as read back from the store.
    public init(words: Int, syllables: Int, readability: [String: Double], grade: Double?, band: String,
                domain: String?, domainSource: String?, domainConfidence: Double?) {
        self.words = words
        self.syllables = syllables
        self.readability = readability
        self.grade = grade
        self.band = band
        self.domain = domain
        self.domainSource = domainSource
        self.domainConfidence = domainConfidence
    }

    enum CodingKeys: String, CodingKey {
        case words, syllables, readability, grade, band, domain
        case domainSource = "domain_source"
        case domainConfidence = "domain_confidence"
    }
}

extension Store {
    /// Runs a grading pass in one IMMEDIATE transaction.
    public func grading<T>(_ body: (GradingSession) throws -> T) throws -> T {
        try write { db in try body(GradingSession(db)) }
    }

    /// Reads the grader state without writing (`grade --report` on a store graded earlier).
    public func gradingState(_ key: String) throws -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM grading_state WHERE key = ?", arguments: [key])
        }
    }

    /// Segments whose domain the classifier predicted: what items made outside the store (a
    /// cluster's, which carry declared domains only) would lack.
    public func classifiedDomainCount() throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM segment_domain WHERE source = 'classifier'") ?? 0
        }
    }

    /// Per-language and per-domain figures of the graded store (`heldout grade --report`, `stats`).
    public func gradingSummary() throws -> GradingSummary {
        try read { db in
            var versions: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT grader_version, count(*) FROM grade GROUP BY 1") {
                versions[String(row[0] as Int)] = row[1]
            }
            var languages: [String: GradingSummary.LanguageSummary] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT s.lang_primary, count(*), count(g.grade), sum(g.band = 'ungradable'), avg(g.grade)
                FROM segment s LEFT JOIN grade g ON g.segment = s.rowid GROUP BY 1
                """) {
                languages[row[0]] = .init(segments: row[1], graded: row[2], ungradable: row[3] ?? 0,
                                          meanGrade: (row[4] as Double?).map { ($0 * 100).rounded() / 100 },
                                          bands: [:], grades: [:])
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT s.lang_primary, g.band, count(*) FROM grade g JOIN segment s ON s.rowid = g.segment GROUP BY 1, 2
                """) {
                languages[row[0]]?.bands[row[1]] = row[2]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT s.lang_primary,
                       CASE WHEN g.grade < 0.5 THEN '<1' WHEN g.grade >= 17.5 THEN '18+'
                            ELSE CAST(CAST(round(g.grade) AS INTEGER) AS TEXT) END,
                       count(*)
                FROM grade g JOIN segment s ON s.rowid = g.segment WHERE g.grade IS NOT NULL GROUP BY 1, 2
                """) {
                languages[row[0]]?.grades[row[1]] = row[2]
            }
            var domains: [String: GradingSummary.DomainSummary] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT domain, source, count(*) FROM segment_domain GROUP BY 1, 2") {
                var entry = domains[row[0]] ?? .init(metadata: 0, classifier: 0)
                if (row[1] as String) == "metadata" { entry.metadata = row[2] } else { entry.classifier = row[2] }
                domains[row[0]] = entry
            }
            let without = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM segment s WHERE NOT EXISTS (SELECT 1 FROM segment_domain d WHERE d.segment = s.rowid)
                """) ?? 0
            return GradingSummary(graderVersions: versions, languages: languages, domains: domains,
                                  segmentsWithoutDomain: without)
        }
    }
}

extension SegmentGrading {
    /// The columns ``init(row:offset:)`` reads, from the `grade` table aliased `grade` and the
    /// `segment_domain` table aliased `domain`.
    static func columns(grade g: String, domain d: String) -> String {
        (["\(g).words", "\(g).syllables", "\(g).grade", "\(g).band", "\(d).domain", "\(d).source", "\(d).confidence"]
            + GradeRecord.formulaColumns.map { "\(g).\($0)" }).joined(separator: ", ")
    }

    /// From the columns of ``columns(grade:domain:)`` starting at `offset`; `nil` when the
    /// segment is neither graded nor has a domain.
    init?(row: Row, offset: Int) {
        let words: Int? = row[offset]
        let domain: String? = row[offset + 4]
        guard words != nil || domain != nil else { return nil }
        self.words = words ?? 0
        syllables = row[offset + 1] ?? 0
        grade = row[offset + 2]
        band = row[offset + 3] ?? "ungraded"
        self.domain = domain
        domainSource = row[offset + 5]
        domainConfidence = row[offset + 6]
        var readability: [String: Double] = [:]
        for (i, name) in GradeRecord.formulaColumns.enumerated() {
            if let value = row[offset + 7 + i] as Double? { readability[name] = value }
        }
        self.readability = readability
    }
}

/// The `capacity` smallest ids offered, with their segment rowids: a max-heap on the id, so a
/// domain's training sample is chosen in memory bounded by the cap, however many segments carry
/// the domain.
struct SmallestIDs {
    let capacity: Int
    /// The kept ids, in heap order (the largest first).
    private(set) var entries: [(id: ContentID, segment: Int64)] = []

    init(capacity: Int) { self.capacity = capacity }

    /// Keeps `id` if fewer than `capacity` are kept or it is smaller than the largest kept.
    mutating func offer(_ id: ContentID, _ segment: Int64) {
        if entries.count < capacity {
            entries.append((id, segment))
            var child = entries.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard entries[parent].id < entries[child].id else { break }
                entries.swapAt(parent, child)
                child = parent
            }
        } else if let top = entries.first, id < top.id {
            entries[0] = (id, segment)
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var largest = parent
                if left < entries.count, entries[largest].id < entries[left].id { largest = left }
                if right < entries.count, entries[largest].id < entries[right].id { largest = right }
                guard largest != parent else { break }
                entries.swapAt(parent, largest)
                parent = largest
            }
        }
    }
}
