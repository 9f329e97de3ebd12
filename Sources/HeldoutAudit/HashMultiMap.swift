/// A read-only multimap from 64-bit hashes to values, built once from all its pairs.
///
/// Open addressing over the distinct keys, each slot pointing at a run of a flat value array:
/// a few arrays instead of one heap allocation per key, so 5 million entries cost ~100 MB and
/// not ~500 MB as `[UInt64: [Value]]` would, and lookups touch one or two cache lines.
/// Safe to read from several threads once built.
struct HashMultiMap<Value: Sendable>: Sendable {
    private var slotKeys: [UInt64]
    /// Index of the key's run in `starts`, or `UInt32.max` for an empty slot.
    private var slotRun: [UInt32]
    private var starts: [UInt32]
    private(set) var values: [Value]
    private let mask: Int

    var isEmpty: Bool { values.isEmpty }
    var count: Int { values.count }

    /// Builds the map; values of one key keep the order they had in `pairs`.
    init(_ pairs: [(key: UInt64, value: Value)]) {
        // Sort (key, position) pairs: concrete types, so the comparison inlines, and the
        // position keeps the values of one key in input order.
        var order: [(UInt64, UInt32)] = []
        order.reserveCapacity(pairs.count)
        for (i, p) in pairs.enumerated() { order.append((p.key, UInt32(i))) }
        order.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var values: [Value] = []
        values.reserveCapacity(pairs.count)
        var runKeys: [UInt64] = []
        var starts: [UInt32] = []
        for (key, i) in order {
            if runKeys.isEmpty || runKeys[runKeys.count - 1] != key {
                runKeys.append(key)
                starts.append(UInt32(values.count))
            }
            values.append(pairs[Int(i)].value)
        }
        starts.append(UInt32(values.count))
        var capacity = 16
        while capacity < runKeys.count * 2 { capacity <<= 1 }
        var slotKeys = [UInt64](repeating: 0, count: capacity)
        var slotRun = [UInt32](repeating: .max, count: capacity)
        let mask = capacity - 1
        for (run, key) in runKeys.enumerated() {
            var slot = Int(truncatingIfNeeded: key) & mask
            while slotRun[slot] != .max { slot = (slot + 1) & mask }
            slotKeys[slot] = key
            slotRun[slot] = UInt32(run)
        }
        self.slotKeys = slotKeys
        self.slotRun = slotRun
        self.starts = starts
        self.values = values
        self.mask = mask
    }

    /// The range in ``values`` of `key`'s values (empty when absent).
    @inline(__always)
    func range(of key: UInt64) -> Range<Int> {
        var slot = Int(truncatingIfNeeded: key) & mask
        while true {
            let run = slotRun[slot]
            if run == .max { return 0..<0 }
            if slotKeys[slot] == key {
                return Int(starts[Int(run)])..<Int(starts[Int(run) + 1])
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool { !range(of: key).isEmpty }

    subscript(key: UInt64) -> ArraySlice<Value> { values[range(of: key)] }
}
