import Foundation
import HeldoutCore

/// The kinds of leak the audit looks for (issue 6; DESIGN "Isolation").
///
/// Text rules form a ladder, strongest first: for one pair of records only the strongest of
/// `exact_segment`, `folded_segment`, `near_duplicate`, `shared_passage` and `ngram_overlap`
/// is reported — the strongest *enforced* one when some are enforced and others not, so that
/// a pair the policy forbids is never hidden behind a stronger rule it allows. One copied
/// sentence is one leak.
///
/// The key rules (`translation`, `same_document`, `same_lexeme`, `consistency_group`) report
/// one leak per shared key and column pair, not per pair of records: a document of 10,000
/// sentences split across sides is one finding, and so is a translation closure (alignment
/// groups joined through folded variants of their segments). `answer_leak` is reported once
/// per evaluation record and training column, with how many training records quote it.
public enum LeakRule: String, Codable, Sendable, CaseIterable, Comparable {
    /// The same normalised sentence (or the same store segment id) on both sides.
    case exactSegment = "exact_segment"
    /// The same sentence once case, punctuation and diacritics are folded, whatever its language tag.
    case foldedSegment = "folded_segment"
    /// Shingle sets at or above the near-duplicate threshold: MinHash with LSH proposes, exact Jaccard confirms.
    case nearDuplicate = "near_duplicate"
    /// The isolation link `shared_passage`: a training segment and an evaluation segment share
    /// a run of ``AuditOptions/ngramSize`` (13) folded words, or one of them, of at least
    /// ``AuditOptions/minimumNgramSize`` (8) words, is contained whole in the other.
    case sharedPassage = "shared_passage"
    /// Contamination: an evaluation segment's 13-word run, or a whole evaluation segment of 8
    /// or more words, inside a training question, answer or message, or an outside file.
    case ngramOverlap = "ngram_overlap"
    /// Segments of one translation closure (alignment groups joined through folded variants) on both sides.
    case translation
    /// The same source document (`CORPUS/DOCUMENT`) on both sides.
    case sameDocument = "same_document"
    /// The same target lexeme asked about in training and in a held-out evaluation record.
    case sameLexeme = "same_lexeme"
    /// A consistency group with records on both sides (held-out evaluation records only).
    case consistencyGroup = "consistency_group"
    /// A specific evaluation gold answer quoted verbatim in training.
    case answerLeak = "answer_leak"

    /// Report order: the order of declaration (text rules strongest first, then the others).
    public static func < (l: LeakRule, r: LeakRule) -> Bool {
        (allCases.firstIndex(of: l) ?? 0) < (allCases.firstIndex(of: r) ?? 0)
    }

    /// Rules found per pair of records (the others per shared key; `answer_leak` per
    /// evaluation record).
    public var isPairRule: Bool {
        switch self {
        case .translation, .sameDocument, .sameLexeme, .consistencyGroup, .answerLeak: false
        default: true
        }
    }

    /// What a human reads in the summary and the page.
    public var summary: String {
        switch self {
        case .exactSegment: "same normalised sentence"
        case .foldedSegment: "same sentence after case, punctuation and diacritics folding"
        case .nearDuplicate: "near-duplicate sentence (MinHash, confirmed by exact Jaccard)"
        case .sharedPassage: "shared passage: a 13-word run, or a segment of 8+ words inside the other"
        case .ngramOverlap: "evaluation passage inside a training question, answer or outside text"
        case .translation: "translation through alignment groups (joined through folded variants)"
        case .sameDocument: "same source document"
        case .sameLexeme: "same target lexeme"
        case .consistencyGroup: "consistency group cut in two"
        case .answerLeak: "specific evaluation gold answer verbatim in training"
        }
    }
}

/// Which rules make the audit fail (exit 1). Leaks of other rules are still reported, marked
/// `enforced: false`, so a researcher sees them without the split being refused.
///
/// Read from `manifest.json` when the directory has one (``init(manifest:)``), else every
/// rule is enforced (DESIGN: "all on by default").
public struct AuditPolicy: Codable, Sendable, Equatable {
    /// The rules whose leaks fail the audit.
    public var enforced: Set<LeakRule>

    /// A policy enforcing exactly `enforced`.
    public init(enforced: Set<LeakRule>) { self.enforced = enforced }

    /// Every rule: the policy when nothing says otherwise.
    public static let all = AuditPolicy(enforced: Set(LeakRule.allCases))

