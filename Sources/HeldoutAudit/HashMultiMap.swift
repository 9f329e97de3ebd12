import Dispatch

/// A read-only multimap from 64-bit hashes to values, built once from all its pairs.
///
/// The distinct keys are kept sorted, each pointing at a run of a flat value array, and a
/// directory on the keys' top bits says where each bucket of keys starts: a lookup reads one
/// directory entry and, on average, one or two keys. About 16 bytes per distinct key and one
/// value each, where `[UInt64: [Value]]` would cost ~100 bytes and an open-addressing table at
/// half load ~40: the audit's LSH index holds tens of millions of band keys.
///
/// Building is a counting sort on the top 16 bits followed by small sorts per bucket, run on
/// several threads; values of one key keep the order they had in the input, so the map (and
/// every report read from it) is the same whatever the thread count. Safe to read from several
/// threads once built.
struct HashMultiMap<Value: Sendable>: Sendable {
    private var runKeys: [UInt64] = []
    /// `runStarts[r]..<runStarts[r + 1]`: the values of `runKeys[r]`.
    private var runStarts: [UInt32] = [0]
    /// `directory[b]`: the first run whose key's top `bits` bits are ≥ b.
    private var directory: [UInt32] = [0, 0]
    private var shift: UInt64 = 63
    private(set) var values: [Value] = []

    var isEmpty: Bool { values.isEmpty }
    var count: Int { values.count }

    /// Builds the map; values of one key keep the order they had in `pairs`. `pairs` is consumed
    /// so that its memory can go as soon as it is read.
    init(_ pairs: consuming [(key: UInt64, value: Value)]) {
        let n = pairs.count
        guard n > 0 else { return }
        precondition(n < Int(UInt32.max), "HashMultiMap: too many pairs")

        // 1. Counting sort of (key, position) on the key's top 16 bits: stable, so positions
        //    within a bucket stay ascending.
        let topBuckets = 1 << 16
        var bucketStart = [Int](repeating: 0, count: topBuckets + 1)
        for i in 0..<n { bucketStart[Int(pairs[i].key >> 48) + 1] += 1 }
        for b in 0..<topBuckets { bucketStart[b + 1] += bucketStart[b] }
        var order = [(UInt64, UInt32)](repeating: (0, 0), count: n)
        var fill = bucketStart
        for i in 0..<n {
            let key = pairs[i].key
            let b = Int(key >> 48)
            order[fill[b]] = (key, UInt32(i))
            fill[b] += 1
        }
        fill = []

        // 2. Each bucket sorted on its own (by key, then position), in parallel groups of buckets.
        let groups = 64
        order.withUnsafeMutableBufferPointer { buffer in
            let base = SendablePointer(buffer.baseAddress!)
            let starts = bucketStart
            DispatchQueue.concurrentPerform(iterations: groups) { g in
                for b in stride(from: g, to: topBuckets, by: groups) where starts[b + 1] - starts[b] > 1 {
                    var slice = UnsafeMutableBufferPointer(start: base.pointer + starts[b], count: starts[b + 1] - starts[b])
                    slice.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                }
            }
        }
        bucketStart = []

        // 3. Runs of equal keys, and the values in sorted order.
        var values: [Value] = []
        values.reserveCapacity(n)
        var runKeys: [UInt64] = []
        var runStarts: [UInt32] = []
        for (key, i) in order {
            if runKeys.isEmpty || runKeys[runKeys.count - 1] != key {
                runKeys.append(key)
                runStarts.append(UInt32(values.count))
            }
            values.append(pairs[Int(i)].value)
        }
        runStarts.append(UInt32(values.count))
        order = []
        pairs = []

        // 4. Directory on the top bits: about one distinct key per bucket.
        (directory, shift) = topBitsDirectory(runKeys, buckets: runKeys.count)
        self.runKeys = runKeys
        self.runStarts = runStarts
        self.values = values
    }

    /// The range in ``values`` of `key`'s values (empty when absent).
    @inline(__always)
    func range(of key: UInt64) -> Range<Int> {
        guard !runKeys.isEmpty else { return 0..<0 }
        let b = Int(key >> shift)
        var r = Int(directory[b])
        let end = Int(directory[b + 1])
        while r < end {
            let k = runKeys[r]
            if k == key { return Int(runStarts[r])..<Int(runStarts[r + 1]) }
            if k > key { break }
            r += 1
        }
        return 0..<0
    }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool { !range(of: key).isEmpty }

