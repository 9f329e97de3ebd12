import Foundation
import GRDB
import HeldoutCore

/// What the split and the audit read of the store in full, row by row, inside one read
/// transaction (``Store/scan(_:)``): typed rows, so that no stage writes SQL or reads columns
/// by position. The rows are read through `RawStatement` (the C API, internal), since at a million
/// items GRDB's conveniences cost seconds.
///
/// A scan that can skip a row by its id alone (`where`) reads the row's texts only when kept.
public struct StoreScan {
    let database: Database

    // MARK: Split: its input

    /// An item as the split selects it: axis values, filters, links.
    public struct ItemRow {
        /// The item's id.
        public var id: ContentID
        /// Its category, for `axis: category`.
        public var category: String
        /// Its source language.
        public var lang: String
        /// Its language pair, for `axis: language_pair` and `where.pairs`.
        public var pair: String?
        /// Its grade, for `axis: complexity` and the bands.
        public var grade: Double?
        /// Its domain, for `axis: domain`.
        public var domain: String?
        /// `metadata` when a source declared the domain, `classifier` when it was predicted.
        public var domainSource: String?
        /// The lexeme it asks about (with `targetLang`): the `same_lexeme` link.
        public var targetLemma: String?
        /// The lexeme's language.
        public var targetLang: String?
        /// Its consistency group: the `consistency_group` link.
        public var consistencyGroup: String?
        /// Whether it has a gold answer (a supervised or evaluation record needs one).
        public var hasAnswer: Bool
        /// Whether it has a rubric (a plausibility column needs one).
        public var hasRubric: Bool
        /// Whether one of its segments was flagged by the grader as not in its tag's language.
        public var languageFlagged: Bool
    }

    /// Every item, in id order.
    public func items(_ body: (ItemRow) throws -> Void) throws {
        // Flagged segments are few: their items are gathered once, from the flagged grades out,
        // rather than by three lookups for every item (2 s of CPU at a million items).
        var flagged: Set<ContentID> = []
        let flaggedRows = try RawStatement(database, """
            SELECT DISTINCT x.item_id FROM grade g JOIN segment s ON s.rowid = g.segment
            JOIN item_segment x ON x.segment = s.id WHERE g.lang_flagged = 1
            """)
        while try flaggedRows.step() { if let id = flaggedRows.contentID(0) { flagged.insert(id) } }
        let rows = try RawStatement(database, """
            SELECT id, category, lang, pair, grade, domain, target_lemma, target_lang, consistency_group,
                   answer IS NOT NULL AND answer <> '', rubric <> '[]', domain_source
            FROM item ORDER BY id
            """)
        while try rows.step() {
            guard let id = rows.contentID(0) else { throw HeldoutError.store("item with a malformed id") }
            try body(ItemRow(id: id, category: rows.text(1) ?? "", lang: rows.text(2) ?? "", pair: rows.text(3), grade: rows.double(4),
                             domain: rows.text(5), domainSource: rows.text(11), targetLemma: rows.text(6), targetLang: rows.text(7),
                             consistencyGroup: rows.text(8), hasAnswer: rows.int64(9) != 0, hasRubric: rows.int64(10) != 0,
                             languageFlagged: flagged.contains(id)))
        }
    }

    /// Every (item, segment) link, in item id order and the item's segment order.
    public func itemSegments(_ body: (_ item: ContentID, _ segment: ContentID) throws -> Void) throws {
        let rows = try RawStatement(database, "SELECT item_id, segment FROM item_segment ORDER BY item_id, ordinal")
        while try rows.step() {
            guard let item = rows.contentID(0), let segment = rows.contentID(1) else { continue }
            try body(item, segment)
        }
    }

    /// A segment: its rowid (what occurrences refer to), id, primary language, text and group.
    public struct SegmentRow {
        /// The segment's rowid, which occurrences refer to.
        public var rowid: Int64
        /// Its content id.
        public var id: ContentID
        /// Its primary language subtag.
        public var langPrimary: String
        /// The normalised text.
        public var text: String
        /// Its alignment group; nil when it translates nothing.
        public var group: ContentID?
    }

    /// The segments whose id `keep` accepts, in storage order.
    public func segments(where keep: (ContentID) -> Bool, _ body: (SegmentRow) throws -> Void) throws {
        let rows = try RawStatement(database, "SELECT rowid, id, lang_primary, text, grp FROM segment")
        while try rows.step() {
            guard let id = rows.contentID(1), keep(id) else { continue }
            try body(SegmentRow(rowid: rows.int64(0), id: id, langPrimary: rows.text(2) ?? "", text: rows.text(3) ?? "",
                                group: rows.contentID(4)))
        }
    }