    /// Whether a leak of `rule` fails the audit.
    public func isEnforced(_ rule: LeakRule) -> Bool { enforced.contains(rule) }

    /// The policy a split's manifest declares. Two forms are understood:
    ///
    /// - an explicit list, `{"audit": {"enforce": ["exact_segment", …]}}`, which wins. Lists
    ///   written before `shared_passage` existed meant it by `ngram_overlap` (segment n-grams
    ///   were reported under that name), so `ngram_overlap` enforces `shared_passage` too;
    /// - the spec's isolation block, `{"isolation": {"level": "item|segment|document",
    ///   "translations": bool, "near_duplicates": {"threshold": 0.8} | false, "lexemes": bool,
    ///   "consistency_groups": bool, "shared_passages": bool, "ngrams": bool, "answers": bool}}`.
    ///   Absent keys mean on.
    ///   `level: document` enforces `same_document`; `segment` (the default) does not;
    ///   `item` enforces neither `same_document` nor the shared-segment rules
    ///   (`exact_segment`, `folded_segment`).
    ///
    /// Returns `nil` when the manifest says nothing about isolation.
    public init?(manifest: SplitManifest) throws {
        if let list = manifest.audit?.enforce {
            var rules: Set<LeakRule> = []
            for name in list {
                guard let rule = LeakRule(rawValue: name) else {
                    throw HeldoutError.badInput(SourceLocation(file: SplitDirectory.manifest),
                                                "audit.enforce: unknown rule \(name); known: \(LeakRule.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                rules.insert(rule)
                if rule == .ngramOverlap { rules.insert(.sharedPassage) }
            }
            self.init(enforced: rules)
            return
        }
        guard case let .settings(isolation)? = manifest.isolation else { return nil }
        var rules = Set(LeakRule.allCases)
        func off(_ key: String) -> Bool { isolation.off.contains(key) }
        let level = isolation.level ?? "segment"
        switch level {
        case "document": break
        case "segment": rules.remove(.sameDocument)
        case "item": rules.subtract([.sameDocument, .exactSegment, .foldedSegment])
        default:
            throw HeldoutError.badInput(SourceLocation(file: SplitDirectory.manifest),
                                        "isolation.level: \(level) is not item, segment or document")
        }
        if off("translations") { rules.remove(.translation) }
        if off("near_duplicates") { rules.remove(.nearDuplicate) }
        if off("lexemes") { rules.remove(.sameLexeme) }
        if off("consistency_groups") { rules.remove(.consistencyGroup) }
        if off("shared_passages") { rules.remove(.sharedPassage) }
        if off("ngrams") { rules.remove(.ngramOverlap) }
        if off("answers") { rules.remove(.answerLeak) }
        self.init(enforced: rules)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(enforced.sorted(), forKey: .enforced)
    }

    enum CodingKeys: String, CodingKey { case enforced }
}

/// Settings of the detectors. Defaults are the issue's: 13-grams, shorter n down to 8 for
/// short sentences, near-duplicates at Jaccard ≥ 0.8.
public struct AuditOptions: Codable, Sendable, Equatable {
    /// n of the word n-gram containment check (GPT-3's 13).
    public var ngramSize = 13
    /// A whole segment of at least this many words contained in another (either way) is a
    /// shared passage; shorter ones are left to the exact and folded rules, since a 4-word
    /// phrase turns up inside unrelated sentences.
    public var minimumNgramSize = 8
    /// Jaccard similarity of word shingles at or above which two sentences are near-duplicates.
    /// `nil`: the manifest's `isolation.near_duplicates.threshold`, else 0.8.
    public var nearDuplicateThreshold: Double?
    /// What a shingle is: `word` n-grams or `char` n-grams of the folded text. `nil`: the
    /// manifest's `near_duplicates.shingle` (what the split tied), else `word`.
    public var shingle: ShingleKind?
    /// Words (or characters) per shingle. `nil`: the manifest's `near_duplicates.size`, else 1
    /// (sets of folded words): one substituted word in an n-word sentence then leaves Jaccard
    /// (n−1)/(n+1), so at 0.8 a one-word change is caught in any sentence of 9 or more distinct
    /// words (with 3-word shingles it would take 28).
    public var shingleSize: Int?
    /// Sentences with fewer shingles are left to the exact and folded rules: MinHash on three
    /// words says nothing.
    public var minimumShingles = 5
    /// LSH banding: `bands × rows` MinHash values. 30 × 6 finds a pair at Jaccard 0.8 with
    /// probability 0.9999 and examines a pair at 0.2 with probability 0.002.
    public var minhashBands = 30
    /// Rows per band (see ``minhashBands``).
    public var minhashRows = 6
    /// An evaluation answer is looked for in training only when it is specific enough to leak
    /// (the audit's `AnswerWork`): this many content words ("yes", "B", "to run", "formal" are
    /// everywhere), or one content word of `answerMinimumCharacters` characters.
    public var answerMinimumContentWords = 2
    /// Characters of the one content word that makes an answer specific alone.
    public var answerMinimumCharacters = 12
    /// Shortest content word (shorter words are function words or abbreviations).
    public var answerContentWordLength = 4
    /// An answer given by more than this many evaluation records is a template's label, and
    /// one quoted by more than this many training records a common phrase: neither is counted.
    public var answerMaximumRecords = 20
    /// Outside files (JSONL, plain text or TMX) to check evaluation records against.
    public var against: [String] = []
    /// At most this many leaks of one rule are listed in `audit.json` (the smallest by
    /// evaluation id, training id); counts stay exact. Keeps `audit.json` small beside the
    /// data (a release must not be larger in audit than in data); `Int.max` (`heldout audit
    /// --full`) lists every leak.
    public var maxListedLeaksPerRule = 100
    /// The rules that fail the audit; `nil`: from `manifest.json`, else all.
    public var policy: AuditPolicy?
    /// Threads that parse and probe the training side.
    public var threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// The defaults above.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case ngramSize = "ngram_size", minimumNgramSize = "minimum_ngram_size"
        case nearDuplicateThreshold = "near_duplicate_threshold", shingle, shingleSize = "shingle_size"
        case minimumShingles = "minimum_shingles", minhashBands = "minhash_bands", minhashRows = "minhash_rows"
        case answerMinimumContentWords = "answer_minimum_content_words", answerMinimumCharacters = "answer_minimum_characters"
        case answerContentWordLength = "answer_content_word_length", answerMaximumRecords = "answer_maximum_records"
        case maxListedLeaksPerRule = "max_listed_leaks_per_rule"
    }

    /// Refuses settings that cannot work, with what to change.
    func validate() throws {
        guard ngramSize >= 1, minimumNgramSize >= 1, minimumNgramSize <= ngramSize else {
            throw HeldoutError.usage("n-gram sizes: need 1 ≤ minimum (\(minimumNgramSize)) ≤ n (\(ngramSize))")
        }
        if let t = nearDuplicateThreshold, !(t > 0 && t <= 1) {
            throw HeldoutError.usage("near-duplicate threshold \(t): must be in (0, 1]")
        }
        guard (shingleSize ?? 1) >= 1, minhashBands >= 1, minhashRows >= 1, minhashBands * minhashRows <= 1024 else {
            throw HeldoutError.usage("MinHash: need shingle size ≥ 1 and 1 ≤ bands × rows ≤ 1024")
        }
        guard maxListedLeaksPerRule >= 0, threads >= 1, answerMaximumRecords >= 1 else {
            throw HeldoutError.usage("max listed leaks must be ≥ 0, threads ≥ 1 and answer maximum records ≥ 1")
        }
    }
}

/// One record as a leak report shows it: where it is, and the record itself (or, for outside
/// data, the text of the line).
public struct RecordRef: Codable, Sendable, Hashable {
    /// File name inside the audited directory, or the `--against` path as given.
    public var file: String
    /// 1-based line of the record in its file.
    public var line: Int
    /// The record's column: `(none)` for a record without one, `against:FILE` for outside data.
    public var column: String
    /// The file's side as the audit reads it: `train`, `dev`, `test` or `against`.
    public var partition: String
    /// The record, for records of the audited directory.
    public var record: DatasetRecord?
    /// The outside text, for `--against` lines (records of the directory have `record`).
    public var text: String?

