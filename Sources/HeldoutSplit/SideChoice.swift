import HeldoutCore

/// What the side choice needs to know of one isolation component: counts per column, never its
/// items. A cluster computes one per component and the driver chooses sides from them alone
/// (`heldout map choose`, issue 15); the local split computes the same from its graph whenever
/// counts decide (`SideAssignment.countsDecide`) and chooses through the same code.
///
/// Step 1 of the side choice (owners of lexemes and consistency groups) is per key: where every
/// such key of a held-out item lies within one component, its effects are counts here (held-out
/// items it drops, training items it pins to evaluation).
public struct ComponentSummary: Equatable, Sendable {
    /// The component's smallest item id: its draw is `SHA-256(seed, id)`, and summaries in
    /// ascending id order number the components as the local graph does.
    public var smallestItem: ContentID
    /// Per column (`spec.columns` order): its items, gold or not.
    public var items: [Int32]
    /// Per column: items with a gold answer not dropped before sides are chosen.
    public var evaluable: [Int32]
    /// Per column: items with what their role needs to train (gold, or a rubric) or a gold answer.
    public var keepable: [Int32]
    /// Per column: items with a gold answer, dropped or not (the bound counts them).
    public var gold: [Int32]
    /// Training columns' items that a key owned by evaluation pins there (step 1).
    public var pinned: Int32
    /// Held-out items dropped before sides are chosen: under a key owned by training (step 1).
    public var dropped: Int32
    /// Items holding a live key: a lexeme or consistency group of a held-out item that spans
    /// components. A component with any cannot be placed from counts.
    public var keyed: Int32

    public init(smallestItem: ContentID, items: [Int32], evaluable: [Int32], keepable: [Int32], gold: [Int32]? = nil,
                pinned: Int32 = 0, dropped: Int32 = 0, keyed: Int32 = 0) {
        self.smallestItem = smallestItem
        self.items = items
        self.evaluable = evaluable
        self.keepable = keepable
        self.gold = gold ?? evaluable
        self.pinned = pinned
        self.dropped = dropped
        self.keyed = keyed
    }

    /// Whether an item can train under its column's role: supervised with gold, plausibility
    /// with a rubric (step 1 weighs a key's trainable items against its held-out ones).
    public static func trainable(role: Role, hasGold: Bool, hasRubric: Bool) -> Bool {
        SideAssignment.usableForTraining(role, hasGold: hasGold, hasRubric: hasRubric)
    }

    /// Whether an item counts in `keepable`: a gold answer, or what its role needs to train.
    public static func keepable(role: Role, hasGold: Bool, hasRubric: Bool) -> Bool {
        hasGold || SideAssignment.usableForTraining(role, hasGold: hasGold, hasRubric: hasRubric)
    }

    /// Every item not dropped has a gold answer: the component can be evaluated whole.
    var isEvaluableWhole: Bool { evaluable.reduce(0, +) + dropped == items.reduce(0, +) }
}

/// The component-level steps of the side choice (2, 3, 3b and 5 of ``SideAssignment``) and its
/// bound, over counts per component and column. The item-level parts (cut keys, bridges) stay in
/// ``SideAssignment``, which passes their checks in as ``KeyChecks``; with none, everything here
/// is a function of ``ComponentSummary`` values, which is what lets a cluster's driver choose
/// the local split's sides from per-component summaries.
struct SideChoice {
    /// Per-component counts, flat per column where two-dimensional (`c * columns + x`).
    struct Counts {
        var columns: Int
        /// The component's two draws from `SHA-256(seed, smallest item id)`: `u` orders the
        /// training-side steps, `v` dev against test.
        var u: [Double]
        var v: [Double]
        /// Held-out items with gold, not dropped; and training items that a cut key owned by
        /// evaluation pins there.
        var heldout: [Int32]
        var pinned: [Int32]
        /// Items of training columns.
        var training: [Int32]
        /// Training columns' items with gold, per column (held-out columns: 0).
        var evaluable: [Int32]
        /// Per column: training columns' items that training or evaluation can keep.
        var total: [Int]

        var components: Int { u.count }

        func evaluableByColumn(_ c: Int) -> ArraySlice<Int32> { evaluable[(c * columns)..<((c + 1) * columns)] }
    }

    /// The item-level checks of steps 3 and 3b: trivially true (and no-ops) without cut keys.
    struct KeyChecks {
        /// Every item of the component not yet dropped has a gold answer.
        var isEvaluableWhole: (Int) -> Bool
        /// None of the component's cut keys is owned by training or has items elsewhere on
        /// training; when so, the key counts are updated for its move and it returns true.
        var claimFree: (Int) -> Bool
        /// Items that would conflict with training through a cut key, and items gained.
        var conflicts: (Int) -> (cost: Int, gain: Int)
        /// The component went to evaluation in step 3b.
        var didMove: (Int) -> Void
    }

