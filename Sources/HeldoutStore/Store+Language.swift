import Foundation
import GRDB

extension Schema {
    /// Issue 20: why a segment is ungradable (`label`, `path`, …), the language the identifier
    /// found in its text, and whether that language confidently contradicts the segment's tag.
    /// Rows graded before have NULL / 0 until the next grader version re-grades them.
    static func registerLanguageAndGradability(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("grading-language-and-reasons") { db in
            try db.execute(sql: """
            ALTER TABLE grade ADD COLUMN ungradable_reason TEXT;       -- docs/grading.md, NULL when graded
            ALTER TABLE grade ADD COLUMN detected_lang TEXT;           -- en, fr, de, es, it, other; NULL: too short to tell
            ALTER TABLE grade ADD COLUMN lang_flagged INTEGER NOT NULL DEFAULT 0;  -- 1: text confidently not in its tag's language
            """)
        }
    }
}

/// Per tag language: segments checked by the language identifier, identified (long enough),
/// flagged (confidently another language), and what the flagged ones were found to be.
public struct LanguageCheckSummary: Sendable, Codable, Equatable {
    /// One tag language's figures.
    public struct Entry: Sendable, Codable, Equatable {
        /// Segments graded.
        public var graded: Int
        /// Segments long enough for the identifier to tell.
        public var identified: Int
        /// Segments confidently in another language.
        public var flagged: Int
        /// Flagged segments by detected language.
        public var flaggedAs: [String: Int]

        enum CodingKeys: String, CodingKey {
            case graded, identified, flagged
            case flaggedAs = "flagged_as"
        }
    }

    /// Per tag language.
    public var languages: [String: Entry]
    /// Segments flagged, over every language.
    public var flagged: Int { languages.values.reduce(0) { $0 + $1.flagged } }
}

/// `grade --report`'s view of each band: how long its segments are, how many are flagged, and
/// examples to read (docs/grading.md, "Reading the bands").
public struct BandReport: Sendable, Codable, Equatable {
    /// One language × band.
    public struct Entry: Sendable, Codable, Equatable {
        /// The language tag.
        public var language: String
        /// A band label, `gap` or `ungradable`.
        public var band: String
        /// Segments in the band.
        public var segments: Int
        /// Segments per word-count bin (``BandReport/lengthBins``).
        public var words: [String: Int]
        /// Median words per segment.
        public var medianWords: Int
        /// Segments flagged by the language check.
        public var flagged: Int
        /// For `ungradable`: segments per reason (docs/grading.md, "What is graded").
        public var reasons: [String: Int]
        /// Up to ten segments: those of smallest content id (a hash, so a random sample that
        /// every run of the same store repeats).
        public var examples: [String]

        enum CodingKeys: String, CodingKey {
            case language, band, segments, words, flagged, reasons, examples
            case medianWords = "median_words"
        }
    }

    /// The word-count bins of ``Entry/words``.
    public static let lengthBins = ["1-4", "5-7", "8-12", "13-20", "21-40", "41+"]
    /// One entry per language and band, in order.
    public var entries: [Entry]
}

/// One aligned pair of graded segments: an English segment and its translation.
public struct GradedPair: Sendable, Equatable {
    /// The translation's language.
    public var language: String
    /// The English segment's grade.
    public var english: Double
    /// The translation's grade.
    public var translation: Double
    /// Words of the English segment.
    public var englishWords: Int
    /// Words of the translation.
    public var translationWords: Int
    /// A stable hash of the pair's alignment group: which part (fit or held apart) it falls in.
    public var groupHash: UInt64
}

