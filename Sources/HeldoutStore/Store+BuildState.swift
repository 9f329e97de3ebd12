import GRDB

extension Store {
    /// Where `heldout questions` last read its templates (a `stage_state` row): a split made step
    /// by step states it in its spec.yaml, so that the release can be rebuilt.
    public static let templatesPathKey = "questions.templates-path"

    /// The fingerprint of the inputs `stage` last ran on, if it ran.
    public func stageFingerprint(_ stage: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT fingerprint FROM stage_state WHERE stage = ?", arguments: [stage]) }
    }

    /// Records that `stage` ran on inputs with this fingerprint, so an unchanged rerun skips it.
    public func setStageFingerprint(_ stage: String, _ fingerprint: String) throws {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO stage_state(stage, fingerprint) VALUES (?, ?)", arguments: [stage, fingerprint])
        }
    }

    /// What the stages after ingest depend on of the corpora, one line each, by name: the
    /// corpus's bytes (SHA-256), how it was read (format, pair, column mapping…) and how many
    /// units that gave. The same bytes read with another mapping are other sentences, so the read
    /// options belong here as much as the hash.
    public func corpusFingerprintLines(includingDomain: Bool = false) throws -> [String] {
        try read { db in try Self.corpusFingerprintLines(db, includingDomain: includingDomain) }
    }

    /// The lines of ``corpusFingerprintLines()`` inside a transaction already open; with
    /// `includingDomain`, each line also carries the corpus's `--domain` (what grading's
    /// metadata domains depend on, and questions do not).
    static func corpusFingerprintLines(_ db: Database, includingDomain: Bool) throws -> [String] {
        try Row.fetchAll(db, sql: "SELECT name, sha256, units, options, coalesce(domain, '') FROM corpus ORDER BY name").map { row in
            let name: String = row[0], sha: String = row[1], units: Int = row[2], options: String = row[3]
            let line = "corpus \(name) \(sha) \(units) \(options)"
            return includingDomain ? line + " domain \(row[4] as String)" : line
        }
    }
}