    /// The record's id, or `file:line` when it has none: what leaks are sorted by.
    public var key: String {
        if let id = record?.id, !id.isEmpty { return id }
        return "\(file):\(line)"
    }
}

/// Why the audit says two records leak: the matched texts and what tied them.
public struct Evidence: Codable, Sendable, Hashable {
    /// The training (or outside) side's matched text.
    public var trainingText: String?
    /// The evaluation side's matched text.
    public var evaluationText: String?
    /// Exact Jaccard similarity of the shingle sets (near-duplicates), rounded to 4 places.
    public var jaccard: Double?
    /// The shared n-gram (folded words) and its n.
    public var ngram: String?
    /// The n of ``ngram``.
    public var n: Int?
    /// The shared segment, or the evaluation segment whose translation is in training.
    public var segment: String?
    /// The training-side segment of a translation.
    public var translationSegment: String?
    /// The alignment group or translation closure (key rules).
    public var group: String?
    /// The shared document, `CORPUS/DOCUMENT`.
    public var document: String?
    /// The shared lexeme, `lang:lemma`.
    public var lexeme: String?
    /// The shared consistency group.
    public var consistencyGroup: String?
    /// The quoted answer (`answer_leak`).
    public var answer: String?
    /// Key rules: how many records of each side share the key (in these two columns).
    public var trainingRecords: Int?
    /// Key rules: how many evaluation records share the key.
    public var evaluationRecords: Int?

