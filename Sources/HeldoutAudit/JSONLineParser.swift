import HeldoutCore

/// A strict JSON parser for one JSONL line that builds a ``DatasetRecord`` directly.
///
/// Foundation's `JSONDecoder` takes ~100 µs a record on this platform: 1M training records
/// would take minutes. This parser validates the whole line (a malformed line is bad input,
/// exit 3) but only materialises the fields the audit reads, with the same leniency as
/// `DatasetRecord`'s `Decodable` conformance: unknown keys skipped, numbers and booleans
/// where a string is expected read as their text, wrongly-typed structures ignored.
struct JSONLineParser {
    struct Failure: Error, Equatable {
        /// 1-based byte column in the line.
        var column: Int
        var reason: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Parses a line holding one JSON object into a record.
    static func record(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> DatasetRecord {
        var p = JSONLineParser(bytes)
        p.skipWhitespace()
        let record = try p.parseRecord()
        try p.expectEnd()
        return record
    }

    /// Every string value (not key) in a line of any JSON, in order: what outside data such as
    /// `{"text": …}` or `{"messages": […]}` holds, whatever its schema.
    static func strings(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [String] {
        var p = JSONLineParser(bytes)
        var out: [String] = []
        p.skipWhitespace()
        try p.collectStrings(into: &out)
        try p.expectEnd()
        return out
    }

    // MARK: - Records

    private mutating func parseRecord() throws(Failure) -> DatasetRecord {
        var r = DatasetRecord(id: "")
        try expect(UInt8(ascii: "{"), "a JSON object")
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { i += 1; return r }
        while true {
            skipWhitespace()
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            switch key {
            case "id": r.id = try lenientString() ?? ""
            case "partition": r.partition = try lenientString()
            case "column": r.column = try lenientString()
            case "role": r.role = try lenientString()
            case "category": r.category = try lenientString()
            case "pair": r.pair = try lenientString()
            case "band": r.band = try lenientString()
            case "domain": r.domain = try lenientString()
            case "question": r.question = try lenientString()
            case "answer": r.answer = try lenientString()
            case "consistency_group": r.consistencyGroup = try lenientString()
            case "rubric":
                if peek() == UInt8(ascii: "[") { r.rubric = try stringArray() } else { r.rubric = try lenientString().map { [$0] } }
            case "segments": r.segments = try stringArray()
            case "documents": r.documents = try stringArray()
            case "source": r.source = try parseSource()
            case "target": r.target = try parseTarget()
            case "messages": r.messages = try parseMessages()
            default: try skipValue()
            }
            skipWhitespace()
            if try endOfContainer(UInt8(ascii: "}")) { return r }
        }
    }

    private mutating func parseSource() throws(Failure) -> DatasetRecord.Source? {
        guard peek() == UInt8(ascii: "{") else { try skipValue(); return nil }
        var s = DatasetRecord.Source()
        try forEachMember { (p: inout JSONLineParser, key: String) throws(Failure) in
            switch key {
            case "lang": s.lang = try p.lenientString()
            case "text": s.text = try p.lenientString()
            case "translation": s.translation = try p.lenientString()
            default: try p.skipValue()
            }
        }
        return s
    }

    private mutating func parseTarget() throws(Failure) -> DatasetRecord.Lexeme? {
        guard peek() == UInt8(ascii: "{") else { try skipValue(); return nil }
        var lemma: String?, lang: String?
        try forEachMember { (p: inout JSONLineParser, key: String) throws(Failure) in
            switch key {
            case "lemma": lemma = try p.lenientString()
            case "lang": lang = try p.lenientString()
            default: try p.skipValue()
            }
        }
        guard let lemma, let lang else { return nil }
        return DatasetRecord.Lexeme(lemma: lemma, lang: lang)
    }

    private mutating func parseMessages() throws(Failure) -> [DatasetRecord.Message]? {
        guard peek() == UInt8(ascii: "[") else { try skipValue(); return nil }
        var out: [DatasetRecord.Message] = []
        var wellTyped = true
        try forEachElement { (p: inout JSONLineParser) throws(Failure) in
            guard p.peek() == UInt8(ascii: "{") else { try p.skipValue(); wellTyped = false; return }
            var role: String?, content: String?
            try p.forEachMember { (p: inout JSONLineParser, key: String) throws(Failure) in
                switch key {
                case "role": role = try p.lenientString()
                case "content":
                    if p.peek() == UInt8(ascii: "[") {
                        var parts: [String] = []
                        try p.forEachElement { (p: inout JSONLineParser) throws(Failure) in
                            guard p.peek() == UInt8(ascii: "{") else { try p.skipValue(); return }
                            try p.forEachMember { (p: inout JSONLineParser, key: String) throws(Failure) in
                                if key == "text", let t = try p.lenientString() { parts.append(t) } else if key != "text" { try p.skipValue() }
                            }
                        }
                        content = parts.joined(separator: "\n")
                    } else {
                        content = try p.lenientString()
                    }
                default: try p.skipValue()
                }
            }
            out.append(DatasetRecord.Message(role: role, content: content))
        }
        return wellTyped ? out : nil
    }

    /// An array of strings; `nil` (the array still validated) when it holds anything else.
    private mutating func stringArray() throws(Failure) -> [String]? {
        guard peek() == UInt8(ascii: "[") else { try skipValue(); return nil }
        var out: [String] = []
        var wellTyped = true
        try forEachElement { (p: inout JSONLineParser) throws(Failure) in
            if p.peek() == UInt8(ascii: "\"") { out.append(try p.parseString()) } else { wellTyped = false; try p.skipValue() }
        }
        return wellTyped ? out : nil
    }

    /// A string, or a number's or boolean's text; `nil` for null, objects and arrays (skipped).
    private mutating func lenientString() throws(Failure) -> String? {
        guard let c = peek() else { throw fail("a value") }
        switch c {
        case UInt8(ascii: "\""): return try parseString()
        case UInt8(ascii: "t"): try literal("true"); return "true"
        case UInt8(ascii: "f"): try literal("false"); return "false"
        case UInt8(ascii: "n"): try literal("null"); return nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            try parseNumber()
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        default:
            try skipValue()
            return nil
        }
    }

    // MARK: - Generic JSON

    private mutating func collectStrings(into out: inout [String]) throws(Failure) {
        guard let c = peek() else { throw fail("a value") }
        switch c {
        case UInt8(ascii: "\""): out.append(try parseString())
        case UInt8(ascii: "{"):
            try forEachMember { (p: inout JSONLineParser, _: String) throws(Failure) in try p.collectStrings(into: &out) }
        case UInt8(ascii: "["):
            try forEachElement { (p: inout JSONLineParser) throws(Failure) in try p.collectStrings(into: &out) }
        default: try skipValue()
        }
    }

    private mutating func forEachMember(_ body: (inout JSONLineParser, String) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipWhitespace()
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            if try endOfContainer(UInt8(ascii: "}")) { return }
        }
    }

    private mutating func forEachElement(_ body: (inout JSONLineParser) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["), "'['")
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            if try endOfContainer(UInt8(ascii: "]")) { return }
        }
    }

    /// After a member or element: `,` (more follow) or the closing bracket.
    private mutating func endOfContainer(_ close: UInt8) throws(Failure) -> Bool {
        guard let c = peek() else { throw fail("',' or '\(Character(Unicode.Scalar(close)))'") }
        if c == UInt8(ascii: ",") { i += 1; return false }
        if c == close { i += 1; return true }
        throw fail("',' or '\(Character(Unicode.Scalar(close)))'")
    }

    private mutating func skipValue() throws(Failure) {
        guard let c = peek() else { throw fail("a value") }
        switch c {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"): try forEachMember { (p: inout JSONLineParser, _: String) throws(Failure) in try p.skipValue() }
        case UInt8(ascii: "["): try forEachElement { (p: inout JSONLineParser) throws(Failure) in try p.skipValue() }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw fail("a value")
        }
    }

    private mutating func skipString() throws(Failure) { _ = try parseString() }

    private mutating func parseString() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
                i += 1
                guard let s = String(validating: raw, as: UTF8.self) else {
                    i = start
                    throw fail("valid UTF-8 in a string")
                }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("no control character inside a string (escape it)") }
            i += 1
        }
        var buffer = Array(bytes[start..<i])
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: buffer, as: UTF8.self) else { throw fail("valid UTF-8 in a string") }
                return s
            }
            if c < 0x20 { throw fail("no control character inside a string (escape it)") }
            if c != UInt8(ascii: "\\") { buffer.append(c); i += 1; continue }
            i += 1
            guard let e = peek() else { break }
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(e)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code), peek() == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("a low surrogate after a high surrogate") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                // A lone surrogate becomes U+FFFD, as Foundation does.
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                i -= 1
                throw fail("a valid escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t, \\uXXXX)")
            }
        }
        throw fail("the end of a string (missing closing quote)")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("four hex digits after \\u") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("four hex digits after \\u")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func parseNumber() throws(Failure) {
        if peek() == UInt8(ascii: "-") { i += 1 }
        guard let first = peek(), isDigit(first) else { throw fail("a digit") }
        if first == UInt8(ascii: "0") { i += 1 } else { while let c = peek(), isDigit(c) { i += 1 } }
        if peek() == UInt8(ascii: ".") {
            i += 1
            guard let c = peek(), isDigit(c) else { throw fail("a digit after '.'") }
            while let c = peek(), isDigit(c) { i += 1 }
        }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            i += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { i += 1 }
            guard let c = peek(), isDigit(c) else { throw fail("a digit in the exponent") }
            while let c = peek(), isDigit(c) { i += 1 }
        }
    }

    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("'\(word)'") }
        let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
        for k in 0..<n where bytes[i + k] != w[k] { throw fail("'\(word)'") }
        i += n
    }

    @inline(__always) private func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    @inline(__always) private mutating func skipWhitespace() {
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            i += 1
        }
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws(Failure) {
        guard peek() == c else { throw fail(what) }
        i += 1
    }

    private mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        if i < bytes.count { throw fail("the end of the line after the JSON value (one object per line)") }
    }

    private func fail(_ expected: String) -> Failure {
        if i >= bytes.count { return Failure(column: i + 1, reason: "unexpected end of line; expected \(expected)") }
        let c = bytes[i]
        let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x" + (c < 16 ? "0" : "") + String(c, radix: 16, uppercase: true)
        return Failure(column: i + 1, reason: "expected \(expected), found \(shown)")
    }
}
