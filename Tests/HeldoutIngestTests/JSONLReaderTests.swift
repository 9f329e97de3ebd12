import Foundation
import HeldoutCore
import Testing
@testable import HeldoutIngest

@Suite("JSONL reader")
struct JSONLReaderTests {
    @Test("Hugging Face translation objects without --fields; extras kept, nested ones as canonical JSON")
    func huggingFace() throws {
        let sink = try readAll(try JSONLReader(file: try TextFixture.path("wmt.jsonl"), options: IngestOptions()))
        #expect(sink.texts == [
            ["de:Der Zug hat Verspätung.", "en:The train is late."],
            ["de:Morgen regnet es.", "en:It will rain tomorrow."],
        ])
        #expect(sink.units.map(\.metadata) == [
            ["id": "7"],
            ["id": "8", "meta": #"{"a":"x\ty","b":[1,true,null]}"#],
        ])
        let ordered = try readAll(try JSONLReader(file: try TextFixture.path("wmt.jsonl"), options: textOptions(pair: "en-de")))
        #expect(ordered.texts.first == ["en:The train is late.", "de:Der Zug hat Verspätung."])
        // Dotted paths reach into the object the same way.
        let mapped = try readAll(try JSONLReader(file: try TextFixture.path("wmt.jsonl"),
                                                 options: textOptions(fields: [("en", "translation.en"), ("de", "translation.de")])))
        #expect(mapped.texts.first == ["en:The train is late.", "de:Der Zug hat Verspätung."])
        #expect(mapped.units.first?.metadata == ["id": "7"])
    }

    @Test("--fields: escapes decoded, domain, scalars stringified as written, null left out")
    func fields() throws {
        let options = textOptions(fields: [("en", "source"), ("fr", "target")])
        let sink = try readAll(try JSONLReader(file: try TextFixture.path("fields.jsonl"), options: options))
        #expect(sink.texts == [
            ["en:Close the window, please.", "fr:Fermez la fenêtre, s'il vous plaît."],
            ["en:Line one\nline two", "fr:Ligne un\nligne deux 😀"],
        ])
        #expect(sink.units.map(\.domain) == ["dialogue", "poetry"])
        #expect(sink.units.map(\.metadata) == [["score": "0.875", "checked": "true"], [:]])
        // --fields and --pair must agree.
        expectUsage { _ = try JSONLReader(file: try TextFixture.path("fields.jsonl"), options: textOptions(pair: "en-de", fields: [("en", "source"), ("fr", "target")])) }
    }

    @Test("doc and domain fields feed the unit; a key with a dot is found before the path")
    func documentAndDomain() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("d.jsonl", #"{"en": "A cat.", "fr": "Un chat.", "doc": "d7", "domain": 3, "a.b": "dotted"}"# + "\n")
        let sink = try readAll(try JSONLReader(file: path, options: IngestOptions()))
        #expect(sink.units.first?.document == "d7")
        #expect(sink.units.first?.domain == "3")
        #expect(sink.units.first?.metadata == ["a.b": "dotted"])
        let dotted = try readAll(try JSONLReader(file: path, options: textOptions(fields: [("en", "en"), ("fr", "a.b")])))
        #expect(dotted.texts == [["en:A cat.", "fr:dotted"]])
        #expect(dotted.units.first?.metadata == ["fr": "Un chat."])
    }

    @Test("invalid JSON: line and column of the problem, counted in characters")
    func invalidJSON() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("bad.jsonl", "{\"en\": \"a\", \"fr\": \"b\"}\n{\"en\": \"é\", \"fr\": }\n")
        let failure = expectBadInput { _ = try readAll(try JSONLReader(file: path, options: IngestOptions())) }
        #expect(failure?.location == HeldoutCore.SourceLocation(file: path, line: 2, column: 19))
        #expect(failure?.message.contains("invalid JSON") == true)

        let unclosed = try scratch.write("u.jsonl", "{\"en\": \"abc\n")
        let open = expectBadInput { _ = try readAll(try JSONLReader(file: unclosed, options: IngestOptions())) }
        #expect(open?.location == HeldoutCore.SourceLocation(file: unclosed, line: 1, column: 8))

        let surrogate = try scratch.write("s.jsonl", #"{"en": "x\ud800y", "fr": "b"}"# + "\n")
        let lone = expectBadInput { _ = try readAll(try JSONLReader(file: surrogate, options: IngestOptions())) }
        #expect(lone?.location.column == 10)
        #expect(lone?.message.contains("surrogate") == true)

        let deep = try scratch.write("d.jsonl", String(repeating: "[", count: 100_000) + "\n")
        let nested = expectBadInput { _ = try readAll(try JSONLReader(file: deep, options: textOptions(fields: [("en", "a")]))) }
        #expect(nested?.message.contains("nested deeper") == true)

        let array = try scratch.write("a.jsonl", "[1, 2]\n")
        #expect(expectBadInput { _ = try readAll(try JSONLReader(file: array, options: IngestOptions())) }?.message.contains("object") == true)
    }

    @Test("a missing mapped field is an invalid unit: an error, or a counted skip")
    func missingField() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("m.jsonl", "{\"en\": \"One.\", \"fr\": \"Un.\"}\n{\"en\": \"Two.\"}\n{\"en\": \"Three.\", \"fr\": 3}\n{\"en\": \"\", \"fr\": \"Quatre.\"}\n")
        let failure = expectBadInput { _ = try readAll(try JSONLReader(file: path, options: IngestOptions())) }
        #expect(failure?.location.line == 2)
        #expect(failure?.message.contains("\"fr\"") == true)
        let sink = try readAll(try JSONLReader(file: path, options: textOptions(skipInvalid: true)))
        #expect(sink.texts == [["en:One.", "fr:Un."]])
        #expect(sink.skipped == ["invalid": 2, "empty": 1])
    }

    @Test("without --fields and without language keys: a usage error explaining --fields")
    func noMapping() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("n.jsonl", "{\"id\": 1, \"source\": \"x\", \"target\": \"y\"}\n")
        #expect(expectUsage { _ = try readAll(try JSONLReader(file: path, options: IngestOptions())) }?.contains("--fields") == true)
        let contradiction = expectBadInput { _ = try readAll(try JSONLReader(file: try TextFixture.path("wmt.jsonl"), options: textOptions(pair: "en-fr"))) }
        #expect(contradiction?.location.line == 1)
    }

    @Test("the JSON parser: numbers as written, escapes, canonical output")
    func parser() throws {
        func parse(_ text: String) throws -> JSONValue {
            var copy = text
            return try copy.withUTF8 { buffer in
                var parser = JSONParser(buffer)
                return try parser.parseDocument()
            }
        }
        var out = ""
        try parse(#" {"z": -1.50e+3, "a": ["\u00e9\/\"", false], "a": null} "#).writeCanonical(to: &out)
        #expect(out == #"{"a":null,"z":-1.50e+3}"#)
        out = ""
        try parse(#"["\u00e9\/\"\n", 0, {}]"#).writeCanonical(to: &out)
        #expect(out == #"["é/\"\n",0,{}]"#)
        #expect(throws: JSONSyntaxError.self) { try parse("01") }
        #expect(throws: JSONSyntaxError.self) { try parse("{\"a\": tru}") }
        #expect(throws: JSONSyntaxError.self) { try parse("\"a\tb\"") }
    }
}
