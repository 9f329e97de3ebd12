import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest
import HeldoutStore

/// Collects what a reader delivers, without a store.
final class CollectingSink: UnitSink {
    var units: [CorpusUnit] = []
    var entries: [DictionaryEntry] = []
    var skipped: [String: Int] = [:]
    func add(_ unit: CorpusUnit) throws { units.append(unit) }
    func addEntry(_ entry: DictionaryEntry) throws { entries.append(entry) }
    func skip(_ reason: String, count: Int) { skipped[reason, default: 0] += count }
}

@Suite("Answer-source readers")
struct ReaderTests {
    func entries(_ format: CorpusFormat, _ files: [String], _ options: IngestOptions = IngestOptions()) throws -> CollectingSink {
        let sink = CollectingSink()
        try format.makeReader(files: files, options: options).read(into: sink)
        return sink
    }

    func simplified(_ entries: [DictionaryEntry]) -> [String] {
        entries.map { "\($0.sourceLang)-\($0.targetLang) \($0.headword) <\($0.pos ?? "")> \($0.senses.joined(separator: " | "))" }
    }

    @Test("dictd: .dict and dictzip .dict.dz give the same entries; the database description is skipped")
    func dictd() throws {
        let plain = try entries(.dictd, try CorpusFormat.dictd.groupIntoCorpora([Fixtures.path("fra-eng.index")], options: IngestOptions())[0])
        let compressed = try entries(.dictd, try CorpusFormat.dictd.groupIntoCorpora([Fixtures.path("dz/fra-eng.index")], options: IngestOptions())[0])
        let expected = [
            "fr-en chien <n, masc> dog",
            "fr-en défendre <v> forbid, prohibit | defend",
            "fr-en pont <n, masc> deck | bridge",
            "fr-en étang <n, masc> pond",
        ]
        #expect(simplified(plain.entries) == expected)
        #expect(simplified(compressed.entries) == expected)
    }

    @Test("dictd numbers are base 64 over A–Z a–z 0–9 + /")
    func base64() {
        #expect(DictdReader.base64("A") == 0)
        #expect(DictdReader.base64("b") == 27)
        #expect(DictdReader.base64("BA") == 64)
        #expect(DictdReader.base64("nMI") == 39 * 4096 + 12 * 64 + 8)
        #expect(DictdReader.base64("?") == nil)
    }

