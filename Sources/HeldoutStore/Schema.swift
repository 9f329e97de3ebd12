import GRDB

/// The store's schema: every migration, in the order they run, in this file. Migrations only
/// ever get appended; a store that ran one this heldout does not know is refused.
enum Schema {
    /// The last migration this heldout knows: a store that ran a later one is newer.
    static var version: String { migrator.migrations.last ?? "none" }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
            -- Foreign keys are documented by name, not enforced: checking three parents per
            -- occurrence would halve ingest speed, and one writer keeps them consistent.
            CREATE TABLE corpus (
                id          INTEGER PRIMARY KEY,
                name        TEXT NOT NULL UNIQUE,
                format      TEXT NOT NULL,
                sha256      TEXT NOT NULL,       -- of the file, or of the files' hashes in order
                size        INTEGER NOT NULL,    -- bytes read
                files       TEXT NOT NULL,       -- JSON array of the paths as given
                options     TEXT NOT NULL,       -- how it was read (format, pair, mapping…): canonical JSON
                languages   TEXT NOT NULL,       -- comma-separated tags, sorted
                domain      TEXT,
                licence     TEXT,
                ingested_at TEXT NOT NULL,       -- ISO 8601, UTC; informative only
                units       INTEGER NOT NULL,
                skipped     TEXT NOT NULL        -- JSON object: reason -> count
            );
            CREATE TABLE document (
                id        INTEGER PRIMARY KEY,
                corpus_id INTEGER NOT NULL,
                name      TEXT NOT NULL,
                UNIQUE (corpus_id, name)
            );
            -- One row per distinct (primary language, normalised text). `grp` is the alignment group:
            -- the smallest segment id among the segments it is tied to by translation, or NULL.
            CREATE TABLE segment (
                rowid        INTEGER PRIMARY KEY,
                id           BLOB NOT NULL UNIQUE,
                lang         TEXT NOT NULL,
                text         TEXT NOT NULL,
                grp          BLOB,
                lang_primary TEXT GENERATED ALWAYS AS (substr(lang, 1, instr(lang || '-', '-') - 1)) VIRTUAL
            );
            CREATE INDEX segment_grp ON segment(grp) WHERE grp IS NOT NULL;
            -- A segment met at one position of one corpus. Segments sharing a position are one
            -- alignment unit (the sentences of a TMX <tu>, a line pair).
            CREATE TABLE occurrence (
                corpus_id   INTEGER NOT NULL,
                position    INTEGER NOT NULL,
                segment     INTEGER NOT NULL,
                document_id INTEGER NOT NULL,
                tag         TEXT,                -- the tag the corpus declared, when more than the primary subtag (fr-CA)
                PRIMARY KEY (corpus_id, position, segment)
            ) WITHOUT ROWID;
            CREATE INDEX occurrence_segment ON occurrence(segment);
            CREATE INDEX occurrence_document ON occurrence(document_id);
            -- What a unit declared about itself: domain, TMX props and notes, extra fields.
            CREATE TABLE unit_metadata (
                corpus_id INTEGER NOT NULL,
                position  INTEGER NOT NULL,
                domain    TEXT,
                metadata  TEXT NOT NULL,          -- JSON object with sorted keys
                PRIMARY KEY (corpus_id, position)
            ) WITHOUT ROWID;
            """)
        }
        // Grading (issue 3): one row per graded segment, the domain of each segment whose domain
        // is known or predicted, and the grader's own state (bands in force, classifier
        // fingerprint and report). Grades are keyed by segment rowid; the trigger keeps them from
        // outliving their segment when a corpus is removed (rowids can be reused).
        migrator.registerMigration("v2-grading") { db in
            try db.execute(sql: """
            CREATE TABLE grade (
                segment        INTEGER PRIMARY KEY,  -- segment.rowid
                grader_version INTEGER NOT NULL,     -- re-graded when the grader's version changes
                words          INTEGER NOT NULL,
                sentences      INTEGER NOT NULL,
                syllables      INTEGER NOT NULL,
                letters        INTEGER NOT NULL,
                long_words     INTEGER NOT NULL,     -- more than six letters
                polysyllables  INTEGER NOT NULL,     -- three syllables or more
                monosyllables  INTEGER NOT NULL,
                readability    TEXT NOT NULL,        -- JSON object formula -> value, sorted keys; {} when ungradable
                grade          REAL,                 -- common US-grade scale; NULL when ungradable
                grade_basis    TEXT,                 -- the formula the grade derives from
                band           TEXT NOT NULL         -- band label, 'gap' or 'ungradable'
            );
            CREATE INDEX grade_version ON grade(grader_version);
            CREATE TABLE segment_domain (
                segment    INTEGER PRIMARY KEY,      -- segment.rowid
                domain     TEXT NOT NULL,
                source     TEXT NOT NULL CHECK (source IN ('metadata', 'classifier')),
                confidence REAL NOT NULL              -- metadata: share of the segment's occurrences that agree
            );
            CREATE INDEX segment_domain_source ON segment_domain(source);
            CREATE TABLE grading_state (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TRIGGER segment_grading_cleanup AFTER DELETE ON segment BEGIN
                DELETE FROM grade WHERE segment = old.rowid;
                DELETE FROM segment_domain WHERE segment = old.rowid;
            END;
            """)
        }
        registerItems(&migrator)
        registerAnswerSources(&migrator)
        registerBuildState(&migrator)
        // Grading: no query selects grades by grader version (the pass finds stale rows through
        // the segment join, by primary key), yet every saved grade updated the index.
        migrator.registerMigration("grading-drop-version-index") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS grade_version")
        }
        // Ingest: a large file is appended with the unique index on `segment.id` dropped and
        // built again once (BulkLoad). A column's UNIQUE constraint is an index that cannot be
        // dropped, so uniqueness moves to a named index; rowids, rows and the rest are kept.
        migrator.registerMigration("segment-id-index") { db in
            try db.execute(sql: """
            CREATE TABLE segment_new (
                rowid        INTEGER PRIMARY KEY,
                id           BLOB NOT NULL,
                lang         TEXT NOT NULL,
                text         TEXT NOT NULL,
                grp          BLOB,
                lang_primary TEXT GENERATED ALWAYS AS (substr(lang, 1, instr(lang || '-', '-') - 1)) VIRTUAL
            );
            INSERT INTO segment_new(rowid, id, lang, text, grp) SELECT rowid, id, lang, text, grp FROM segment ORDER BY rowid;
            DROP TABLE segment;
            ALTER TABLE segment_new RENAME TO segment;
            CREATE UNIQUE INDEX segment_id ON segment(id);
            CREATE INDEX segment_grp ON segment(grp) WHERE grp IS NOT NULL;
            CREATE TRIGGER segment_grading_cleanup AFTER DELETE ON segment BEGIN
                DELETE FROM grade WHERE segment = old.rowid;
                DELETE FROM segment_domain WHERE segment = old.rowid;
            END;
            """)
        }
        // Grading: one REAL column per readability formula instead of a JSON object per row
        // (queryable, `WHERE lix > 40`, and half the bytes: the keys were most of a row), and
        // no `grade_basis`, which nothing read and the language determines. Grades are kept.
        migrator.registerMigration("grading-formula-columns") { db in
            try db.execute(sql: """
            DROP TRIGGER segment_grading_cleanup;
            CREATE TABLE grade_new (
                segment        INTEGER PRIMARY KEY,  -- segment.rowid
                grader_version INTEGER NOT NULL,     -- re-graded when the grader's version changes
                words          INTEGER NOT NULL,
                sentences      INTEGER NOT NULL,
                syllables      INTEGER NOT NULL,
                letters        INTEGER NOT NULL,
                long_words     INTEGER NOT NULL,     -- more than six letters
                polysyllables  INTEGER NOT NULL,     -- three syllables or more
                monosyllables  INTEGER NOT NULL,
                grade          REAL,                 -- common US-grade scale; NULL when ungradable
                band           TEXT NOT NULL,        -- band label, 'gap' or 'ungradable'
                -- the language's readability formulas, two decimals; NULL for other languages'
                -- formulas and when ungradable
                amstad                  REAL,
                fernandez_huerta        REAL,
                flesch_kincaid_grade    REAL,
                flesch_reading_ease     REAL,
                flesch_vacca            REAL,
                gulpease                REAL,
                kandel_moles            REAL,
                lix                     REAL,
                rix                     REAL,
                szigriszt_pazos         REAL,
                wiener_sachtextformel_1 REAL
            );
            INSERT INTO grade_new
                SELECT segment, grader_version, words, sentences, syllables, letters, long_words, polysyllables,
                       monosyllables, grade, band,
                       json_extract(readability, '$.amstad'), json_extract(readability, '$.fernandez_huerta'),
                       json_extract(readability, '$.flesch_kincaid_grade'),
                       json_extract(readability, '$.flesch_reading_ease'), json_extract(readability, '$.flesch_vacca'),
                       json_extract(readability, '$.gulpease'), json_extract(readability, '$.kandel_moles'),
                       json_extract(readability, '$.lix'), json_extract(readability, '$.rix'),
                       json_extract(readability, '$.szigriszt_pazos'),
                       json_extract(readability, '$.wiener_sachtextformel_1')
                FROM grade;
            DROP TABLE grade;
            ALTER TABLE grade_new RENAME TO grade;
            CREATE TRIGGER segment_grading_cleanup AFTER DELETE ON segment BEGIN
                DELETE FROM grade WHERE segment = old.rowid;
                DELETE FROM segment_domain WHERE segment = old.rowid;
            END;
            """)
        }
        registerItemDomainEvidence(&migrator)
        registerLanguageAndGradability(&migrator)
        return migrator
    }

    /// Items made by `heldout questions`: one row per item, its segments in `item_segment`.
    static func registerItems(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("items") { db in
            try db.execute(sql: """
            CREATE TABLE item (
                id                BLOB PRIMARY KEY,   -- 16 bytes, Item.id
                template          TEXT NOT NULL,
                template_version  INTEGER NOT NULL,
                category          TEXT NOT NULL,
                lang              TEXT NOT NULL,
                pair              TEXT,
                question          TEXT NOT NULL,
                answer            TEXT,
                rubric            TEXT NOT NULL,      -- JSON array
                target_lemma      TEXT,
                target_lang       TEXT,
                consistency_group TEXT,
                grade             REAL,
                domain            TEXT
            ) WITHOUT ROWID;
            CREATE INDEX item_category ON item(category);
            CREATE INDEX item_template ON item(template);
            CREATE TABLE item_segment (
                item_id  BLOB NOT NULL,
                ordinal  INTEGER NOT NULL,
                segment  BLOB NOT NULL,               -- segment.id
                PRIMARY KEY (item_id, ordinal)
            ) WITHOUT ROWID;
            CREATE INDEX item_segment_segment ON item_segment(segment);
            """)
        }
    }

    /// Answer sources: dictionary entries, CoNLL-U tokens and segment labels, each tied to the
    /// corpus it came from so that replacing or removing the corpus takes them along.
    static func registerAnswerSources(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("answer-sources") { db in
            try db.execute(sql: """
            -- One row per dictionary entry; `ordinal` is its place in the dictionary file, so a
            -- headword's senses come back in the dictionary's own order whatever the ingest order.
            CREATE TABLE dictionary_entry (
                corpus_id   INTEGER NOT NULL,
                ordinal     INTEGER NOT NULL,
                headword    TEXT NOT NULL,      -- as the dictionary writes it
                key         TEXT NOT NULL,      -- NFC, lowercased: what lookups use
                pos         TEXT,
                source_lang TEXT NOT NULL,      -- primary subtags
                target_lang TEXT NOT NULL,
                senses      TEXT NOT NULL,      -- JSON array of glosses, one per sense, in order
                PRIMARY KEY (corpus_id, ordinal)
            ) WITHOUT ROWID;
            CREATE INDEX dictionary_entry_key ON dictionary_entry(source_lang, key);
            -- The words of an analysed sentence (CoNLL-U), per occurrence: (corpus_id, position)
            -- is the occurrence, `segment` the segment's rowid. Multiword tokens have id `3-4`,
            -- upos `_` and no head.
            CREATE TABLE token (
                corpus_id INTEGER NOT NULL,
                position  INTEGER NOT NULL,
                ordinal   INTEGER NOT NULL,
                segment   INTEGER NOT NULL,
                id        TEXT NOT NULL,
                form      TEXT NOT NULL,
                lemma     TEXT NOT NULL,
                upos      TEXT NOT NULL,
                feats     TEXT NOT NULL,        -- sorted Name=Value|…, or _
                head      INTEGER,
                deprel    TEXT NOT NULL,
                no_space_after INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (corpus_id, position, ordinal)
            ) WITHOUT ROWID;
            CREATE INDEX token_segment ON token(segment);
            -- A label of a segment (`tone` = `polite`), per occurrence, from a labelled corpus.
            CREATE TABLE segment_label (
                corpus_id INTEGER NOT NULL,
                position  INTEGER NOT NULL,
                segment   INTEGER NOT NULL,
                name      TEXT NOT NULL,
                value     TEXT NOT NULL,
                PRIMARY KEY (corpus_id, position, segment, name)
            ) WITHOUT ROWID;
            CREATE INDEX segment_label_name ON segment_label(name, segment);
            """)
        }
    }

    /// What `heldout build` remembers between runs: a fingerprint of each stage's inputs, so a
    /// stage whose inputs did not change is skipped.
    static func registerBuildState(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("build-state") { db in
            try db.execute(sql: """
            CREATE TABLE stage_state (
                stage       TEXT PRIMARY KEY,
                fingerprint TEXT NOT NULL
            );
            """)
        }
    }
}

extension Schema {
    /// Items record their domain's evidence (issue 19): `domain_source` is `metadata` (declared)
    /// or `classifier` (predicted), `domain_confidence` the segment's. Existing items take it
    /// from their source segment's domain row when that still gives the item's domain.
    static func registerItemDomainEvidence(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("item-domain-evidence") { db in
            try db.execute(sql: """
            ALTER TABLE item ADD COLUMN domain_source TEXT;
            ALTER TABLE item ADD COLUMN domain_confidence REAL;
            UPDATE item SET (domain_source, domain_confidence) = (
                SELECT d.source, d.confidence
                FROM item_segment l JOIN segment s ON s.id = l.segment JOIN segment_domain d ON d.segment = s.rowid
                WHERE l.item_id = item.id AND l.ordinal = 0 AND d.domain = item.domain)
            WHERE domain IS NOT NULL;
            """)
        }
    }
}
