import Foundation
import GRDB
import HeldoutCore

// Part of the ingest engine: what a corpus brings for the questions stage (tokens, labels,
// dictionary entries), written inside the ingest transaction; the questions stage reads it
// through ``ItemSession`` (Store+Questions.swift).

/// Writes tokens, labels and entries inside the ingest transaction. Statements are prepared on
/// first use, so ingesting a plain TMX costs nothing extra.
final class AnswerSourceWriter {
    private let db: Database
    private let corpusID: Int64
    private var insertToken: RawStatement?
    private var insertLabel: RawStatement?
    private var insertEntry: RawStatement?
    private var entries: Int64 = 0

    init(_ db: Database, corpusID: Int64) {
        self.db = db
        self.corpusID = corpusID
    }

    /// Stores `unit`'s tokens against its first segment and its labels against every segment.
    /// `segments` are the unit's stored segments (rowid, id) in text order; `firstTextID` the id of
    /// the unit's first text, which the tokens analyse.
    func add(_ unit: CorpusUnit, position: Int64, segments: [(rowid: Int64, id: ContentID)], firstTextID: ContentID?) throws {
        if let tokens = unit.tokens, !tokens.isEmpty,
           let first = segments.first(where: { $0.id == firstTextID }) {
            if insertToken == nil {
                insertToken = try RawStatement(db, """
                    INSERT INTO token(corpus_id, position, ordinal, segment, id, form, lemma, upos, feats, head, deprel, no_space_after)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                    """)
            }
            guard let statement = insertToken else { return }
            for (ordinal, token) in tokens.enumerated() {
                statement.bind(1, corpusID)
                statement.bind(2, position)
                statement.bind(3, Int64(ordinal))
                statement.bind(4, first.rowid)
                statement.bind(5, token.id)
                statement.bind(6, token.form)
                statement.bind(7, token.lemma)
                statement.bind(8, token.upos)
                statement.bind(9, token.features.description)
                if let head = token.head { statement.bind(10, Int64(head)) }
                statement.bind(11, token.deprel)
                statement.bind(12, token.noSpaceAfter ? 1 : 0)
                try statement.run()
            }
        }
        if !unit.labels.isEmpty {
            if insertLabel == nil {
                insertLabel = try RawStatement(db, """
                    INSERT OR REPLACE INTO segment_label(corpus_id, position, segment, name, value) VALUES (?1, ?2, ?3, ?4, ?5)
                    """)
            }
            guard let statement = insertLabel else { return }
            for segment in segments {
                for name in unit.labels.keys.sorted() {
                    guard let value = unit.labels[name] else { continue }
                    let trimmed = value.trimmingCharacters(in: .whitespaces)
                    if trimmed.isEmpty { continue }
                    statement.bind(1, corpusID)
                    statement.bind(2, position)
                    statement.bind(3, segment.rowid)
                    statement.bind(4, name)
                    statement.bind(5, trimmed)
                    try statement.run()
                }
            }
        }
    }

    func addEntry(_ entry: DictionaryEntry) throws {
        if insertEntry == nil {
            insertEntry = try RawStatement(db, """
                INSERT INTO dictionary_entry(corpus_id, ordinal, headword, key, pos, source_lang, target_lang, senses)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
        }
        guard let statement = insertEntry else { return }
        entries += 1
        statement.bind(1, corpusID)
        statement.bind(2, entries)
        statement.bind(3, entry.headword)
        statement.bind(4, DictionaryEntry.key(entry.headword))
        statement.bind(5, entry.pos)
        statement.bind(6, entry.sourceLang)
        statement.bind(7, entry.targetLang)
        statement.bind(8, try CanonicalJSON.string(entry.senses))
        try statement.run()
    }
}

extension Schema {
    /// Deletes what a corpus contributed to the answer-source tables (``CorpusRemoval``).
    static func removeAnswerSources(_ db: Database, corpusID: Int64) throws {
        try db.execute(sql: """
            DELETE FROM dictionary_entry WHERE corpus_id = :corpus;
            DELETE FROM token WHERE corpus_id = :corpus;
            DELETE FROM segment_label WHERE corpus_id = :corpus;
            """, arguments: ["corpus": corpusID])
    }
}
