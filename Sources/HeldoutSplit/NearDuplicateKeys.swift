import HeldoutCore

/// One text's share of the near-duplicate search, for a cluster that runs the band join itself
/// (`heldout map bands`, issue 15): everything ``NearDuplicateIndex/search(_:)`` computes per text
/// before texts meet, by the same functions, so that a join over these keys finds what the
/// search finds.
extension NearDuplicateIndex {
    public struct Keys: Sendable, Equatable {
        /// The folded text (words joined by one space; empty: no letters or digits).
        public var folded: String
        /// ``Result/foldedHashes``' value for the text.
        public var foldedHash: UInt64
        /// The sorted, distinct shingle hashes (``shingles(_:folder:)``).
        public var shingles: [UInt64]
        /// The hash by which texts with identical shingle sets are tied before LSH (nil: no shingles).
        public var setHash: UInt64?
        /// The full 64-bit hash of each band of the MinHash signature (empty: no shingles). The
        /// search buckets them by ``bucketKey(_:representatives:)``.
        public var bands: [UInt64]
    }

    /// The keys of one text.
    public func keys(of text: String, folder: TextFolder = TextFolder()) -> Keys {
        var scratch: [UInt32] = []
        var shingles: [UInt64] = []
        appendShingles(of: text, folder: folder, scratch: &scratch, into: &shingles)
        var folded = String.UnicodeScalarView()
        for v in scratch { if let scalar = Unicode.Scalar(v) { folded.append(scalar) } }
        var keys = Keys(folded: String(folded), foldedHash: Self.foldedHash(scratch), shingles: shingles, setHash: nil, bands: [])
        guard !shingles.isEmpty else { return keys }
        keys.setHash = Self.setHash(shingles[...])
        keys.bands = [UInt64](repeating: 0, count: parameters.bands)
        keys.bands.withUnsafeMutableBufferPointer { out in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: parameters.permutations) { minimum in
                bandHashes(of: shingles[...], into: out.baseAddress!, minimum: minimum)
            }
        }
        return keys
    }

    /// The hash that ties identical shingle sets (equal hashes of unequal sets stay apart).
    static func setHash(_ set: ArraySlice<UInt64>) -> UInt64 {
        var h: UInt64 = 0x5E75
        for x in set { h = mix(h ^ x) }
        return h
    }

    /// The low bits of a band hash the search replaces by the representative's number when it
    /// sorts a band: `representatives` is the number of texts that enter LSH (one per distinct
    /// non-empty shingle set).
    public static func bucketIndexMask(representatives m: Int) -> UInt64 {
        var indexBits = 1
        while (1 << indexBits) < m { indexBits += 1 }
        return (1 << UInt64(indexBits)) - 1
    }

    /// The bucket a band hash falls in when `representatives` texts enter LSH.
    public static func bucketKey(_ band: UInt64, representatives m: Int) -> UInt64 {
        band & ~bucketIndexMask(representatives: m)
    }
}
