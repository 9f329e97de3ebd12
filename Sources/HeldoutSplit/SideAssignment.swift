import HeldoutCore

/// Which side of the split every component goes to, and which items are dropped so that no key
/// has kept items on both sides (DESIGN "Isolation"). Choosing sides is an optimisation: keep
/// as many items as possible while every column gets the shares the spec asks for.
///
/// Only training (`train.jsonl`) against evaluation (`dev.jsonl` + `test.jsonl`) must be
/// isolated; dev and test are then chosen among the evaluation components to meet each column's
/// ratio. Every choice is a function of the store and the spec alone: components are ordered by
/// `SHA-256(seed, smallest item id of the component)`, never by input order, threads or time.
///
/// The steps:
/// Lexemes and consistency groups are the held-out column's links: a held-out word must not be
/// asked about in training, but a supervised column's dev and test may ask about «le» as its
/// training does — that is the skill they measure. So they tie training only to held-out items
/// (the audit's `same_lexeme` and `consistency_group` rules check the same).
///
/// 1. **Cut keys with held-out items** (lexemes, consistency groups, hubs): the side with more
///    of their items owns them — training when it has at least as many trainable items as the
///    key has held-out ones. A held-out item under a training-owned key is dropped.
/// 2. **Held-out components to evaluation**, best ratio of held-out to training items first,
///    while each training column stays within its evaluation share. Otherwise its held-out
///    items are dropped (the isolation cost): training items are never given up for held-out
///    ones here, since a supervised column's kept items are the base of its own shares (on
///    Debian's pivots, where French definitions outnumber German translations, doing so left
///    German 66% of its items and most of them in evaluation).
/// 3. **Evaluation shares of training columns** filled from components that hold no held-out
///    item and share no cut key with training, in hash order.
/// 4. **Cut keys settled**: where a key still has items on both sides, the owner's side (or the
///    side with more of them) keeps them and the others are dropped.
/// 5. **Dev and test** among evaluation components, largest first, to each column's ratio.
struct SideAssignment {
    /// Training or evaluation partition of each component.
    private(set) var partition: [Partition]
    /// Items dropped for isolation whatever their component's side, with the link and the
    /// partner item that made it so (nil link: through the component; partner -1: none direct).
    private(set) var isDropped: [Bool]
    private(set) var dropLink: [IsolationLink?]
    private(set) var dropPartner: [Int32]
    /// Held-out items on training that share a lexeme, consistency group or hub with kept
    /// evaluation items: a sibling that supervises their column must leave them out too.
    private(set) var blockedInTraining: [Bool]
    /// Components sent to evaluation for their held-out items (step 2): their training items
    /// are evaluation items of their own columns.
    private(set) var flipped: [Bool]
    /// An upper bound on the items any assignment of these components can keep (see ``Bound``).
    private(set) var bound: Bound
    /// The components' summaries, where counts decided the sides (nil on the item-level path).
    private(set) var summaries: [ComponentSummary]?

    struct Bound: Codable, Equatable {
        var keptUpperBound: Int
        var method: String

        enum CodingKeys: String, CodingKey {
            case keptUpperBound = "kept_upper_bound"
            case method
        }
    }

    /// Items usable for training under `role`: supervised with gold, plausibility with a rubric.
    static func usableForTraining(_ role: Role, hasGold: Bool, hasRubric: Bool) -> Bool {
        switch role {
        case .supervised: hasGold
        case .plausibility: hasRubric
        case .heldout: false
        }
    }

    /// The most items of each column a component may hold and still be placed: its smallest
    /// evaluation partition (a held-out column: of dev or test); nil when nothing is evaluated.
    static func placementLimits(input: SplitInput, spec: SplitSpec) -> [Int]? {
        var perColumn = [Int](repeating: 0, count: spec.columns.count)
        for i in 0..<input.count { perColumn[Int(input.column[i])] += 1 }
        return placementLimits(perColumn: perColumn, spec: spec)
    }

    /// The same from the items per column.
    static func placementLimits(perColumn: [Int], spec: SplitSpec) -> [Int]? {
        let p = spec.partitions
        let evaluation = [p.dev, p.test].filter { $0 > 0 }
        guard let smallest = evaluation.min() else { return nil }
        return spec.columns.enumerated().map { index, column in
            let share = column.role == .heldout ? smallest / (p.dev + p.test) : smallest
            return max(1, Int((share * Double(perColumn[index])).rounded(.down)))
        }
    }