extension Store {
    /// Per tag language, how many segments the language check flagged and as what.
    public func languageCheckSummary() throws -> LanguageCheckSummary {
        try read { db in
            var languages: [String: LanguageCheckSummary.Entry] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT s.lang_primary, count(*), count(g.detected_lang), coalesce(sum(g.lang_flagged), 0)
                FROM grade g JOIN segment s ON s.rowid = g.segment GROUP BY 1
                """) {
                languages[row[0]] = .init(graded: row[1], identified: row[2], flagged: row[3], flaggedAs: [:])
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT s.lang_primary, coalesce(g.detected_lang, '-'), count(*)
                FROM grade g JOIN segment s ON s.rowid = g.segment WHERE g.lang_flagged = 1 GROUP BY 1, 2
                """) {
                languages[row[0]]?.flaggedAs[row[1]] = row[2]
            }
            return LanguageCheckSummary(languages: languages)
        }
    }

    /// Each band's lengths, flagged segments and `examples` example texts (`grade --report`).
    public func bandReport(examples: Int = 10) throws -> BandReport {
        try read { db in
            var entries: [String: BandReport.Entry] = [:]
            func key(_ lang: String, _ band: String) -> String { lang + "\u{1F}" + band }
            for row in try Row.fetchAll(db, sql: """
                SELECT s.lang_primary, g.band,
                       CASE WHEN g.words < 5 THEN 0 WHEN g.words < 8 THEN 1 WHEN g.words < 13 THEN 2
                            WHEN g.words < 21 THEN 3 WHEN g.words < 41 THEN 4 ELSE 5 END,
                       count(*), sum(g.lang_flagged)
                FROM grade g JOIN segment s ON s.rowid = g.segment GROUP BY 1, 2, 3
                """) {
                let lang: String = row[0], band: String = row[1], bin: Int = row[2], n: Int = row[3], flagged: Int = row[4]
                var entry = entries[key(lang, band)] ?? .init(language: lang, band: band, segments: 0, words: [:], medianWords: 0,
                                                             flagged: 0, reasons: [:], examples: [])
                entry.segments += n
                entry.flagged += flagged
                entry.words[BandReport.lengthBins[bin]] = n
                entries[key(lang, band)] = entry
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT s.lang_primary, coalesce(g.ungradable_reason, '-'), count(*)
                FROM grade g JOIN segment s ON s.rowid = g.segment WHERE g.band = 'ungradable' GROUP BY 1, 2
                """) {
                entries[key(row[0], "ungradable")]?.reasons[row[1]] = row[2]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT lang, band, words FROM (
                    SELECT s.lang_primary AS lang, g.band AS band, g.words AS words,
                           row_number() OVER (PARTITION BY s.lang_primary, g.band ORDER BY g.words) AS r,
                           count(*) OVER (PARTITION BY s.lang_primary, g.band) AS n
                    FROM grade g JOIN segment s ON s.rowid = g.segment)
                WHERE r = (n + 1) / 2
                """) {
                entries[key(row[0], row[1])]?.medianWords = row[2]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT lang, band, text FROM (
                    SELECT s.lang_primary AS lang, g.band AS band, s.text AS text,
                           row_number() OVER (PARTITION BY s.lang_primary, g.band ORDER BY s.id) AS r
                    FROM grade g JOIN segment s ON s.rowid = g.segment)
                WHERE r <= ? ORDER BY lang, band, r
                """, arguments: [examples]) {
                entries[key(row[0], row[1])]?.examples.append(row[2])
            }
            return BandReport(entries: entries.keys.sorted().compactMap { entries[$0] })
        }
    }

    /// Every (English segment, translation) of one alignment group, both graded and neither
    /// flagged; the caller filters by length.
    public func gradedPairs() throws -> [GradedPair] {
        try read { db in
            var pairs: [GradedPair] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT x.lang_primary, ge.grade, gx.grade, ge.words, gx.words, e.grp
                FROM segment e JOIN grade ge ON ge.segment = e.rowid
                JOIN segment x ON x.grp = e.grp AND x.rowid <> e.rowid JOIN grade gx ON gx.segment = x.rowid
                WHERE e.grp IS NOT NULL AND e.lang_primary = 'en' AND x.lang_primary <> 'en'
                  AND ge.grade IS NOT NULL AND gx.grade IS NOT NULL AND ge.lang_flagged = 0 AND gx.lang_flagged = 0
                """)
            while let row = try rows.next() {
                let group: Data = row[5]
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for b in group { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
                pairs.append(GradedPair(language: row[0], english: row[1], translation: row[2], englishWords: row[3],
                                        translationWords: row[4], groupHash: hash))
            }
            return pairs
        }
    }
}

/// What `heldout stats` reports of grading's checks (issue 20): segments whose text the
/// identifier found confidently in another language than their tag, and segments without a
/// grade, per reason (docs/grading.md, "What is graded"). All zero before `heldout grade`.
public struct GradingCheckCounts: Sendable, Codable, Equatable {
    /// Segments confidently in another language than their tag (left out of splits by default).
    public var languageFlagged: Int
    /// Segments the gradability rules gave no band, whatever the reason.
    public var ungradable: Int
    /// Ungradable segments per reason; `-` for rows of an older grader that stored none.
    public var ungradableReasons: [String: Int]

    enum CodingKeys: String, CodingKey {
        case ungradable
        case languageFlagged = "language_flagged"
        case ungradableReasons = "ungradable_reasons"
    }
}

extension Store {
    /// The counts `stats` prints of grading's checks, read from the stored grades.
    public func gradingCheckCounts() throws -> GradingCheckCounts {
        try read { db in
            let flagged = try Int.fetchOne(db, sql: "SELECT count(*) FROM grade WHERE lang_flagged = 1") ?? 0
            var reasons: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT coalesce(ungradable_reason, '-'), count(*) FROM grade WHERE band = 'ungradable' GROUP BY 1
                """) {
                reasons[row[0]] = row[1]
            }
            return GradingCheckCounts(languageFlagged: flagged, ungradable: reasons.values.reduce(0, +),
                                      ungradableReasons: reasons)
        }
    }
}