    /// No evidence yet: the detectors fill in what they matched.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case trainingText = "training_text", evaluationText = "evaluation_text", jaccard, ngram, n
        case segment, translationSegment = "translation_segment", group, document, lexeme
        case consistencyGroup = "consistency_group", answer
        case trainingRecords = "training_records", evaluationRecords = "evaluation_records"
    }
}

/// One leak: a rule that fired between a training (or outside) record and an evaluation record.
public struct Leak: Codable, Sendable, Hashable {
    /// The rule that fired.
    public var rule: LeakRule
    /// Whether the policy enforces it: only enforced leaks fail the audit.
    public var enforced: Bool
    /// The training (or outside) record.
    public var training: RecordRef
    /// The evaluation record.
    public var evaluation: RecordRef
    /// What tied them.
    public var evidence: Evidence

    /// Sort order of reports: rule, evaluation record, training record; then places.
    static func ordered(_ a: Leak, _ b: Leak) -> Bool {
        if a.rule != b.rule { return a.rule < b.rule }
        let (ae, be) = (a.evaluation.key, b.evaluation.key)
        if ae != be { return ae < be }
        let (at, bt) = (a.training.key, b.training.key)
        if at != bt { return at < bt }
        if a.evaluation.file != b.evaluation.file { return a.evaluation.file < b.evaluation.file }
        if a.evaluation.line != b.evaluation.line { return a.evaluation.line < b.evaluation.line }
        if a.training.file != b.training.file { return a.training.file < b.training.file }
        if a.training.line != b.training.line { return a.training.line < b.training.line }
        return (a.evidence.document ?? a.evidence.lexeme ?? a.evidence.consistencyGroup ?? "")
            < (b.evidence.document ?? b.evidence.lexeme ?? b.evidence.consistencyGroup ?? "")
    }
}

/// Leaks of one rule between one training column and one evaluation column.
public struct LeakCount: Codable, Sendable, Hashable {
    /// The training column.
    public var trainingColumn: String
    /// The evaluation column.
    public var evaluationColumn: String
    /// The rule.
    public var rule: LeakRule
    /// Whether the policy enforces it.
    public var enforced: Bool
    /// Pair rules: pairs of records. Key rules: shared keys (documents, lexemes, groups).
    public var count: Int

    enum CodingKeys: String, CodingKey {
        case trainingColumn = "training_column", evaluationColumn = "evaluation_column", rule, enforced, count
    }
}

/// Records per value of `band` or `domain`, for one column and partition.
public struct Histogram: Codable, Sendable, Hashable {
    /// `band` or `domain`.
    public var field: String
    /// The column.
    public var column: String
    /// The partition (`train`, `dev`, `test`).
    public var partition: String
    /// Records per value.
    public var counts: [String: Int]
}

/// How close each evaluation record comes to training (issue 19): the highest Jaccard
/// similarity (shingle sets, as the near-duplicate rule measures it) of any training segment
/// the MinHash probe compared with one of its segments, per evaluation column, in buckets.
///
/// Measured from the comparisons the near-duplicate rule already makes, so it costs nothing
/// more: LSH (`bands` × `rows`) proposes a pair at similarity s with probability
/// 1 − (1 − s^rows)^bands — ~0.4 at 0.5, ~0.97 at 0.7 with the defaults. `none` therefore means
/// "no training segment came near", and buckets below ~0.6 are undercounted.
public struct NearestSimilarity: Codable, Sendable, Equatable {
    /// The near-duplicate threshold the audit used.
    public var threshold: Double
    /// Column → bucket → evaluation records. Buckets: `0.0` … `0.9` (lower bound of a tenth),
    /// `1.0` (same folded text or Jaccard 1), `none` (no training segment compared),
    /// `short` (segments too short for MinHash), `no text`.
    public var counts: [String: [String: Int]]
    /// Evaluation records at or above the threshold.
    public var atOrAbove: Int
    /// LSH bands used, for reading the undercount of low buckets.
    public var bands: Int
    /// LSH rows per band.
    public var rows: Int