    subscript(key: UInt64) -> ArraySlice<Value> { values[range(of: key)] }
}

/// For sorted `keys`, `directory[b]` = the first key whose top bits (the key shifted right by
/// `shift`) are ≥ b, with at least `buckets` buckets (a power of two, at most 2³⁰).
private func topBitsDirectory(_ keys: [UInt64], buckets: Int) -> (directory: [UInt32], shift: UInt64) {
    var bits = 1
    while (1 << bits) < buckets && bits < 30 { bits += 1 }
    let shift = UInt64(64 - bits)
    var directory = [UInt32](repeating: 0, count: (1 << bits) + 1)
    var k = 0
    for b in 0...(1 << bits) {
        while k < keys.count && Int(keys[k] >> shift) < b { k += 1 }
        directory[b] = UInt32(k)
    }
    return (directory, shift)
}

/// A pointer handed to `concurrentPerform` workers that write disjoint elements.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// The LSH index: band key → evaluation sentence, as one sorted array of `(key32 << 32 | sentence)`.
///
/// Tens of millions of entries (30 bands per sentence), so 8 bytes each rather than the ~40 a
/// general multimap needs while it is built. Keys are cut to 32 bits: an unrelated key then
/// matches now and then (about 19M / 2³² per lookup at 300k evaluation records), which only adds
/// a candidate that exact Jaccard turns away; a true match is never lost.
struct BandIndex: Sendable {
    private var entries: [UInt64] = []
    /// `directory[b]`: the first entry whose key's top `bits` bits are ≥ b.
    private var directory: [UInt32] = [0, 0]
    private var shift: UInt64 = 63

    var isEmpty: Bool { entries.isEmpty }

    static func entry(key: UInt64, sentence: Int32) -> UInt64 { (key >> 32) << 32 | UInt64(UInt32(bitPattern: sentence)) }

    /// Builds the index from entries made by ``entry(key:sentence:)``: a counting sort on the
    /// top 16 bits, then each bucket sorted on its own, on all cores.
    init(_ unsorted: consuming [UInt64]) {
        let n = unsorted.count
        guard n > 0 else { return }
        precondition(n < Int(UInt32.max), "BandIndex: too many entries")
        let topBuckets = 1 << 16
        var bucketStart = [Int](repeating: 0, count: topBuckets + 1)
        for i in 0..<n { bucketStart[Int(unsorted[i] >> 48) + 1] += 1 }
        for b in 0..<topBuckets { bucketStart[b + 1] += bucketStart[b] }
        var entries = [UInt64](repeating: 0, count: n)
        var fill = bucketStart
        for i in 0..<n {
            let b = Int(unsorted[i] >> 48)
            entries[fill[b]] = unsorted[i]
            fill[b] += 1
        }
        fill = []
        unsorted = []
        entries.withUnsafeMutableBufferPointer { buffer in
            let base = SendablePointer(buffer.baseAddress!)
            let starts = bucketStart
            DispatchQueue.concurrentPerform(iterations: 64) { g in
                for b in stride(from: g, to: topBuckets, by: 64) where starts[b + 1] - starts[b] > 1 {
                    var slice = UnsafeMutableBufferPointer(start: base.pointer + starts[b], count: starts[b + 1] - starts[b])
                    slice.sort()
                }
            }
        }
        (directory, shift) = topBitsDirectory(entries, buckets: entries.count / 2)
        self.entries = entries
    }

    /// Calls `body` with each sentence filed under `key`.
    @inline(__always)
    func forEach(_ key: UInt64, _ body: (Int32) -> Void) {
        guard !entries.isEmpty else { return }
        let wanted = key >> 32
        var e = Int(directory[Int(key >> shift)])
        let end = Int(directory[Int(key >> shift) + 1])
        while e < end {
            let k = entries[e] >> 32
            if k == wanted { body(Int32(bitPattern: UInt32(truncatingIfNeeded: entries[e]))) } else if k > wanted { break }
            e += 1
        }
    }
}
