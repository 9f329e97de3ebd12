import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import CLibXML2
import HeldoutCore
import HeldoutStore
@testable import HeldoutIngest

/// Bad input for the XML readers (shared by TMX, XLIFF and XCES through ``XMLStreamReader``),
/// safety against entities, and ingest through a real store.
@Suite("XML readers: bad input, entities, store")
struct XMLReaderTests {
    /// A valid TMX whose fourth line can be replaced with something broken.
    static func tmx(line4: String, declaration: String = #"<?xml version="1.0" encoding="UTF-8"?>"#) -> String {
        """
        \(declaration)
        <tmx version="1.4"><header srclang="en" adminlang="en" segtype="sentence" o-tmf="x" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
        <body>
        \(line4)
        <tu><tuv xml:lang="en"><seg>Good unit.</seg></tuv><tuv xml:lang="fr"><seg>Bonne unité.</seg></tuv></tu>
        </body></tmx>
        """
    }

    static let goodUnit = #"<tu><tuv xml:lang="en"><seg>Hello there.</seg></tuv><tuv xml:lang="fr"><seg>Bonjour à vous.</seg></tuv></tu>"#

    @Test("the wrapped TMX template itself is read, so the failures below are the broken line's doing")
    func templateIsGood() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let sink = try readXML(.tmx, try scratch.write("good.tmx", Self.tmx(line4: Self.goodUnit)))
        #expect(sink.units.map { $0.byLanguage["fr"] } == ["Bonjour à vous.", "Bonne unité."])
    }

    @Test("malformed XML: mismatched tags, with line and column")
    func mismatchedTags() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("mismatch.tmx", Self.tmx(line4: #"<tu><tuv xml:lang="en"><seg>Oops.</tuv></tu>"#))
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.file == path)
        #expect(failure.location.line == 4)
        #expect(failure.location.column != nil)
        #expect(failure.message.contains("malformed XML"))
        #expect(failure.message.contains("mismatch"))
    }

    @Test("truncated XML fails at its end, after complete units were read")
    func truncated() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let full = Self.tmx(line4: Self.goodUnit)
        let cutAt = try #require(full.range(of: "Bonne"))
        let cut = String(full[..<cutAt.lowerBound])
        let path = try scratch.write("truncated.tmx", cut)
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.line == 5)
        #expect(failure.message.contains("truncated"))
    }

    @Test("invalid UTF-8 is refused at its line")
    func invalidUTF8() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        var bytes = Array(Self.tmx(line4: Self.goodUnit).utf8)
        let marker = Array("Bonjour ".utf8)
        let start = try #require((0..<bytes.count).first { bytes[$0...].starts(with: marker) })
        bytes[start + marker.count] = 0xE0 // a lead byte followed by ASCII: not UTF-8
        bytes[start + marker.count + 1] = 0x20
        let path = try scratch.write("latin1.tmx", bytes: bytes)
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.line == 4)
        #expect(failure.message.contains("UTF-8"))
    }

    @Test("UTF-16 with a byte-order mark is XML too: libxml2 decodes it, and the texts are exact")
    func utf16() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let text = Self.tmx(line4: Self.goodUnit, declaration: #"<?xml version="1.0" encoding="UTF-16"?>"#)
        for (name, bom, bigEndian) in [("le.tmx", [UInt8(0xFF), 0xFE], false), ("be.tmx", [UInt8(0xFE), 0xFF], true)] {
            var bytes = bom
            for unit in text.utf16 {
                let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
                bytes += bigEndian ? pair.reversed() : pair
            }
            let sink = try readXML(.tmx, try scratch.write(name, bytes: bytes))
            #expect(sink.units.map(\.byLanguage) == [["en": "Hello there.", "fr": "Bonjour à vous."],
                                                     ["en": "Good unit.", "fr": "Bonne unité."]])
        }
    }

    @Test("an encoding the XML declaration names is honoured (ISO-8859-1)")
    func declaredLatin1() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let text = Self.tmx(line4: Self.goodUnit, declaration: #"<?xml version="1.0" encoding="ISO-8859-1"?>"#)
        let bytes = try #require(text.data(using: .isoLatin1))
        let sink = try readXML(.tmx, try scratch.write("latin1-declared.tmx", bytes: Array(bytes)))
        #expect(sink.units.map { $0.byLanguage["fr"] } == ["Bonjour à vous.", "Bonne unité."])
    }

    @Test("UTF-16 that does not decode is refused with the encoding named")
    func brokenUTF16() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in Self.tmx(line4: Self.goodUnit, declaration: #"<?xml version="1.0" encoding="UTF-16"?>"#).utf16 {
            bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        bytes.insert(0xD8, at: 301) // shifts every code unit after it by one byte: a lone surrogate
        let path = try scratch.write("broken16.tmx", bytes: bytes)
        let good = try scratch.write("good.tmx", Self.tmx(line4: Self.goodUnit))
        // libxml2 keeps one error handler per thread, and other code on the thread may set its
        // own: here Foundation's XMLParser, between two of heldout's reads (a CI run failed so).
        let failure = try #require(expectBadInput {
            try onFreshThread {
                _ = try readXML(.tmx, good)
                _ = XMLParser(data: Data("<a>".utf8)).parse()
                _ = try readXML(.tmx, path)
            }
        })
        #expect(failure.location.file == path)
        #expect(failure.location.line != nil)
        #expect(failure.message.contains("encoding"))
    }

    @Test("an error libxml2 raises through a thread handler whose capture is gone is dropped, and the thread's next reader still reports its own")
    func staleThreadCapture() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let good = try scratch.write("good.tmx", Self.tmx(line4: Self.goodUnit))
        let mismatch = try scratch.write("mismatch.tmx", Self.tmx(line4: #"<tu><tuv xml:lang="en"><seg>Oops.</tuv></tu>"#))
        final class Seen: @unchecked Sendable { var freed = false; var dropped = 0 }
        let seen = Seen()
        let failure = try #require(expectBadInput {
            try onFreshThread {
                // The reader installs this thread's handler; its capture lives in the thread's
                // dictionary alone once the reader is gone. Taking it out frees it, as the end
                // of a thread does, while libxml2 keeps the handler and its context.
                _ = try readXML(.tmx, good)
                let key = "heldout.libxml2.errors"
                weak let capture = Thread.current.threadDictionary[key] as AnyObject?
                Thread.current.threadDictionary.removeObject(forKey: key)
                seen.freed = capture == nil
                // libxml2's default handlers report a tag mismatch (with a column) through the
                // thread's handler: the error the CI crash wrote into freed memory.
                let before = ErrorCapture.dropped
                "<a></b>".withCString { text in
                    if let document = xmlReadMemory(text, 7, nil, nil, 0) { xmlFreeDoc(document) }
                }
                seen.dropped = ErrorCapture.dropped - before
                _ = try readXML(.tmx, mismatch)
            }
        })
        #expect(seen.freed)
        #expect(seen.dropped >= 1)
        #expect(failure.location.file == mismatch && failure.location.line == 4)
        #expect(failure.message.contains("mismatch"))
    }

    @Test("a character reference to a control character is refused")
    func controlCharacterReference() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let path = try scratch.write("control.tmx", Self.tmx(line4: Self.goodUnit.replacingOccurrences(of: "Hello", with: "Hel&#1;lo")))
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.line == 4)
        #expect(failure.message.contains("control character"))
    }

    @Test("an empty file, a blank file, a missing file, a directory")
    func emptyAndMissing() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        for format in [CorpusFormat.tmx, .xliff, .xces] {
            let empty = try scratch.write("empty.\(format)", "")
            let failure = try #require(expectBadInput { _ = try readXML(format, empty) })
            #expect(failure.location == HeldoutCore.SourceLocation(file: empty, line: 1, column: 1))
            #expect(failure.message.contains("empty"))
        }

        let blank = try scratch.write("blank.tmx", "\n  \n")
        let blankFailure = try #require(expectBadInput { _ = try readXML(.tmx, blank) })
        #expect(blankFailure.location.file == blank)
        #expect(blankFailure.location.line != nil)
        #expect(blankFailure.message.contains("no XML element"))

        let missing = scratch.url.appendingPathComponent("nowhere.tmx").path
        let missingFailure = try #require(expectBadInput { _ = try readXML(.tmx, missing) })
        #expect(missingFailure.location.file == missing)
        #expect(missingFailure.message == "no such file")

        let directoryFailure = try #require(expectBadInput { _ = try readXML(.xliff, scratch.url.path) })
        #expect(directoryFailure.message.contains("directory"))
    }

    @Test("an external entity is never loaded: the file is refused and the secret is nowhere")
    func externalEntity() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let secret = try scratch.write("secret.txt", "TOP-SECRET-CONTENT")
        for target in ["file://\(secret)", secret, "file:///etc/passwd"] {
            let text = Self.tmx(line4: Self.goodUnit.replacingOccurrences(of: "Hello there.", with: "Hello &e;"),
                                declaration: "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [<!ENTITY e SYSTEM \"\(target)\">]>")
            let path = try scratch.write("xxe.tmx", text)
            let sink = CollectingSink()
            let failure = try #require(expectBadInput {
                try CorpusFormat.tmx.makeReader(files: [path], options: IngestOptions()).read(into: sink)
            })
            #expect(failure.location.line == 5) // the DOCTYPE adds a line
            #expect(failure.message.contains("&e;"))
            #expect(!failure.message.contains("TOP-SECRET") && !failure.message.contains("root:"))
            #expect(sink.units.allSatisfy { unit in unit.texts.allSatisfy { !$0.text.contains("TOP-SECRET") && !$0.text.contains("root:") } })
        }
    }

    @Test("an external parameter entity (a DTD from elsewhere) is never loaded")
    func externalParameterEntity() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        _ = try scratch.write("evil.dtd", #"<!ENTITY leak "TOP-SECRET-CONTENT">"#)
        let text = Self.tmx(line4: Self.goodUnit.replacingOccurrences(of: "Hello there.", with: "Hello &leak;"),
                            declaration: "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [<!ENTITY % p SYSTEM \"\(scratch.url.path)/evil.dtd\"> %p;]>")
        let path = try scratch.write("xxe-pe.tmx", text)
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        #expect(failure.location.line == 5)
        #expect(!failure.message.contains("TOP-SECRET"))
    }

    @Test("an unused external entity declaration is harmless; the file is read")
    func unusedExternalEntity() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let text = Self.tmx(line4: Self.goodUnit,
                            declaration: "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>")
        let sink = try readXML(.tmx, try scratch.write("unused.tmx", text))
        #expect(sink.units.count == 2)
    }

    @Test("a billion-laughs entity bomb is refused quickly")
    func billionLaughs() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        var declarations = #"<!ENTITY lol0 "lollollollollollollollollollol">"#
        for level in 1...9 {
            let refs = String(repeating: "&lol\(level - 1);", count: 10)
            declarations += "\n<!ENTITY lol\(level) \"\(refs)\">"
        }
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [\n\(declarations)\n]>\n"
            + #"<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&lol9;</seg></tuv></tu></body></tmx>"#
        let path = try scratch.write("bomb.tmx", text)
        let start = ContinuousClock.now
        let failure = try #require(expectBadInput { _ = try readXML(.tmx, path) })
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(2), "took \(elapsed)")
        #expect(failure.message.contains("entity"))
        #expect(failure.location.line != nil)
    }

    @Test("a bad file leaves the store's row counts as they were, even after good units were read")
    func storeUnchangedOnBadInput() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let store = try Store(path: scratch.url.appendingPathComponent("store.sqlite").path)
        let ingester = Ingester(options: IngestOptions())

        let planned = try ingester.plan(files: [XMLFixtures.path("tmx14.tmx"), XMLFixtures.path("xliff12.xlf"),
                                                XMLFixtures.path("xces/en-fr.xml")],
                                        format: nil, corpusName: nil)
        #expect(planned.map(\.format) == [.tmx, .xliff, .xces])
        let reports = try planned.map { try ingester.ingest($0, into: store) }
        #expect(reports.map(\.units) == [3, 4, 4])
        #expect(reports.map(\.skipped) == [["untranslated": 2], ["untranslated": 2], ["unaligned": 2]])
        let before = try store.rowCounts()
        #expect(before["corpus"] == 3)

        // Many good units, then a broken one: the reader has added units before it fails.
        let units = Array(repeating: Self.goodUnit, count: 50).enumerated()
            .map { $1.replacingOccurrences(of: "Hello there.", with: "Hello number \($0).") }
        let broken = Self.tmx(line4: units.joined(separator: "\n") + "\n<tu><tuv xml:lang=\"en\"><seg>Broken</tu>")
        let bad = try ingester.plan(files: [try scratch.write("bad.tmx", broken)], format: nil, corpusName: nil)
        let failure = try #require(expectBadInput { _ = try ingester.ingest(bad[0], into: store) })
        #expect(failure.location.line == 54)
        #expect(try store.rowCounts() == before)

        // And a bad unit without --skip-invalid.
        let badUnit = try ingester.plan(files: [try scratch.write("bad-unit.tmx", TMXReaderTests.badUnits)],
                                        format: nil, corpusName: nil)
        _ = try #require(expectBadInput { _ = try ingester.ingest(badUnit[0], into: store) })
        #expect(try store.rowCounts() == before)
    }
}