    /// `itemLevel` (tests): choose through the item-level path even where summaries would do,
    /// to hold the two equal.
    /// `given`: sides a cluster chose from this split's summaries (``GivenSides``), taken
    /// instead of choosing; they must name exactly its components, and counts must decide
    /// (``countsDecide(graph:input:spec:)``), or the split is refused.
    init(graph: IsolationGraph, input: SplitInput, spec: SplitSpec, itemLevel: Bool = false, given: GivenSides? = nil) throws {
        let n = input.count
        let components = graph.componentCount
        let columns = spec.columns.count
        let roles = spec.columns.map(\.role)
        let p = spec.partitions

        // Items by component (CSR), in id order; the first is the smallest id.
        var compStart = [Int32](repeating: 0, count: components + 1)
        for i in 0..<n { compStart[Int(graph.component[i]) + 1] += 1 }
        for c in 0..<components { compStart[c + 1] += compStart[c] }
        var fill = compStart
        var compItems = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let c = Int(graph.component[i])
            compItems[Int(fill[c])] = Int32(i)
            fill[c] += 1
        }
        func items(of c: Int) -> ArraySlice<Int32> { compItems[Int(compStart[c])..<Int(compStart[c + 1])] }

        var u = [Double](repeating: 0, count: components)
        var v = [Double](repeating: 0, count: components)
        for c in 0..<components {
            (u[c], v[c]) = SideChoice.draws(seed: spec.seed, smallestItem: input.ids[Int(compItems[Int(compStart[c])])])
        }

        let isHeldout = (0..<n).map { roles[Int(input.column[$0])] == .heldout }
        let trainable = (0..<n).map { Self.usableForTraining(roles[Int(input.column[$0])], hasGold: input.hasGold[$0], hasRubric: input.hasRubric[$0]) }
        let evaluable = input.hasGold

        // Cut keys: one global number per (link, key) that is cut, and each item's list of them.
        var cutLinks: [(link: IsolationLink, offset: Int32)] = []
        var cutKeyCount: Int32 = 0
        for link in graph.links where graph.cut[link] != nil {
            cutLinks.append((link, cutKeyCount))
            cutKeyCount += Int32(graph.keySpace(link))
        }
        var itemKeyStart = [Int32](repeating: 0, count: n + 1)
        var itemKeys: [Int32] = []
        var keyLink = [IsolationLink?](repeating: nil, count: Int(cutKeyCount))
        // Lexemes and consistency groups guard held-out items only (see the type's comment);
        // hubs are links like any other.
        var heldoutOnly = [Bool](repeating: false, count: Int(cutKeyCount))
        for (link, offset) in cutLinks {
            for k in 0..<graph.keySpace(link) {
                keyLink[Int(offset) + k] = link
                heldoutOnly[Int(offset) + k] = IsolationGraph.cutLinks.contains(link)
            }
        }
        for i in 0..<n {
            var mine: [Int32] = []
            for (link, offset) in cutLinks {
                graph.forEachKey(link, of: i) { key in
                    if graph.isCut(link, key) { mine.append(offset + key) }
                }
            }
            if mine.count > 1 { mine = Array(Set(mine)).sorted() }
            itemKeys.append(contentsOf: mine)
            itemKeyStart[i + 1] = Int32(itemKeys.count)
        }
        func keys(of i: Int) -> ArraySlice<Int32> { itemKeys[Int(itemKeyStart[i])..<Int(itemKeyStart[i + 1])] }

