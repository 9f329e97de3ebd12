import Foundation
import HeldoutCore
import HeldoutStore

/// What the split knows about the items it considers, in compact parallel arrays indexed by
/// item number (items in id order), so a million items fit in a few hundred megabytes; the
/// question, answer and rubric stay in the store until the records are written.
public struct SplitInput: Sendable {
    /// Item ids, ascending.
    public internal(set) var ids: [ContentID] = []
    /// Index into `spec.columns` of each item's column.
    var column: [Int32] = []
    var hasGold: [Bool] = []
    var hasRubric: [Bool] = []
    var band: [String?] = []
    var domain: [String?] = []
    /// Segment indices of each item (CSR: `segmentStart[i]..<segmentStart[i+1]` in `segmentList`):
    /// the item's own segments, then the translation its record shows when that is another one.
    var segmentStart: [Int32] = [0]
    var segmentList: [Int32] = []
    var translation: [Int32] = []
    var lexeme: [Int32] = []
    var consistency: [Int32] = []
    var lexemeCount = 0
    var consistencyCount = 0

    /// Segments the items use.
    var segmentIDs: [ContentID] = []
    var segmentLang: [String] = []
    var segmentText: [String] = []
    var segmentGroup: [Int32] = []
    var groupCount = 0
    /// Documents of each segment (CSR), as indices into `documentNames`.
    var documentStart: [Int32] = []
    var documentList: [Int32] = []
    /// `corpus/document`: stable whatever order corpora were ingested in (document rowids are not).
    var documentNames: [String] = []

    /// Items of each column before `where` (column name → count), for error messages.
    var seenColumns: [String: Int] = [:]
    var excluded: [String: Int] = [:]
    /// Items left out because the grader flagged their segment's language, per column: those
    /// that would otherwise have been candidates (in a column of the spec, past `where`).
    var languageMismatch: [String: Int] = [:]
    /// Items kept whose domain was declared (metadata) or predicted (classifier): what the
    /// manifest and card of an `axis: domain` split report.
    var declaredDomainItems = 0
    var predictedDomainItems = 0

    public var count: Int { ids.count }

    func segments(ofItem item: Int) -> ArraySlice<Int32> {
        segmentList[Int(segmentStart[item])..<Int(segmentStart[item + 1])]
    }

    func documents(ofSegment segment: Int32) -> ArraySlice<Int32> {
        documentList[Int(documentStart[Int(segment)])..<Int(documentStart[Int(segment) + 1])]
    }
}

/// Loads ``SplitInput`` from a store for a spec: axis, `where`, balance caps. Every data-dependent
/// spec error (a column the data does not have, a column left empty) is raised here, before any
/// isolation work.
struct SplitInputLoader {
    let spec: SplitSpec
    let store: Store

    private struct Candidate {
        var id: ContentID
        var column: Int32
        var lang: String
        var pair: String?
        var hasGold: Bool
        var hasRubric: Bool
        var band: String?
        var domain: String?
        var domainPredicted = false
        var lexeme: Lexeme?
        var consistency: String?
    }

    func load() throws -> SplitInput {
        try store.scan { reader in try load(reader) }
    }

    private func columnKey(category: String, pair: String?, band: String?, domain: String?) -> String? {
        switch spec.axis {
        case .category: category
        case .languagePair: pair
        case .complexity: band
        case .domain: domain
        }
    }

