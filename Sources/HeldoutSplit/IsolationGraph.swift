import HeldoutCore

/// Union-find with path halving and union by size; indices are `Int32` to halve memory at
/// millions of elements.
struct UnionFind {
    private var parent: [Int32]
    private var size: [Int32]

    init(count: Int) {
        parent = (0..<Int32(count)).map { $0 }
        size = [Int32](repeating: 1, count: count)
    }

    mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            let grand = parent[Int(parent[Int(x)])]
            parent[Int(x)] = grand
            x = grand
        }
        return x
    }

    mutating func union(_ a: Int32, _ b: Int32) {
        var ra = find(a), rb = find(b)
        guard ra != rb else { return }
        if size[Int(ra)] < size[Int(rb)] { swap(&ra, &rb) }
        parent[Int(rb)] = ra
        size[Int(ra)] += size[Int(rb)]
    }
}

/// The items and the links between them (DESIGN "Isolation"). Each enabled link kind gives every
/// item a set of keys — its segments, their translation closure, near-duplicate clusters,
/// passages, documents, its target lexeme, its consistency group — and no key may have kept items
/// on both sides of the split.
///
/// A key is kept whole in one of two ways:
/// - **union**: items sharing it are one component, and a component is placed whole;
/// - **cut**: its items may fall in different components; afterwards the items on the side that
///   holds fewer of them are dropped (``SideAssignment``).
/// Lexemes and consistency groups are always cut (a common lemma would otherwise chain a whole
/// corpus together through translations), and so is any other key that holds a component too
/// large to place: a hub (a document holding half a corpus, a segment in hundreds of items).
struct IsolationGraph {
    let input: SplitInput
    let links: [IsolationLink]
    /// Near-duplicate cluster of each segment (-1: none), from confirmed pairs.
    let nearDuplicateCluster: [Int32]
    let nearDuplicateClusters: Int
    /// The shared-segment key of each segment: the smallest segment with the same folded text.
    let segmentClass: [Int32]
    let passages: SharedPassages?

    /// Component number of each item, numbered by first appearance in id order.
    private(set) var component: [Int32] = []
    private(set) var componentCount = 0
    /// Per link, whether each key is resolved by a cut; nil: no key of that link is.
    private(set) var cut: [IsolationLink: [Bool]] = [:]
    /// Union keys turned into cuts because their component could not be placed, per link.
    private(set) var hubs: [IsolationLink: Int] = [:]
    /// Items dropped before sides are chosen: under document isolation, an item whose sentence
    /// sits in several documents (a string shared by many catalogues) ties them all together.
    /// Where that makes a component too large to place, the item goes, not the documents.
    private(set) var isBridge: [Bool] = []
    private(set) var bridges = 0

    /// Links whose keys are always cut, never united.
    static let cutLinks: Set<IsolationLink> = [.lexeme, .consistencyGroup]

    /// `segmentClass` keys the shared-segment link. Translation keys are the input's alignment
    /// groups, already closed under folded equality (``SplitInputLoader``).
    init(input: SplitInput, links: [IsolationLink], nearDuplicatePairs: [(Int32, Int32)], segmentClass: [Int32],
         segmentCount: Int, passages: SharedPassages?, componentLimits: [Int]? = nil) {
        self.input = input
        self.links = links
        self.segmentClass = segmentClass
        self.passages = passages
        var clusters = UnionFind(count: segmentCount)
        var touched = [Bool](repeating: false, count: segmentCount)
        for (a, b) in nearDuplicatePairs {
            clusters.union(a, b)
            touched[Int(a)] = true
            touched[Int(b)] = true
        }
        var clusterOfRoot: [Int32: Int32] = [:]
        var cluster = [Int32](repeating: -1, count: segmentCount)
        for s in 0..<segmentCount where touched[s] {
            let root = clusters.find(Int32(s))
            if let c = clusterOfRoot[root] {
                cluster[s] = c
            } else {
                let c = Int32(clusterOfRoot.count)
                clusterOfRoot[root] = c
                cluster[s] = c
            }
        }
        nearDuplicateCluster = cluster
        nearDuplicateClusters = clusterOfRoot.count

        for link in links where Self.cutLinks.contains(link) {
            cut[link] = [Bool](repeating: true, count: keySpace(link))
        }
        buildComponents(limits: componentLimits)
    }

