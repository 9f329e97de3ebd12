import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutIngest

/// A fresh directory for one test, removed when the value goes.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

private func fixture(_ name: String) throws -> String {
    let url = Bundle.module.resourceURL?.appendingPathComponent("Fixtures/sentences/\(name)")
    let path = try #require(url?.path)
    #expect(FileManager.default.fileExists(atPath: path))
    return path
}

private func options(lang: String? = nil, documents: DocumentMode = .file) -> IngestOptions {
    var options = IngestOptions()
    options.lang = lang.flatMap { LanguageTag($0) }
    options.documents = documents
    return options
}

private func read(_ path: String, _ options: IngestOptions) throws -> CollectingSink {
    let sink = CollectingSink()
    try PlainTextReader(files: [path], options: options).read(into: sink)
    return sink
}

private func isUsageError(_ error: any Error, mentioning text: String) -> Bool {
    guard case let .usage(message)? = error as? HeldoutError else { return false }
    return message.contains(text)
}

@Suite("Plain text reader")
struct PlainTextReaderTests {
    static let harbourSentences = [
        "The Harbour",
        "Mr. Bell opened the shop at 7 a.m. on the 3rd of May.",
        "The sign read \"Closed.\"",
        "He turned it over.",
        "His list was short:",
        "- rope",
        "- 2.5 litres of paint",
        "Then J. K. Moss came in.",
        "\"Any news?\" she asked.",
    ]

    @Test("one document per file, language from the file name, lines of each sentence")
    func fileDocuments() throws {
        let sink = try read(try fixture("harbour.en.txt"), options())
        #expect(sink.texts == Self.harbourSentences)
        #expect(sink.units.allSatisfy { $0.document == "harbour.en.txt" })
        #expect(sink.units.allSatisfy { $0.texts.count == 1 && $0.texts[0].lang.value == "en" })
        #expect(sink.units.map { $0.location?.line ?? 0 } == [1, 3, 3, 3, 8, 9, 10, 11, 11])
        #expect(sink.units.allSatisfy { $0.location?.file.hasSuffix("harbour.en.txt") == true })
    }

