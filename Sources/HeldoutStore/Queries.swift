import Foundation
import GRDB
import HeldoutCore

/// A corpus as the store records it.
public struct CorpusRecord: Sendable, Codable, Equatable {
    public var name: String
    public var format: String
    public var sha256: String
    public var size: Int64
    public var files: [String]
    public var languages: [String]
    public var domain: String?
    public var licence: String?
    public var ingestedAt: String
    public var units: Int
    public var skipped: [String: Int]

    enum CodingKeys: String, CodingKey {
        case name, format, sha256, size, files, languages, domain, licence, units, skipped
        case ingestedAt = "ingested_at"
    }

    init(row: Row) throws {
        name = row["name"]
        format = row["format"]
        sha256 = row["sha256"]
        size = row["size"]
        files = try JSONDecoder().decode([String].self, from: Data((row["files"] as String).utf8))
        let langs: String = row["languages"]
        languages = langs.isEmpty ? [] : langs.split(separator: ",").map(String.init)
        domain = row["domain"]
        licence = row["licence"]
        ingestedAt = row["ingested_at"]
        units = row["units"]
        skipped = try JSONDecoder().decode([String: Int].self, from: Data((row["skipped"] as String).utf8))
    }
}

/// The store's contents in numbers (`heldout stats`).
public struct StoreStatistics: Sendable, Codable, Equatable {
    public var segments: Int
    public var occurrences: Int
    public var documents: Int
    /// Segments per language tag.
    public var languages: [String: Int]
    public var alignmentGroups: Int
    /// Groups holding both languages of a pair (primary subtags, `de-fr` order), pivots included.
    public var pairs: [String: Int]
    public var corpora: [CorpusRecord]
    /// Segments per band label (`gap`, `ungradable` included); empty before `heldout grade`.
    public var bands: [String: Int] = [:]
    /// Segments per domain, from metadata or the classifier; empty before `heldout grade`.
    public var domains: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case segments, occurrences, documents, languages, pairs, corpora, bands, domains
        case alignmentGroups = "alignment_groups"
    }
}

/// One segment as `heldout segments` prints it.
public struct SegmentRecord: Sendable, Codable, Equatable {
    public var id: String
    public var lang: String
    public var text: String
    public var group: String?
    public var corpora: [String]
    // Set once `heldout grade` has run (absent from JSON before).
    public var words: Int?
    public var syllables: Int?
    /// Formula name → value.
    public var readability: [String: Double]?
    /// Common US-grade scale; absent when ungradable.
    public var grade: Double?
    /// Band label, `gap` or `ungradable`.
    public var band: String?
    public var domain: String?
    /// `metadata` or `classifier`.
    public var domainSource: String?
    public var domainConfidence: Double?

    enum CodingKeys: String, CodingKey {
        case id, lang, text, group, corpora, words, syllables, readability, grade, band, domain
        case domainSource = "domain_source"
        case domainConfidence = "domain_confidence"
    }
}

