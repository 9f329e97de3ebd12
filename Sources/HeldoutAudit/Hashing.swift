/// The audit's own 64-bit hashing: FNV-1a to accumulate, the SplitMix64 finaliser to spread.
///
/// Deliberately not Swift's `Hasher` (seeded per process, so two runs would index differently)
/// and not shared with the splitter, so that the two check each other.
enum Hash64 {
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// SplitMix64's finaliser: a bijection on 64 bits with good avalanche.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Order-sensitive combination of two hashes.
    @inline(__always)
    static func combine(_ seed: UInt64, _ value: UInt64) -> UInt64 {
        mix(seed ^ (value &+ 0x9e37_79b9_7f4a_7c15 &+ (seed << 6) &+ (seed >> 2)))
    }

    /// Hash of a whole sequence of token hashes (the folded text), salted by what it is used for.
    static func sequence(_ tokens: some Collection<UInt64>, salt: UInt64) -> UInt64 {
        var h = mix(salt ^ UInt64(tokens.count))
        for t in tokens { h = combine(h, t) }
        return h
    }

    /// Hash of a string's UTF-8 bytes (keys such as document names and lexemes).
    static func string(_ s: String, salt: UInt64) -> UInt64 {
        var h = fnvOffset ^ salt
        for b in s.utf8 { h = (h ^ UInt64(b)) &* fnvPrime }
        return mix(h)
    }

    // Salts keep the namespaces of one index apart.
    static let saltFolded: UInt64 = 0x0f01
    static let saltSegmentID: UInt64 = 0x0f02
    static let saltDocument: UInt64 = 0x0f03
    static let saltLexeme: UInt64 = 0x0f04
    static let saltConsistency: UInt64 = 0x0f05
    static let saltAnchor: UInt64 = 0x0f06
    static let saltShingle: UInt64 = 0x0f07
    static let saltBand: UInt64 = 0x0f08
}
