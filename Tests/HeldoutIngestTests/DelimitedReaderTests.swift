import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutIngest

@Suite("TSV and CSV reader")
struct DelimitedReaderTests {
    @Test("a header of language tags is the mapping; TSV keeps quotes that are text")
    func tsvHeader() throws {
        let reader = try DelimitedReader(file: try TextFixture.path("pairs.tsv"), dialect: .tsv, options: IngestOptions())
        let sink = try readAll(reader)
        #expect(sink.texts == [
            ["en:The bakery opens at seven.", "fr:La boulangerie ouvre à sept heures."],
            ["en:\"Yes,\" she said.", "fr:« Oui », dit-elle."],
        ])
        #expect(sink.units.map { $0.location?.line } == [2, 3])
    }

    @Test("RFC 4180: quoted separators, doubled quotes, a field over two lines, CRLF; header repeating --columns skipped")
    func csvRows() throws {
        let options = textOptions(columns: "id,lang,text,-,domain,note")
        let sink = try readAll(try DelimitedReader(file: try TextFixture.path("rows.csv"), dialect: .csv, options: options))
        #expect(sink.texts == [
            ["en:A comma, inside quotes."],
            ["fr:Il a dit \"bonjour\" deux fois."],
            ["de:Eine Zeile,\nzwei Zeilen."],
        ])
        #expect(sink.units.map(\.metadata) == [["id": "1", "note": "first"], ["id": "2"], ["id": "3", "note": "multi"]])
        #expect(sink.units.map(\.domain) == ["news", "news", "fiction"])
        #expect(sink.units.map { $0.location?.line } == [2, 3, 4])
    }

    @Test("record parser: empty fields, trailing separator, quoted field at end")
    func recordParser() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("r.csv", "a,,\"\"\r\n\"x,y\",\"multi\nline \"\"q\"\"\",z\n,\n")
        let records = try DelimitedRecordReader(path: path, dialect: .csv, maxLineBytes: 1 << 20)
        var record = DelimitedRecord()
        var all: [[String]] = []
        var lines: [Int] = []
        while try records.next(into: &record) {
            all.append(record.fields)
            lines.append(record.line)
        }
        #expect(all == [["a", "", ""], ["x,y", "multi\nline \"q\"", "z"], ["", ""]])
        #expect(lines == [1, 2, 4])
    }

    @Test("TSV: a quoted field holding a tab is read as quoted; a quote that is text stays")
    func tsvQuoting() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("q.tsv", "\"Tab\there\"\tdeux\n\"Yes.\"\t\"Oui.\"\n\"A \"\"b\"\"\"\tc\n")
        let sink = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: textOptions(columns: "en,fr")))
        #expect(sink.texts == [
            ["en:Tab\there", "fr:deux"],
            ["en:\"Yes.\"", "fr:\"Oui.\""],
            ["en:A \"b\"", "fr:c"],
        ])
        // Plain TSV (Tatoeba) never unquotes.
        let one = try scratch.write("p.tsv", "\"Tab\there\"\tdeux\n")
        let plain = try readAll(try DelimitedReader(file: one, dialect: .plainTSV, options: textOptions(columns: "en,fr,-")))
        #expect(plain.texts.first == ["en:\"Tab", "fr:here\""])
    }

    @Test("without --columns a first row that is not a header is a usage error explaining --columns")
    func noMapping() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("n.tsv", "Hello\tBonjour\n")
        let message = expectUsage { _ = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: IngestOptions())) }
        #expect(message?.contains("--columns") == true)
        #expect(message?.contains("Hello") == true)
    }

    @Test("ragged rows: bad input at the extra field or the end of the row; counted with --skip-invalid")
    func ragged() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("r.tsv", "en\tfr\nOne.\tUn.\nTwo.\tDeux.\tZwei.\nThree.\n")
        let tooMany = expectBadInput { _ = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: IngestOptions())) }
        #expect(tooMany?.location == HeldoutCore.SourceLocation(file: path, line: 3, column: 12))
        #expect(tooMany?.message.contains("3 fields") == true)

        let short = try scratch.write("s.tsv", "en\tfr\nOne.\tUn.\nThree.\n")
        let tooFew = expectBadInput { _ = try readAll(try DelimitedReader(file: short, dialect: .tsv, options: IngestOptions())) }
        #expect(tooFew?.location == HeldoutCore.SourceLocation(file: short, line: 3, column: 7))

        let sink = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: textOptions(skipInvalid: true)))
        #expect(sink.texts == [["en:One.", "fr:Un."]])
        #expect(sink.skipped == ["invalid": 2])
    }

    @Test("an unclosed quote is reported where it opened; text after a closing quote is an error")
    func unclosedQuote() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("u.csv", "en,fr\nOne,Un\nTwo,\"Deux\nThree,Trois\n")
        let failure = expectBadInput { _ = try readAll(try DelimitedReader(file: path, dialect: .csv, options: IngestOptions())) }
        #expect(failure?.location == HeldoutCore.SourceLocation(file: path, line: 3, column: 5))
        #expect(failure?.message.contains("not closed") == true)

        let after = try scratch.write("a.csv", "en,fr\n\"One\"x,Un\n")
        let stray = expectBadInput { _ = try readAll(try DelimitedReader(file: after, dialect: .csv, options: IngestOptions())) }
        #expect(stray?.location == HeldoutCore.SourceLocation(file: after, line: 2, column: 6))
    }

    @Test("--pair narrows a wider header and orders the sides; a missing language is refused")
    func pairSelection() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("w.tsv", "en\tde\tfr\nCat.\tKatze.\tChat.\n")
        let sink = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: textOptions(pair: "fr-en")))
        #expect(sink.texts == [["fr:Chat.", "en:Cat."]])
        let failure = expectBadInput { _ = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: textOptions(pair: "en-es"))) }
        #expect(failure?.location.line == 1)
        #expect(failure?.message.contains("es") == true)
        // With --columns the user named the languages: a contradiction is a usage error, found before reading.
        expectUsage { _ = try DelimitedReader(file: path, dialect: .tsv, options: textOptions(pair: "en-fr", columns: "en,de,fr")) }
    }

    @Test("--lang picks one language column of a header: monolingual units")
    func langSelection() throws {
        let sink = try readAll(try DelimitedReader(file: try TextFixture.path("pairs.tsv"), dialect: .tsv, options: textOptions(lang: "fr")))
        #expect(sink.texts == [["fr:La boulangerie ouvre à sept heures."], ["fr:« Oui », dit-elle."]])
    }

    @Test("source/target columns take --pair; doc, domain and other columns; regional tags")
    func roles() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("s.tsv", "d1\tlegal\tThe contract ends.\tO contrato termina.\t0.9\n")
        let options = textOptions(pair: "en:pt_BR", columns: "doc,domain,src,tgt,score")
        let sink = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: options))
        #expect(sink.texts == [["en:The contract ends.", "pt-BR:O contrato termina."]])
        #expect(sink.units.first?.document == "d1")
        #expect(sink.units.first?.domain == "legal")
        #expect(sink.units.first?.metadata == ["score": "0.9"])
        expectUsage { _ = try DelimitedReader(file: path, dialect: .tsv, options: textOptions(columns: "doc,domain,src,tgt,score")) }
    }

    @Test("lang per row: ISO 639-3 mapped, --lang contradiction is an error, bad tags are invalid")
    func langPerRow() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("l.tsv", "1\teng\tHello.\n2\tfr_CA\tAllô.\n3\t12\tBad.\n")
        let sink = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: textOptions(columns: "id,lang,text", skipInvalid: true)))
        #expect(sink.texts == [["en:Hello."], ["fr-CA:Allô."]])
        #expect(sink.skipped == ["invalid": 1])
        let invalid = expectBadInput { _ = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: textOptions(columns: "id,lang,text"))) }
        #expect(invalid?.location == HeldoutCore.SourceLocation(file: path, line: 3, column: 3))
        let contradiction = expectBadInput {
            _ = try readAll(try DelimitedReader(file: path, dialect: .tsv, options: textOptions(lang: "en", columns: "id,lang,text")))
        }
        #expect(contradiction?.location.line == 2)
        #expect(contradiction?.message.contains("--lang en") == true)
    }

    @Test("blank lines and one-sided rows are skipped as empty")
    func blanks() throws {
        let scratch = try TextScratch()
        let path = try scratch.write("b.csv", "en,fr\r\nOne,Un\r\n\r\nTwo,\r\n , \r\n")
        let sink = try readAll(try DelimitedReader(file: path, dialect: .csv, options: IngestOptions()))
        #expect(sink.texts == [["en:One", "fr:Un"]])
        #expect(sink.skipped == ["empty": 3])
    }

    @Test("through the store: rows become segments and alignment groups")
    func store() throws {
        let scratch = try TextScratch()
        let store = try Store(path: scratch.path("s.sqlite"))
        let ingester = Ingester(options: IngestOptions())
        let planned = try ingester.plan(files: [try TextFixture.path("pairs.tsv")], format: nil, corpusName: nil)
        #expect(planned.count == 1)
        let report = try ingester.ingest(planned[0], into: store)
        #expect(report.units == 2)
        var groups: [String: String] = [:]
        try store.forEachSegment { groups[$0.text] = $0.group ?? "none" }
        #expect(groups.count == 4)
        let bakery = try #require(groups["The bakery opens at seven."])
        #expect(bakery != "none")
        #expect(groups["La boulangerie ouvre à sept heures."] == bakery)
        #expect(groups["\"Yes,\" she said."] != bakery)
    }
}
