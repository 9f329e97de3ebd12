import Foundation
import GRDB
import HeldoutCore

// MARK: - Reading answer sources

/// A segment to ask about, with the texts that translate it (same alignment group) in one language.
public struct SourceSegment: Sendable, Hashable {
    /// The segment's id, which items list as the segments they ask about.
    public var id: ContentID
    /// Its primary language subtag.
    public var lang: String
    /// The normalised text.
    public var text: String
    /// The alignment group, nil when the segment has no translation.
    public var group: ContentID?
    /// Translations in the requested language, in segment id order.
    public var translations: [Translation]
    /// The analysis of the segment (CoNLL-U), when one was ingested; from the corpus that sorts first by name.
    public var tokens: [Token]?

    /// A segment as an answer source other than the store gives it (a cluster's shard).
    public init(id: ContentID, lang: String, text: String, group: ContentID?, translations: [Translation], tokens: [Token]?) {
        self.id = id
        self.lang = lang
        self.text = text
        self.group = group
        self.translations = translations
        self.tokens = tokens
    }

    /// One translation: its id (linked from the item) and text.
    public struct Translation: Sendable, Hashable {
        /// The translation's segment id.
        public var id: ContentID
        /// Its normalised text.
        public var text: String

        /// A translation as a shard's bundle gives it (`heldout map items`).
        public init(id: ContentID, text: String) {
            self.id = id
            self.text = text
        }
    }
}

/// A segment's value for one label, over every corpus that labels it.
public struct LabelledSegment: Sendable {
    /// The labelled segment.
    public var segment: SourceSegment
    /// Distinct values, sorted; more than one means the corpora disagree.
    public var values: [String]

    /// A labelled segment as a shard's bundle gives it (`heldout map items`).
    public init(segment: SourceSegment, values: [String]) {
        self.segment = segment
        self.values = values
    }
}

/// How many times a word form was analysed as a lemma with given features (the lexicon that
/// lemmatisation and minimal pairs draw on).
public struct FormAnalysis: Sendable, Hashable {
    /// The word form as it occurs.
    public var form: String
    /// The lemma it was analysed as.
    public var lemma: String
    /// Its universal part of speech.
    public var upos: String
    /// Its morphological features.
    public var features: Features
    /// How many times the treebanks analysed it so: the commonest reading wins.
    public var count: Int

    /// An analysis (the grammar tests build lexicons from these).
    public init(form: String, lemma: String, upos: String, features: Features, count: Int) {
        self.form = form
        self.lemma = lemma
        self.upos = upos
        self.features = features
        self.count = count
    }
}

/// Reads answer sources and writes items within one transaction (``Store/replaceItems(ofTemplates:_:)``),
/// so the questions stage sees one consistent store and leaves nothing behind when it fails.
public final class ItemSession {
    let db: Database
    private var insertItem: RawStatement?
    private var linkSegment: RawStatement?
    /// The last rubric stored and its JSON: a template's rubric is usually the same for every
    /// item, so it is encoded once, not per item.
    private var lastRubric: (list: [String], json: String)?
    /// The grading statement and the last segment's grading (``grading(of:)``): items come
    /// sentence by sentence, so one lookup per sentence, with memory that stays flat.
    var gradingStatement: RawStatement?
    var lastGrading: (segment: ContentID, result: SegmentGradingLookup)?
    private var parsedFeatures: [String: Features] = [:]
    /// Items added in this session (a repeated id is counted once).
    public private(set) var added = 0

    init(_ db: Database) { self.db = db }