        // 1. Owners of cut keys with held-out items.
        enum Side: UInt8 { case none, train, evaluation }
        var owner = [Side](repeating: .none, count: Int(cutKeyCount))
        var trainableOf = [Int32](repeating: 0, count: Int(cutKeyCount))
        var heldoutOf = [Int32](repeating: 0, count: Int(cutKeyCount))
        var trainRepresentative = [Int32](repeating: -1, count: Int(cutKeyCount))
        for i in 0..<n where !graph.isBridge[i] {
            for k in keys(of: i) {
                if isHeldout[i], evaluable[i] { heldoutOf[Int(k)] += 1 }
                if trainable[i] {
                    trainableOf[Int(k)] += 1
                    if trainRepresentative[Int(k)] < 0 { trainRepresentative[Int(k)] = Int32(i) }
                }
            }
        }
        for k in 0..<Int(cutKeyCount) where heldoutOf[k] > 0 {
            owner[k] = trainableOf[k] >= heldoutOf[k] ? .train : .evaluation
        }
        var isDropped = [Bool](repeating: false, count: n)
        var dropLink = [IsolationLink?](repeating: nil, count: n)
        var dropPartner = [Int32](repeating: -1, count: n)
        func drop(_ i: Int32, _ link: IsolationLink?, _ partner: Int32) {
            isDropped[Int(i)] = true
            dropLink[Int(i)] = link
            dropPartner[Int(i)] = partner
        }
        for i in 0..<n where graph.isBridge[i] { drop(Int32(i), .document, -1) }
        for i in 0..<n where isHeldout[i] && !isDropped[i] {
            if let k = keys(of: i).first(where: { owner[Int($0)] == .train }) {
                drop(Int32(i), keyLink[Int(k)], trainRepresentative[Int(k)])
            }
        }

        // Where counts decide (no hub, no bridge, no lexeme or consistency group of a held-out
        // item across components), nothing past step 1 is item-level: the sides are chosen from
        // per-component summaries alone, by the code a cluster's driver runs (`map choose`).
        if !itemLevel && Self.countsDecide(graph: graph, input: input, spec: spec) {
            let empty = [Int32](repeating: 0, count: columns)
            var out = [ComponentSummary](repeating: ComponentSummary(smallestItem: ContentID(high: 0, low: 0), items: empty,
                                                                     evaluable: empty, keepable: empty, gold: empty),
                                         count: components)
            for c in 0..<components { out[c].smallestItem = input.ids[Int(compItems[Int(compStart[c])])] }
            for i in 0..<n {
                let c = Int(graph.component[i]), x = Int(input.column[i])
                out[c].items[x] += 1
                if evaluable[i] {
                    out[c].gold[x] += 1
                    if !isDropped[i] { out[c].evaluable[x] += 1 }
                }
                if evaluable[i] || trainable[i] { out[c].keepable[x] += 1 }
                if isDropped[i] { out[c].dropped += 1 }
                if !isHeldout[i], keys(of: i).contains(where: { owner[Int($0)] == .evaluation }) { out[c].pinned += 1 }
            }
            if let given {
                let chosen = try given.sides(for: out, componentCount: components)
                partition = chosen.partition
                flipped = chosen.flipped
                bound = Bound(keptUpperBound: given.keptUpperBound, method: given.boundMethod)
            } else {
                let chosen = SideChoice.choose(out, spec: spec)
                partition = chosen.partition
                flipped = chosen.flipped
                bound = chosen.bound
            }
            for i in 0..<n where isHeldout[i] && partition[Int(graph.component[i])] == .train && !isDropped[i] { drop(Int32(i), nil, -1) }
            self.isDropped = isDropped
            self.dropLink = dropLink
            self.dropPartner = dropPartner
            blockedInTraining = [Bool](repeating: false, count: n)
            summaries = out
            return
        }
        if given != nil {
            throw HeldoutError.checkFailed("sides were given from component summaries, but this split cuts keys item by item (a lexeme or consistency group of a held-out item across components, a hub, a bridge): they cannot be chosen from counts; split without them")
        }

        // Per component: held-out items left, training items by column (evaluable, any).
        let zeros = [Int32](repeating: 0, count: components)
        var counts = SideChoice.Counts(columns: columns, u: u, v: v, heldout: zeros, pinned: zeros, training: zeros,
                                       evaluable: [Int32](repeating: 0, count: components * columns),
                                       total: [Int](repeating: 0, count: columns))
        for c in 0..<components {
            for i32 in items(of: c) {
                let i = Int(i32)
                let column = Int(input.column[i])
                if graph.isBridge[i] { continue }
                if isHeldout[i] {
                    if evaluable[i], !isDropped[i] { counts.heldout[c] += 1 }
                    continue
                }
                counts.training[c] += 1
                if evaluable[i] { counts.evaluable[c * columns + column] += 1 }
                if trainable[i] || evaluable[i] { counts.total[column] += 1 }
                if keys(of: i).contains(where: { owner[Int($0)] == .evaluation }) { counts.pinned[c] += 1 }
            }
        }

