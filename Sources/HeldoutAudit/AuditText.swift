import HeldoutCore

/// Text helpers of the audit's hot path.
enum AuditText {
    /// The store's normalisation (``TextNormalization/normalize(_:)``, which already skips
    /// Foundation for text below U+0300 and returns normal text without a copy).
    @inline(__always)
    static func normalize(_ text: String) -> String { TextNormalization.normalize(text) }

    /// A segment's identity as the store forms it (``Segment``: primary language subtag and
    /// normalised text).
    static func segmentID(lang: LanguageTag, text: String) -> ContentID {
        Segment(lang: lang, rawText: text).id
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