    /// Finds, again and again in one scan, the smallest segment of a group in a language.
    public final class GroupMemberLookup {
        let statement: RawStatement
        init(_ database: Database) throws {
            statement = try RawStatement(database, "SELECT rowid, id, text FROM segment WHERE grp = ?1 AND lang_primary = ?2 ORDER BY id LIMIT 1")
        }

        /// The segment of `group` in primary language `lang` with the smallest id, if any.
        public func first(group: ContentID, lang: String) throws -> SegmentRow? {
            defer { statement.reset() }
            statement.bind(1, group)
            statement.bind(2, lang)
            guard try statement.step(), let id = statement.contentID(1) else { return nil }
            return SegmentRow(rowid: statement.int64(0), id: id, langPrimary: lang, text: statement.text(2) ?? "", group: group)
        }
    }

    /// A ``GroupMemberLookup`` for this scan's transaction.
    public func groupMemberLookup() throws -> GroupMemberLookup { try GroupMemberLookup(database) }

    /// Every document's name, `corpus/document`, by document rowid: independent of rowids
    /// once resolved, so the split's bytes do not depend on ingest order.
    public func documentNames() throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        let rows = try RawStatement(database, "SELECT d.id, c.name, d.name FROM document d JOIN corpus c ON c.id = d.corpus_id")
        while try rows.step() {
            out[rows.int64(0)] = "\(rows.text(1) ?? "")/\(rows.text(2) ?? "")"
        }
        return out
    }

    /// Every distinct (segment rowid, document rowid) a segment occurs in.
    public func occurrences(_ body: (_ segment: Int64, _ document: Int64) throws -> Void) throws {
        let rows = try RawStatement(database, "SELECT DISTINCT segment, document_id FROM occurrence")
        while try rows.step() { try body(rows.int64(0), rows.int64(1)) }
    }

    // MARK: Split and audit: translations

    /// Every segment of an alignment group: its id, group and text (the translation closures).
    public func groupedSegments(_ body: (_ id: ContentID, _ group: ContentID, _ text: String) throws -> Void) throws {
        let rows = try RawStatement(database, "SELECT id, text, grp FROM segment WHERE grp IS NOT NULL")
        while try rows.step() {
            guard let id = rows.contentID(0), let group = rows.contentID(2) else { continue }
            try body(id, group, rows.string(1))
        }
    }

    // MARK: Split: its records

    /// An item with everything its record carries.
    public struct ItemContentRow {
        /// The item's id.
        public var id: ContentID
        /// The template that made it.
        public var template: String
        /// Its category.
        public var category: String
        /// Its language pair.
        public var pair: String?
        /// The question as rendered.
        public var question: String
        /// The gold answer; nil for a rubric-only item.
        public var answer: String?
        /// The rubric as stored: a JSON array of strings.
        public var rubric: String
        /// The lexeme it asks about.
        public var targetLemma: String?
        /// The lexeme's language.
        public var targetLang: String?
        /// Its consistency group.
        public var consistencyGroup: String?
    }

    /// The items `keep` accepts, in id order; stops when `keep` says so.
    public func itemContents(where keep: (ContentID) -> ScanDecision, _ body: (ItemContentRow) throws -> Void) throws {
        let rows = try RawStatement(database, """
            SELECT id, template, category, pair, question, answer, rubric, target_lemma, target_lang, consistency_group
            FROM item ORDER BY id
            """)
        scan: while try rows.step() {
            guard let id = rows.contentID(0) else { continue }
            switch keep(id) {
            case .skip: continue
            case .stop: break scan
            case .read:
                try body(ItemContentRow(id: id, template: rows.text(1) ?? "", category: rows.text(2) ?? "", pair: rows.text(3),
                                        question: rows.text(4) ?? "", answer: rows.text(5), rubric: rows.text(6) ?? "[]",
                                        targetLemma: rows.text(7), targetLang: rows.text(8), consistencyGroup: rows.text(9)))
            }
        }
    }

    /// What to do with a row, decided from its id.
    public enum ScanDecision {
        /// Read the row's texts and hand it to the body.
        case read
        /// Pass over the row without reading its texts.
        case skip
        /// End the scan: no later row is wanted.
        case stop
    }
}

extension Store {
    /// Runs `body` in one read transaction with a ``StoreScan``; nothing read outlives the call.
    public func scan<T>(_ body: (StoreScan) throws -> T) throws -> T {
        try read { try body(StoreScan(database: $0)) }
    }
}

extension Store {
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
}