    /// Every dictionary entry from `sourceLang` (to `targetLang` when given), ordered by corpus
    /// name and then the entry's place in its file: an order that does not depend on ingest order.
    public func dictionaryEntries(sourceLang: String, targetLang: String? = nil) throws -> [DictionaryEntry] {
        var sql = """
            SELECT e.headword, e.pos, e.senses, e.source_lang, e.target_lang FROM dictionary_entry e
            JOIN corpus c ON c.id = e.corpus_id WHERE e.source_lang = ?
            """
        var arguments: StatementArguments = [sourceLang]
        if let targetLang {
            sql += " AND e.target_lang = ?"
            arguments += [targetLang]
        }
        sql += " ORDER BY c.name, e.ordinal"
        var out: [DictionaryEntry] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let senses = try JSONDecoder().decode([String].self, from: Data((row[2] as String).utf8))
            out.append(DictionaryEntry(headword: row[0], pos: row[1], senses: senses, sourceLang: row[3], targetLang: row[4]))
        }
        return out
    }

    /// Every analysed (form, lemma, upos, features) of `lang` with its count.
    public func formAnalyses(lang: String) throws -> [FormAnalysis] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT t.form, t.lemma, t.upos, t.feats, count(*) FROM token t JOIN segment s ON s.rowid = t.segment
            WHERE s.lang_primary = ? AND t.upos <> '_'
            GROUP BY t.form, t.lemma, t.upos, t.feats ORDER BY t.form, t.lemma, t.upos, t.feats
            """, arguments: [lang])
        var out: [FormAnalysis] = []
        while let row = try rows.next() {
            out.append(FormAnalysis(form: row[0], lemma: row[1], upos: row[2],
                                    features: Features(conllu: row[3]) ?? Features(), count: row[4]))
        }
        return out
    }

    /// Streams the segments of `lang` in id order, each with its translations into `translationLang`.
    /// With `analysedOnly`, only segments that have tokens, with their tokens.
    public func forEachSegment(lang: String, translationLang: String?, analysedOnly: Bool = false,
                               _ body: (SourceSegment) throws -> Void) throws {
        let translations = try translationStatement(translationLang)
        // Every token of the segment, the chosen analysis first: the corpus that sorts first by
        // name, then its first occurrence of the sentence (lowest position); ``loadTokens`` keeps
        // the rows of that occurrence. One index range and a small sort per segment, where
        // correlated subqueries per row cost a tenth of the questions stage.
        let tokens = try RawStatement(db, """
            SELECT t.corpus_id, t.position, t.id, t.form, t.lemma, t.upos, t.feats, t.head, t.deprel, t.no_space_after
            FROM token t JOIN corpus c ON c.id = t.corpus_id WHERE t.segment = ?1
            ORDER BY c.name, t.position, t.ordinal
            """)
        let sql = analysedOnly
            ? "SELECT s.rowid, s.id, s.lang, s.text, s.grp FROM segment s WHERE s.lang_primary = ? AND EXISTS (SELECT 1 FROM token t WHERE t.segment = s.rowid) ORDER BY s.id"
            : "SELECT s.rowid, s.id, s.lang, s.text, s.grp FROM segment s WHERE s.lang_primary = ? ORDER BY s.id"
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: [lang])
        while let row = try cursor.next() {
            guard let id = ContentID(bytes: row[1] as Data) else { continue }
            let group = (row[4] as Data?).flatMap { ContentID(bytes: $0) }
            var segment = SourceSegment(id: id, lang: row[2], text: row[3], group: group, translations: [], tokens: nil)
            if let group, let translations {
                segment.translations = try Self.translations(translations, group: group)
            }
            if analysedOnly {
                segment.tokens = try loadTokens(tokens, segment: row[0])
            }
            try body(segment)
        }
    }

    /// The tokens of one analysis of a segment (rows of `statement`, see ``forEachSegment``), in order.
    private func loadTokens(_ statement: RawStatement, segment rowid: Int64) throws -> [Token] {
        defer { statement.reset() }
        statement.bind(1, rowid)
        var list: [Token] = []
        var occurrence: (corpus: Int64, position: Int64)?
        while try statement.step() {
            let corpus = statement.int64(0), position = statement.int64(1)
            if let occurrence {
                if occurrence.corpus != corpus || occurrence.position != position { break }
            } else {
                occurrence = (corpus, position)
            }
            list.append(Token(id: statement.string(2), form: statement.string(3), lemma: statement.string(4),
                              upos: statement.string(5), features: features(statement.string(6)),
                              head: statement.isNull(7) ? nil : Int(statement.int64(7)), deprel: statement.string(8),
                              noSpaceAfter: statement.int64(9) != 0))
        }
        return list
    }

    /// Parsed CoNLL-U features, cached by their text: a treebank has a few thousand distinct
    /// feature sets, and each is met thousands of times. Bounded, so memory stays flat.
    private func features(_ raw: String) -> Features {
        if let known = parsedFeatures[raw] { return known }
        let parsed = Features(conllu: raw) ?? Features()
        if parsedFeatures.count >= 65_536 { parsedFeatures.removeAll(keepingCapacity: true) }
        parsedFeatures[raw] = parsed
        return parsed
    }

    /// Streams the segments of `lang` that carry label `name`, in id order, with the label's values.
    public func forEachLabelledSegment(label name: String, lang: String, translationLang: String?,
                                       _ body: (LabelledSegment) throws -> Void) throws {
        let translations = try translationStatement(translationLang)
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT s.id, s.lang, s.text, s.grp,
                   (SELECT group_concat(v, char(31)) FROM (SELECT DISTINCT l.value AS v FROM segment_label l
                     WHERE l.segment = s.rowid AND l.name = ?1 ORDER BY l.value)) AS vals
            FROM segment s
            WHERE s.lang_primary = ?2 AND s.rowid IN (SELECT segment FROM segment_label WHERE name = ?1)
            ORDER BY s.id
            """, arguments: [name, lang])
        while let row = try cursor.next() {
            guard let id = ContentID(bytes: row[0] as Data) else { continue }
            let group = (row[3] as Data?).flatMap { ContentID(bytes: $0) }
            var segment = SourceSegment(id: id, lang: row[1], text: row[2], group: group, translations: [], tokens: nil)
            if let group, let translations {
                segment.translations = try Self.translations(translations, group: group)
            }
            let values = ((row[4] as String?) ?? "").split(separator: "\u{1F}").map(String.init)
            try body(LabelledSegment(segment: segment, values: values))
        }
    }

    private func translationStatement(_ lang: String?) throws -> (Statement, String)? {
        guard let lang else { return nil }
        return (try db.makeStatement(sql: "SELECT id, text FROM segment WHERE grp = ? AND lang_primary = ? ORDER BY id"), lang)
    }

    private static func translations(_ statement: (Statement, String), group: ContentID) throws -> [SourceSegment.Translation] {
        var out: [SourceSegment.Translation] = []
        let rows = try Row.fetchCursor(statement.0, arguments: [Data(group.bytes), statement.1])
        while let row = try rows.next() {
            if let id = ContentID(bytes: row[0] as Data) {
                out.append(.init(id: id, text: row[1]))
            }
        }
        return out
    }

    /// Stores one item; `false` when an item with its id is already stored (the same question
    /// met twice: same template, same bound values), which is then kept as it was.
    /// Statements are prepared once per session and driven through the C API (`RawStatement`).
    @discardableResult
    public func add(_ item: Item) throws -> Bool {
        if insertItem == nil {
            insertItem = try RawStatement(db, """
                INSERT OR IGNORE INTO item(id, template, template_version, category, lang, pair, question, answer, rubric,
                                            target_lemma, target_lang, consistency_group, grade, domain,
                                            domain_source, domain_confidence)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                """)
            linkSegment = try RawStatement(db, "INSERT OR REPLACE INTO item_segment(item_id, ordinal, segment) VALUES (?1, ?2, ?3)")
        }
        guard let insertItem, let linkSegment else { return false }
        let rubric: String
        if let last = lastRubric, last.list == item.rubric {
            rubric = last.json
        } else {
            rubric = try Self.rubricJSON(item.rubric)
            lastRubric = (item.rubric, rubric)
        }
        insertItem.bind(1, item.id)
        insertItem.bind(2, item.template)
        insertItem.bind(3, Int64(item.templateVersion))
        insertItem.bind(4, item.category)
        insertItem.bind(5, item.lang)
        insertItem.bind(6, item.pair)
        insertItem.bind(7, item.question)
        insertItem.bind(8, item.answer)
        insertItem.bind(9, rubric)
        insertItem.bind(10, item.target?.lemma)
        insertItem.bind(11, item.target?.lang)
        insertItem.bind(12, item.consistencyGroup)
        insertItem.bind(13, item.grade)
        insertItem.bind(14, item.domain)
        insertItem.bind(15, item.domainSource)
        insertItem.bind(16, item.domainConfidence)
        try insertItem.runRebinding()
        guard db.changesCount > 0 else { return false }
        for (ordinal, segment) in item.segments.enumerated() {
            linkSegment.bind(1, item.id)
            linkSegment.bind(2, Int64(ordinal))
            linkSegment.bind(3, segment)
            try linkSegment.runRebinding()
        }
        added += 1
        return true
    }

    /// A rubric as stored: the bytes of ``CanonicalJSON/string(_:)``. Criteria whose characters
    /// JSON never escapes (no quote, backslash or control character, nothing from U+2000 to
    /// U+2FFF, where encoders differ on line separators) are written directly, without an encoder
    /// per item; anything else goes through ``CanonicalJSON``.
    static func rubricJSON(_ rubric: [String]) throws -> String {
        var out = "["
        for (index, criterion) in rubric.enumerated() {
            let plain = criterion.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F && $0 != 0xE2 }
            guard plain else { return try CanonicalJSON.string(rubric) }
            if index > 0 { out += "," }
            out += "\""
            out += criterion
            out += "\""
        }
        return out + "]"
    }
}