    /// Draws of a component whose smallest item is `id`.
    static func draws(seed: UInt64, smallestItem id: ContentID) -> (u: Double, v: Double) {
        let draw = ContentID(hashing: [String(seed), id.hex])
        return (Double(draw.high >> 11) * 0x1p-53, Double(draw.low >> 11) * 0x1p-53)
    }

    let counts: Counts
    let partitions: SplitSpec.Partitions
    /// Components sent to evaluation so far, and those sent for their held-out items (step 2).
    private(set) var evaluation: [Bool]
    private(set) var flipped: [Bool]
    /// Training columns' items with gold on evaluation so far, against their targets and ceilings.
    private var inEvaluation: [Double]
    private let target: [Double]
    private let ceiling: [Double]

    init(_ counts: Counts, partitions p: SplitSpec.Partitions) {
        self.counts = counts
        self.partitions = p
        let evaluationShare = p.dev + p.test
        target = counts.total.map { Double($0) * evaluationShare }
        ceiling = counts.total.map { Double($0) * min(1, evaluationShare + p.tolerance) }
        inEvaluation = [Double](repeating: 0, count: counts.columns)
        evaluation = [Bool](repeating: false, count: counts.components)
        flipped = evaluation
    }

    /// Moves component `c` to evaluation, counting its training columns' items there.
    private mutating func sendToEvaluation(_ c: Int) {
        evaluation[c] = true
        for (x, k) in counts.evaluableByColumn(c).enumerated() { inEvaluation[x] += Double(k) }
    }

    /// 2. Components with held-out (or evaluation-pinned) items go to evaluation, best ratio of
    /// held-out to training items first, while each training column stays within its share.
    mutating func placeHeldout() {
        let u = counts.u
        let candidates = (0..<counts.components).filter { counts.heldout[$0] + counts.pinned[$0] > 0 }.sorted { a, b in
            let ra = Double(counts.heldout[a] + counts.pinned[a]) / Double(max(counts.training[a], 1))
            let rb = Double(counts.heldout[b] + counts.pinned[b]) / Double(max(counts.training[b], 1))
            return ra != rb ? ra > rb : (u[a] != u[b] ? u[a] < u[b] : a < b)
        }
        for c in candidates {
            let byColumn = counts.evaluableByColumn(c)
            guard zip(byColumn, 0...).allSatisfy({ k, x in k == 0 || inEvaluation[x] + Double(k) <= target[x] + 1e-9 }) else { continue }
            sendToEvaluation(c)
            flipped[c] = true
        }
    }

    /// Adding `k` evaluation items to column `x` is allowed up to its ceiling, or past it when
    /// that still brings the column nearer its target (coarse components in a small column).
    private func closer(_ current: Double, _ k: Double, _ x: Int, strict: Bool) -> Bool {
        current + k <= ceiling[x] + 1e-9 || (!strict && abs(current + k - target[x]) < abs(target[x] - current))
    }

    /// Whether `c` brings some training column nearer its evaluation share, and none past what
    /// `closer` allows.
    private func wanted(_ c: Int, strict: Bool) -> Bool {
        let byColumn = counts.evaluableByColumn(c)
        return zip(byColumn, 0...).contains { k, x in k > 0 && inEvaluation[x] + 0.5 < target[x] }
            && zip(byColumn, 0...).allSatisfy { k, x in k == 0 || closer(inEvaluation[x], Double(k), x, strict: strict) }
    }

    /// 3. Training columns' evaluation shares filled with free components, in draw order; the
    /// first pass keeps to the ceilings, so smaller components fill what large ones would
    /// overshoot, the second may pass them. 3b: shares still short take components whose items
    /// share cut keys with training, the fewest conflicting items per item gained first.
    mutating func fill(keys: KeyChecks) {
        let u = counts.u
        let fillOrder = (0..<counts.components).filter { !evaluation[$0] && counts.heldout[$0] == 0 }.sorted { u[$0] != u[$1] ? u[$0] < u[$1] : $0 < $1 }
        for pass in 0..<2 {
            for c in fillOrder where !evaluation[c] {
                guard wanted(c, strict: pass == 0), keys.isEvaluableWhole(c) else { continue }
                guard keys.claimFree(c) else { continue }
                sendToEvaluation(c)
            }
        }
        guard (0..<counts.columns).contains(where: { counts.total[$0] > 0 && inEvaluation[$0] + 0.5 < target[$0] }) else { return }
        var ranked: [(cost: Int, gain: Int, c: Int)] = []
        for c in fillOrder where !evaluation[c] {
            guard keys.isEvaluableWhole(c) else { continue }
            let (cost, gain) = keys.conflicts(c)
            if gain > 0 { ranked.append((cost, gain, c)) }
        }
        ranked.sort { a, b in
            let ra = Double(a.cost) / Double(a.gain), rb = Double(b.cost) / Double(b.gain)
            return ra != rb ? ra < rb : (u[a.c] != u[b.c] ? u[a.c] < u[b.c] : a.c < b.c)
        }
        for (_, _, c) in ranked where wanted(c, strict: false) {
            sendToEvaluation(c)
            keys.didMove(c)
        }
    }