    @Test("one document per paragraph with --documents paragraph")
    func paragraphDocuments() throws {
        let sink = try read(try fixture("harbour.en.txt"), options(documents: .paragraph))
        #expect(sink.texts == Self.harbourSentences)
        #expect(sink.units.map(\.document) == [
            "harbour.en.txt#p1",
            "harbour.en.txt#p2", "harbour.en.txt#p2", "harbour.en.txt#p2",
            "harbour.en.txt#p3", "harbour.en.txt#p3", "harbour.en.txt#p3", "harbour.en.txt#p3", "harbour.en.txt#p3",
        ])
    }

    @Test("French fixture: guillemets, M. and Mme, a numbered list")
    func french() throws {
        let sink = try read(try fixture("marche.fr.txt"), options(documents: .paragraph))
        #expect(sink.texts == [
            "Le marché",
            "M. Leroy et Mme Duval arrivèrent à 8 h.",
            "« Il pleut ! » dit-elle.",
            "Il haussa les épaules…",
            "Puis il sourit.",
            "Au menu :",
            "1. des pommes",
            "2. du pain",
        ])
        #expect(Set(sink.units.map(\.document)) == ["marche.fr.txt#p1", "marche.fr.txt#p2", "marche.fr.txt#p3"])
        #expect(sink.units.allSatisfy { $0.texts[0].lang.value == "fr" })
    }

    @Test("--lang names the language of a file whose name does not")
    func langOption() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("notes.txt", "Hola. ¿Qué tal?\n")
        let sink = try read(path, options(lang: "es"))
        #expect(sink.texts == ["Hola.", "¿Qué tal?"])
        #expect(sink.units.allSatisfy { $0.texts[0].lang.value == "es" })
    }

    @Test("without --lang and without a language in the name: a usage error")
    func missingLanguage() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("notes.txt", "Hello.\n")
        #expect { try CorpusFormat.text.makeReader(files: [path], options: options()) } throws: { error in
            isUsageError(error, mentioning: "--lang")
        }
    }

    @Test("--lang contradicting the file name: a usage error")
    func contradiction() throws {
        #expect { try PlainTextReader.language(ofFile: "news.fr.txt", option: LanguageTag("en")) } throws: { error in
            isUsageError(error, mentioning: "contradicts")
        }
        #expect { try PlainTextReader.language(ofFile: "news.fr-CA.txt", option: LanguageTag("fr-BE")) } throws: { error in
            isUsageError(error, mentioning: "contradicts")
        }
        #expect { try PlainTextReader(files: ["a.de.txt"], options: options(lang: "es")) } throws: { error in
            isUsageError(error, mentioning: "a.de.txt")
        }
    }

    @Test("--lang and the file name agree on the language; the more specific tag wins")
    func agreement() throws {
        #expect(try PlainTextReader.language(ofFile: "news.fr.txt", option: LanguageTag("fr")).value == "fr")
        #expect(try PlainTextReader.language(ofFile: "news.fr.txt", option: LanguageTag("fr-CA")).value == "fr-CA")
        #expect(try PlainTextReader.language(ofFile: "news.fr-CA.txt", option: LanguageTag("fr")).value == "fr-CA")
        #expect(try PlainTextReader.language(ofFile: "news.fr.txt", option: nil).value == "fr")
    }

    @Test("what a file name says about its language", arguments: [
        ("news.fr.txt", "fr"), ("fr.txt", "fr"), ("dir/story.EN.txt", "en"), ("news.fr-CA.txt", "fr-CA"),
        ("corpus.de", "de"), ("wiki.es_MX.txt", "es-MX"),
        ("notes.txt", nil), ("the.txt", nil), ("pair.en-fr.txt", nil), ("data.xx.txt", nil), ("fra.txt", nil),
    ] as [(String, String?)])
    func languageFromName(name: String, expected: String?) {
        #expect(PlainTextReader.languageFromName(name)?.value == expected)
    }

    @Test("--pair is refused for monolingual text")
    func pairRefused() throws {
        var options = options(lang: "en")
        options.pair = DirectedPair("en-fr")
        #expect { try PlainTextReader(files: ["a.txt"], options: options) } throws: { error in
            isUsageError(error, mentioning: "--lang")
        }
    }

    @Test("paragraphs are numbered past runs of blank and whitespace-only lines")
    func paragraphNumbering() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("p.en.txt", "\n\nOne.\n \t\n\n\nTwo. Three.\nFour\n\n")
        let sink = try read(path, options(documents: .paragraph))
        #expect(sink.texts == ["One.", "Two.", "Three.", "Four"])
        #expect(sink.units.map(\.document) == ["p.en.txt#p1", "p.en.txt#p2", "p.en.txt#p2", "p.en.txt#p2"])
        #expect(sink.units.map { $0.location?.line ?? 0 } == [3, 7, 7, 8])
    }

    @Test("progress is reported every thousand sentences and at the end")
    func progress() throws {
        let directory = try TemporaryDirectory()
        let text = (1...2500).map { "Sentence number \($0) ends here." }.joined(separator: " ") + "\n"
        let path = try directory.write("many.en.txt", text)
        let sink = try read(path, options())
        #expect(sink.units.count == 2500)
        #expect(sink.progressReports.count == 3) // after 1000 and 2000 sentences, and at the end
        #expect(sink.progressReports == sink.progressReports.sorted())
        #expect(sink.progressReports.last == Int64(text.utf8.count))
    }

    @Test("invalid UTF-8 is bad input naming the file and line")
    func invalidUTF8() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.en.txt", bytes: Array("Fine.\n\nAlso fine. Not ".utf8) + [0xFF, 0x0A])
        #expect { try read(path, options()) } throws: { error in
            guard case let .badInput(location, message)? = error as? HeldoutError else { return false }
            return location.file == path && location.line == 3 && message.contains("UTF-8")
        }
    }
}

@Suite("Plain text into the store")
struct PlainTextStoreTests {
    /// `corpora/samples/`, found from this source file so that the test runs from any directory.
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpora/samples")