    /// How many distinct keys link kind `link` can produce.
    func keySpace(_ link: IsolationLink) -> Int {
        switch link {
        case .sharedSegment: input.segmentIDs.count
        case .translation: input.groupCount
        case .nearDuplicate: nearDuplicateClusters
        case .document: input.documentNames.count
        case .lexeme: input.lexemeCount
        case .consistencyGroup: input.consistencyCount
        case .sharedPassage: passages?.keyCount ?? 0
        }
    }

    /// Calls `body` with each key of `item` under `link` (a key may come more than once).
    @inline(__always)
    func forEachKey(_ link: IsolationLink, of item: Int, _ body: (Int32) -> Void) {
        switch link {
        case .sharedSegment:
            for s in input.segments(ofItem: item) { body(segmentClass[Int(s)]) }
        case .translation:
            for s in input.segments(ofItem: item) where input.segmentGroup[Int(s)] >= 0 { body(input.segmentGroup[Int(s)]) }
        case .nearDuplicate:
            for s in input.segments(ofItem: item) where nearDuplicateCluster[Int(s)] >= 0 { body(nearDuplicateCluster[Int(s)]) }
        case .document:
            for s in input.segments(ofItem: item) { for d in input.documents(ofSegment: s) { body(d) } }
        case .lexeme:
            if input.lexeme[item] >= 0 { body(input.lexeme[item]) }
        case .consistencyGroup:
            if input.consistency[item] >= 0 { body(input.consistency[item]) }
        case .sharedPassage:
            guard let passages else { return }
            for s in input.segments(ofItem: item) { for k in passages.keys(ofSegment: s) { body(k) } }
        }
    }

    func isCut(_ link: IsolationLink, _ key: Int32) -> Bool {
        cut[link]?[Int(key)] ?? false
    }

    private mutating func markCut(_ link: IsolationLink, _ key: Int32) {
        if cut[link] == nil { cut[link] = [Bool](repeating: false, count: keySpace(link)) }
        cut[link]?[Int(key)] = true
        hubs[link, default: 0] += 1
    }

    /// Under document isolation, the uncut keys of the other union links whose items lie in more
    /// than one uncut document of `members`, with how many documents each spans.
    private func documentBridges(in members: [Int32]) -> [IsolationLink: [Int32: Int32]] {
        var documents: [IsolationLink: [Int32: Set<Int32>]] = [:]
        for i in members where !isBridge[Int(i)] {
            var home: Int32 = -1
            forEachKey(.document, of: Int(i)) { d in if !isCut(.document, d) { home = d } }
            guard home >= 0 else { continue }
            for link in links where link != .document && !Self.cutLinks.contains(link) {
                forEachKey(link, of: Int(i)) { key in
                    guard !isCut(link, key) else { return }
                    documents[link, default: [:]][key, default: []].insert(home)
                }
            }
        }
        return documents.mapValues { keys in keys.compactMapValues { $0.count > 1 ? Int32($0.count) : nil } }.filter { !$0.value.isEmpty }
    }

