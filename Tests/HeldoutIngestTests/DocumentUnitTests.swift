import Foundation
import Testing
import HeldoutCore
import HeldoutStore
@testable import HeldoutIngest

/// Documents that mean something (issue 13, item 11): what each reader records as a unit's
/// document, by default and under each `--documents` mode.
@Suite("Document units")
struct DocumentUnitTests {
    static func options(_ mode: String? = nil, pair: String? = nil, lang: String? = nil) throws -> IngestOptions {
        var options = IngestOptions()
        if let mode { options.documents = try #require(DocumentMode(mode)) }
        options.pair = pair.flatMap(DirectedPair.init)
        options.lang = lang.flatMap(LanguageTag.init)
        return options
    }

    static func read(_ format: CorpusFormat, _ path: String, _ options: IngestOptions) throws -> CollectingSink {
        let sink = CollectingSink()
        try format.makeReader(files: [path], options: options).read(into: sink)
        return sink
    }

    /// Five units: two name a document by prop (in two spellings of the type), one has only a
    /// tuid, one a package prop and a tuid, one nothing at all.
    static let tmx = """
        <?xml version="1.0" encoding="UTF-8"?>
        <tmx version="1.4"><header srclang="en" adminlang="en" segtype="sentence" o-tmf="x" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
        <body>
        <tu tuid="a1"><prop type="x-document">manual/ch1</prop><tuv xml:lang="en"><seg>Open the lid.</seg></tuv><tuv xml:lang="fr"><seg>Ouvrez le couvercle.</seg></tuv></tu>
        <tu tuid="a2"><prop type="X-Document"> manual/ch1 </prop><tuv xml:lang="en"><seg>Close the lid.</seg></tuv><tuv xml:lang="fr"><seg>Fermez le couvercle.</seg></tuv></tu>
        <tu tuid="b7"><tuv xml:lang="en"><seg>Cancel</seg></tuv><tuv xml:lang="fr"><seg>Annuler</seg></tuv></tu>
        <tu tuid="b8"><prop type="x-package">tar</prop><tuv xml:lang="en"><seg>Archive created.</seg></tuv><tuv xml:lang="fr"><seg>Archive créée.</seg></tuv></tu>
        <tu><tuv xml:lang="en"><seg>Done.</seg></tuv><tuv xml:lang="fr"><seg>Terminé.</seg></tuv></tu>
        </body></tmx>
        """

    @Test("TMX by default: a document prop when the tu has one, else the tu itself (tuid or position); never the whole file")
    func tmxDefault() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("memory.tmx", Self.tmx)
        let sink = try Self.read(.tmx, path, try Self.options())
        let own = CorpusUnit.ownDocument
        #expect(sink.units.map(\.document) == ["x-document=manual/ch1", "x-document=manual/ch1", own, own, own])
        #expect(!sink.units.contains { $0.document.isEmpty })
    }

