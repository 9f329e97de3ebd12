import Dispatch
import Foundation
import HeldoutCore

/// Near-duplicate search over sentences: MinHash signatures banded for LSH, candidates
/// confirmed by exact Jaccard similarity of the shingle sets (DESIGN isolation link 3).
///
/// Shingles are words (or characters) of the *folded* text (`TextFolder`, in HeldoutCore: case, punctuation
/// and diacritics dropped), the same words the audit reads, so that every pair the audit would
/// call a near-copy is one this index looks for. Because the audit's own search is independent
/// and nearly exhaustive, the banding here is chosen to miss a pair at the threshold with
/// probability at most `targetMiss` (10⁻⁶ by default, against the audit's 10⁻⁴): a split
/// that the splitter believes isolated is then almost never refused for a pair it did not see.
///
/// Built for millions of sentences in bounded memory: shingle sets are kept flat (8 bytes per
/// distinct shingle), sentences with identical sets are tied at once and only one of them enters
/// LSH, a signature is reduced to its band hashes as soon as it is computed, and buckets are
/// found by sorting one band's `(hash, sentence)` pairs at a time. All hashes are 64-bit, so
/// distinct shingles or bands practically never collide. Results do not depend on the thread
/// count: work is split in fixed chunks whose outputs are concatenated in order.
public struct NearDuplicateIndex: Sendable {
    public struct Parameters: Sendable, Equatable {
        public var threshold: Double
        public var shingle: ShingleKind
        public var size: Int
        /// LSH bands and rows per band; `bands * rows` MinHash permutations.
        public var bands: Int
        public var rows: Int
        /// Members of a bucket larger than this (after identical sets are merged) are compared
        /// with their next `bucketWindow` neighbours in id order rather than with all others.
        /// Such buckets are counted (`windowedBuckets`) so that a user sees when it happened.
        public var bucketWindow: Int = 512

        /// Bands and rows for `threshold`: the most rows per band (fewest false candidates) that
        /// keep the chance of missing a pair at the threshold, `(1 - t^r)^b`, at or below
        /// `targetMiss` with at most 256 permutations.
        public init(threshold: Double, shingle: ShingleKind = .word, size: Int = 1, targetMiss: Double = 1e-6) {
            self.threshold = threshold
            self.shingle = shingle
            self.size = size
            var best = (bands: 256, rows: 1)
            for rows in 1...16 {
                let p = pow(threshold, Double(rows))
                guard p > 0, p < 1 else { continue }
                let bands = Int((log(targetMiss) / log(1 - p)).rounded(.up))
                if bands >= 1, bands * rows <= 256 { best = (bands, rows) }
            }
            if threshold >= 1 { best = (1, 8) }
            bands = best.bands
            rows = best.rows
        }

        /// Probability that a pair of similarity `s` becomes a candidate.
        public func candidateProbability(similarity s: Double) -> Double {
            1 - pow(1 - pow(s, Double(rows)), Double(bands))
        }

        public var permutations: Int { bands * rows }
    }

    /// What a search found.
    public struct Result: Sendable {
        /// Pairs `(i, j)`, `i < j`, of texts whose shingle Jaccard similarity is at least the
        /// threshold (identical shingle sets are tied to the first text that has the set).
        public var pairs: [(Int32, Int32)]
        /// Buckets too large to compare all-pairs (see ``Parameters/bucketWindow``).
        public var windowedBuckets: Int
        /// For each text, a 64-bit hash of its folded text (0: no letters or digits), so that
        /// the shared-segment link need not fold every sentence a second time.
        public var foldedHashes: [UInt64]
    }

    /// The hash ``Result/foldedHashes`` holds for a folded text (words joined by one space).
    static func foldedHash(_ scalars: [UInt32]) -> UInt64 {
        guard !scalars.isEmpty else { return 0 }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in scalars { h = (h ^ UInt64(v)) &* 0x100_0000_01B3 }
        return max(1, mix(h))
    }

    public let parameters: Parameters
    private let multipliers: [UInt64]
    private let addends: [UInt64]

    public init(parameters: Parameters) {
        self.parameters = parameters
        // Fixed constants from SplitMix64, so signatures are the same on every run and machine.
        var state: UInt64 = 0x6865_6C64_6F75_7421 // "heldout!"
        var a: [UInt64] = [], b: [UInt64] = []
        for _ in 0..<parameters.permutations {
            a.append(Self.splitmix(&state) | 1)
            b.append(Self.splitmix(&state))
        }
        multipliers = a
        addends = b
    }