    /// Step 5: dev and test among the evaluation components, from their kept items with gold
    /// per column (`kept`, flat); training components stay `.train`.
    static func devAndTest(evaluation: [Bool], kept keptIn: [Int32], columns: Int, v: [Double],
                           partitions p: SplitSpec.Partitions) -> [Partition] {
        let components = evaluation.count
        let evaluationShare = p.dev + p.test
        let devShare = p.dev / max(evaluationShare, .leastNonzeroMagnitude)
        var partition = evaluation.map { $0 ? Partition.test : .train }
        func keptByColumn(_ c: Int) -> ArraySlice<Int32> { keptIn[(c * columns)..<((c + 1) * columns)] }
        var evaluationTotal = [Double](repeating: 0, count: columns)
        var evaluationList: [Int] = []
        for c in 0..<components where evaluation[c] {
            for x in 0..<columns { evaluationTotal[x] += Double(keptIn[c * columns + x]) }
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
        return partition
    }

    /// The bound: every keepable item, except that held-out items in components with training
    /// items compete for the training columns' evaluation capacity. Per component: held-out
    /// items with gold (`heldout`) and training columns' keepable items (`other`), dropped or not.
    static func bound(heldout: [Int], other: [Int], total: [Int], roles: [Role], partitions p: SplitSpec.Partitions) -> SideAssignment.Bound {
        let evaluationShare = p.dev + p.test
        var keepable = 0
        var capacity = 0.0
        for x in roles.indices where roles[x] != .heldout { capacity += Double(total[x]) * min(1, evaluationShare + p.tolerance) }
        var mixed: [(value: Double, weight: Double)] = []
        for c in heldout.indices {
            let h = heldout[c], x = other[c]
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
        return SideAssignment.Bound(keptUpperBound: keepable + Int(extra.rounded(.down)),
                                    method: "fractional relaxation over the components of the union links: every item with the gold or rubric its role needs, except that held-out items of components that also hold training items are limited by the training columns' evaluation capacity (dev + test + tolerance of their items); cut keys are not charged")
    }

    /// The sides of components given by their summaries, in ascending order of smallest item
    /// (the local graph's numbering): what ``SideAssignment`` chooses for a split without cut
    /// keys or bridges, computed from counts alone.
    static func choose(_ summaries: [ComponentSummary], spec: SplitSpec)
        -> (partition: [Partition], flipped: [Bool], bound: SideAssignment.Bound) {
        let columns = spec.columns.count
        let roles = spec.columns.map(\.role)
        let n = summaries.count
        var counts = Counts(columns: columns, u: [], v: [], heldout: [], pinned: [], training: [], evaluable: [],
                            total: [Int](repeating: 0, count: columns))
        counts.u.reserveCapacity(n)
        counts.v.reserveCapacity(n)
        var kept: [Int32] = []
        kept.reserveCapacity(n * columns)
        var boundHeldout: [Int] = [], boundOther: [Int] = []
        for s in summaries {
            let (u, v) = draws(seed: spec.seed, smallestItem: s.smallestItem)
            counts.u.append(u)
            counts.v.append(v)
            var heldout: Int32 = 0, heldoutGold = 0, other = 0
            for x in 0..<columns {
                if roles[x] == .heldout {
                    heldout += s.evaluable[x]
                    heldoutGold += Int(s.gold[x])
                    counts.evaluable.append(0)
                } else {
                    counts.evaluable.append(s.evaluable[x])
                    counts.total[x] += Int(s.keepable[x])
                    other += Int(s.keepable[x])
                }
                kept.append(s.evaluable[x])
            }
            counts.heldout.append(heldout)
            counts.pinned.append(s.pinned)
            counts.training.append(zip(s.items, roles).reduce(0) { $0 + ($1.1.trains ? $1.0 : 0) })
            boundHeldout.append(heldoutGold)
            boundOther.append(other)
        }
        let keys = KeyChecks(isEvaluableWhole: { summaries[$0].isEvaluableWhole }, claimFree: { _ in true },
                             conflicts: { (0, Int(summaries[$0].items.reduce(0, +) - summaries[$0].dropped)) }, didMove: { _ in })
        var choice = SideChoice(counts, partitions: spec.partitions)
        choice.placeHeldout()
        choice.fill(keys: keys)
        let partition = devAndTest(evaluation: choice.evaluation, kept: kept, columns: columns, v: counts.v, partitions: spec.partitions)
        let bound = bound(heldout: boundHeldout, other: boundOther, total: counts.total, roles: roles, partitions: spec.partitions)
        return (partition, choice.flipped, bound)
    }
}

/// The sides a split chooses for its components, given their ``ComponentSummary`` values alone:
/// what a cluster's driver computes (`heldout map choose`) from the summaries its executors
/// made, by the code the local split runs for a split without cut keys or bridges.
public struct ComponentChoice: Sendable {
    /// Per component, in the order of the summaries: its partition, and whether it went to
    /// evaluation for its held-out items.
    public var partition: [Partition]
    public var flipped: [Bool]
    /// The manifest's upper bound on the items any assignment could keep, and how it is computed.
    public var keptUpperBound: Int
    public var boundMethod: String

    /// `summaries` must be in ascending order of their smallest item, each component once
    /// (the local graph numbers components so, and ties between equal draws fall to that order).
    /// Refused (exit 1) where counts cannot decide: a component holding a cut key, or one too
    /// large to place, which the local split breaks up by cutting its largest keys (hubs).
    public init(_ summaries: [ComponentSummary], spec: SplitSpec) throws {
        if let keyed = summaries.first(where: { $0.keyed > 0 }) {
            throw HeldoutError.checkFailed("the component of item \(keyed.smallestItem.hex) holds \(keyed.keyed) item(s) with a lexeme or consistency group of a held-out item that spans components: such keys are cut item by item, so the sides cannot be chosen from counts; split where the items are (the replay, or `heldout split`)")
        }
        var perColumn = [Int](repeating: 0, count: spec.columns.count)
        for s in summaries { for (x, n) in s.items.enumerated() { perColumn[x] += Int(n) } }
        if let limits = SideAssignment.placementLimits(perColumn: perColumn, spec: spec) {
            for s in summaries where s.items.reduce(0, +) > 1 {
                if let x = s.items.indices.first(where: { Int(s.items[$0]) > limits[$0] }) {
                    throw HeldoutError.checkFailed("the component of item \(s.smallestItem.hex) holds \(s.items[x]) items of column \(spec.columns[x].name), more than the \(limits[x]) a component may hold and still be placed: the split cuts its largest keys (hubs) item by item, so the sides cannot be chosen from counts; split where the items are (the replay, or `heldout split`)")
                }
            }
        }
        let chosen = SideChoice.choose(summaries, spec: spec)
        partition = chosen.partition
        flipped = chosen.flipped
        keptUpperBound = chosen.bound.keptUpperBound
        boundMethod = chosen.bound.method
    }
}

/// Sides a cluster chose (`heldout map choose` over its component summaries), handed to the
/// split in place of its own choice (``Splitter/Options/givenSides``): the split still builds
/// its graph, and refuses sides that do not name exactly its components.
public struct GivenSides: Sendable {
    /// Per component, by its smallest item id.
    public var sides: [ContentID: (partition: Partition, flipped: Bool)]
    public var keptUpperBound: Int
    public var boundMethod: String

    public init(sides: [ContentID: (partition: Partition, flipped: Bool)], keptUpperBound: Int, boundMethod: String) {
        self.sides = sides
        self.keptUpperBound = keptUpperBound
        self.boundMethod = boundMethod
    }

    /// The sides of the split's own components (its summaries, in component order); refused
    /// unless they name exactly those components.
    func sides(for summaries: [ComponentSummary], componentCount: Int) throws -> (partition: [Partition], flipped: [Bool]) {
        var partition: [Partition] = [], flipped: [Bool] = []
        partition.reserveCapacity(summaries.count)
        flipped.reserveCapacity(summaries.count)
        for summary in summaries {
            guard let side = sides[summary.smallestItem] else {
                throw HeldoutError.checkFailed("the given sides name no component whose smallest item is \(summary.smallestItem.hex), a component of this split: they were chosen over other components than the split's (\(sides.count) given, \(componentCount) here)")
            }
            partition.append(side.partition)
            flipped.append(side.flipped)
        }
        guard sides.count == componentCount else {
            throw HeldoutError.checkFailed("the given sides name \(sides.count) components, this split has \(componentCount): they were chosen over other components than the split's")
        }
        return (partition, flipped)
    }
}
