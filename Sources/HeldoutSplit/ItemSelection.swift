import HeldoutCore

/// The first pass of `SplitInputLoader` for one item: its column under the spec's axis, or the
/// step that left it out. One function of the item's own fields, so a cluster's executors decide
/// each item as the local split does (`heldout map select`, issue 15); the loader keeps its
/// counts (columns seen, `where`, language mismatches) from the outcome.
public struct ItemSelection {
    /// What the pass reads of an item.
    public struct Fields: Sendable {
        public var category: String
        public var lang: String
        /// As stored (canonicalised here to primary subtags).
        public var pair: String?
        public var grade: Double?
        public var domain: String?
        public var domainSource: String?
        /// One of its segments was flagged by the grader as not in its tag's language.
        public var languageFlagged: Bool

        public init(category: String, lang: String, pair: String?, grade: Double?, domain: String?, domainSource: String?,
                    languageFlagged: Bool) {
            self.category = category
            self.lang = lang
            self.pair = pair
            self.grade = grade
            self.domain = domain
            self.domainSource = domainSource
            self.languageFlagged = languageFlagged
        }
    }

    /// Where the item goes, in the order the pass tests it.
    public enum Outcome: Equatable, Sendable {
        /// A domain axis and a predicted domain, without `predicted_domains: true`.
        case predictedDomain(String?)
        /// No value on the spec's axis (no pair, no grade, no domain).
        case noAxisValue
        /// A value the spec has no column for.
        case notAColumn(key: String)
        /// Left out by `where` (pairs, languages, categories, bands, domains).
        case filtered(key: String, column: Int32)
        /// Flagged as not in its tag's language (unless the spec keeps those).
        case languageMismatch(key: String, column: Int32)
        /// A candidate of `column` (the segment filters and caps come later, over all items).
        case candidate(key: String, column: Int32)

        /// The column, for a candidate.
        public var column: Int32? {
            if case let .candidate(_, column) = self { column } else { nil }
        }
    }

    public let spec: SplitSpec
    /// Whether the flag leaves an item out (`language_mismatch: keep` keeps it).
    public var dropsMismatches: Bool { !spec.keepLanguageMismatch }
    private let columnIndex: [String: Int32]
    private let pairsWanted: Set<String>, languages: Set<String>, categories: Set<String>, bandsWanted: Set<String>, domains: Set<String>
    private let pairs = SplitInputLoader.PairCanonicaliser()
    private let primaries = SplitInputLoader.PrimarySubtags()

    public init(spec: SplitSpec) {
        self.spec = spec
        columnIndex = Dictionary(uniqueKeysWithValues: spec.columns.enumerated().map { ($0.element.name, Int32($0.offset)) })
        let filter = spec.filter
        pairsWanted = Set(filter.pairs)
        languages = Set(filter.languages)
        categories = Set(filter.categories)
        bandsWanted = Set(filter.bands)
        domains = Set(filter.domains)
    }

    /// The band of a grade under the spec's bands.
    public func band(_ item: Fields) -> String? { spec.bands.band(forGrade: item.grade) }

    /// The pair on primary subtags (`fr-en`), as records and columns name it.
    public func pair(_ item: Fields) -> String? { item.pair.flatMap(pairs.canonical) }

    public func select(_ item: Fields) -> Outcome {
        let mismatch = item.languageFlagged && dropsMismatches
        let pair = self.pair(item)
        let band = self.band(item)
        let domain = item.domain
        // A domain axis splits on declared domains unless the spec opts in to predicted ones.
        if spec.axis == .domain, domain != nil, item.domainSource == "classifier", !spec.predictedDomains {
            return .predictedDomain(domain)
        }
        let key: String?
        switch spec.axis {
        case .category: key = item.category
        case .languagePair: key = pair
        case .complexity: key = band
        case .domain: key = domain
        }
        guard let key else { return .noAxisValue }
        guard let column = columnIndex[key] else { return .notAColumn(key: key) }
        if !pairsWanted.isEmpty, !(pair.map(pairsWanted.contains) ?? false) { return .filtered(key: key, column: column) }
        if !languages.isEmpty, !languages.contains(primaries.primary(item.lang)) { return .filtered(key: key, column: column) }
        if !categories.isEmpty, !categories.contains(item.category) { return .filtered(key: key, column: column) }
        if !bandsWanted.isEmpty, !(band.map(bandsWanted.contains) ?? false) { return .filtered(key: key, column: column) }
        if !domains.isEmpty, !(domain.map(domains.contains) ?? false) { return .filtered(key: key, column: column) }
        if mismatch { return .languageMismatch(key: key, column: column) }
        return .candidate(key: key, column: column)
    }
}