    @Test("the sample corpora split as written, and their names give their languages")
    func samples() throws {
        let directory = try TemporaryDirectory()
        let english = Self.samples.appendingPathComponent("en.txt").path
        let french = Self.samples.appendingPathComponent("fr.txt").path
        let store = try Store(path: directory.url.appendingPathComponent("store.sqlite").path)
        let ingester = Ingester(options: IngestOptions())
        let planned = try ingester.plan(files: [english, french], format: nil, corpusName: nil)
        #expect(planned.map(\.name) == ["en.txt", "fr.txt"])
        for corpus in planned {
            _ = try ingester.ingest(corpus, into: store)
        }
        let statistics = try store.statistics()
        #expect(statistics.languages == ["en": 30, "fr": 29])

        var englishTexts = Set<String>(), frenchTexts = Set<String>()
        try store.forEachSegment(lang: "en") { englishTexts.insert($0.text) }
        try store.forEachSegment(lang: "fr") { frenchTexts.insert($0.text) }
        #expect(englishTexts.contains("Mr. Daniel Okoro, who chairs the transport committee, said the crossing would take about 45 min. and cost £4.50 for adults."))
        #expect(englishTexts.contains("He had walked from the village, he said, because the road past J. R. Pell's farm was flooded."))
        #expect(englishTexts.contains("- a fare cap for residents"))
        #expect(frenchTexts.contains("« Vous avez vu M. Morel ? » demanda-t-il."))
        #expect(frenchTexts.contains("Le texte prévoit plusieurs mesures, p. ex. la rénovation de 12 écoles et la gratuité des bus pour les moins de 18 ans."))
        #expect(frenchTexts.contains("Faut-il s'en étonner ?"))
    }

    @Test("ingesting a text stores one segment per distinct sentence, in its documents")
    func ingest() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("tale.en.txt", """
            A Short Tale

            Dr. Reyes lived by the sea. She kept bees.
            She kept bees.

            The end.
            """)
        let store = try Store(path: directory.url.appendingPathComponent("store.sqlite").path)
        let ingester = Ingester(options: options(documents: .paragraph))
        let planned = try ingester.plan(files: [path], format: nil, corpusName: nil)
        #expect(planned.count == 1)
        #expect(planned.first?.format == .text)
        let corpus = try #require(planned.first)
        let report = try ingester.ingest(corpus, into: store)
        #expect(report.outcome == .added)
        #expect(report.units == 5)
        #expect(report.newSegments == 4)
        #expect(report.languages == ["en"])

        let statistics = try store.statistics()
        #expect(statistics.segments == 4)
        #expect(statistics.occurrences == 5)
        #expect(statistics.documents == 3)
        #expect(statistics.languages == ["en": 4])
        #expect(statistics.alignmentGroups == 0)
        #expect(statistics.corpora.map(\.format) == ["text"])
        #expect(statistics.corpora.map(\.name) == ["tale.en.txt"])

        var texts: [String] = []
        try store.forEachSegment { segment in
            texts.append(segment.text)
            #expect(segment.lang == "en")
            #expect(segment.group == nil)
            #expect(segment.corpora == ["tale.en.txt"])
        }
        #expect(texts.sorted() == ["A Short Tale", "Dr. Reyes lived by the sea.", "She kept bees.", "The end."])

        // The same bytes again: nothing to do.
        #expect(try ingester.ingest(corpus, into: store).outcome == .unchanged)
    }

    @Test("one document per file by default")
    func fileDocument() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("two.de.txt", "Erster Absatz. Noch ein Satz.\n\nZweiter Absatz.\n")
        let store = try Store(path: directory.url.appendingPathComponent("store.sqlite").path)
        let ingester = Ingester(options: options())
        for corpus in try ingester.plan(files: [path], format: .text, corpusName: "zwei") {
            _ = try ingester.ingest(corpus, into: store)
        }
        let statistics = try store.statistics()
        #expect(statistics.documents == 1)
        #expect(statistics.segments == 3)
        #expect(statistics.languages == ["de": 3])
    }

    @Test("a contradicting --lang leaves the store as it was")
    func contradictionLeavesStoreUnchanged() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("news.fr.txt", "Il pleut. Nous restons.\n")
        let store = try Store(path: directory.url.appendingPathComponent("store.sqlite").path)
        let before = try store.rowCounts()
        let ingester = Ingester(options: options(lang: "en"))
        // Refused while planning, before any file is read or any transaction begins.
        #expect(throws: HeldoutError.self) { try ingester.plan(files: [path], format: nil, corpusName: nil) }
        #expect(try store.rowCounts() == before)
    }
}
