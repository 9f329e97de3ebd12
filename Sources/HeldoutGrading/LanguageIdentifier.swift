/// Which language a text is in: multinomial naive Bayes over character 1-, 2- and 3-grams,
/// with profiles for en, fr, de, es, it and "other" (ten more European languages together),
/// trained on Debian's gettext catalogues (``LanguageProfiles``, made by
/// scripts/make-language-profiles.py; docs/grading.md, "Language").
///
/// The grader asks it of every segment whose tag is one of the five: a segment whose text is
/// confidently another language is flagged, and splits leave flagged segments out unless their
/// spec says `language_mismatch: keep`. One pass over the UTF-8 bytes, no allocation.
public final class LanguageIdentifier: Sendable {
    /// What the identifier found in one text.
    public struct Identification: Sendable, Equatable {
        /// `en`, `fr`, `de`, `es`, `it` or `other`.
        public var language: String
        /// Log-probability per n-gram of each profile (``LanguageProfiles/languages`` order).
        public var scores: [Double]
        /// N-grams of the text found in the profiles.
        public var ngrams: Int
    }

    /// A text needs this many known n-grams (about three words) to be identified at all.
    public static let minimumNgrams = 24
    /// Flagged when the detected language beats the tag's by this many nats per n-gram.
    public static let flagMargin = 0.25

    /// Nats per n-gram taken from "other" (ten languages in one profile, so it fits any
    /// technical text a little): a prior against it. 0.1 raised agreement with the tag on every
    /// source of bench/langid.sh (and with lingua from 97.87% to 98.19%); chosen on that set.
    public static let otherPenalty: Float = 0.1

    public static let shared = LanguageIdentifier()

    let languages: [String]
    let keys: [UInt64]
    /// One SIMD8 row per slot of `keys` (six languages used).
    let rows: [SIMD8<Float>]
    let mask: Int
    let bits: UInt64

