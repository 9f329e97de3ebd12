import Foundation
import HeldoutCore
import HeldoutSplit

/// `heldout map select`: an item record in (as `map items` writes it, plus `"flagged": true`
/// when the grader flagged one of its segments as not in its tag's language), the split's first
/// decision about it out: its column under the spec's axis, or the step that left it out, and
/// what the side choice counts of it (gold, rubric, a cut key). The local split's own code
/// (``ItemSelection``), so a cluster's executors select items as the loader does; the segment
/// filters (`min_tokens`, `max_tokens`) and `balance` caps are global and come after.
public struct ShardSelection {
    /// What `select` reads of an item record (other fields are ignored).
    public struct Input: Codable, Sendable {
        public var id: String
        public var category: String
        public var lang: String
        public var pair: String?
        public var answer: String?
        public var rubric: [String]
        public var targetLemma: String?
        public var targetLang: String?
        public var consistencyGroup: String?
        public var grade: Double?
        public var domain: String?
        public var domainSource: String?
        public var segments: [String]
        public var flagged: Bool?

        enum CodingKeys: String, CodingKey {
            case id, category, lang, pair, answer, rubric, grade, domain, segments, flagged
            case targetLemma = "target_lemma", targetLang = "target_lang", consistencyGroup = "consistency_group"
            case domainSource = "domain_source"
        }
    }

    /// One item's selection.
    public struct Output: Codable, Sendable, Equatable {
        public var id: String
        /// `candidate`, `predicted_domain`, `no_axis_value`, `not_a_column`, `filtered` or
        /// `language_mismatch`.
        public var outcome: String
        /// The column's name (null when the item's axis value has none).
        public var column: String?
        /// A gold answer (not empty), a rubric (not empty), what its role needs to train or a
        /// gold answer (what the side choice can keep), and whether its column is held out.
        /// Step 1 of the side choice weighs, per key, the `trainable` items against the
        /// held-out ones with gold.
        public var gold: Bool
        public var rubric: Bool
        public var keepable: Bool
        /// It can train under its column's role (supervised with gold, plausibility with a rubric).
        public var trainable: Bool
        public var heldout: Bool
        /// The keys the split cuts item by item that it holds: `lexeme:LANG:LEMMA` and
        /// `consistency:GROUP`, for the links the spec isolates. Counts cannot decide a side
        /// where one is held by a held-out item and another column's, or spans components
        /// (``ComponentSummary/keyed``).
        public var keys: [String]
        public var segments: [String]
        /// For an item with a pair: the pair's target language (primary subtag). The split
        /// shows the translation among the item's later segments in that language, or else
        /// looks one up in its alignment group.
        public var target: String?
    }

    public let spec: SplitSpec
    private let selection: ItemSelection

    public init(spec: SplitSpec) {
        self.spec = spec
        selection = ItemSelection(spec: spec)
    }

    public func select(_ item: Input) -> Output {
        let fields = ItemSelection.Fields(
            category: item.category, lang: item.lang, pair: item.pair, grade: item.grade, domain: item.domain,
            domainSource: item.domainSource, languageFlagged: item.flagged ?? false)
        let outcome = selection.select(fields)
        let name: String, column: Int32?
        switch outcome {
        case .predictedDomain: (name, column) = ("predicted_domain", nil)
        case .noAxisValue: (name, column) = ("no_axis_value", nil)
        case .notAColumn: (name, column) = ("not_a_column", nil)
        case let .filtered(_, c): (name, column) = ("filtered", c)
        case let .languageMismatch(_, c): (name, column) = ("language_mismatch", c)
        case let .candidate(_, c): (name, column) = ("candidate", c)
        }
        let isolation = spec.isolation
        var keys: [String] = []
        if let lemma = item.targetLemma, let lang = item.targetLang, isolation.isEnabled(.lexeme) { keys.append("lexeme:\(lang):\(lemma)") }
        if let group = item.consistencyGroup, !group.isEmpty, isolation.isEnabled(.consistencyGroup) { keys.append("consistency:\(group)") }
        let gold = !(item.answer ?? "").isEmpty, rubric = !item.rubric.isEmpty
        let keepable = column.map { gold || ComponentSummary.keepable(role: spec.columns[Int($0)].role, hasGold: gold, hasRubric: rubric) } ?? false
        let target = selection.pair(fields).map { String($0.split(separator: "-").last ?? "") }
        return Output(id: item.id, outcome: name, column: column.map { spec.columns[Int($0)].name },
                      gold: gold, rubric: rubric, keepable: keepable,
                      trainable: column.map { ComponentSummary.trainable(role: spec.columns[Int($0)].role, hasGold: gold, hasRubric: rubric) } ?? false,
                      heldout: column.map { spec.columns[Int($0)].role == .heldout } ?? false, keys: keys,
                      segments: item.segments, target: target)
    }
}