    /// The buckets, in the order the page shows them.
    public static let buckets = ["no text", "short", "none", "0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]

    enum CodingKeys: String, CodingKey {
        case threshold, counts, bands, rows
        case atOrAbove = "at_or_above"
    }
}

/// What a split directory says about itself (`manifest.json`, `spec.yaml`): the first lines of
/// the report. Absent fields were not found.
public struct SplitFacts: Codable, Sendable, Equatable {
    /// The split's name.
    public var name: String?
    /// The variant (`primary`, `comparison`, a sweep member), when the split has several.
    public var variant: String?
    /// The seed that chose sides.
    public var seed: String?
    /// The axis its columns are on (`category`, `language_pair`, `complexity`, `domain`).
    public var axis: String?
    /// SHA-256 of the spec file as given (`manifest.json` `inputs.spec`).
    public var specDigest: String?
    /// The heldout version that wrote the split.
    public var toolVersion: String?
    /// From `SOURCE_DATE_EPOCH` when set (reproducible builds' convention); otherwise none: the
    /// split's files are byte-identical on rebuild, so no clock is read.
    public var date: String?
    /// Column → role of its training records, and of its evaluation records.
    public var roles: [String: String]
    /// Column → role of its evaluation records (a comparison's held-out column is evaluated as held out).
    public var evaluationRoles: [String: String]
    /// `manifest.json` `domains` (an `axis: domain` split): declared / predicted counts and accuracy.
    public var domains: SplitManifest.DomainEvidence?

    enum CodingKeys: String, CodingKey {
        case name, variant, seed, axis, date, roles, domains
        case specDigest = "spec_digest", toolVersion = "tool_version", evaluationRoles = "evaluation_roles"
    }
}

/// One line of `dropped.jsonl`, as the report lists it.
public struct DroppedExample: Sendable, Equatable {
    /// Its line in `dropped.jsonl`.
    public var line: Int
    /// The item's id.
    public var id: String
    /// Its column.
    public var column: String
    /// Why it was dropped (`isolation`, `no_gold`, `no_rubric`, `size_match`, `not_in_sweep`).
    public var reason: String
    /// For `isolation`: the link that tied it to the other side.
    public var link: String?
    /// For `isolation`: a kept item on the other side sharing a key of that link.
    public var partner: String?
}

/// One input file and what was read from it.
public struct AuditInput: Codable, Sendable, Hashable {
    /// The file, as named in the directory or given with `--against`.
    public var file: String
    /// `training`, `evaluation` or `against`.
    public var side: String
    /// `jsonl`, `text` or `tmx`.
    public var format: String
    /// Records (or lines, or units) read.
    public var records: Int
}

/// Everything one audit found: written as `audit.json` (canonical JSON, sorted keys and
/// sorted lists, so two runs over the same inputs are byte-identical) and rendered as the
/// summary and `audit.html`.
public struct AuditReport: Codable, Sendable {
    /// The report's schema, so readers can refuse one they do not know.
    public var format = "heldout-audit/1"
    /// Every file read.
    public var inputs: [AuditInput]
    /// Whether the store was read (translation closures, documents and segment ids need it).
    public var storeUsed: Bool
    /// The rules enforced.
    public var policy: AuditPolicy
    /// The detectors' settings, as run.
    public var options: AuditOptions
    /// Leaks per rule and column pair, exact.
    public var counts: [LeakCount]
    /// Leaks listed, at most ``AuditOptions/maxListedLeaksPerRule`` per rule, in report order.
    public var leaks: [Leak]
    /// Leaks counted but not listed, per rule (see ``AuditOptions/maxListedLeaksPerRule``).
    public var unlisted: [String: Int]
    /// Leaks of enforced rules: the audit is clean when this is 0.
    public var enforcedLeaks: Int
    /// Records per band and domain, per column and partition.
    public var histograms: [Histogram]
    /// `isolation_cost` of `manifest.json`, as the splitter wrote it.
    public var isolationCost: SplitManifest.IsolationCost?
    /// `quotas` of `manifest.json`: each column × partition against its target.
    public var quotas: SplitManifest.Quotas?
    /// Items left out per column and reason (`manifest.json` `dropped`; one by one in `dropped.jsonl`).
    public var dropped: [String: [String: Int]]?
    /// What was not checked and why (no store, no training file…).
    public var notes: [String]
    /// The split's name, seed, spec digest, tool version, axis and roles.
    public var split: SplitFacts?
    /// How close each evaluation record comes to training, per column.
    public var nearest: NearestSimilarity?
    /// The first items of `dropped.jsonl` per column (page only, not in `audit.json`: the file
    /// itself is beside it), and how many per column the page lists at most.
    public var droppedExamples: [DroppedExample] = []
    /// At most this many dropped items per column on the page.
    public static let droppedExamplesPerColumn = 25