    private func load(_ reader: StoreScan) throws -> SplitInput {
        var input = SplitInput()
        let filter = spec.filter
        var inColumnBeforeWhere = [Int](repeating: 0, count: spec.columns.count)
        var predictedOnly: [String: Int] = [:]
        let selection = ItemSelection(spec: spec)

        // 1. Items: axis, column, filters that need no segment text (``ItemSelection``).
        var candidates: [Candidate] = []
        try reader.items { item in
            let fields = ItemSelection.Fields(category: item.category, lang: item.lang, pair: item.pair, grade: item.grade,
                                              domain: item.domain, domainSource: item.domainSource,
                                              languageFlagged: item.languageFlagged)
            // Items on a segment the grader flagged as not in its tag's language are left out
            // unless the spec keeps them (`language_mismatch: keep`); counted after the checks
            // below, without counting as seen (a column of flagged items only has no items).
            let mismatch = item.languageFlagged && selection.dropsMismatches
            if mismatch { input.excluded["language_mismatch", default: 0] += 1 }
            let outcome = selection.select(fields)
            switch outcome {
            case let .predictedDomain(domain):
                if mismatch { return }
                if let domain { predictedOnly[domain, default: 0] += 1 }
                input.excluded["predicted_domain", default: 0] += 1
                return
            case .noAxisValue:
                if !mismatch { input.excluded["no_\(spec.axis.rawValue)", default: 0] += 1 }
                return
            case let .notAColumn(key):
                if !mismatch { input.seenColumns[key, default: 0] += 1 }
                return
            case let .filtered(key, column), let .languageMismatch(key, column), let .candidate(key, column):
                if !mismatch {
                    input.seenColumns[key, default: 0] += 1
                    inColumnBeforeWhere[Int(column)] += 1
                }
                if case .filtered = outcome { return }
                if case .languageMismatch = outcome {
                    input.languageMismatch[key, default: 0] += 1
                    return
                }
            }
            guard let column = outcome.column else { return }
            var lexeme: Lexeme?
            if let lemma = item.targetLemma, let targetLang = item.targetLang { lexeme = Lexeme(lemma: lemma, lang: targetLang) }
            let domain = item.domain
            candidates.append(Candidate(id: item.id, column: column, lang: item.lang, pair: selection.pair(fields),
                                        hasGold: item.hasAnswer, hasRubric: item.hasRubric, band: selection.band(fields),
                                        domain: domain, domainPredicted: domain != nil && item.domainSource == "classifier",
                                        lexeme: lexeme, consistency: item.consistencyGroup))
        }
        for (index, column) in spec.columns.enumerated() where inColumnBeforeWhere[index] == 0 {
            if let n = predictedOnly[column.name] {
                throw spec.error("columns.\(column.name)", "no item has the declared domain \(column.name); \(n) have it as a domain the classifier predicted. Add `predicted_domains: true` to the spec to split on predicted domains (check `heldout grade --report` for the classifier's accuracy first)")
            }
            let seen = input.seenColumns.keys.sorted().prefix(20).joined(separator: ", ")
            throw spec.error("columns.\(column.name)", "no item of the store has \(spec.axis.rawValue) \(column.name)"
                             + (seen.isEmpty ? " (the store has no items; run `heldout questions`)" : " (the store has: \(seen))"))
        }

        // 2. Their segments, in id order like the items (merge join on the primary keys).
        var segmentIndex: [ContentID: Int32] = [:]
        var segmentsOf: [[Int32]] = Array(repeating: [], count: candidates.count)
        func intern(_ id: ContentID) -> Int32 {
            if let found = segmentIndex[id] { return found }
            let index = Int32(input.segmentIDs.count)
            segmentIndex[id] = index
            input.segmentIDs.append(id)
            return index
        }
        var cursor = 0
        try reader.itemSegments { itemID, segmentID in
            while cursor < candidates.count, candidates[cursor].id < itemID { cursor += 1 }
            guard cursor < candidates.count, candidates[cursor].id == itemID else { return }
            segmentsOf[cursor].append(intern(segmentID))
        }

        // 3. Segment rows: language, text, alignment group.
        let known = input.segmentIDs.count
        input.segmentLang = Array(repeating: "", count: known)
        input.segmentText = Array(repeating: "", count: known)
        input.segmentGroup = Array(repeating: -1, count: known)
        var present = [Bool](repeating: false, count: known)
        var rowidToSegment: [Int64: Int32] = [:]
        var groupIndex: [ContentID: Int32] = [:]
        var groupIDs: [ContentID] = []
        func internGroup(_ id: ContentID) -> Int32 {
            if let found = groupIndex[id] { return found }
            let index = Int32(groupIDs.count)
            groupIndex[id] = index
            groupIDs.append(id)
            return index
        }
        try reader.segments(where: { segmentIndex[$0].map { Int($0) < known } ?? false }) { segment in
            guard let index = segmentIndex[segment.id] else { return }
            present[Int(index)] = true
            rowidToSegment[segment.rowid] = index
            input.segmentLang[Int(index)] = segment.langPrimary
            input.segmentText[Int(index)] = segment.text
            if let group = segment.group { input.segmentGroup[Int(index)] = internGroup(group) }
        }

        // 4. Translations: the segment of the pair's other language among the item's own, or else
        // the smallest such segment of the source's alignment group.
        var translations = [Int32](repeating: -1, count: candidates.count)
        let lookup = try reader.groupMemberLookup()
        for (i, candidate) in candidates.enumerated() {
            guard let pair = candidate.pair, let first = segmentsOf[i].first, present[Int(first)] else { continue }
            let target = String(pair.split(separator: "-").last ?? "")
            if let own = segmentsOf[i].dropFirst().first(where: { input.segmentLang[Int($0)] == target }) {
                translations[i] = own
                continue
            }
            let group = input.segmentGroup[Int(first)]
            guard group >= 0 else { continue }
            if let found = try lookup.first(group: groupIDs[Int(group)], lang: target) {
                let index = intern(found.id)
                if Int(index) >= input.segmentLang.count {
                    input.segmentLang.append(target)
                    input.segmentText.append(found.text)
                    input.segmentGroup.append(group)
                    present.append(true)
                    rowidToSegment[found.rowid] = index
                }
                translations[i] = index
                segmentsOf[i].append(index)
            }
        }

        // 4b. Translation closure: groups holding the same sentence once
        // folded are one, even through groups no item uses (`Déconnexion` ≈ `déconnexion`).
        // This is the only place the split closes translations: `segmentGroup` is the closure.
        if spec.isolation.isEnabled(.translation) {
            var closure: [Int32] = []
            func root(_ g: Int32) -> Int32 {
                var g = g
                while closure[Int(g)] != g {
                    closure[Int(g)] = closure[Int(closure[Int(g)])]
                    g = closure[Int(g)]
                }
                return g
            }
            var groupOfText: [UInt64: Int32] = [:]
            // Rows are read in batches and folded on every core; the unions are applied in row order.
            var batchGroups: [Int32] = [], batchTexts: [String] = []
            func flush() {
                let hashes = FoldedSegmentClasses.foldedHashes(batchTexts)
                for (g, h) in zip(batchGroups, hashes) where h != 0 {
                    if let other = groupOfText[h] {
                        let a = root(g), b = root(other)
                        if a != b { closure[Int(max(a, b))] = min(a, b) }
                    } else {
                        groupOfText[h] = g
                    }
                }
                batchGroups.removeAll(keepingCapacity: true)
                batchTexts.removeAll(keepingCapacity: true)
            }
            try reader.groupedSegments { _, group, text in
                batchGroups.append(internGroup(group))
                batchTexts.append(text)
                while closure.count < groupIDs.count { closure.append(Int32(closure.count)) }
                if batchTexts.count == 65_536 { flush() }
            }
            flush()
            while closure.count < groupIDs.count { closure.append(Int32(closure.count)) }
            // A segment of no group whose folded text is a grouped one's joins that closure too
            // (what the audit's closure, keyed by folded text, also sees).
            let ungrouped = input.segmentGroup.indices.filter { input.segmentGroup[$0] < 0 && present[$0] }
            for (s, h) in zip(ungrouped, FoldedSegmentClasses.foldedHashes(ungrouped.map { input.segmentText[$0] })) {
                if h != 0, let g = groupOfText[h] { input.segmentGroup[s] = g }
            }
            for s in input.segmentGroup.indices where input.segmentGroup[s] >= 0 {
                input.segmentGroup[s] = root(input.segmentGroup[s])
            }
        }

        // 5. Filters on the source text, then balance caps; what is left is the split's input.
        var keep = [Bool](repeating: true, count: candidates.count)
        for i in candidates.indices {
            guard let first = segmentsOf[i].first, present[Int(first)] else {
                keep[i] = false
                input.excluded["no_segment", default: 0] += 1
                continue
            }
            if filter.minTokens != nil || filter.maxTokens != nil {
                let tokens = input.segmentText[Int(first)].split(separator: " ").count
                if let min = filter.minTokens, tokens < min { keep[i] = false }
                if let max = filter.maxTokens, tokens > max { keep[i] = false }
            }
        }
        applyCaps(candidates.map { ($0.id, $0.column, spec.balance.stratify == .domain ? $0.domain : $0.band) }, keep: &keep)

        var lexemes: [Lexeme: Int32] = [:]
        var groups: [String: Int32] = [:]
        var perColumn = [Int](repeating: 0, count: spec.columns.count)
        for (i, candidate) in candidates.enumerated() where keep[i] {
            perColumn[Int(candidate.column)] += 1
            input.ids.append(candidate.id)
            input.column.append(candidate.column)
            input.hasGold.append(candidate.hasGold)
            input.hasRubric.append(candidate.hasRubric)
            input.band.append(candidate.band)
            input.domain.append(candidate.domain)
            if candidate.domain != nil {
                if candidate.domainPredicted { input.predictedDomainItems += 1 } else { input.declaredDomainItems += 1 }
            }
            input.segmentList.append(contentsOf: segmentsOf[i].filter { present[Int($0)] })
            input.segmentStart.append(Int32(input.segmentList.count))
            input.translation.append(translations[i])
            if let lexeme = candidate.lexeme {
                let next = Int32(lexemes.count)
                input.lexeme.append(lexemes[lexeme] ?? { lexemes[lexeme] = next; return next }())
            } else {
                input.lexeme.append(-1)
            }
            if let group = candidate.consistency, !group.isEmpty {
                let next = Int32(groups.count)
                input.consistency.append(groups[group] ?? { groups[group] = next; return next }())
            } else {
                input.consistency.append(-1)
            }
        }
        input.lexemeCount = lexemes.count
        input.consistencyCount = groups.count
        input.groupCount = groupIDs.count
        for (index, column) in spec.columns.enumerated() where perColumn[index] == 0 {
            throw spec.error("columns.\(column.name)", "no item left after `where` (\(inColumnBeforeWhere[index]) before filtering)")
        }

        // 6. Documents of every segment used: `corpus/document`, independent of rowids.
        let documentNames = try reader.documentNames()
        var pairsFound: [(segment: Int32, document: String)] = []
        try reader.occurrences { segmentRow, documentRow in
            guard let segment = rowidToSegment[segmentRow], let name = documentNames[documentRow] else { return }
            pairsFound.append((segment, name))
        }
        let names = Array(Set(pairsFound.map(\.document))).sorted()
        let nameIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, Int32($0.offset)) })
        var bySegment = [[Int32]](repeating: [], count: input.segmentIDs.count)
        for (segment, name) in pairsFound { bySegment[Int(segment)].append(nameIndex[name] ?? 0) }
        input.documentNames = names
        input.documentStart = [0]
        for var list in bySegment {
            list.sort()
            input.documentList.append(contentsOf: list)
            input.documentStart.append(Int32(input.documentList.count))
        }
        return input
    }

    /// Keeps at most the cap of each capped column: the items with the smallest
    /// SHA-256(seed, "cap", id), taken evenly across strata when `stratify` is set (a stratum
    /// with fewer items than its share gives the rest to the others).
    private func applyCaps(_ items: [(id: ContentID, column: Int32, stratum: String?)], keep: inout [Bool]) {
        for (columnIndex, column) in spec.columns.enumerated() {
            guard let cap = spec.balance.cap(forColumn: column.name) else { continue }
            let members = items.indices.filter { keep[$0] && items[$0].column == Int32(columnIndex) }
            guard members.count > cap else { continue }
            let ranked = members.map { (rank: ContentID(hashing: [String(spec.seed), "cap", items[$0].id.hex]), index: $0) }
                .sorted { $0.rank < $1.rank }
            var chosen = Set<Int>()
            if spec.balance.stratify != nil {
                var strata: [String: [Int]] = [:]
                for entry in ranked { strata[items[entry.index].stratum ?? "", default: []].append(entry.index) }
                // Round-robin over strata in name order, each in hash order: equal shares, surplus to the larger.
                let names = strata.keys.sorted()
                var position = 0
                while chosen.count < cap {
                    var took = false
                    for name in names where chosen.count < cap {
                        if let list = strata[name], position < list.count {
                            chosen.insert(list[position])
                            took = true
                        }
                    }
                    if !took { break }
                    position += 1
                }
            } else {
                chosen = Set(ranked.prefix(cap).map(\.index))
            }
            for index in members where !chosen.contains(index) { keep[index] = false }
        }
    }

    /// ``canonicalPair(_:)`` remembered per distinct raw value: a store has a handful of pairs
    /// and a million items, and parsing a pair (Foundation string work) is costly.
    final class PairCanonicaliser {
        private var known: [String: String?] = [:]

        func canonical(_ raw: String) -> String? {
            if let found = known[raw] { return found }
            let value = SplitInputLoader.canonicalPair(raw)
            known[raw] = .some(value)
            return value
        }
    }

    /// A language tag's primary subtag, remembered per distinct tag.
    final class PrimarySubtags {
        private var known: [String: String] = [:]

        func primary(_ tag: String) -> String {
            if let found = known[tag] { return found }
            let value = LanguageTag(tag)?.primary ?? tag
            known[tag] = value
            return value
        }
    }

    /// `fr-en` on primary subtags; nil when not a pair.
    static func canonicalPair(_ raw: String) -> String? {
        guard let pair = DirectedPair(raw) else { return nil }
        return "\(pair.source.primary)-\(pair.target.primary)"
    }
}