    // MARK: Shingles

    /// The sorted, distinct 64-bit hashes of a text's shingles: `size` consecutive words, or
    /// characters (words joined by one space), of the folded text. A text shorter than one
    /// shingle is one shingle of itself; a text without letters or digits has none.
    public func shingles(_ text: String, folder: TextFolder = TextFolder()) -> [UInt64] {
        var scratch: [UInt32] = []
        var out: [UInt64] = []
        appendShingles(of: text, folder: folder, scratch: &scratch, into: &out)
        return out
    }

    /// Appends the shingle set of `text` (sorted, distinct) to `out`.
    func appendShingles(of text: String, folder: TextFolder, scratch: inout [UInt32], into out: inout [UInt64]) {
        scratch.removeAll(keepingCapacity: true)
        folder.fold(text, into: &scratch)
        guard !scratch.isEmpty else { return }
        let start = out.count
        let size = parameters.size
        switch parameters.shingle {
        case .char:
            let n = scratch.count
            let windows = n <= size ? 1 : n - size + 1
            for s in 0..<windows {
                var h: UInt64 = 0xCBF2_9CE4_8422_2325
                for k in s..<min(n, s + size) { h = (h ^ UInt64(scratch[k])) &* 0x100_0000_01B3 }
                out.append(Self.mix(h))
            }
        case .word:
            let words = Self.wordHashes(folded: scratch)
            if size == 1 {
                out.append(contentsOf: words)
            } else if words.count <= size {
                out.append(words.reduce(0) { Self.mix($0 ^ $1) })
            } else {
                for s in 0...(words.count - size) {
                    var g: UInt64 = 0
                    for k in s..<(s + size) { g = Self.mix(g ^ words[k]) }
                    out.append(g)
                }
            }
        }
        out[start...].sort()
        var write = start
        for read in start..<out.count where read == start || out[read] != out[write - 1] {
            out[write] = out[read]
            write += 1
        }
        out.removeLast(out.count - write)
    }

    /// One 64-bit hash per word of a folded text (words joined by one space), in order; the
    /// shared-passage link hashes its runs from these too.
    static func wordHashes(folded scratch: [UInt32]) -> [UInt64] {
        guard !scratch.isEmpty else { return [] }
        var words: [UInt64] = []
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in scratch {
            if v == 0x20 {
                words.append(Self.mix(h))
                h = 0xCBF2_9CE4_8422_2325
            } else {
                h = (h ^ UInt64(v)) &* 0x100_0000_01B3
            }
        }
        words.append(Self.mix(h))
        return words
    }

