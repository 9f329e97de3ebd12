import HeldoutCore

/// Text helpers of the audit's hot path.
enum AuditText {
    /// ``TextNormalization/normalize(_:)`` without Foundation when it can be avoided: a text
    /// whose scalars are all below U+0300 is already NFC (nothing there decomposes or
    /// combines), so only whitespace needs collapsing. Foundation's NFC costs ~100 µs a call
    /// here; this is what lets the audit derive segment ids of a million training records.
    static func normalize(_ text: String) -> String {
        var simple = true
        for s in text.unicodeScalars where s.value >= 0x300 {
            simple = false
            break
        }
        guard simple else { return TextNormalization.normalize(text) }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            // Whitespace below U+0300 (Unicode White_Space): TAB…CR, space, NEL, NBSP.
            if (0x09...0x0D).contains(v) || v == 0x20 || v == 0x85 || v == 0xA0 {
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

    /// The segment id a text would have in the store (DESIGN "Identity").
    static func segmentID(lang: LanguageTag, text: String) -> ContentID {
        ContentID(hashing: [lang.value, normalize(text)])
    }

    /// The other language of a record's pair: the translation's language.
    static func translationLanguage(pair: String?, source: LanguageTag?) -> LanguageTag? {
        guard let pair, let directed = DirectedPair(pair) else { return nil }
        guard let source else { return nil }
        if directed.source.primary == source.primary { return directed.target }
        if directed.target.primary == source.primary { return directed.source }
        return nil
    }

    static func idKey(_ id: ContentID) -> UInt64 {
        Hash64.mix(id.high ^ Hash64.mix(id.low ^ Hash64.saltSegmentID))
    }

    /// Polynomial hash of `tokens[start..<start+n]`, the same value the rolling scan computes.
    static func windowHash(_ tokens: UnsafeBufferPointer<UInt64>, _ start: Int, _ n: Int) -> UInt64 {
        var h: UInt64 = 0
        for k in 0..<n { h = h &* rollingBase &+ tokens[start + k] }
        return h
    }

    static let rollingBase: UInt64 = 0x100_0000_01b3_0001

    static func anchorKey(_ window: UInt64) -> UInt64 { Hash64.mix(window ^ Hash64.saltAnchor) }

    static func power(_ n: Int) -> UInt64 {
        var p: UInt64 = 1
        for _ in 0..<n { p = p &* rollingBase }
        return p
    }

    /// Shortens long texts for reports: first 300 characters and an ellipsis.
    static func excerpt(_ text: String, limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
