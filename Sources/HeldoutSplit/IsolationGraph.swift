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

/// The items and the links between them (DESIGN "Isolation"): each enabled link kind gives every
/// item a set of keys — its segments, their alignment groups, near-duplicate clusters,
/// documents, its target lexeme, its consistency group — and items sharing a key of one kind are
/// linked. Connected components are what the assignment moves whole.
struct IsolationGraph {
    let input: SplitInput
    let links: [IsolationLink]
    /// Near-duplicate cluster of each segment (-1: none), from confirmed pairs.
    let nearDuplicateCluster: [Int32]
    let nearDuplicateClusters: Int
    /// The shared-segment key of each segment: the smallest segment with the same folded text.
    let segmentClass: [Int32]

    /// Component number of each item, numbered by first appearance in id order.
    private(set) var component: [Int32] = []
    private(set) var componentCount = 0

    init(input: SplitInput, links: [IsolationLink], nearDuplicatePairs: [(Int32, Int32)], segmentClass: [Int32], segmentCount: Int) {
        self.input = input
        self.links = links
        self.segmentClass = segmentClass
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
        buildComponents()
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
        case .sharedPassage: 0  // not yet built (issue 13 item 9)
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
            break
        }
    }

    private mutating func buildComponents() {
        let n = input.count
        var items = UnionFind(count: n)
        for link in links {
            var first = [Int32](repeating: -1, count: keySpace(link))
            for i in 0..<n {
                forEachKey(link, of: i) { key in
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
    }
}