    init() {
        languages = LanguageProfiles.languages
        var entries: [(UInt64, SIMD8<Float>)] = []
        for line in LanguageProfiles.table.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            var key: UInt64 = 0
            for (i, scalar) in parts[0].unicodeScalars.enumerated() {
                let value = scalar == "_" ? 0x20 : UInt64(scalar.value)
                key |= value << (21 * UInt64(i))
            }
            var row = SIMD8<Float>(repeating: 0)
            for (i, value) in parts[1].split(separator: " ").enumerated() where i < 8 {
                row[i] = (Float(value) ?? 0) / 100
            }
            entries.append((key, row))
        }
        if let other = languages.firstIndex(of: "other") {
            for i in entries.indices { entries[i].1[other] -= Self.otherPenalty }
        }
        var bits: UInt64 = 4
        while (1 << bits) < entries.count * 3 { bits += 1 }
        let size = 1 << Int(bits)
        var keys = [UInt64](repeating: 0, count: size)
        var rows = [SIMD8<Float>](repeating: .zero, count: size)
        for (key, row) in entries {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
            while keys[slot] != 0 { slot = (slot + 1) & (size - 1) }
            keys[slot] = key
            rows[slot] = row
        }
        self.keys = keys
        self.rows = rows
        self.bits = bits
        mask = size - 1
    }

    /// Index of `tag`'s language among ``languages``, or nil for a language without a profile.
    func index(of language: GradingLanguage) -> Int? {
        language == .other ? nil : languages.firstIndex(of: language.rawValue)
    }

    public func identify(_ text: String) -> Identification? {
        var text = text
        return text.withUTF8 { identify(utf8: $0) }
    }

    public func identify(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Identification? {
        let (sum, known, total) = score(bytes)
        if Self.foreignScript(known: known, total: total) {
            return Identification(language: "other", scores: [], ngrams: known)
        }
        guard known >= Self.minimumNgrams else { return nil }
        var best = 0
        for i in 1..<languages.count where sum[i] > sum[best] { best = i }
        let language = languages[best]
        let n = Double(known)
        return Identification(language: language, scores: (0..<languages.count).map { Double(sum[$0]) / n }, ngrams: known)
    }

    /// The language found, and whether it confidently contradicts `tag` (nil: too short to tell).
    public func check(utf8 bytes: UnsafeBufferPointer<UInt8>, tag: GradingLanguage) -> (detected: String?, flagged: Bool) {
        let (sum, known, total) = score(bytes)
        if Self.foreignScript(known: known, total: total) { return ("other", index(of: tag) != nil) }
        guard known >= Self.minimumNgrams else { return (nil, false) }
        var best = 0
        for i in 1..<languages.count where sum[i] > sum[best] { best = i }
        let detected = languages[best]
        guard let own = index(of: tag) else { return (detected, false) }
        let margin = Double(sum[best] - sum[own]) / Double(known)
        return (detected, best != own && margin >= Self.flagMargin)
    }

    /// Text mostly outside every profile (another script: Cyrillic, Greek, CJK), long enough
    /// to say so: not one of the five.
    @inline(__always)
    static func foreignScript(known: Int, total: Int) -> Bool {
        total >= 2 * minimumNgrams && known * 2 < total
    }

    /// Summed log-probabilities, n-grams found, n-grams met.
    @inline(__always)
    func score(_ bytes: UnsafeBufferPointer<UInt8>) -> (SIMD8<Float>, Int, Int) {
        var sum = SIMD8<Float>(repeating: 0)
        var known = 0, total = 0
        var c1: UInt64 = 0x20, c2: UInt64 = 0   // the two previous characters (0: none)
        var index = 0
        let count = bytes.count
        keys.withUnsafeBufferPointer { keys in
            rows.withUnsafeBufferPointer { rows in
                @inline(__always) func add(_ key: UInt64) {
                    total += 1
                    var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
                    while true {
                        let k = keys[slot]
                        if k == key {
                            sum += rows[slot]
                            known += 1
                            return
                        }
                        if k == 0 { return }
                        slot = (slot + 1) & mask
                    }
                }
                @inline(__always) func feed(_ x: UInt64) {
                    if x == 0x20 {
                        if c1 == 0x20 { return }
                    } else {
                        add(x)
                    }
                    add(c1 | x << 21)
                    if c2 != 0 { add(c2 | c1 << 21 | x << 42) }
                    c2 = c1
                    c1 = x
                }
                while index < count {
                    let lead = bytes[index]
                    if lead < 0x80 {
                        index += 1
                        if lead >= 0x61 && lead <= 0x7A {
                            feed(UInt64(lead))
                        } else if lead >= 0x41 && lead <= 0x5A {
                            feed(UInt64(lead) + 0x20)
                        } else {
                            feed(0x20)
                        }
                        continue
                    }
                    var scalar: UInt32
                    var length: Int
                    if lead >= 0xF0 { scalar = UInt32(lead & 0x07); length = 4 }
                    else if lead >= 0xE0 { scalar = UInt32(lead & 0x0F); length = 3 }
                    else if lead >= 0xC0 { scalar = UInt32(lead & 0x1F); length = 2 }
                    else { index += 1; feed(0x20); continue }
                    guard index + length <= count else { break }
                    for k in 1..<length { scalar = scalar << 6 | UInt32(bytes[index + k] & 0x3F) }
                    index += length
                    feed(Self.isLetter(scalar) ? UInt64(Self.lower(scalar)) : 0x20)
                }
                feed(0x20)
            }
        }
        return (sum, known, total)
    }

    /// The same folding as scripts/make-language-profiles.py's `lower`.
    @inline(__always)
    static func lower(_ cp: UInt32) -> UInt32 {
        if cp >= 0xC0 && cp <= 0xDE && cp != 0xD7 { return cp + 0x20 }
        if cp >= 0x100 && cp <= 0x17F && cp % 2 == 0 && cp != 0x130 && cp != 0x138 { return cp + 1 }
        if cp >= 0x391 && cp <= 0x3A9 { return cp + 0x20 }
        if cp >= 0x410 && cp <= 0x42F { return cp + 0x20 }
        if cp >= 0x400 && cp <= 0x40F { return cp + 0x50 }
        return cp
    }

    /// Latin-1 and Latin Extended letters by range (most of the text), others by Unicode.
    @inline(__always)
    static func isLetter(_ cp: UInt32) -> Bool {
        if cp < 0x250 { return cp >= 0xC0 ? cp != 0xD7 && cp != 0xF7 : cp == 0xAA || cp == 0xB5 || cp == 0xBA }
        guard let scalar = Unicode.Scalar(cp) else { return false }
        return scalar.properties.isAlphabetic
    }
}

/// The profiles' data (LanguageProfiles.swift is generated).
enum LanguageProfiles {}