extension Store {
    public func corpus(named name: String) throws -> CorpusRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM corpus WHERE name = ?", arguments: [name]).map(CorpusRecord.init)
        }
    }

    public func corpora() throws -> [CorpusRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM corpus ORDER BY name").map(CorpusRecord.init) }
    }

    /// How each corpus was read, as ingest recorded it: name, files as given, the read options
    /// (canonical JSON of strings), domain and licence — what a spec's `sources` entry says.
    public func corpusReadOptions() throws -> [(name: String, files: [String], options: [String: String], domain: String?, licence: String?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT name, files, options, domain, licence FROM corpus ORDER BY name").map { row in
                let files = (try? JSONDecoder().decode([String].self, from: Data((row[1] as String).utf8))) ?? []
                let options = (try? JSONDecoder().decode([String: String].self, from: Data((row[2] as String).utf8))) ?? [:]
                return (row[0], files, options, row[3], row[4])
            }
        }
    }

    public func statistics() throws -> StoreStatistics {
        try read { db in
            var languages: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT lang, count(*) FROM segment GROUP BY lang") {
                languages[row[0]] = row[1]
            }
            var pairs: [String: Int] = [:]
            let pairRows = try Row.fetchAll(db, sql: """
                WITH gl AS (SELECT DISTINCT grp, lang_primary AS l FROM segment WHERE grp IS NOT NULL)
                SELECT a.l, b.l, count(*) FROM gl a JOIN gl b ON a.grp = b.grp AND a.l < b.l GROUP BY a.l, b.l
                """)
            for row in pairRows {
                pairs["\(row[0] as String)-\(row[1] as String)"] = row[2]
            }
            var bands: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT band, count(*) FROM grade GROUP BY band") {
                bands[row[0]] = row[1]
            }
            var domains: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT domain, count(*) FROM segment_domain GROUP BY domain") {
                domains[row[0]] = row[1]
            }
            return StoreStatistics(
                segments: try Int.fetchOne(db, sql: "SELECT count(*) FROM segment") ?? 0,
                occurrences: try Int.fetchOne(db, sql: "SELECT count(*) FROM occurrence") ?? 0,
                documents: try Int.fetchOne(db, sql: "SELECT count(*) FROM document") ?? 0,
                languages: languages,
                alignmentGroups: try Int.fetchOne(db, sql: "SELECT count(DISTINCT grp) FROM segment WHERE grp IS NOT NULL") ?? 0,
                pairs: pairs,
                corpora: try Row.fetchAll(db, sql: "SELECT * FROM corpus ORDER BY name").map(CorpusRecord.init),
                bands: bands, domains: domains)
        }
    }

    /// Calls `body` for every segment (of `lang`'s primary language when given), in id order,
    /// streaming: memory does not grow with the store.
    public func forEachSegment(lang: String? = nil, _ body: (SegmentRecord) throws -> Void) throws {
        try read { db in
            var sql = """
                SELECT s.id, s.lang, s.text, s.grp,
                       (SELECT group_concat(name, char(31)) FROM
                           (SELECT DISTINCT c.name FROM occurrence o JOIN corpus c ON c.id = o.corpus_id
                            WHERE o.segment = s.rowid ORDER BY c.name)) AS corpora,
                       \(SegmentGrading.columns(grade: "g", domain: "d"))
                FROM segment s
                LEFT JOIN grade g ON g.segment = s.rowid
                LEFT JOIN segment_domain d ON d.segment = s.rowid
                """
            var arguments: StatementArguments = []
            if let lang {
                if lang.contains("-") {
                    sql += " WHERE s.lang = ?"
                } else {
                    sql += " WHERE s.lang_primary = ?"
                }
                arguments = [LanguageTag(lang)?.value ?? lang]
            }
            sql += " ORDER BY s.id"
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                let id: Data = row[0]
                let group: Data? = row[3]
                let corpora: String? = row[4]
                var record = SegmentRecord(
                    id: ContentID(bytes: id)?.hex ?? "",
                    lang: row[1], text: row[2],
                    group: group.flatMap { ContentID(bytes: $0)?.hex },
                    corpora: corpora.map { $0.split(separator: "\u{1F}").map(String.init) } ?? [])
                if let grading = SegmentGrading(row: row, offset: 5) {
                    if row[5] as Int? != nil {
                        record.words = grading.words
                        record.syllables = grading.syllables
                        record.readability = grading.readability
                        record.grade = grading.grade
                        record.band = grading.band
                    }
                    record.domain = grading.domain
                    record.domainSource = grading.domainSource
                    record.domainConfidence = grading.domainConfidence
                }
                try body(record)
            }
        }
    }

    /// Row counts of every table: what "the store is unchanged" is checked against.
    public func rowCounts() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for table in ["corpus", "document", "segment", "occurrence", "unit_metadata"] {
                out[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return out
        }
    }
}