    /// True when no leak of an enforced rule was found: exit status 0.
    public var clean: Bool { enforcedLeaks == 0 }

    /// Total leaks per rule (enforced or not), over all column pairs.
    public var totals: [LeakRule: Int] {
        var out: [LeakRule: Int] = [:]
        for c in counts { out[c.rule, default: 0] += c.count }
        return out
    }

    enum CodingKeys: String, CodingKey {
        case format, inputs, storeUsed = "store_used", policy, options, counts, leaks, unlisted
        case enforcedLeaks = "enforced_leaks", histograms, isolationCost = "isolation_cost", notes, clean
        case quotas, dropped, split, nearest
    }

    /// A report; the optional parts (quotas, split facts, nearest similarity) are filled in after.
    public init(inputs: [AuditInput], storeUsed: Bool, policy: AuditPolicy, options: AuditOptions,
                counts: [LeakCount], leaks: [Leak], unlisted: [String: Int], enforcedLeaks: Int,
                histograms: [Histogram], isolationCost: SplitManifest.IsolationCost?, notes: [String]) {
        self.inputs = inputs
        self.storeUsed = storeUsed
        self.policy = policy
        self.options = options
        self.counts = counts
        self.leaks = leaks
        self.unlisted = unlisted
        self.enforcedLeaks = enforcedLeaks
        self.histograms = histograms
        self.isolationCost = isolationCost
        self.notes = notes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        inputs = try c.decode([AuditInput].self, forKey: .inputs)
        storeUsed = try c.decode(Bool.self, forKey: .storeUsed)
        policy = try c.decode(AuditPolicy.self, forKey: .policy)
        options = try c.decode(AuditOptions.self, forKey: .options)
        counts = try c.decode([LeakCount].self, forKey: .counts)
        leaks = try c.decode([Leak].self, forKey: .leaks)
        unlisted = try c.decode([String: Int].self, forKey: .unlisted)
        enforcedLeaks = try c.decode(Int.self, forKey: .enforcedLeaks)
        histograms = try c.decode([Histogram].self, forKey: .histograms)
        isolationCost = try c.decodeIfPresent(SplitManifest.IsolationCost.self, forKey: .isolationCost)
        quotas = try c.decodeIfPresent(SplitManifest.Quotas.self, forKey: .quotas)
        dropped = try c.decodeIfPresent([String: [String: Int]].self, forKey: .dropped)
        split = try c.decodeIfPresent(SplitFacts.self, forKey: .split)
        nearest = try c.decodeIfPresent(NearestSimilarity.self, forKey: .nearest)
        notes = try c.decode([String].self, forKey: .notes)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(storeUsed, forKey: .storeUsed)
        try c.encode(policy, forKey: .policy)
        try c.encode(options, forKey: .options)
        try c.encode(counts, forKey: .counts)
        try c.encode(leaks, forKey: .leaks)
        try c.encode(unlisted, forKey: .unlisted)
        try c.encode(enforcedLeaks, forKey: .enforcedLeaks)
        try c.encode(histograms, forKey: .histograms)
        try c.encode(isolationCost, forKey: .isolationCost)
        try c.encodeIfPresent(quotas, forKey: .quotas)
        try c.encodeIfPresent(dropped, forKey: .dropped)
        try c.encodeIfPresent(split, forKey: .split)
        try c.encodeIfPresent(nearest, forKey: .nearest)
        try c.encode(notes, forKey: .notes)
        try c.encode(clean, forKey: .clean)
    }
}
