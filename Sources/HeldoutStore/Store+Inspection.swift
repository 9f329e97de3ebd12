import Foundation
import GRDB
import HeldoutCore

/// A corpus as the store records it.
public struct CorpusRecord: Sendable, Codable, Equatable {
    /// The corpus's name, unique in the store.
    public var name: String
    /// The format it was read as.
    public var format: String
    /// SHA-256 of its bytes (of the files' hashes, in order, for several files): what `build` compares to skip it.
    public var sha256: String
    /// Bytes read.
    public var size: Int64
    /// The paths as given at ingest.
    public var files: [String]
    /// Language tags met, sorted.
    public var languages: [String]
    /// The declared domain, if any.
    public var domain: String?
    /// The declared licence, if any.
    public var licence: String?
    /// When it was stored (ISO 8601, UTC); informative only, never part of a fingerprint.
    public var ingestedAt: String
    /// Units read.
    public var units: Int
    /// Units left out, by reason.
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
    /// Distinct segments (one per language and normalised text).
    public var segments: Int
    /// Occurrences: one per segment per unit per corpus.
    public var occurrences: Int
    /// Documents recorded (a unit alone records none).
    public var documents: Int
    /// Segments per language tag.
    public var languages: [String: Int]
    /// Alignment groups, after groups sharing a segment were joined.
    public var alignmentGroups: Int
    /// Groups holding both languages of a pair (primary subtags, `de-fr` order), pivots included.
    public var pairs: [String: Int]
    /// Every corpus, by name.
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
    /// The segment id, in hex.
    public var id: String
    /// Its primary language subtag.
    public var lang: String
    /// The normalised text.
    public var text: String
    /// Its alignment group, in hex; nil when it translates nothing.
    public var group: String?
    /// Names of the corpora it occurs in, sorted.
    public var corpora: [String]
    /// Words, as the grader counts them. Set once `heldout grade` has run (absent from JSON before).
    public var words: Int?
    /// Syllables, as the grader counts them.
    public var syllables: Int?
    /// Formula name → value.
    public var readability: [String: Double]?
    /// Common US-grade scale; absent when ungradable.
    public var grade: Double?
    /// Band label, `gap` or `ungradable`.
    public var band: String?
    /// Its domain, declared or predicted.
    public var domain: String?
    /// `metadata` or `classifier`.
    public var domainSource: String?
    /// The classifier's confidence, for a predicted domain.
    public var domainConfidence: Double?

    enum CodingKeys: String, CodingKey {
        case id, lang, text, group, corpora, words, syllables, readability, grade, band, domain
        case domainSource = "domain_source"
        case domainConfidence = "domain_confidence"
    }
}

extension Store {
    /// The corpus named `name`, or nil.
    public func corpus(named name: String) throws -> CorpusRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM corpus WHERE name = ?", arguments: [name]).map(CorpusRecord.init)
        }
    }

    /// Every corpus, by name.
    public func corpora() throws -> [CorpusRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM corpus ORDER BY name").map(CorpusRecord.init) }
    }

    /// Counts of what the store holds (`heldout stats`): segments, groups, pairs, corpora, and bands and domains once graded.
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

extension Store {
    /// Every item (of `category` when given), in id order, streaming.
    public func forEachItem(category: String? = nil, _ body: (Item) throws -> Void) throws {
        try read { db in
            var sql = """
                SELECT i.*, (SELECT group_concat(hex(s.segment), ',') FROM
                               (SELECT segment FROM item_segment WHERE item_id = i.id ORDER BY ordinal) s) AS segment_ids
                FROM item i
                """
            var arguments: StatementArguments = []
            if let category {
                sql += " WHERE i.category = ?"
                arguments = [category]
            }
            sql += " ORDER BY i.id"
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                try body(try Item(row: row))
            }
        }
    }

    /// Number of items per category.
    public func itemCounts() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT category, count(*) FROM item GROUP BY category") {
                out[row[0]] = row[1]
            }
            return out
        }
    }
}

extension Item {
    init(row: Row) throws {
        let idBytes: Data = row["id"]
        guard let id = ContentID(bytes: idBytes) else { throw HeldoutError.store("item with a malformed id") }
        let rubricJSON: String = row["rubric"]
        let rubric = try JSONDecoder().decode([String].self, from: Data(rubricJSON.utf8))
        let segmentList: String? = row["segment_ids"]
        let segments = (segmentList ?? "").split(separator: ",").compactMap { ContentID(hex: $0.lowercased()) }
        let lemma: String? = row["target_lemma"]
        let targetLang: String? = row["target_lang"]
        self.init(template: row["template"], templateVersion: row["template_version"], boundValues: [:],
                  category: row["category"], lang: row["lang"], pair: row["pair"], question: row["question"],
                  answer: row["answer"], rubric: rubric, segments: segments,
                  target: lemma.flatMap { l in targetLang.map { Lexeme(lemma: l, lang: $0) } },
                  consistencyGroup: row["consistency_group"], grade: row["grade"], domain: row["domain"])
        self.id = id
        domainSource = row["domain_source"]
        domainConfidence = row["domain_confidence"]
    }
}

/// Items per category × pair × band × domain (`heldout stats`).
public struct ItemBreakdownRow: Sendable, Codable, Equatable {
    /// The item's category (the template's).
    public var category: String
    /// Its language pair, `-` for a monolingual item.
    public var pair: String
    /// The band of its grade (`n/a` before grading).
    public var band: String
    /// Its domain (`n/a` without one).
    public var domain: String
    /// Items with these four values.
    public var items: Int
}

extension Store {
    /// Counts items per category × pair × band × domain. `band` maps an item's grade to a band;
    /// until the grading stage provides one, every band is `n/a`.
    public func itemBreakdown(band: (Double?) -> String = { _ in "n/a" }) throws -> [ItemBreakdownRow] {
        try read { db in
            var counts: [[String]: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT category, pair, grade, domain, count(*) FROM item GROUP BY category, pair, grade, domain")
            while let row = try rows.next() {
                let key = [row[0] as String, (row[1] as String?) ?? "-", band(row[2] as Double?), (row[3] as String?) ?? "n/a"]
                counts[key, default: 0] += row[4] as Int
            }
            return counts.keys.sorted { $0.lexicographicallyPrecedes($1) }.map {
                ItemBreakdownRow(category: $0[0], pair: $0[1], band: $0[2], domain: $0[3], items: counts[$0] ?? 0)
            }
        }
    }
}
