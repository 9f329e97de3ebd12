import Foundation
import GRDB
import HeldoutCore

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
