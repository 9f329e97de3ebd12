import HeldoutCore

/// Text helpers of the audit's hot path.
enum AuditText {
    /// ``TextNormalization/normalize(_:)`` without Foundation when it can be avoided: a text
    /// whose scalars are all below U+0300 is already NFC (nothing there decomposes or
    /// combines), so only whitespace needs collapsing. Foundation's NFC costs ~100 µs a call
    /// here; this is what lets the audit derive segment ids of a million training records.
    static func normalize(_ text: String) -> String {
        // Commonest case first: nothing to do. Scalars from U+0300 up have a UTF-8 lead byte
        // of 0xCC or more; NEL and NBSP are C2 85 and C2 A0.
        var clean = true
        var previous: UInt8 = 0x20 // a leading space is not clean
        for b in text.utf8 {
            if b >= 0xCC || (0x09...0x0D).contains(b) || (b == 0x20 && previous == 0x20)
                || (previous == 0xC2 && (b == 0x85 || b == 0xA0)) {
                clean = false
                break
            }
            previous = b
        }
        if clean && previous != 0x20 { return text }
        if text.utf8.contains(where: { $0 >= 0xCC }) { return TextNormalization.normalize(text) }
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
    /// A segment's identity as the store forms it: primary language subtag and normalised text.
    static func segmentID(lang: LanguageTag, text: String) -> ContentID {
        ContentID(hashing: [lang.primaryTag.value, normalize(text)])
    }

    /// The other language of a record's pair: the translation's language.
    static func translationLanguage(pair: String?, source: LanguageTag?) -> LanguageTag? {
        guard let pair, let directed = DirectedPair(pair) else { return nil }
        guard let source else { return nil }
        if directed.source.primary == source.primary { return directed.target }
        if directed.target.primary == source.primary { return directed.source }
        return nil
    }

    /// ``DatasetRecord/Lexeme/key`` computed without Foundation's NFC on the common path.
    static func lexemeKey(_ lexeme: DatasetRecord.Lexeme) -> String {
        let primary = LanguageTag(lexeme.lang)?.primary ?? lexeme.lang.lowercased()
        return primary + ":" + normalize(lexeme.lemma).lowercased()
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