    /// Exact Jaccard similarity of two sorted distinct shingle sets.
    public static func jaccard(_ a: ArraySlice<UInt64>, _ b: ArraySlice<UInt64>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        var i = a.startIndex, j = b.startIndex, common = 0
        while i < a.endIndex && j < b.endIndex {
            if a[i] == b[j] { common += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return Double(common) / Double(a.count + b.count - common)
    }

    public static func jaccard(_ a: [UInt64], _ b: [UInt64]) -> Double { jaccard(a[...], b[...]) }

    // MARK: Signatures

    /// The band hashes of one shingle set's MinHash signature (`bands` values).
    func bandHashes(of shingles: ArraySlice<UInt64>, into out: UnsafeMutablePointer<UInt64>,
                            minimum: UnsafeMutableBufferPointer<UInt64>) {
        let permutations = parameters.permutations
        multipliers.withUnsafeBufferPointer { a in
            addends.withUnsafeBufferPointer { b in
                // Four permutations at a time over the shingles: four independent running
                // minimums in registers, so the compare chains overlap instead of waiting.
                var p = 0
                while p + 4 <= permutations {
                    let (a0, a1, a2, a3) = (a[p], a[p + 1], a[p + 2], a[p + 3])
                    let (b0, b1, b2, b3) = (b[p], b[p + 1], b[p + 2], b[p + 3])
                    var (m0, m1, m2, m3) = (UInt64.max, UInt64.max, UInt64.max, UInt64.max)
                    for x in shingles {
                        let h0 = a0 &* x &+ b0, h1 = a1 &* x &+ b1, h2 = a2 &* x &+ b2, h3 = a3 &* x &+ b3
                        m0 = h0 < m0 ? h0 : m0
                        m1 = h1 < m1 ? h1 : m1
                        m2 = h2 < m2 ? h2 : m2
                        m3 = h3 < m3 ? h3 : m3
                    }
                    minimum[p] = m0
                    minimum[p + 1] = m1
                    minimum[p + 2] = m2
                    minimum[p + 3] = m3
                    p += 4
                }
                while p < permutations {
                    var best = UInt64.max
                    for x in shingles {
                        let h = a[p] &* x &+ b[p]
                        best = h < best ? h : best
                    }
                    minimum[p] = best
                    p += 1
                }
            }
        }
        let rows = parameters.rows
        for band in 0..<parameters.bands {
            var h: UInt64 = UInt64(band) &* 0x9E37_79B9_7F4A_7C15
            for r in 0..<rows { h = Self.mix(h ^ minimum[band * rows + r]) }
            out[band] = h
        }
    }

    // MARK: Search

    /// Every pair `(i, j)`, `i < j`, of `texts` whose exact shingle Jaccard similarity is at
    /// least the threshold and which LSH made a candidate; sorted.
    public func pairs(_ texts: [String]) -> [(Int32, Int32)] { search(texts).pairs }

    public func search(_ texts: [String]) -> Result {
        let n = texts.count
        guard n > 1 else {
            let folder = TextFolder()
            return Result(pairs: [], windowedBuckets: 0, foldedHashes: texts.map { text in
                var scalars: [UInt32] = []
                folder.fold(text, into: &scalars)
                return Self.foldedHash(scalars)
            })
        }

        // 1. Shingle sets, flat: set i is sets[offsets[i]..<offsets[i + 1]].
        let chunk = 4096
        let chunks = (n + chunk - 1) / chunk
        var parts = [([UInt64], [Int32], [UInt64])](repeating: ([], [], []), count: chunks)
        parts.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let folder = TextFolder()
                var scratch: [UInt32] = []
                var flat: [UInt64] = []
                var counts: [Int32] = []
                var folded: [UInt64] = []
                for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                    let before = flat.count
                    appendShingles(of: texts[i], folder: folder, scratch: &scratch, into: &flat)
                    counts.append(Int32(flat.count - before))
                    folded.append(Self.foldedHash(scratch))
                }
                base.pointer[c] = (flat, counts, folded)
            }
        }
        var flatSets: [UInt64] = []
        flatSets.reserveCapacity(parts.reduce(0) { $0 + $1.0.count })
        var starts: [Int] = [0]
        starts.reserveCapacity(n + 1)
        var foldedHashes: [UInt64] = []
        foldedHashes.reserveCapacity(n)
        for part in parts {
            flatSets.append(contentsOf: part.0)
            foldedHashes.append(contentsOf: part.2)
            for count in part.1 { starts.append(starts[starts.count - 1] + Int(count)) }
        }
        parts = []
        let sets = ShingleSets(flat: flatSets, offsets: starts)
        flatSets = []
        starts = []

        // 2. Identical non-empty sets are tied to the first text with the set; only that one
        //    goes on to LSH.
        var found: [UInt64] = []
        var representatives: [Int32] = []
        do {
            var keyed: [(UInt64, Int32)] = []
            keyed.reserveCapacity(n)
            for i in 0..<n where !sets[i].isEmpty {
                keyed.append((Self.setHash(sets[i]), Int32(i)))
            }
            keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            var start = 0
            while start < keyed.count {
                var end = start + 1
                while end < keyed.count && keyed[end].0 == keyed[start].0 { end += 1 }
                // Equal hashes of unequal sets (never seen in practice) stay separate.
                var groupLeaders: [Int32] = []
                for k in start..<end {
                    let i = keyed[k].1
                    if let leader = groupLeaders.first(where: { sets[Int($0)] == sets[Int(i)] }) {
                        found.append(UInt64(leader) << 32 | UInt64(i))
                    } else {
                        groupLeaders.append(i)
                        representatives.append(i)
                    }
                }
                start = end
            }
            representatives.sort()
        }
        let leaders = representatives
        representatives = []

