/// A BCP 47 language tag in canonical case: `fr`, `fr-CA`, `zh-Hant-TW`, `sr-Latn`.
///
/// Corpora spell tags every which way (`FR-fr`, `fr_CA`, `EN-us`); segment identity hashes the tag,
/// so one spelling must win. Pairs and filters work on the ``primary`` language subtag.
public struct LanguageTag: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The canonical form, e.g. `fr-CA`.
    public let value: String

    /// Parses and canonicalises a tag; `nil` when it is not a plausible BCP 47 tag.
    public init?(_ raw: String) {
        // Fast path for the common spelling (`fr`, `eng`): Foundation's trimming costs microseconds,
        // and the audit and ingest parse a tag per record.
        let bytes = raw.utf8
        if (2...8).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) {
            value = raw
            return
        }
        var trimmed = raw
        if bytes.contains(where: { $0 <= 0x20 || $0 >= 0x80 }) {
            trimmed = trimmed.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if trimmed.utf8.contains(UInt8(ascii: "_")) {
            trimmed = trimmed.replacingOccurrences(of: "_", with: "-")
        }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, (2...8).contains(first.count), first.allSatisfy(\.isASCIILetter) else {
            return nil
        }
        var out = [first.lowercased()]
        var afterSingleton = false
        for (index, part) in parts.enumerated().dropFirst() {
            guard !part.isEmpty, part.count <= 8, part.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit }) else {
                return nil
            }
            if afterSingleton {
                out.append(part.lowercased())
            } else if part.count == 1 {
                afterSingleton = true
                out.append(part.lowercased())
            } else if part.count == 4, index == 1 || (index == 2 && out[1].count == 3 && out[1].allSatisfy(\.isASCIILetter)),
                      part.allSatisfy(\.isASCIILetter) {
                // Script subtag: title case (Latn, Hant).
                out.append(part.prefix(1).uppercased() + part.dropFirst().lowercased())
            } else if part.count == 2, part.allSatisfy(\.isASCIILetter) {
                out.append(part.uppercased()) // region: FR, CA
            } else {
                out.append(part.lowercased()) // region digits (419), variants, extlang
            }
        }
        value = out.joined(separator: "-")
    }

    /// The primary language subtag (`fr` for `fr-CA`), on which pairs are formed.
    public var primary: String {
        value.split(separator: "-").first.map(String.init) ?? value
    }

    /// The primary subtag alone, as a tag: what segment identity and pairs are formed on.
    public var primaryTag: LanguageTag {
        value.contains("-") ? LanguageTag(primary) ?? self : self
    }

    public var description: String { value }

    public static func < (lhs: LanguageTag, rhs: LanguageTag) -> Bool { lhs.value < rhs.value }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let tag = LanguageTag(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a language tag: \(raw)"))
        }
        self = tag
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// A language pair on primary subtags, written in a canonical order (`en-fr`, never `fr-en`)
/// so that a pair counted from either side is the same key.
public struct LanguagePair: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let first: String
    public let second: String

    public init(_ a: String, _ b: String) {
        (first, second) = a <= b ? (a, b) : (b, a)
    }

    /// Parses `en-fr` or `fr_en` (primary subtags only). Order is kept by ``DirectedPair``, not here.
    public init?(_ raw: String) {
        guard let directed = DirectedPair(raw) else { return nil }
        self.init(directed.source.primary, directed.target.primary)
    }

    public var description: String { "\(first)-\(second)" }
    public static func < (l: LanguagePair, r: LanguagePair) -> Bool { l.description < r.description }
}

/// `--pair en-fr` as the user wrote it: source then target. Readers use it to name the sides of
/// a bilingual file, and to refuse a file that declares other languages.
public struct DirectedPair: Hashable, Sendable, CustomStringConvertible {
    public let source: LanguageTag
    public let target: LanguageTag

    public init(source: LanguageTag, target: LanguageTag) {
        self.source = source
        self.target = target
    }

    public init?(_ raw: String) {
        // Split on the hyphen between two tags; tags themselves may hold hyphens (en-GB-fr-FR is
        // ambiguous, so only two simple tags or a `:` separator are accepted: en-fr, en-GB:fr-FR).
        let parts: [String]
        if raw.contains(":") {
            parts = raw.split(separator: ":").map(String.init)
        } else {
            parts = raw.split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        }
        guard parts.count == 2, let s = LanguageTag(parts[0]), let t = LanguageTag(parts[1]) else { return nil }
        self.init(source: s, target: t)
    }

    public var description: String { "\(source)-\(target)" }
}

extension Character {
    var isASCIILetter: Bool { isASCII && isLetter }
    var isASCIIDigit: Bool { isASCII && isNumber }
}
