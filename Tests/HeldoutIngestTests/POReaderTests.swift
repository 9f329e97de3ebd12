import Foundation
import HeldoutCore
import Testing
@testable import HeldoutIngest

@Suite("PO reader")
struct POReaderTests {
    @Test("entries, context, multi-line strings, escapes, plurals; fuzzy, untranslated, header and obsolete left out")
    func fixture() throws {
        let sink = try readAll(try POReader(file: try TextFixture.path("fr.po"), options: IngestOptions()))
        #expect(sink.texts == [
            ["en:Save the file", "fr:Enregistrer le fichier"],
            ["en:Open", "fr:Ouvrir"],
            ["en:Cannot read %s:\n\"permission denied\"", "fr:Impossible de lire %s :\n\"permission refusée\""],
            ["en:%d file copied", "fr:%d fichier copié"],
            ["en:%d files copied", "fr:%d fichiers copiés"],
        ])
        #expect(sink.units.map(\.metadata) == [[:], ["msgctxt": "menu"], [:], ["plural": "0"], ["plural": "1"]])
        #expect(sink.units.map { $0.location?.line } == [10, 15, 19, 33, 33])
        #expect(sink.skipped == ["fuzzy": 1, "untranslated": 1])
    }

    @Test("--pair sets the source; a target that contradicts the Language header is an error at the header")
    func languages() throws {
        let path = try TextFixture.path("fr.po")
        let german = try readAll(try POReader(file: path, options: textOptions(pair: "de-fr")))
        #expect(german.texts.first == ["de:Save the file", "fr:Enregistrer le fichier"])
        let regional = try readAll(try POReader(file: path, options: textOptions(lang: "fr-CA")))
        #expect(regional.texts.first == ["en:Save the file", "fr-CA:Enregistrer le fichier"])
        // fr.po names its language twice; a neutral name leaves the header to contradict.
        let scratch = try TextScratch()
        let neutral = try scratch.write("messages.po", try String(contentsOfFile: path, encoding: .utf8))
        let failure = expectBadInput { _ = try readAll(try POReader(file: neutral, options: textOptions(pair: "en-de"))) }
        #expect(failure?.location == HeldoutCore.SourceLocation(file: neutral, line: 2, column: 1))
        #expect(failure?.message.contains("--pair en-de") == true)
        #expect(expectUsage { _ = try POReader(file: path, options: textOptions(pair: "en-de")) }?.contains("fr.po") == true)
    }

    @Test("the target from the file name, POSIX locales, and contradictions between name and header")
    func fileNames() throws {
        let scratch = try TextScratch()
        let body = "msgid \"Yes\"\nmsgstr \"Da\"\n"
        #expect(try readAll(try POReader(file: try scratch.write("coreutils-9.1.sr@latin.po", body), options: IngestOptions())).texts
                == [["en:Yes", "sr-Latn:Da"]])
        let header = "msgid \"\"\nmsgstr \"Language: pt_BR\\n\"\n\nmsgid \"Yes\"\nmsgstr \"Sim\"\n"
        #expect(try readAll(try POReader(file: try scratch.write("messages.po", header), options: IngestOptions())).texts
                == [["en:Yes", "pt-BR:Sim"]])
        let clash = try scratch.write("de.po", header)
        #expect(expectBadInput { _ = try readAll(try POReader(file: clash, options: IngestOptions())) }?.message.contains("de.po") == true)
        let unknown = try scratch.write("messages.po", body)
        #expect(expectUsage { _ = try readAll(try POReader(file: unknown, options: IngestOptions())) }?.contains("--lang") == true)
        expectUsage { _ = try POReader(file: try scratch.write("es.po", body), options: textOptions(lang: "fr")) }
    }

    @Test("syntax errors name the line and column", arguments: [
        ("msgid \"a\"\nmsgstr \"b\\q\"\n", 2, 10, "unknown escape"),
        ("msgid \"a\"\nmsgstr \"b\n", 2, 8, "not closed"),
        ("msgstr \"b\"\n", 1, 1, "without a msgid"),
        ("msgid \"a\"\nmsgtxt \"b\"\n", 2, 1, "unknown keyword"),
        ("msgid \"a\"\nmsgid \"b\"\nmsgstr \"c\"\n", 2, 1, "no msgstr"),
        ("msgid \"a\"\nmsgstr \"b\" x\n", 2, 12, "unexpected text"),
        ("\"a\"\n", 1, 1, "no keyword"),
        ("msgid \"a\"\n", 1, 1, "without a msgstr"),
        ("msgid \"a\"\nmsgstr \"\\377\"\n", 2, 1, "UTF-8"),
    ])
    func syntaxErrors(text: String, line: Int, column: Int, reason: String) throws {
        let scratch = try TextScratch()
        let path = try scratch.write("fr.po", text)
        let failure = expectBadInput { _ = try readAll(try POReader(file: path, options: IngestOptions())) }
        #expect(failure?.location == HeldoutCore.SourceLocation(file: path, line: line, column: column))
        #expect(failure?.message.contains(reason) == true, "\(failure?.message ?? "")")
    }
}
