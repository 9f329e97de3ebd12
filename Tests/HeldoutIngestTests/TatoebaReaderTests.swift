import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutIngest

@Suite("Tatoeba reader")
struct TatoebaReaderTests {
    var sentences: String { get throws { try TextFixture.path("tatoeba/sentences.csv") } }
    var links: String { get throws { try TextFixture.path("tatoeba/links.csv") } }

    @Test("sentences.csv + links.csv are one corpus; other files stay apart")
    func grouping() throws {
        let other = "/tmp/other.tsv"
        let groups = try CorpusFormat.csv.groupIntoCorpora([try links, other, try sentences], options: IngestOptions())
        #expect(groups == [[try sentences, try links], [other]])
        let reader = try CorpusFormat.csv.makeReader(files: groups[0], options: textOptions(pair: "en-fr"))
        #expect((reader as? SegmentLimitedReader)?.base is TatoebaReader)
        expectUsage { _ = try CorpusFormat.csv.groupIntoCorpora([try links, other], options: IngestOptions()) }
    }

    @Test("links of the pair become units, each pair once, ISO 639-3 mapped to BCP 47")
    func pair() throws {
        let sink = try readAll(try TatoebaReader(sentences: try sentences, links: try links, options: textOptions(pair: "en-fr")))
        #expect(sink.texts == [
            ["en:The library closes early on Fridays.", "fr:La bibliothèque ferme tôt le vendredi."],
            ["en:\"Wait,\" he whispered.", "fr:« Attends », murmura-t-il."],
        ])
        #expect(sink.units.map(\.metadata) == [["id.en": "101", "id.fr": "102"], ["id.en": "106", "id.fr": "107"]])
        #expect(sink.units.map { $0.location?.line } == [1, 7])
        // Written as Tatoeba writes it, the pair means the same; reversed, the sides swap.
        let iso3 = try readAll(try TatoebaReader(sentences: try sentences, links: try links, options: textOptions(pair: "eng-fra")))
        #expect(iso3.texts == sink.texts)
        let reversed = try readAll(try TatoebaReader(sentences: try sentences, links: try links, options: textOptions(pair: "fr-en")))
        #expect(reversed.texts.first == ["fr:La bibliothèque ferme tôt le vendredi.", "en:The library closes early on Fridays."])
    }

    @Test("a links file with one direction only loses nothing")
    func oneDirection() throws {
        let scratch = try TextScratch()
        let oneWay = try scratch.write("links.csv", "102\t101\n")
        let sink = try readAll(try TatoebaReader(sentences: try sentences, links: oneWay, options: textOptions(pair: "en-fr")))
        #expect(sink.texts == [["en:The library closes early on Fridays.", "fr:La bibliothèque ferme tôt le vendredi."]])
    }

    @Test("links need --pair; a language the file lacks is named with the codes it has")
    func selection() throws {
        expectUsage { _ = try TatoebaReader(sentences: try sentences, links: try links, options: IngestOptions()) }
        expectUsage { _ = try TatoebaReader(sentences: try sentences, links: try links, options: textOptions(lang: "en")) }
        let failure = expectBadInput {
            _ = try readAll(try TatoebaReader(sentences: try sentences, links: try links, options: textOptions(pair: "en-zh")))
        }
        #expect(failure?.message.contains("no sentence in zh") == true)
        #expect(failure?.message.contains("eng") == true)
    }

    @Test("sentences alone: monolingual units, filtered by --lang; untagged ones counted")
    func sentencesAlone() throws {
        let german = try readAll(try TatoebaReader(sentences: try sentences, links: nil, options: textOptions(lang: "de")))
        #expect(german.texts == [["de:Die Bibliothek schließt freitags früh."]])
        #expect(german.units.first?.metadata == ["id": "103"])
        let all = try readAll(try TatoebaReader(sentences: try sentences, links: nil, options: IngestOptions()))
        #expect(all.units.map { $0.texts[0].lang.value } == ["en", "fr", "de", "es", "en", "fr"])
        #expect(all.skipped == ["unknown-language": 1])
    }

    @Test("malformed rows: line and column")
    func malformed() throws {
        let scratch = try TextScratch()
        let badID = try scratch.write("sentences.csv", "1\teng\tOne.\nx2\tfra\tDeux.\n")
        let failure = expectBadInput { _ = try readAll(try TatoebaReader(sentences: badID, links: nil, options: IngestOptions())) }
        #expect(failure?.location == HeldoutCore.SourceLocation(file: badID, line: 2, column: 1))
        let short = try scratch.write("sentences_short.csv", "1\teng\tOne.\n2\tfra\n")
        let tooFew = expectBadInput {
            _ = try readAll(try TatoebaReader(sentences: short, links: try links, options: textOptions(pair: "en-fr")))
        }
        #expect(tooFew?.location == HeldoutCore.SourceLocation(file: short, line: 2, column: 6))
        let badLinks = try scratch.write("links.csv", "101\t102\n101 102\n")
        let linkFailure = expectBadInput {
            _ = try readAll(try TatoebaReader(sentences: try sentences, links: badLinks, options: textOptions(pair: "en-fr")))
        }
        #expect(linkFailure?.location.line == 2)
        let skipped = try readAll(try TatoebaReader(sentences: try sentences, links: badLinks,
                                                     options: textOptions(pair: "en-fr", skipInvalid: true)))
        #expect(skipped.units.count == 1)
        #expect(skipped.skipped == ["invalid": 1])
    }

    @Test("eng–fra and eng–deu links through one English sentence end in one alignment group")
    func pivotInStore() throws {
        let scratch = try TextScratch()
        let store = try Store(path: scratch.path("t.sqlite"))
        // The same two files read for two pairs are two corpora, named after their pair.
        for pair in ["en-fr", "en-de"] {
            let ingester = Ingester(options: textOptions(pair: pair))
            let planned = try ingester.plan(files: [try sentences, try links], format: .csv, corpusName: nil)
            #expect(planned.count == 1)
            #expect(planned[0].name.hasSuffix(":\(pair)"))
            #expect(try ingester.ingest(planned[0], into: store).outcome == .added)
        }
        var groups: [String: String] = [:]
        try store.forEachSegment { groups["\($0.lang):\($0.text)"] = $0.group ?? "none" }
        let english = try #require(groups["en:The library closes early on Fridays."])
        #expect(english != "none")
        #expect(groups["fr:La bibliothèque ferme tôt le vendredi."] == english)
        #expect(groups["de:Die Bibliothek schließt freitags früh."] == english)
        let other = try #require(groups["en:\"Wait,\" he whispered."])
        #expect(other != english && other != "none")
        #expect(groups["es:La biblioteca cierra temprano los viernes."] == nil)
        #expect(groups.count == 5)
    }
}
