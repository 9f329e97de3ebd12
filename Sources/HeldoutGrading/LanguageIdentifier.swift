/// Which language a text is in: multinomial naive Bayes over character 1-, 2- and 3-grams,
/// with profiles for en, fr, de, es, it and "other" (ten more European languages together),
/// trained on Debian's gettext catalogues (``LanguageProfiles``, made by
/// scripts/make-language-profiles.py; docs/grading.md, "Language").
///
/// The grader asks it of every segment whose tag is one of the five: a segment whose text is
/// confidently another language is flagged, and splits leave flagged segments out unless their
/// spec says `language_mismatch: keep`. One pass over the UTF-8 bytes, no allocation.
///
/// `@unchecked Sendable`: its tables are raw memory written once, in `init`, and only read
/// after (raw pointers, so the scan pays no array bounds or exclusivity checks).
public final class LanguageIdentifier: @unchecked Sendable {
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
    /// Open-addressing hash table of every n-gram's key (three 21-bit scalars; 0 marks a free
    /// slot), `size` slots.
    let keys: UnsafeMutablePointer<UInt64>
    /// One SIMD8 row per slot of `keys` (six languages used).
    let rows: UnsafeMutablePointer<SIMD8<Float>>
    let mask: Int
    let bits: UInt64
    /// N-grams of spaces and ASCII letters alone (most of any Latin-script text), indexed
    /// directly instead of hashed: ``directSlot(_:_:_:)`` gives each one's place, which holds the
    /// index of its row in `directRows`, or -1 when no profile has it. 40 KB and 105 KB that
    /// stay in the core's cache, where the hash table's 640 KB did not.
    let direct: UnsafeMutablePointer<Int16>
    let directRows: UnsafeMutablePointer<SIMD8<Float>>

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
        keys = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
        rows = .allocate(capacity: size)
        rows.initialize(repeating: .zero, count: size)
        for (key, row) in entries {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
            while keys[slot] != 0 { slot = (slot + 1) & (size - 1) }
            keys[slot] = key
            rows[slot] = row
        }
        self.bits = bits
        mask = size - 1
        // The same rows again, for the n-grams of direct codes (a row added to `sum` is the
        // same whichever table it comes from, in the same order, so the scores are unchanged).
        direct = .allocate(capacity: Self.directSize)
        direct.initialize(repeating: -1, count: Self.directSize)
        var directEntries: [SIMD8<Float>] = []
        for (key, row) in entries {
            let scalars = [key & 0x1F_FFFF, key >> 21 & 0x1F_FFFF, key >> 42 & 0x1F_FFFF].prefix { $0 != 0 }
            let codes = scalars.map(Self.directCode)
            guard !codes.contains(where: { $0 >= Self.directCodes }) else { continue }
            let slot: Int
            switch codes.count {
            case 1: slot = Self.directSlot(codes[0])
            case 2: slot = Self.directSlot(codes[0], codes[1])
            default: slot = Self.directSlot(codes[0], codes[1], codes[2])
            }
            guard direct[slot] < 0 else { continue }   // as in the hash table: the first entry wins
            direct[slot] = Int16(directEntries.count)
            directEntries.append(row)
        }
        directRows = .allocate(capacity: max(1, directEntries.count))
        directRows.initialize(from: directEntries, count: directEntries.count)
    }

    deinit {
        keys.deallocate()
        rows.deallocate()
        direct.deallocate()
        directRows.deallocate()
    }

    /// Codes of the characters the direct table covers: space 0, `a`–`z` 1–26; any other
    /// character `directCodes` (looked up by hash).
    static let directCodes = 27
    static let directSize = directCodes + directCodes * directCodes + directCodes * directCodes * directCodes

    @inline(__always)
    static func directCode(_ x: UInt64) -> Int {
        if x == 0x20 { return 0 }
        if x >= 0x61 && x <= 0x7A { return Int(x - 0x60) }
        return directCodes
    }

    @inline(__always)
    static func directSlot(_ a: Int) -> Int { a }
    @inline(__always)
    static func directSlot(_ a: Int, _ b: Int) -> Int { directCodes + a * directCodes + b }
    @inline(__always)
    static func directSlot(_ a: Int, _ b: Int, _ c: Int) -> Int {
        directCodes + directCodes * directCodes + (a * directCodes + b) * directCodes + c
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
    ///
    /// One loop with its state in local variables (no nested function or method per character:
    /// those were not inlined, and their state went through memory at every call). Each
    /// character `x` (lowercased; any non-letter a space, runs of spaces one) adds its 1-gram,
    /// the 2-gram ending at it and the 3-gram ending at it, in that order; n-grams of spaces and
    /// ASCII letters only are looked up in `direct`, others by hash.
    @inline(__always)
    func score(_ bytes: UnsafeBufferPointer<UInt8>) -> (SIMD8<Float>, Int, Int) {
        let direct = self.direct, directRows = self.directRows, rows = self.rows
        let none = Self.directCodes
        var sum = SIMD8<Float>(repeating: 0)
        var known = 0, total = 0
        var c1: UInt64 = 0x20, c2: UInt64 = 0   // the two previous characters (0: none)
        var k1 = 0, k2 = 0                      // their direct codes
        var index = 0
        let count = bytes.count
        var last = false
        while true {
            var x: UInt64 = 0x20
            var k = 0
            if index < count {
                let lead = bytes[index]
                if lead < 0x80 {
                    index += 1
                    if lead >= 0x61 && lead <= 0x7A {
                        x = UInt64(lead)
                        k = Int(lead) - 0x60
                    } else if lead >= 0x41 && lead <= 0x5A {
                        x = UInt64(lead) + 0x20
                        k = Int(lead) - 0x40
                    }
                } else if lead < 0xC0 {
                    index += 1
                } else {
                    var scalar: UInt32
                    var length: Int
                    if lead >= 0xF0 { scalar = UInt32(lead & 0x07); length = 4 }
                    else if lead >= 0xE0 { scalar = UInt32(lead & 0x0F); length = 3 }
                    else { scalar = UInt32(lead & 0x1F); length = 2 }
                    if index + length <= count {
                        for j in 1..<length { scalar = scalar << 6 | UInt32(bytes[index + j] & 0x3F) }
                        index += length
                        if Self.isLetter(scalar) {
                            x = UInt64(Self.lower(scalar))
                            k = Self.directCode(x)
                        }
                    } else {
                        last = true   // a truncated sequence ends the text: the closing space
                    }
                }
            } else {
                last = true           // the closing space
            }
            if !(x == 0x20 && c1 == 0x20) {
                if x != 0x20 {
                    total += 1
                    if k < none {
                        let row = Int(direct[Self.directSlot(k)])
                        if row >= 0 { sum += directRows[row]; known += 1 }
                    } else if let slot = slot(of: x) {
                        sum += rows[slot]; known += 1
                    }
                }
                total += 1
                if k < none && k1 < none {
                    let row = Int(direct[Self.directSlot(k1, k)])
                    if row >= 0 { sum += directRows[row]; known += 1 }
                } else if let slot = slot(of: c1 | x << 21) {
                    sum += rows[slot]; known += 1
                }
                if c2 != 0 {
                    total += 1
                    if k < none && k1 < none && k2 < none {
                        let row = Int(direct[Self.directSlot(k2, k1, k)])
                        if row >= 0 { sum += directRows[row]; known += 1 }
                    } else if let slot = slot(of: c2 | c1 << 21 | x << 42) {
                        sum += rows[slot]; known += 1
                    }
                }
                c2 = c1
                k2 = k1
                c1 = x
                k1 = k
            }
            if last { break }
        }
        return (sum, known, total)
    }

    /// The hash table's slot of `key`, nil when no profile has it.
    func slot(of key: UInt64) -> Int? {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
        while true {
            let k = keys[slot]
            if k == key { return slot }
            if k == 0 { return nil }
            slot = (slot + 1) & mask
        }
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