    /// Components over the union keys. While a component is too large to place (it holds more
    /// of some column than `limits` allows), its largest keys become cuts — every key of it at least half the size
    /// of its largest — and the components are built again; each round at least halves the
    /// largest key left in an oversized component, so there are few rounds.
    private mutating func buildComponents(limits: [Int]?) {
        let n = input.count
        isBridge = [Bool](repeating: false, count: n)
        for _ in 0..<64 {
            var items = UnionFind(count: n)
            for link in links where !Self.cutLinks.contains(link) {
                var first = [Int32](repeating: -1, count: keySpace(link))
                let cutKeys = cut[link]
                for i in 0..<n where !isBridge[i] {
                    forEachKey(link, of: i) { key in
                        if let cutKeys, cutKeys[Int(key)] { return }
                        if first[Int(key)] < 0 { first[Int(key)] = Int32(i) } else { items.union(Int32(i), first[Int(key)]) }
                    }
                }
            }
            var number = [Int32](repeating: -1, count: n)
            var next: Int32 = 0
            component = [Int32](repeating: 0, count: n)
            for i in 0..<n {
                let root = Int(items.find(Int32(i)))
                if number[root] < 0 {
                    number[root] = next
                    next += 1
                }
                component[i] = number[root]
            }
            componentCount = Int(next)
            guard let limits else { return }

            // Items per component and column, flat; members gathered for oversized ones only.
            let columns = limits.count
            var counts = [Int32](repeating: 0, count: componentCount * columns)
            var sizes = [Int32](repeating: 0, count: componentCount)
            for i in 0..<n {
                counts[Int(component[i]) * columns + Int(input.column[i])] += 1
                sizes[Int(component[i])] += 1
            }
            var isOversized = [Bool](repeating: false, count: componentCount)
            for c in 0..<componentCount where sizes[c] > 1 {
                isOversized[c] = (0..<columns).contains { Int(counts[c * columns + $0]) > limits[$0] }
            }
            counts = []
            var memberIndex: [Int32: Int] = [:]
            var members: [[Int32]] = []
            for i in 0..<n where isOversized[Int(component[i])] {
                let c = component[i]
                if let m = memberIndex[c] { members[m].append(Int32(i)) } else {
                    memberIndex[c] = members.count
                    members.append([Int32(i)])
                }
            }
            guard !members.isEmpty else { return }
            var cutSomething = false
            for list in members {
                // Bridges first: dropping an item that joins several documents costs that item,
                // where cutting a document costs the part of it that ends on its smaller side.
                // Documents are cut only where no bridge is left (one document holding half a
                // corpus).
                if links.contains(.document) {
                    var span: [(item: Int32, documents: Int)] = []
                    for i in list {
                        var documents: Set<Int32> = []
                        forEachKey(.document, of: Int(i)) { d in if !isCut(.document, d) { documents.insert(d) } }
                        if documents.count > 1 { span.append((i, documents.count)) }
                    }
                    if let widest = span.map(\.documents).max() {
                        for (i, count) in span where 2 * count >= widest {
                            isBridge[Int(i)] = true
                            bridges += 1
                        }
                        cutSomething = true
                        continue
                    }
                    // Then keys of other links whose items lie in several documents (a
                    // translation closure through case variants, a near-duplicate cluster).
                    let keyBridges = documentBridges(in: list)
                    if let widest = keyBridges.values.lazy.flatMap({ $0.values }).max() {
                        for (link, keys) in keyBridges {
                            for (key, span) in keys where 2 * span >= widest { markCut(link, key) }
                        }
                        cutSomething = true
                        continue
                    }
                }
                // Key sizes inside this component, per union link.
                var sizes: [IsolationLink: [Int32: Int32]] = [:]
                var largest: Int32 = 0
                for i in list {
                    for link in links where !Self.cutLinks.contains(link) {
                        var seen: Set<Int32> = []
                        forEachKey(link, of: Int(i)) { key in
                            guard !isCut(link, key), seen.insert(key).inserted else { return }
                            let size = (sizes[link]?[key] ?? 0) + 1
                            sizes[link, default: [:]][key] = size
                            largest = max(largest, size)
                        }
                    }
                }
                guard largest > 1 else { continue }
                for (link, keys) in sizes {
                    for (key, size) in keys where size > 1 && 2 * size >= largest {
                        if cut[link] == nil { cut[link] = [Bool](repeating: false, count: keySpace(link)) }
                        cut[link]?[Int(key)] = true
                        hubs[link, default: 0] += 1
                        cutSomething = true
                    }
                }
            }
            if !cutSomething { return }
        }
    }
}
