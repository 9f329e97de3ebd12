import Foundation
import HeldoutCore

/// One line of `train.jsonl`, `dev.jsonl` or `test.jsonl` (DESIGN "Outputs"), plus what the
/// audit needs to re-derive leaks without trusting the split: the segment ids, documents and
/// target lexeme of the item.
///
/// Every key is always written (`null` when absent), so every line has the same shape.
/// The audit issue defines its own `DatasetRecord` in the core to read these lines; the field
/// names here are the contract between the two.
public struct SplitRecord: Codable, Equatable, Sendable {
    public struct Message: Codable, Equatable, Sendable {
        /// `user` or `assistant` (standard chat roles; a plausibility training record has the user
        /// turn only, its rubric in the record's `rubric` field).
        public var role: String
        public var content: String
    }

    public struct Source: Codable, Equatable, Sendable {
        public var lang: String
        public var text: String
        /// The sentence in the pair's other language, when the store has one.
        public var translation: String?

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lang, forKey: .lang)
            try c.encode(text, forKey: .text)
            try c.encode(translation, forKey: .translation)
        }
    }

    public var id: String
    public var partition: Partition
    public var column: String
    public var role: Role
    public var category: String
    public var pair: String?
    public var band: String?
    public var domain: String?
    public var question: String
    /// The gold answer; null for a plausibility item in training.
    public var answer: String?
    public var rubric: [String]
    public var source: Source
    public var consistencyGroup: String?
    public var messages: [Message]
    /// Hex ids of every segment whose text the record carries or refers to.
    public var segments: [String]
    /// `corpus/document` of every occurrence of those segments, sorted.
    public var documents: [String]
    public var target: Lexeme?
    public var template: String

    enum CodingKeys: String, CodingKey {
        case id, partition, column, role, category, pair, band, domain, question, answer, rubric, source
        case messages, segments, documents, target, template
        case consistencyGroup = "consistency_group"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(partition, forKey: .partition)
        try c.encode(column, forKey: .column)
        try c.encode(role, forKey: .role)
        try c.encode(category, forKey: .category)
        try c.encode(pair, forKey: .pair)
        try c.encode(band, forKey: .band)
        try c.encode(domain, forKey: .domain)
        try c.encode(question, forKey: .question)
        try c.encode(answer, forKey: .answer)
        try c.encode(rubric, forKey: .rubric)
        try c.encode(source, forKey: .source)
        try c.encode(consistencyGroup, forKey: .consistencyGroup)
        try c.encode(messages, forKey: .messages)
        try c.encode(segments, forKey: .segments)
        try c.encode(documents, forKey: .documents)
        try c.encode(target, forKey: .target)
        try c.encode(template, forKey: .template)
    }

    /// The record as one canonical JSON line (sorted keys, no spaces, `/` unescaped), written
    /// by hand: at a million records Foundation's encoder is most of the split's time. A test
    /// holds it equal to `CanonicalJSON` byte for byte.
    public func appendJSON(to out: inout [UInt8]) {
        var w = JSONBytes(out: out)
        out = []
        w.raw("{\"answer\":"); w.string(answer)
        w.raw(",\"band\":"); w.string(band)
        w.raw(",\"category\":"); w.string(category)
        w.raw(",\"column\":"); w.string(column)
        w.raw(",\"consistency_group\":"); w.string(consistencyGroup)
        w.raw(",\"documents\":"); w.strings(documents)
        w.raw(",\"domain\":"); w.string(domain)
        w.raw(",\"id\":"); w.string(id)
        w.raw(",\"messages\":[")
        for (index, message) in messages.enumerated() {
            if index > 0 { w.raw(",") }
            w.raw("{\"content\":"); w.string(message.content)
            w.raw(",\"role\":"); w.string(message.role)
            w.raw("}")
        }
        w.raw("],\"pair\":"); w.string(pair)
        w.raw(",\"partition\":"); w.string(partition.rawValue)
        w.raw(",\"question\":"); w.string(question)
        w.raw(",\"role\":"); w.string(role.rawValue)
        w.raw(",\"rubric\":"); w.strings(rubric)
        w.raw(",\"segments\":"); w.strings(segments)
        w.raw(",\"source\":{\"lang\":"); w.string(source.lang)
        w.raw(",\"text\":"); w.string(source.text)
        w.raw(",\"translation\":"); w.string(source.translation)
        w.raw("},\"target\":")
        if let target {
            w.raw("{\"lang\":"); w.string(target.lang)
            w.raw(",\"lemma\":"); w.string(target.lemma)
            w.raw("}")
        } else {
            w.raw("null")
        }
        w.raw(",\"template\":"); w.string(template)
        w.raw("}\n")
        out = w.out
    }
}

/// JSON text as Foundation's encoder escapes it: `"`, `\`, and control characters
/// (`\b \f \n \r \t`, others `\u00XX`); everything else, `/` included, as UTF-8.
struct JSONBytes {
    var out: [UInt8]

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    mutating func string(_ value: String?) {
        guard var s = value else {
            raw("null")
            return
        }
        out.append(0x22)
        s.withUTF8 { bytes in
            // Runs of bytes that need no escape are copied whole.
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                escape(byte)
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
        }
        out.append(0x22)
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case 0x22: out.append(0x5C); out.append(0x22)
        case 0x5C: out.append(0x5C); out.append(0x5C)
        case 0x08: out.append(0x5C); out.append(0x62)
        case 0x0C: out.append(0x5C); out.append(0x66)
        case 0x0A: out.append(0x5C); out.append(0x6E)
        case 0x0D: out.append(0x5C); out.append(0x72)
        case 0x09: out.append(0x5C); out.append(0x74)
        case 0..<0x20:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
        default: out.append(byte)
        }
    }

    mutating func strings(_ list: [String]) {
        out.append(0x5B)
        for (index, s) in list.enumerated() {
            if index > 0 { out.append(0x2C) }
            string(s)
        }
        out.append(0x5D)
    }
}
