import Foundation

/// Folds text for comparison: compatibility decomposition (NFKD), diacritics dropped, lower
/// case, a few letters Unicode does not decompose spelled out (ß → ss, æ → ae, œ → oe, ø → o,
/// ł → l, đ/ð → d, þ → th, ı → i), and everything that is neither letter nor digit a word
/// break. Ideographs, kana and Thai are one word each, since those scripts do not put spaces
/// between words and n-grams of characters then play the role of n-grams of words.
///
/// This is the one definition of "the same words" in heldout: the splitter's near-duplicate
/// link and the audit's folded-segment and near-duplicate rules both read text through it, so
/// that what the audit calls a near-copy is what the splitter tied. Each hashes and indexes the
/// folded words its own way, so that the two still check each other.
///
/// One folder per thread: it caches the mapping of scalars outside Latin-1 and Latin Extended,
/// which Foundation is slow to compute (tens of microseconds a call).
public final class TextFolder {
    /// What one scalar becomes: nothing (a combining mark), scalars of a word, and 0 for a break.
    private typealias Mapping = [UInt32]

    private static let tableSize = 0x250
    private static let table: [Mapping] = (0..<tableSize).map { value in
        Unicode.Scalar(UInt32(value)).map(compute) ?? [0]
    }

    private var cache: [UInt32: Mapping] = [:]

    public init() {}

    private static func compute(_ scalar: Unicode.Scalar) -> Mapping {
        if scalar.isASCII {
            let v = scalar.value
            if (0x41...0x5A).contains(v) { return [v + 0x20] }
            if (0x61...0x7A).contains(v) || (0x30...0x39).contains(v) { return [v] }
            return [0]
        }
        if isStandaloneWord(scalar) { return [0, scalar.value, 0] }
        let decomposed = String(Character(scalar)).decomposedStringWithCompatibilityMapping
        var out: Mapping = []
        for u in decomposed.unicodeScalars {
            let p = u.properties
            switch p.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .format:
                continue
            default:
                break
            }
            if p.isAlphabetic || p.numericType != nil {
                for l in p.lowercaseMapping.unicodeScalars {
                    out.append(contentsOf: special(l))
                }
            } else {
                out.append(0)
            }
        }
        return out
    }

    private static func special(_ u: Unicode.Scalar) -> [UInt32] {
        switch u.value {
        case 0xDF: return [0x73, 0x73]          // ß
        case 0xE6: return [0x61, 0x65]          // æ
        case 0x153: return [0x6F, 0x65]         // œ
        case 0xF8: return [0x6F]                // ø
        case 0x142: return [0x6C]               // ł
        case 0x111, 0xF0: return [0x64]         // đ ð
        case 0xFE: return [0x74, 0x68]          // þ
        case 0x131: return [0x69]               // ı
        default: return [u.value]
        }
    }

    private static func isStandaloneWord(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return u.properties.isIdeographic
            || (0x3040...0x30FF).contains(v)    // hiragana, katakana
            || (0x0E00...0x0E7F).contains(v)    // Thai
            || (0x0E80...0x0EFF).contains(v)    // Lao
            || (0x1780...0x17FF).contains(v)    // Khmer
    }

    @inline(__always)
    private func mapping(_ scalar: Unicode.Scalar) -> Mapping {
        let v = scalar.value
        if v < UInt32(Self.tableSize) { return Self.table[Int(v)] }
        if let m = cache[v] { return m }
        let m = Self.compute(scalar)
        cache[v] = m
        return m
    }

    /// Calls `body` with each scalar of the folded text and with 0 at word breaks (possibly
    /// several in a row, before the first word or after the last: callers collapse them).
    public func forEachFolded(_ text: String, _ body: (UInt32) -> Void) {
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if v >= 0x61 && v <= 0x7A || v >= 0x30 && v <= 0x39 { body(v) }
                else if v >= 0x41 && v <= 0x5A { body(v + 0x20) }
                else { body(0) }
            } else {
                for c in mapping(scalar) { body(c) }
            }
        }
    }

    /// The folded text's scalars, words separated by one space (U+0020), appended to `out`.
    public func fold(_ text: String, into out: inout [UInt32]) {
        var pendingBreak = false
        let start = out.count
        forEachFolded(text) { c in
            if c == 0 {
                pendingBreak = true
            } else {
                if pendingBreak && out.count > start { out.append(0x20) }
                pendingBreak = false
                out.append(c)
            }
        }
    }

    /// The folded words of `text` as strings (slow; for evidence and tests).
    public func words(_ text: String) -> [String] {
        var out: [String] = []
        var word = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            for c in mapping(scalar) {
                if c == 0 {
                    if !word.isEmpty { out.append(String(word)); word = String.UnicodeScalarView() }
                } else if let u = Unicode.Scalar(c) {
                    word.append(u)
                }
            }
        }
        if !word.isEmpty { out.append(String(word)) }
        return out
    }

    /// The folded text: words joined by single spaces.
    public func folded(_ text: String) -> String { words(text).joined(separator: " ") }
}
