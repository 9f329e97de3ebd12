import HeldoutCore

/// Shingles of a folded sentence: hashes of runs of `size` consecutive words, sorted and
/// without repeats, so that exact Jaccard is a linear merge.
enum Shingles {
    static func of(_ tokens: ArraySlice<UInt64>, size: Int) -> [UInt64] {
        guard tokens.count >= size else { return [] }
        var out: [UInt64] = []
        out.reserveCapacity(tokens.count)
        if size == 1 {
            for t in tokens { out.append(Hash64.mix(t ^ Hash64.saltShingle)) }
        } else {
            let base = tokens.startIndex
            for start in 0...(tokens.count - size) {
                out.append(Hash64.sequence(tokens[(base + start)..<(base + start + size)], salt: Hash64.saltShingle))
            }
        }
        return sortedDistinct(out)
    }

    /// `hashes` sorted, without repeats: a set that exact Jaccard can merge linearly.
    private static func sortedDistinct(_ hashes: [UInt64]) -> [UInt64] {
        var out = hashes
        out.sort()
        var w = 0
        for r in out.indices where r == 0 || out[r] != out[w - 1] {
            out[w] = out[r]
            w += 1
        }
        out.removeLast(out.count - w)
        return out
    }

    /// Hashes of runs of `size` consecutive characters of the folded text (words joined by one
    /// space), sorted and without repeats; a folded text shorter than that is one shingle.
    static func ofCharacters(_ text: String, folder: TextFolder, size: Int) -> [UInt64] {
        var scalars: [UInt32] = []
        folder.fold(text, into: &scalars)
        guard !scalars.isEmpty else { return [] }
        var out: [UInt64] = []
        let windows = scalars.count <= size ? [0..<scalars.count] : (0...(scalars.count - size)).map { $0..<($0 + size) }
        out.reserveCapacity(windows.count)
        for window in windows {
            var h = Hash64.fnvOffset ^ Hash64.saltShingle
            for k in window { h = (h ^ UInt64(scalars[k])) &* Hash64.fnvPrime }
            out.append(Hash64.mix(h))
        }
        return sortedDistinct(out)
    }

    /// The shingles the options ask for, of a text whose folded word hashes are `tokens`.
    static func of(_ text: String, tokens: ArraySlice<UInt64>, folder: TextFolder, options: AuditOptions) -> [UInt64] {
        let size = options.shingleSize ?? 1
        switch options.shingle ?? .word {
        case .word: return of(tokens, size: size)
        case .char: return ofCharacters(text, folder: folder, size: size)
        }
    }

    /// |a ∩ b| / |a ∪ b| of two sorted sets without repeats.
    static func jaccard(_ a: ArraySlice<UInt64>, _ b: ArraySlice<UInt64>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        var i = a.startIndex, j = b.startIndex, common = 0
        while i < a.endIndex && j < b.endIndex {
            if a[i] == b[j] { common += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return Double(common) / Double(a.count + b.count - common)
    }
}

/// A MinHash signature: for each of `k` hash functions, the smallest value over a shingle set.
///
/// The functions are `a·x + b (mod 2⁶⁴)` with fixed odd multipliers drawn once from SplitMix64
/// (the audit's own, not the splitter's); shingles are already well mixed, so this family is
/// close enough to min-wise independent, and it costs one multiply-add per shingle and function.
struct MinHashSignature: Equatable {
    var values: [UInt64]

    struct Family: Sendable {
        let a: [UInt64]
        let b: [UInt64]

        init(count: Int) {
            var state: UInt64 = 0x6865_6c64_6f75_7421 // "heldout!"
            var a: [UInt64] = [], b: [UInt64] = []
            for _ in 0..<count {
                state &+= 0x9e37_79b9_7f4a_7c15
                a.append(Hash64.mix(state) | 1)
                state &+= 0x9e37_79b9_7f4a_7c15
                b.append(Hash64.mix(state))
            }
            self.a = a
            self.b = b
        }

        func signature(of shingles: [UInt64]) -> MinHashSignature {
            var mins = [UInt64](repeating: .max, count: a.count)
            // Four functions at a time over the shingles: four independent running minimums in
            // registers, so the compare chains overlap instead of waiting on each other.
            mins.withUnsafeMutableBufferPointer { m in
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        shingles.withUnsafeBufferPointer { xs in
                            var k = 0
                            while k + 4 <= m.count {
                                let (a0, a1, a2, a3) = (a[k], a[k + 1], a[k + 2], a[k + 3])
                                let (b0, b1, b2, b3) = (b[k], b[k + 1], b[k + 2], b[k + 3])
                                var (m0, m1, m2, m3) = (UInt64.max, UInt64.max, UInt64.max, UInt64.max)
                                for x in xs {
                                    let v0 = a0 &* x &+ b0, v1 = a1 &* x &+ b1, v2 = a2 &* x &+ b2, v3 = a3 &* x &+ b3
                                    m0 = v0 < m0 ? v0 : m0
                                    m1 = v1 < m1 ? v1 : m1
                                    m2 = v2 < m2 ? v2 : m2
                                    m3 = v3 < m3 ? v3 : m3
                                }
                                (m[k], m[k + 1], m[k + 2], m[k + 3]) = (m0, m1, m2, m3)
                                k += 4
                            }
                            while k < m.count {
                                var best = UInt64.max
                                for x in xs {
                                    let v = a[k] &* x &+ b[k]
                                    best = v < best ? v : best
                                }
                                m[k] = best
                                k += 1
                            }
                        }
                    }
                }
            }
            return MinHashSignature(values: mins)
        }
    }

    /// One key per band of `rows` values: two sets are candidates when any band key is equal.
    func bandKeys(bands: Int, rows: Int) -> [UInt64] {
        (0..<bands).map { band in
            var h = Hash64.mix(Hash64.saltBand ^ UInt64(band))
            for r in 0..<rows { h = Hash64.combine(h, values[band * rows + r]) }
            return h
        }
    }
}
