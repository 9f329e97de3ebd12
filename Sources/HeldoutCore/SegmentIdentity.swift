import Crypto
import Foundation

/// The text rules that make two spellings of one sentence one segment.
public enum TextNormalization {
    /// Unicode NFC, every run of whitespace (including no-break and other Unicode spaces, tabs and
    /// line breaks) collapsed to one U+0020, trimmed at both ends.
    ///
    /// This is the text a segment id is computed over and the text the store keeps.
    public static func normalize(_ text: String) -> String {
        if let fast = normalizeBelowCombiningMarks(text) { return fast }
        let nfc = text.precomposedStringWithCanonicalMapping
        var out = String.UnicodeScalarView()
        out.reserveCapacity(nfc.unicodeScalars.count)
        var pendingSpace = false
        for scalar in nfc.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{200B}" || scalar == "\u{FEFF}" {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// The common case without Foundation: text whose characters are all below U+0300 (ASCII,
    /// Latin-1, Latin Extended-A/B — nearly all en/fr/de/es/it text). No combining mark lives
    /// there and NFC changes none of those characters, so only whitespace needs work, and that
    /// is done on the UTF-8 bytes. Returns nil for anything else, which takes the full path.
    static func normalizeBelowCombiningMarks(_ text: String) -> String? {
        var text = text
        // Most sentences are already normal: single ASCII spaces between words, none at the
        // ends. Those are returned as they are, without building a copy.
        let unchanged = text.withUTF8 { bytes -> Bool? in
            var previousSpace = true // a space at the start is a change
            for byte in bytes {
                if byte >= 0xCC { return nil }
                if byte == 0x20 {
                    if previousSpace { return false }
                    previousSpace = true
                } else if (byte >= 0x09 && byte <= 0x0D) || byte == 0xC2 {
                    return false // other whitespace, or a two-byte character that may be NEL/NBSP
                } else {
                    previousSpace = false
                }
            }
            return !previousSpace || bytes.isEmpty
        }
        switch unchanged {
        case nil: return nil
        case true?: return text
        case false?: break
        }
        return text.withUTF8 { bytes -> String? in
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte >= 0xCC { return nil } // U+0300 and above (or a 3/4-byte sequence)
                let isSpace: Bool
                var width = 1
                if byte < 0x80 {
                    isSpace = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
                } else {
                    // Two-byte sequence for U+0080…U+02FF: NEL (C2 85) and NBSP (C2 A0) are spaces.
                    width = 2
                    guard index + 1 < count else { return nil }
                    isSpace = byte == 0xC2 && (bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0)
                }
                if isSpace {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace {
                        out.append(0x20)
                        pendingSpace = false
                    }
                    out.append(byte)
                    if width == 2 { out.append(bytes[index + 1]) }
                }
                index += width
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// A 128-bit content id: the first 16 bytes of SHA-256 over an identity's defining fields.
///
/// Written as 32 lowercase hex digits in every output. Comparable by bytes, so "the smallest id
/// of a component" does not depend on the order anything was read in.
public struct ContentID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The first 16 bytes of SHA-256 over `fields` joined by U+001F (unit separator), which no
    /// normalised text or tag contains, so `("a b", "c")` and `("a", "b c")` never collide.
    public init(hashing fields: [String]) {
        var hasher = SHA256()
        for (index, field) in fields.enumerated() {
            if index > 0 { hasher.update(data: [0x1F]) }
            var copy = field
            copy.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        let digest = hasher.finalize()
        var high: UInt64 = 0, low: UInt64 = 0
        digest.withUnsafeBytes { raw in
            for i in 0..<8 { high = high << 8 | UInt64(raw[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(raw[i]) }
        }
        self.init(high: high, low: low)
    }

    /// The same as `ContentID(hashing: [first, second])`, without the array: segment identity
    /// hashes two fields for every sentence ingested.
    public init(hashingField first: String, _ second: String) {
        var hasher = SHA256()
        var first = first, second = second
        first.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(0x1F)) { hasher.update(bufferPointer: $0) }
        second.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let digest = hasher.finalize()
        let (high, low) = digest.withUnsafeBytes { raw in
            (UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
             UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        self.init(high: high, low: low)
    }

    /// Parses 32 hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 32,
              let high = UInt64(hex.prefix(16), radix: 16),
              let low = UInt64(hex.suffix(16), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }

    /// The 16 bytes, big-endian: the form the store keeps, which sorts like the id.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }

    /// From 16 big-endian bytes at `raw` (the store's form) without a generic walk: ingest, the
    /// split and the grader read millions of ids in a loop.
    @inlinable
    public init(bigEndian raw: UnsafeRawPointer) {
        self.init(high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                  low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// The same from a buffer, checking its length.
    public init?(bytes raw: UnsafeRawBufferPointer) {
        guard raw.count == 16, let base = raw.baseAddress else { return nil }
        self.init(bigEndian: base)
    }

    /// Calls `body` with the 16 big-endian bytes, without allocating.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { try body($0) }
    }

    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { high = high << 8 | UInt64(b) } else { low = low << 8 | UInt64(b) }
        }
        self.init(high: high, low: low)
    }

    public var hex: String {
        String(unsafeUninitializedCapacity: 32) { out in
            appendHex(to: out.baseAddress!)
            return 32
        }
    }

    /// The 32 lowercase hex digits written at `out`.
    @inlinable
    public func appendHex(to out: UnsafeMutablePointer<UInt8>) {
        for i in 0..<16 {
            let word = i < 8 ? high : low
            let byte = UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(i & 7)))
            let hi = byte >> 4, lo = byte & 15
            out[2 * i] = hi < 10 ? 0x30 + hi : 0x57 + hi
            out[2 * i + 1] = lo < 10 ? 0x30 + lo : 0x57 + lo
        }
    }

    public var description: String { hex }

    public static func < (l: ContentID, r: ContentID) -> Bool { (l.high, l.low) < (r.high, r.low) }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let id = ContentID(hex: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 128-bit hex id: \(raw)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}

/// One sentence in one language, identified by its content (DESIGN "Identity").
///
/// The language of a segment is the *primary* language subtag of the tag its corpus declared
/// (`fr` for `fr-CA`): the same French sentence tagged `fr-FR` in one corpus and `fr-CA` in
/// another is one sentence, and must be one segment, or a held-out sentence could reach
/// training under another region tag and a pivot through `en-GB` and `en` would be cut.
/// The declared tag is kept on each occurrence.
public struct Segment: Hashable, Sendable {
    public let id: ContentID
    /// The primary language subtag, as a tag (`fr`).
    public let lang: LanguageTag
    /// The normalised text (``TextNormalization/normalize(_:)``).
    public let text: String

    /// Normalises `rawText` and derives the id from the primary language and the normalised text.
    public init(lang: LanguageTag, rawText: String) {
        let text = TextNormalization.normalize(rawText)
        self.init(lang: lang, normalizedText: text)
    }

    /// For text already normalised (the store's own rows).
    public init(lang: LanguageTag, normalizedText text: String) {
        // `primaryTag` searches the tag through Foundation; a tag without a subtag is its own
        // primary, and that is nearly every tag ingest meets (millions of segments per file).
        let primary = lang.value.utf8.contains(0x2D) ? lang.primaryTag : lang
        self.lang = primary
        self.text = text
        self.id = ContentID(hashingField: primary.value, text)
    }
}
