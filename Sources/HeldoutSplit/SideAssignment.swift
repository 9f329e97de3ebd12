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
        let p = spec.partitions
        let evaluation = [p.dev, p.test].filter { $0 > 0 }
        guard let smallest = evaluation.min() else { return nil }
        var perColumn = [Int](repeating: 0, count: spec.columns.count)
        for i in 0..<input.count { perColumn[Int(input.column[i])] += 1 }
        return spec.columns.enumerated().map { index, column in
            let share = column.role == .heldout ? smallest / (p.dev + p.test) : smallest
            return max(1, Int((share * Double(perColumn[index])).rounded(.down)))
        }
    }

    init(graph: IsolationGraph, input: SplitInput, spec: SplitSpec) {
        let n = input.count
        let components = graph.componentCount
        let columns = spec.columns.count
        let roles = spec.columns.map(\.role)
        let p = spec.partitions
        let evaluationShare = p.dev + p.test
        let devShare = p.dev / max(evaluationShare, .leastNonzeroMagnitude)

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
            let draw = ContentID(hashing: [String(spec.seed), input.ids[Int(compItems[Int(compStart[c])])].hex])
            u[c] = Double(draw.high >> 11) * 0x1p-53
            v[c] = Double(draw.low >> 11) * 0x1p-53
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

        // Per component: held-out items left, training items by column (evaluable, any).
        var heldoutIn = [Int32](repeating: 0, count: components)
        var pinnedIn = [Int32](repeating: 0, count: components)
        var trainingIn = [Int32](repeating: 0, count: components)
        // Evaluable training items per component and column, flat (`c * columns + x`).
        var evaluableIn = [Int32](repeating: 0, count: components * columns)
        func evaluableByColumn(_ c: Int) -> ArraySlice<Int32> { evaluableIn[(c * columns)..<((c + 1) * columns)] }
        var total = [Int](repeating: 0, count: columns)
        for c in 0..<components {
            for i32 in items(of: c) {
                let i = Int(i32)
                let column = Int(input.column[i])
                if graph.isBridge[i] { continue }
                if isHeldout[i] {
                    if evaluable[i], !isDropped[i] { heldoutIn[c] += 1 }
                    continue
                }
                trainingIn[c] += 1
                if evaluable[i] { evaluableIn[c * columns + column] += 1 }
                if trainable[i] || evaluable[i] { total[column] += 1 }
                if keys(of: i).contains(where: { owner[Int($0)] == .evaluation }) { pinnedIn[c] += 1 }
            }
        }
        let target = total.map { Double($0) * evaluationShare }
        let ceiling = total.map { Double($0) * min(1, evaluationShare + p.tolerance) }
        var inEvaluation = [Double](repeating: 0, count: columns)

        // 2. Components with held-out (or evaluation-pinned) items.
        var side = [Side](repeating: .train, count: components)
        var flipped = [Bool](repeating: false, count: components)
        let candidates = (0..<components).filter { heldoutIn[$0] + pinnedIn[$0] > 0 }.sorted { a, b in
            let ra = Double(heldoutIn[a] + pinnedIn[a]) / Double(max(trainingIn[a], 1))
            let rb = Double(heldoutIn[b] + pinnedIn[b]) / Double(max(trainingIn[b], 1))
            return ra != rb ? ra > rb : (u[a] != u[b] ? u[a] < u[b] : a < b)
        }
        // Moves component `c` to evaluation, counting its training columns' items there.
        func sendToEvaluation(_ c: Int) {
            side[c] = .evaluation
            for (x, k) in evaluableByColumn(c).enumerated() { inEvaluation[x] += Double(k) }
        }
        for c in candidates {
            let byColumn = evaluableByColumn(c)
            guard zip(byColumn, 0...).allSatisfy({ k, x in k == 0 || inEvaluation[x] + Double(k) <= target[x] + 1e-9 }) else { continue }
            sendToEvaluation(c)
            flipped[c] = true
        }

        // 3. Fill training columns' evaluation shares with free components.
        var onTrain = [Int32](repeating: 0, count: Int(cutKeyCount))
        for i in 0..<n where side[Int(graph.component[i])] == .train && !isDropped[i] {
            for k in keys(of: i) { onTrain[Int(k)] += 1 }
        }
        // Adding `k` evaluation items to column `x` is allowed up to its ceiling, or past it when
        // that still brings the column nearer its target (coarse components in a small column).
        // The first pass keeps to the ceilings, so smaller components fill what large ones would
        // overshoot; the second may pass them.
        var strict = true
        func closer(_ current: Double, _ k: Double, _ x: Int) -> Bool {
            current + k <= ceiling[x] + 1e-9 || (!strict && abs(current + k - target[x]) < abs(target[x] - current))
        }
        // Whether `c` brings some training column nearer its evaluation share, and none past what
        // `closer` allows.
        func wanted(_ c: Int) -> Bool {
            let byColumn = evaluableByColumn(c)
            return zip(byColumn, 0...).contains { k, x in k > 0 && inEvaluation[x] + 0.5 < target[x] }
                && zip(byColumn, 0...).allSatisfy { k, x in k == 0 || closer(inEvaluation[x], Double(k), x) }
        }
        let fillOrder = (0..<components).filter { side[$0] == .train && heldoutIn[$0] == 0 }.sorted { u[$0] != u[$1] ? u[$0] < u[$1] : $0 < $1 }
        for pass in 0..<2 {
          strict = pass == 0
          for c in fillOrder where side[c] == .train {
            guard wanted(c), items(of: c).allSatisfy({ evaluable[Int($0)] || isDropped[Int($0)] }) else { continue }
            // Free: none of its cut keys is owned by training or has items elsewhere on training.
            var own: [Int32: Int32] = [:]
            for i in items(of: c) where !isDropped[Int(i)] { for k in keys(of: Int(i)) { own[k, default: 0] += 1 } }
            guard own.allSatisfy({ k, count in heldoutOnly[Int(k)] || (owner[Int(k)] != .train && onTrain[Int(k)] == count) }) else { continue }
            sendToEvaluation(c)
            for (k, count) in own { onTrain[Int(k)] -= count }
          }
        }

        // 3b. Shares still short: components whose items share cut keys with training, the
        // fewest conflicting items per item gained first; those items will be dropped in step 4.
        if (0..<columns).contains(where: { total[$0] > 0 && inEvaluation[$0] + 0.5 < target[$0] }) {
            var ranked: [(cost: Int, gain: Int, c: Int)] = []
            for c in fillOrder where side[c] == .train {
                guard items(of: c).allSatisfy({ evaluable[Int($0)] || isDropped[Int($0)] }) else { continue }
                var own: [Int32: Int32] = [:]
                for i in items(of: c) where !isDropped[Int(i)] { for k in keys(of: Int(i)) { own[k, default: 0] += 1 } }
                var cost = 0, gain = 0
                for i in items(of: c) where !isDropped[Int(i)] {
                    let conflicts = keys(of: Int(i)).contains { k in !heldoutOnly[Int(k)] && (owner[Int(k)] == .train || onTrain[Int(k)] > (own[k] ?? 0)) }
                    if conflicts { cost += 1 } else { gain += 1 }
                }
                if gain > 0 { ranked.append((cost, gain, c)) }
            }
            ranked.sort { a, b in
                let ra = Double(a.cost) / Double(a.gain), rb = Double(b.cost) / Double(b.gain)
                return ra != rb ? ra < rb : (u[a.c] != u[b.c] ? u[a.c] < u[b.c] : a.c < b.c)
            }
            for (_, _, c) in ranked where wanted(c) {
                sendToEvaluation(c)
                for i in items(of: c) where !isDropped[Int(i)] { for k in keys(of: Int(i)) { onTrain[Int(k)] -= 1 } }
            }
        }

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
        for i in 0..<n where isHeldout[i] && side[Int(graph.component[i])] == .train {
            blocked[i] = keys(of: i).contains { keptOn[slot($0, .evaluation)] > 0 }
        }

        // 5. Dev and test among evaluation components, largest first.
        partition = side.map { $0 == .train ? .train : .test }
        // Kept evaluation items per component and column, flat like `evaluableIn`.
        var keptIn = [Int32](repeating: 0, count: components * columns)
        func keptByColumn(_ c: Int) -> ArraySlice<Int32> { keptIn[(c * columns)..<((c + 1) * columns)] }
        var evaluationTotal = [Double](repeating: 0, count: columns)
        var evaluationList: [Int] = []
        for c in 0..<components where side[c] == .evaluation {
            for i in items(of: c) where !isDropped[Int(i)] && evaluable[Int(i)] {
                keptIn[c * columns + Int(input.column[Int(i)])] += 1
                evaluationTotal[Int(input.column[Int(i)])] += 1
            }
            evaluationList.append(c)
        }
        let sizeOf = (0..<components).map { c in keptByColumn(c).reduce(0, +) }
        evaluationList.sort { sizeOf[$0] != sizeOf[$1] ? sizeOf[$0] > sizeOf[$1] : (v[$0] != v[$1] ? v[$0] < v[$1] : $0 < $1) }
        var inDev = [Double](repeating: 0, count: columns), inTest = [Double](repeating: 0, count: columns)
        for c in evaluationList {
            var devScore = 0.0, testScore = 0.0
            for x in 0..<columns where keptIn[c * columns + x] > 0 {
                let k = Double(keptIn[c * columns + x])
                let devTarget = evaluationTotal[x] * devShare, testTarget = evaluationTotal[x] - devTarget
                devScore += k * (devTarget - inDev[x]) / max(devTarget, 1)
                testScore += k * (testTarget - inTest[x]) / max(testTarget, 1)
            }
            let toDev = devScore != testScore ? devScore > testScore : v[c] < devShare
            partition[c] = toDev ? .dev : .test
            for x in 0..<columns {
                if toDev { inDev[x] += Double(keptIn[c * columns + x]) } else { inTest[x] += Double(keptIn[c * columns + x]) }
            }
        }

        // Then move single components between dev and test while that brings the columns
        // closer to their ratios (the greedy pass above cannot undo an early large choice).
        func deviation(_ x: Int, dev: Double, test: Double) -> Double {
            let devTarget = evaluationTotal[x] * devShare, testTarget = evaluationTotal[x] - devTarget
            let a = (dev - devTarget) / max(devTarget, 1), b = (test - testTarget) / max(testTarget, 1)
            return a * a + b * b
        }
        for _ in 0..<8 {
            var improved = false
            for c in evaluationList {
                let toDev = partition[c] == .test
                var delta = 0.0
                for x in 0..<columns where keptIn[c * columns + x] > 0 {
                    let k = Double(keptIn[c * columns + x])
                    let before = deviation(x, dev: inDev[x], test: inTest[x])
                    let after = toDev ? deviation(x, dev: inDev[x] + k, test: inTest[x] - k) : deviation(x, dev: inDev[x] - k, test: inTest[x] + k)
                    delta += after - before
                }
                guard delta < -1e-12 else { continue }
                partition[c] = toDev ? .dev : .test
                for x in 0..<columns {
                    let k = Double(keptIn[c * columns + x])
                    if toDev { inDev[x] += k; inTest[x] -= k } else { inDev[x] -= k; inTest[x] += k }
                }
                improved = true
            }
            if !improved { break }
        }
        // A swap of one dev and one test component, where single moves are stuck: bounded to the
        // smallest components, so it stays cheap at any size.
        let small = evaluationList.sorted { sizeOf[$0] != sizeOf[$1] ? sizeOf[$0] < sizeOf[$1] : $0 < $1 }.prefix(400)
        for _ in 0..<4 {
            var best: (delta: Double, a: Int, b: Int)?
            for a in small where partition[a] == .dev {
                for b in small where partition[b] == .test {
                    var delta = 0.0
                    for x in 0..<columns where keptIn[a * columns + x] > 0 || keptIn[b * columns + x] > 0 {
                        let k = Double(keptIn[b * columns + x]) - Double(keptIn[a * columns + x])
                        delta += deviation(x, dev: inDev[x] + k, test: inTest[x] - k) - deviation(x, dev: inDev[x], test: inTest[x])
                    }
                    if delta < -1e-12, delta < (best?.delta ?? 0) { best = (delta, a, b) }
                }
            }
            guard let (_, a, b) = best else { break }
            partition[a] = .test
            partition[b] = .dev
            for x in 0..<columns {
                let k = Double(keptIn[b * columns + x]) - Double(keptIn[a * columns + x])
                inDev[x] += k
                inTest[x] -= k
            }
        }

        // Held-out items left on training: the partner is a training item sharing a key with it.
        for i in 0..<n where isHeldout[i] && partition[Int(graph.component[i])] == .train && !isDropped[i] {
            drop(Int32(i), nil, -1)
        }
        self.flipped = flipped
        self.blockedInTraining = blocked
        self.isDropped = isDropped
        self.dropLink = dropLink
        self.dropPartner = dropPartner

        // The bound: every keepable item, except that held-out items in components with
        // training items compete for the training columns' evaluation capacity.
        var keepable = 0
        var capacity = 0.0
        for x in 0..<columns where roles[x] != .heldout { capacity += Double(total[x]) * min(1, evaluationShare + p.tolerance) }
        var mixed: [(value: Double, weight: Double)] = []
        for c in 0..<components {
            var h = 0, x = 0
            for i in items(of: c) {
                if isHeldout[Int(i)] { if evaluable[Int(i)] { h += 1 } } else if trainable[Int(i)] || evaluable[Int(i)] { x += 1 }
            }
            keepable += x
            if x == 0 || h == 0 {
                keepable += h
            } else {
                keepable += max(0, h - x)
                mixed.append((Double(min(h, x)), Double(x)))
            }
        }
        mixed.sort { $0.value / $0.weight > $1.value / $1.weight }
        var extra = 0.0
        for m in mixed {
            guard capacity > 0 else { break }
            let take = min(1, capacity / m.weight)
            extra += take * m.value
            capacity -= take * m.weight
        }
        bound = Bound(keptUpperBound: keepable + Int(extra.rounded(.down)),
                      method: "fractional relaxation over the components of the union links: every item with the gold or rubric its role needs, except that held-out items of components that also hold training items are limited by the training columns' evaluation capacity (dev + test + tolerance of their items); cut keys are not charged")
    }
}