        // 2. Components with held-out (or evaluation-pinned) items.
        var choice = SideChoice(counts, partitions: p)
        choice.placeHeldout()

        // 3. Fill training columns' evaluation shares with free components; 3b. then with
        // components whose items share cut keys with training (dropped in step 4).
        var onTrain = [Int32](repeating: 0, count: Int(cutKeyCount))
        for i in 0..<n where !choice.evaluation[Int(graph.component[i])] && !isDropped[i] {
            for k in keys(of: i) { onTrain[Int(k)] += 1 }
        }
        func ownKeys(_ c: Int) -> [Int32: Int32] {
            var own: [Int32: Int32] = [:]
            for i in items(of: c) where !isDropped[Int(i)] { for k in keys(of: Int(i)) { own[k, default: 0] += 1 } }
            return own
        }
        let checks = SideChoice.KeyChecks(
            isEvaluableWhole: { c in items(of: c).allSatisfy { evaluable[Int($0)] || isDropped[Int($0)] } },
            claimFree: { c in
                // Free: none of its cut keys is owned by training or has items elsewhere on training.
                let own = ownKeys(c)
                guard own.allSatisfy({ k, count in heldoutOnly[Int(k)] || (owner[Int(k)] != .train && onTrain[Int(k)] == count) }) else { return false }
                for (k, count) in own { onTrain[Int(k)] -= count }
                return true
            },
            conflicts: { c in
                let own = ownKeys(c)
                var cost = 0, gain = 0
                for i in items(of: c) where !isDropped[Int(i)] {
                    let conflicts = keys(of: Int(i)).contains { k in !heldoutOnly[Int(k)] && (owner[Int(k)] == .train || onTrain[Int(k)] > (own[k] ?? 0)) }
                    if conflicts { cost += 1 } else { gain += 1 }
                }
                return (cost, gain)
            },
            didMove: { c in
                for i in items(of: c) where !isDropped[Int(i)] { for k in keys(of: Int(i)) { onTrain[Int(k)] -= 1 } }
            })
        choice.fill(keys: checks)
        let side = choice.evaluation.map { $0 ? Side.evaluation : .train }
        let flipped = choice.flipped

        // 4. Settle cut keys still on both sides, key by key; a dropped item no longer counts.
        // Kept items of each key on training (`2k`) and on evaluation (`2k + 1`).
        var keptOn = [Int32](repeating: 0, count: 2 * Int(cutKeyCount))
        func slot(_ k: Int32, _ s: Side) -> Int { 2 * Int(k) + (s == .train ? 0 : 1) }
        func isKept(_ i: Int, _ s: Side) -> Bool {
            !isDropped[i] && (s == .train ? trainable[i] : evaluable[i])
        }
        for i in 0..<n {
            let s = side[Int(graph.component[i])]
            guard isKept(i, s) else { continue }
            for k in keys(of: i) { keptOn[slot(k, s)] += 1 }
        }
        // Items of each key (CSR, the transpose of `keys(of:)`), in item order.
        var keyItemStart = [Int32](repeating: 0, count: Int(cutKeyCount) + 1)
        for k in itemKeys { keyItemStart[Int(k) + 1] += 1 }
        for k in 0..<Int(cutKeyCount) { keyItemStart[k + 1] += keyItemStart[k] }
        var keyItemList = [Int32](repeating: 0, count: itemKeys.count)
        var keyFill = keyItemStart
        for i in 0..<n {
            for k in keys(of: i) {
                keyItemList[Int(keyFill[Int(k)])] = Int32(i)
                keyFill[Int(k)] += 1
            }
        }
        keyFill = []
        func keyItems(_ k: Int) -> ArraySlice<Int32> { keyItemList[Int(keyItemStart[k])..<Int(keyItemStart[k + 1])] }
        for k in 0..<Int(cutKeyCount) where keptOn[2 * k] > 0 && keptOn[2 * k + 1] > 0 {
            // A lexeme or consistency group binds training only to its held-out items: it matters
            // when evaluation owns it, and then only training's items go.
            if heldoutOnly[k] && owner[k] != .evaluation { continue }
            let keep: Side = owner[k] != .none ? owner[k] : (keptOn[2 * k] >= keptOn[2 * k + 1] ? .train : .evaluation)
            let partner = keyItems(k).first { i in side[Int(graph.component[Int(i)])] == keep && isKept(Int(i), keep) } ?? -1
            for i in keyItems(k) {
                let s = side[Int(graph.component[Int(i)])]
                guard s != keep, isKept(Int(i), s), !(heldoutOnly[k] && isHeldout[Int(i)]) else { continue }
                drop(i, keyLink[k], partner)
                for other in keys(of: Int(i)) { keptOn[slot(other, s)] -= 1 }
            }
        }