    @Test("TMX modes: prop:TYPE, tuid, unit and file")
    func tmxModes() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("memory.tmx", Self.tmx)
        let own = CorpusUnit.ownDocument
        #expect(try Self.read(.tmx, path, try Self.options("prop:x-package")).units.map(\.document)
                == [own, own, own, "x-package=tar", own])
        #expect(try Self.read(.tmx, path, try Self.options("tuid")).units.map(\.document)
                == ["tuid=a1", "tuid=a2", "tuid=b7", "tuid=b8", own])
        #expect(try Self.read(.tmx, path, try Self.options("unit")).units.map(\.document) == Array(repeating: own, count: 5))
        #expect(try Self.read(.tmx, path, try Self.options("file")).units.map(\.document) == Array(repeating: "", count: 5))
    }

    @Test("TMX: units sharing a tuid share a document under --documents tuid")
    func tmxSharedTuid() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("shared.tmx", Self.tmx.replacingOccurrences(of: "tuid=\"b8\"", with: "tuid=\"b7\""))
        let documents = try Self.read(.tmx, path, try Self.options("tuid")).units.map(\.document)
        #expect(documents[2] == "tuid=b7" && documents[3] == "tuid=b7")
        #expect(Set(documents).count == 4)
    }

    static let po = """
        msgid ""
        msgstr ""
        "Language: fr\\n"
        "Plural-Forms: nplurals=2; plural=(n > 1);\\n"

        msgctxt "toolbar"
        msgid "Open"
        msgstr "Ouvrir"

        msgctxt "toolbar"
        msgid "Save"
        msgstr "Enregistrer"

        msgid "one file"
        msgid_plural "%d files"
        msgstr[0] "un fichier"
        msgstr[1] "%d fichiers"

        msgid "Quit"
        msgstr "Quitter"
        """

    @Test("PO by default: each entry its own document, its plural forms together")
    func poDefault() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("fr.po", Self.po)
        let sink = try Self.read(.po, path, try Self.options())
        let own = CorpusUnit.ownDocument
        #expect(sink.units.map(\.document) == [own, own, "entry@14", "entry@14", own])
    }

    @Test("PO modes: context groups by msgctxt, file makes the catalogue one document")
    func poModes() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("fr.po", Self.po)
        #expect(try Self.read(.po, path, try Self.options("context")).units.map(\.document)
                == ["msgctxt=toolbar", "msgctxt=toolbar", "entry@14", "entry@14", CorpusUnit.ownDocument])
        #expect(try Self.read(.po, path, try Self.options("file")).units.map(\.document) == Array(repeating: "", count: 5))
    }

    @Test("text by default: one document per paragraph; unit: one per sentence")
    func textModes() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("walk.en.txt", "We left early. The road was wet.\n\nBy noon the sun came out.\n")
        #expect(try Self.read(.text, path, try Self.options()).units.map(\.document)
                == ["walk.en.txt#p1", "walk.en.txt#p1", "walk.en.txt#p2"])
        #expect(try Self.read(.text, path, try Self.options("unit")).units.map(\.document)
                == Array(repeating: CorpusUnit.ownDocument, count: 3))
        #expect(try Self.read(.text, path, try Self.options("file")).units.map(\.document)
                == Array(repeating: "walk.en.txt", count: 3))
    }

    @Test("formats without documents: each unit its own under auto, the corpus one under file; a doc column still counts")
    func formatsWithoutDocuments() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let en = try scratch.write("c.en", "Hello.\nGood night.\n")
        let fr = try scratch.write("c.fr", "Bonjour.\nBonne nuit.\n")
        func documents(_ format: CorpusFormat, _ files: [String], _ options: IngestOptions) throws -> [String] {
            let sink = CollectingSink()
            try format.makeReader(files: files, options: options).read(into: sink)
            return sink.units.map(\.document)
        }
        let own = CorpusUnit.ownDocument
        #expect(try documents(.moses, [en, fr], try Self.options(pair: "en-fr")) == [own, own])
        #expect(try documents(.moses, [en, fr], try Self.options("file", pair: "en-fr")) == ["", ""])

        let tsv = try scratch.write("p.tsv", "d1\tHello.\tBonjour.\n\tGood night.\tBonne nuit.\n")
        var options = try Self.options()
        options.columns = ["doc", "en", "fr"]
        #expect(try documents(.tsv, [tsv], options) == ["d1", own])

        let conllu = try scratch.write("t.conllu", """
            # text = Il pleut.
            1\tIl\til\tPRON\t_\t_\t2\tnsubj\t_\t_
            2\tpleut\tpleuvoir\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No
            3\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_

            # newdoc id = meteo
            # text = Il neige.
            1\tIl\til\tPRON\t_\t_\t2\tnsubj\t_\t_
            2\tneige\tneiger\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No
            3\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_

            """)
        #expect(try documents(.conllu, [conllu], try Self.options(lang: "fr")) == [own, "meteo"])
        #expect(try documents(.conllu, [conllu], try Self.options("file", lang: "fr")) == ["", "meteo"])
    }

    @Test("a mode a format has no use for is a usage error naming the modes it takes")
    func refusedModes() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let tmx = try scratch.write("memory.tmx", Self.tmx)
        let text = try scratch.write("walk.en.txt", "One sentence.\n")
        let moses = try scratch.write("c.en", "Hello.\n")
        _ = try scratch.write("c.fr", "Bonjour.\n")
        for (format, files, options) in [(CorpusFormat.tmx, [tmx], try Self.options("paragraph")),
                                         (.text, [text], try Self.options("tuid")),
                                         (.moses, [moses, moses.replacingOccurrences(of: ".en", with: ".fr")],
                                          try Self.options("unit", pair: "en-fr"))] {
            do {
                _ = try format.makeReader(files: files, options: options)
                Issue.record("\(format) accepted --documents \(options.documents)")
            } catch let HeldoutError.usage(message) {
                #expect(message.contains("--documents \(options.documents)"))
                #expect(message.contains("auto"))
            }
        }
        #expect(DocumentMode("prop:") == nil)
        #expect(DocumentMode("paragraphs") == nil)
        #expect(DocumentMode("prop:x-file") == .property("x-file"))
    }

    @Test("the store keeps the documents: by default a TMX of five units holds one document row (the named one), and its own-document units link to nothing")
    func storedDocuments() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let store = try Store(path: scratch.url.appendingPathComponent("store.sqlite").path)
        let path = try scratch.write("memory.tmx", Self.tmx)
        let ingester = Ingester(options: try Self.options())
        for corpus in try ingester.plan(files: [path], format: nil, corpusName: nil) {
            _ = try ingester.ingest(corpus, into: store)
        }
        #expect(try store.statistics().documents == 1)
        #expect(try store.rowCounts()["occurrence"] == 10)

        // Read another way, the corpus is replaced, not skipped as unchanged.
        let whole = Ingester(options: try Self.options("file"))
        let planned = try whole.plan(files: [path], format: nil, corpusName: nil)
        #expect(try whole.ingest(planned[0], into: store).outcome == .replaced)
        #expect(try store.statistics().documents == 1)
    }
}