        // 3. Band hashes of the representatives.
        let m = leaders.count
        let bandCount = parameters.bands
        var hashes = [UInt64](repeating: 0, count: m * bandCount)
        let signatureChunks = (m + chunk - 1) / chunk
        hashes.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: signatureChunks) { c in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: parameters.permutations) { minimum in
                    for k in (c * chunk)..<min(m, (c + 1) * chunk) {
                        bandHashes(of: sets[Int(leaders[k])], into: base.pointer + k * bandCount, minimum: minimum)
                    }
                }
            }
        }

        // 4. Candidates, one band at a time (bands on all cores, concatenated in band order):
        //    sort the band's hashes with the representative's number packed into the low bits,
        //    pair up equal runs. The hash keeps 64 − indexBits bits; a rare collision of
        //    truncated hashes only adds a candidate that exact Jaccard then turns away.
        let indexMask = Self.bucketIndexMask(representatives: m)
        let window = parameters.bucketWindow
        var perBand = [(candidates: [UInt64], windowed: Int)](repeating: ([], 0), count: bandCount)
        let frozenHashes = hashes
        perBand.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: bandCount) { band in
                var entries = [UInt64](repeating: 0, count: m)
                for k in 0..<m { entries[k] = (frozenHashes[k * bandCount + band] & ~indexMask) | UInt64(k) }
                entries.sort()
                var found: [UInt64] = []
                var windowed = 0
                var start = 0
                while start < m {
                    var end = start + 1
                    let key = entries[start] & ~indexMask
                    while end < m && entries[end] & ~indexMask == key { end += 1 }
                    if end - start > 1 {
                        if end - start > window + 1 { windowed += 1 }
                        for x in start..<end {
                            for y in (x + 1)..<min(end, x + 1 + window) {
                                found.append((entries[x] & indexMask) << 32 | (entries[y] & indexMask))
                            }
                        }
                    }
                    start = end
                }
                base.pointer[band] = (found, windowed)
            }
        }
        var candidates: [UInt64] = []
        candidates.reserveCapacity(perBand.reduce(0) { $0 + $1.candidates.count })
        var windowed = 0
        for band in perBand {
            candidates.append(contentsOf: band.candidates)
            windowed += band.windowed
        }
        perBand = []
        hashes = []
        candidates.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(candidates.count)
        for c in candidates where unique.last != c { unique.append(c) }
        candidates = []
        let distinct = unique
        unique = []

        // 5. Confirm by exact Jaccard, in fixed chunks of candidates.
        let confirmChunk = 16384
        let confirmChunks = (distinct.count + confirmChunk - 1) / confirmChunk
        var results = [[UInt64]](repeating: [], count: confirmChunks)
        let threshold = parameters.threshold
        results.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: confirmChunks) { c in
                var confirmed: [UInt64] = []
                for k in (c * confirmChunk)..<min(distinct.count, (c + 1) * confirmChunk) {
                    let i = leaders[Int(distinct[k] >> 32)], j = leaders[Int(distinct[k] & 0xFFFF_FFFF)]
                    if Self.jaccard(sets[Int(i)], sets[Int(j)]) >= threshold - 1e-12 {
                        confirmed.append(UInt64(UInt32(min(i, j))) << 32 | UInt64(UInt32(max(i, j))))
                    }
                }
                base.pointer[c] = confirmed
            }
        }
        for part in results { found.append(contentsOf: part) }
        found.sort()
        var pairs: [(Int32, Int32)] = []
        pairs.reserveCapacity(found.count)
        var last: UInt64?
        for p in found where p != last {
            pairs.append((Int32(p >> 32), Int32(p & 0xFFFF_FFFF)))
            last = p
        }
        return Result(pairs: pairs, windowedBuckets: windowed, foldedHashes: foldedHashes)
    }

    // MARK: Hashing

    static func splitmix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Shingle sets of many texts in one flat array: set `i` is `flat[offsets[i]..<offsets[i + 1]]`.
struct ShingleSets: Sendable {
    let flat: [UInt64]
    let offsets: [Int]

    subscript(i: Int) -> ArraySlice<UInt64> { flat[offsets[i]..<offsets[i + 1]] }
}

/// A pointer handed to `concurrentPerform` workers that write disjoint elements.
struct UnsafeSendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