        // A held-out item on training shares a cut key with kept evaluation items: a sibling that
        // supervises its column (the comparison) must still leave it out.
        var blocked = [Bool](repeating: false, count: n)
        // A bridge too: it was dropped for the documents it joins, which may lie on both sides
        // (without this, the comparison trained on held-out bridges, and its audit refused
        // the split on Debian's catalogues, one document each).
        for i in 0..<n where isHeldout[i] && side[Int(graph.component[i])] == .train {
            blocked[i] = graph.isBridge[i] || keys(of: i).contains { keptOn[slot($0, .evaluation)] > 0 }
        }

        // 5. Dev and test among evaluation components, largest first, from their kept items
        // with gold per column (flat like `counts.evaluable`).
        var keptIn = [Int32](repeating: 0, count: components * columns)
        for c in 0..<components where side[c] == .evaluation {
            for i in items(of: c) where !isDropped[Int(i)] && evaluable[Int(i)] {
                keptIn[c * columns + Int(input.column[Int(i)])] += 1
            }
        }
        partition = SideChoice.devAndTest(evaluation: choice.evaluation, kept: keptIn, columns: columns, v: v, partitions: p)

        // Held-out items left on training: the partner is a training item sharing a key with it.
        for i in 0..<n where isHeldout[i] && partition[Int(graph.component[i])] == .train && !isDropped[i] {
            drop(Int32(i), nil, -1)
        }
        self.flipped = flipped
        self.blockedInTraining = blocked
        self.isDropped = isDropped
        self.dropLink = dropLink
        self.dropPartner = dropPartner

        // The bound: per component, held-out items with gold and the others that can be kept.
        var boundHeldout = [Int](repeating: 0, count: components), boundOther = boundHeldout
        for c in 0..<components {
            for i in items(of: c) {
                if isHeldout[Int(i)] { if evaluable[Int(i)] { boundHeldout[c] += 1 } } else if trainable[Int(i)] || evaluable[Int(i)] { boundOther[c] += 1 }
            }
        }
        bound = SideChoice.bound(heldout: boundHeldout, other: boundOther, total: counts.total, roles: roles, partitions: p)
    }

    /// Whether counts decide the sides (``SideChoice/choose(_:spec:)``): no hub was cut, no
    /// bridge dropped, and no lexeme or consistency group of a held-out item spans components.
    /// A key within one component acts in step 1 only (its owner drops held-out items or pins
    /// training ones, which the summary counts); its items never sit on both sides. A key no
    /// held-out item holds acts nowhere (it guards held-out items only).
    static func countsDecide(graph: IsolationGraph, input: SplitInput, spec: SplitSpec) -> Bool {
        guard graph.hubs.isEmpty, graph.bridges == 0 else { return false }
        let roles = spec.columns.map(\.role)
        for link in graph.links where IsolationGraph.cutLinks.contains(link) {
            let count = graph.keySpace(link)
            guard count > 0 else { continue }
            var heldout = [Bool](repeating: false, count: count), spread = heldout
            var first = [Int32](repeating: -1, count: count)
            for i in 0..<input.count {
                let isHeldout = roles[Int(input.column[i])] == .heldout, c = graph.component[i]
                graph.forEachKey(link, of: i) { k in
                    if isHeldout { heldout[Int(k)] = true }
                    if first[Int(k)] < 0 { first[Int(k)] = c } else if first[Int(k)] != c { spread[Int(k)] = true }
                }
            }
            if (0..<count).contains(where: { heldout[$0] && spread[$0] }) { return false }
        }
        return true
    }

}