    @Test("TEI: orth, pos, one sense per <sense>, cit quotes and old trans/tr; examples are not glosses")
    func tei() throws {
        let sink = try entries(.tei, [Fixtures.path("fra-eng.tei")])
        #expect(simplified(sink.entries) == [
            "fr-en pont <n> deck | bridge",
            "fr-en défendre <v> forbid, prohibit | defend",
            "fr-en chien <> dog",
        ])
        #expect(sink.skipped["no sense"] == 1)
    }

    @Test("TEI: an external entity is never loaded")
    func teiExternalEntity() throws {
        let t = try TempStore()
        let path = try t.write("evil.tei", """
            <?xml version="1.0"?>
            <!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <TEI><text><body><entry><form><orth>pont</orth></form><sense><cit type="trans"><quote>&x;bridge</quote></cit></sense></entry></body></text></TEI>
            """)
        let sink = try entries(.tei, [path], options(pair: "fr-en"))
        #expect(sink.entries.count == 1)
        #expect(!(sink.entries.first?.senses.joined().contains("root:") ?? true))
    }

    @Test("TEI: malformed XML is bad input with a line")
    func teiMalformed() throws {
        let t = try TempStore()
        let path = try t.write("bad.tei", "<TEI>\n<entry><form><orth>pont</form></entry>\n</TEI>\n")
        let error = heldoutError { _ = try entries(.tei, [path], options(pair: "fr-en")) }
        #expect(error?.exitCode == 3)
        #expect(error?.location?.line == 2)
    }

    @Test("glossary: one sense per ';', languages from the file name; a short line is bad input at its line")
    func glossary() throws {
        let sink = try entries(.glossary, [Fixtures.path("fr-en.glossary.tsv")])
        #expect(simplified(sink.entries).prefix(3) == [
            "fr-en chien <n> dog", "fr-en défendre <v> forbid, prohibit | defend", "fr-en pont <n> deck | bridge",
        ])
        let t = try TempStore()
        let bad = try t.write("fr-en.glossary.tsv", "pont\tn\tbridge\nchien\tdog\n")
        let error = heldoutError { _ = try entries(.glossary, [bad]) }
        #expect(error?.exitCode == 3)
        #expect(error?.location?.line == 2)
    }

    @Test("CoNLL-U: # text = is the segment, tokens keep form, lemma, UPOS, FEATS, head and relation, multiword tokens kept")
    func conllu() throws {
        let sink = try entries(.conllu, [Fixtures.path("fr.conllu")], options(lang: "fr"))
        #expect(sink.units.count == 7)
        let connexion = try #require(sink.units.first { $0.texts[0].text.hasPrefix("La connexion") })
        #expect(connexion.texts[0].text == "La connexion au serveur a été perdue.")
        #expect(connexion.metadata["sent_id"] == "fr-5")
        let tokens = try #require(connexion.tokens)
        #expect(tokens.map(\.id) == ["1", "2", "3-4", "3", "4", "5", "6", "7", "8", "9"])
        let au = tokens[2]
        #expect(au.form == "au" && au.range == 3...4 && au.head == nil)
        let a = tokens[6]
        #expect(a.form == "a" && a.lemma == "avoir" && a.upos == "AUX" && a.head == 8 && a.deprel == "aux:tense")
        #expect(a.features.description == "Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin")
        #expect(CoNLLUReader.surface(of: tokens) == "La connexion au serveur a été perdue.")
    }

    @Test("CoNLL-U without # text: the surface is rebuilt from forms and SpaceAfter=No")
    func conlluSurface() throws {
        let t = try TempStore()
        let path = try t.write("s.conllu", "1\tIl\til\tPRON\t_\t_\t2\tnsubj\t_\t_\n2\tdort\tdormir\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No\n3\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n")
        let sink = try entries(.conllu, [path], options(lang: "fr"))
        #expect(sink.units.map { $0.texts[0].text } == ["Il dort."])
    }

    @Test("CoNLL-U errors name line and column; a treebank needs --lang")
    func conlluErrors() throws {
        let t = try TempStore()
        let columns = try t.write("a.conllu", "1\tIl\til\tPRON\t_\t_\t2\tnsubj\t_\n")
        #expect(heldoutError { _ = try entries(.conllu, [columns], options(lang: "fr")) }?.location == HeldoutCore.SourceLocation(file: columns, line: 1, column: 1))
        let head = try t.write("b.conllu", "# text = Il\n1\tIl\til\tPRON\t_\t_\tx\troot\t_\t_\n")
        let error = heldoutError { _ = try entries(.conllu, [head], options(lang: "fr")) }
        #expect(error?.location?.line == 2)
        #expect(error?.location?.column == 18) // 1 Il il PRON _ _ → HEAD starts at column 18
        let order = try t.write("c.conllu", "1\tIl\til\tPRON\t_\t_\t0\troot\t_\t_\n3\tdort\tdormir\tVERB\t_\t_\t1\tx\t_\t_\n")
        #expect(heldoutError { _ = try entries(.conllu, [order], options(lang: "fr")) }?.location?.line == 2)
        #expect(heldoutError { _ = try entries(.conllu, [Fixtures.path("fr.conllu")]) }?.exitCode == 2)
    }

    @Test("labels: text<TAB>value with a header; the label name comes from --label")
    func labels() throws {
        let sink = try entries(.labels, [Fixtures.path("fr-tone.tsv")], options(lang: "fr", labels: ["tone": ""]))
        #expect(sink.units.map { $0.labels["tone"] ?? "" } == ["polite", "annoyed", "neutral"])
        #expect(sink.units[0].texts[0].text == "Tu peux me passer le sel, s'il te plaît ?")
        #expect(heldoutError { _ = try entries(.labels, [Fixtures.path("fr-tone.tsv")], options(lang: "fr")) }?.exitCode == 2)
    }

    @Test("format detection knows the answer-source files")
    func detection() throws {
        #expect(try CorpusFormat.detect(path: Fixtures.path("fra-eng.index")) == .dictd)
        #expect(try CorpusFormat.detect(path: Fixtures.path("dz/fra-eng.dict.dz")) == .dictd)
        #expect(try CorpusFormat.detect(path: Fixtures.path("fr.conllu")) == .conllu)
        #expect(try CorpusFormat.detect(path: Fixtures.path("fra-eng.tei")) == .tei)
        #expect(try CorpusFormat.detect(path: Fixtures.path("fr-en.glossary.tsv")) == .glossary)
    }
}

@Suite("Answer sources in the store")
struct AnswerSourceStoreTests {
    @Test("entries, tokens and labels are stored, and go with their corpus when it is replaced or removed")
    func storedAndRemoved() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("fra-eng.index")])
        try t.ingest([Fixtures.path("fr.conllu")], options: options(lang: "fr"))
        try t.ingest([Fixtures.path("fr-tone.tsv")], format: .labels, options: options(lang: "fr", labels: ["tone": ""]))
        #expect(try t.store.answerSourceCounts() == ["dictionary_entry": 4, "token": 59, "segment_label": 3])
        let changed = try t.write("fr-tone.tsv", "text\ttone\nLe train part à huit heures.\tneutral\n")
        try t.ingest([changed], format: .labels, options: options(lang: "fr", labels: ["tone": ""]))
        #expect(try t.store.answerSourceCounts()["segment_label"] == 1)
        #expect(try t.store.removeCorpus(named: "fra-eng.index+fra-eng.dict"))
        #expect(try t.store.removeCorpus(named: "fr.conllu"))
        #expect(try t.store.answerSourceCounts() == ["dictionary_entry": 0, "token": 0, "segment_label": 1])
    }
}