extension Store {
    /// Replaces every item of `templates` with what `body` adds, in one transaction: if `body`
    /// throws (a bad template met while rendering), the items stay as they were.
    @discardableResult
    public func replaceItems(ofTemplates templates: Set<String>, _ body: (ItemSession) throws -> Void) throws -> Int {
        try write { db in
            for template in templates.sorted() {
                try db.execute(sql: "DELETE FROM item_segment WHERE item_id IN (SELECT id FROM item WHERE template = ?)", arguments: [template])
                try db.execute(sql: "DELETE FROM item WHERE template = ?", arguments: [template])
            }
            let session = ItemSession(db)
            try body(session)
            return session.added
        }
    }

    /// Read-only access to the answer sources (tests, reports).
    public func readAnswerSources<T>(_ body: (ItemSession) throws -> T) throws -> T {
        try read { db in try body(ItemSession(db)) }
    }

    /// Row counts of the answer-source tables.
    public func answerSourceCounts() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for table in ["dictionary_entry", "token", "segment_label"] {
                out[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return out
        }
    }
}

extension Store {
    /// Replaces every item of `templates` by `items`, in one transaction: a template's items are
    /// always those of its last run, never a mix.
    public func replaceItems(ofTemplates templates: Set<String>, with items: [Item]) throws {
        try write { db in
            for template in templates.sorted() {
                try db.execute(sql: "DELETE FROM item_segment WHERE item_id IN (SELECT id FROM item WHERE template = ?)", arguments: [template])
                try db.execute(sql: "DELETE FROM item WHERE template = ?", arguments: [template])
            }
            let insert = try db.makeStatement(sql: """
                INSERT OR REPLACE INTO item(id, template, template_version, category, lang, pair, question, answer, rubric,
                                            target_lemma, target_lang, consistency_group, grade, domain,
                                            domain_source, domain_confidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let link = try db.makeStatement(sql: "INSERT OR REPLACE INTO item_segment(item_id, ordinal, segment) VALUES (?, ?, ?)")
            for item in items {
                let id = Data(item.id.bytes)
                try insert.execute(arguments: [id, item.template, item.templateVersion, item.category, item.lang, item.pair,
                                               item.question, item.answer, try CanonicalJSON.string(item.rubric),
                                               item.target?.lemma, item.target?.lang, item.consistencyGroup,
                                               item.grade, item.domain, item.domainSource, item.domainConfidence])
                for (ordinal, segment) in item.segments.enumerated() {
                    try link.execute(arguments: [id, ordinal, Data(segment.bytes)])
                }
            }
        }
    }
}

extension ItemSession {
    /// The grade and domain the grading stage gave a segment (nil where it has not been graded,
    /// is ungradable, or has no known domain). Items copy them at creation, so a split can use
    /// reading level and domain without knowing the grading tables. With the domain come its
    /// evidence: `metadata` (declared) or `classifier` (predicted), and the confidence.
    public func grading(of segment: ContentID) throws -> SegmentGradingLookup {
        if let last = lastGrading, last.segment == segment { return last.result }
        if gradingStatement == nil {
            gradingStatement = try RawStatement(db, """
                SELECT g.grade, d.domain, d.source, d.confidence
                FROM segment s
                LEFT JOIN grade g ON g.segment = s.rowid
                LEFT JOIN segment_domain d ON d.segment = s.rowid
                WHERE s.id = ?1
                """)
        }
        guard let statement = gradingStatement else { return SegmentGradingLookup() }
        defer { statement.reset() }
        statement.bind(1, segment)
        var result = SegmentGradingLookup()
        if try statement.step() {
            result = SegmentGradingLookup(grade: statement.double(0), domain: statement.text(1),
                                          domainSource: statement.text(2), domainConfidence: statement.double(3))
        }
        lastGrading = (segment, result)
        return result
    }
}

/// A segment's grade and domain as items copy them (``ItemSession/grading(of:)``).
public struct SegmentGradingLookup: Sendable, Equatable {
    /// The segment's grade on the common US-grade scale; nil when ungraded or ungradable.
    public var grade: Double?
    /// Its domain, declared or predicted; nil without one.
    public var domain: String?
    /// `metadata` or `classifier`; nil without a domain.
    public var domainSource: String?
    /// The classifier's confidence, for a predicted domain.
    public var domainConfidence: Double?

    /// A lookup result; empty (every field nil) for a segment grading has not seen.
    public init(grade: Double? = nil, domain: String? = nil, domainSource: String? = nil, domainConfidence: Double? = nil) {
        self.grade = grade
        self.domain = domain
        self.domainSource = domainSource
        self.domainConfidence = domainConfidence
    }
}
