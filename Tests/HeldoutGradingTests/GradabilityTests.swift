import HeldoutCore
import Testing
@testable import HeldoutGrading

/// docs/grading.md, "What is graded": one test per rule, on sentences written for these tests.
/// Every text below of five words or more got a grade and a band before the rules (grader v2).
@Suite struct GradabilityTests {
    func reason(_ text: String, _ language: GradingLanguage = .english) -> UngradableReason? {
        Grader.grade(text, language: language).outcome.reason
    }

    @Test func shortestGradableTextIsFiveWords() {
        #expect(reason("The river froze early.") == .tooFewWords)
        #expect(reason("Le fleuve a gelé tôt.", .french) == nil)   // five words: l'article compte
        #expect(reason("The river froze early this year.") == nil)
        let g = Grader.grade("The river froze early.", language: .english)
        #expect(g.band == .ungradable && g.grade == nil && g.readability.isEmpty)
    }

    @Test func paths() {
        #expect(reason("/srv/archive/old/reports/summary.txt") == .path)
        #expect(reason("Mirror https://mirror.example.org/pool/main/ now") == .path)
        // One path among many words is a sentence that mentions a path.
        #expect(reason("Copy the weekly file into ~/backup/daily before the office closes.") == nil)
    }

    @Test func code() {
        #expect(reason("if (count > limit) { return nil; }") == .code)
        #expect(reason("call load_config then parse_args and exit_early") == .code)
        #expect(reason("Run with --verbose to see what the daemon is doing.") == nil)
    }

    @Test func versionStrings() {
        #expect(reason("Release 2.4.1 build 20231105 rev 7") == .version)
        #expect(reason("Only 2 of the 40 mirrors answered before noon.") == nil)
    }

    @Test func listsOfNames() {
        #expect(reason("Kestrel, Northern Plains, Maple Hollow, Granite Bay") == .list)
        #expect(reason("Harbour Lane, Upper Mill, Fenwick Green, Oak Row, Saltmarsh") == .list)
    }

    @Test func labelsWithoutVerb() {
        #expect(reason("Configuring the optional network bridge settings") == .label)
        #expect(reason("Paramètres avancés du serveur distant", .french) == .label)
        #expect(reason("Erweiterte Einstellungen des entfernten Rechners", .german) == .label)
        // A verb makes an unpunctuated line a sentence.
        #expect(reason("This setting is ignored by the older clients") == nil)
        #expect(reason("Le serveur distant est injoignable pour le moment", .french) == nil)
    }

    @Test func textWithoutSentenceBoundaries() {
        let lyric = "we walked down to the water and the lamps were low and you said nothing and I said "
            + "nothing and the boats went out one by one past the wall and the gulls came in and the night came on"
        #expect(reason(lyric) == .noSentenceBoundaries)
        #expect(reason(lyric.replacingOccurrences(of: " and the boats", with: ". The boats") + ".") == nil)
    }

    @Test func proseIsGraded() {
        #expect(reason("The old ferry leaves the harbour at dawn every day.") == nil)
        #expect(reason("Cette commande efface les fichiers temporaires du projet.", .french) == nil)
        #expect(reason("Der Zug fährt jeden Morgen um sieben Uhr ab.", .german) == nil)
        #expect(reason("El tren sale cada mañana a las siete.", .spanish) == nil)
        #expect(reason("Il treno parte ogni mattina alle sette.", .italian) == nil)
    }
}

/// The reason is stored with the grade, and an ungradable segment has no band.
@Suite struct StoredGradabilityTests {
    @Test func reasonsAreStored() throws {
        let t = try TemporaryStore()
        try t.ingest("a", [("en", "/srv/archive/old/reports/summary.txt", nil),
                           ("en", "Configuring the optional network bridge settings", nil),
                           ("en", "The old ferry leaves the harbour at dawn every day.", nil)])
        _ = try Grader().run(store: t.store)
        let rows = try t.store.read { db in
            try String.fetchAll(db, sql: """
                SELECT s.text || '|' || coalesce(g.ungradable_reason, '-') || '|' || g.band || '|' || coalesce(g.grade, '-')
                FROM grade g JOIN segment s ON s.rowid = g.segment ORDER BY s.text
                """)
        }
        #expect(rows.count == 3)
        #expect(rows.contains("/srv/archive/old/reports/summary.txt|path|ungradable|-"))
        #expect(rows.contains("Configuring the optional network bridge settings|label|ungradable|-"))
        #expect(rows.contains { $0.hasPrefix("The old ferry leaves the harbour at dawn every day.|-|") && !$0.hasSuffix("|-") })
    }
}

/// The verb cues are read from the bytes of Latin-1 text and from `Character`s otherwise: both
/// readings must find the same cues (a difference would change which segments are labels).
@Suite struct VerbCueReadingTests {
    static let languages: [GradingLanguage] = [.english, .french, .german, .spanish, .italian]

    func both(_ text: String, _ language: GradingLanguage) -> (bytes: Bool?, characters: Bool) {
        let cues = Gradability.verbCues[language] ?? []
        var text = text
        return text.withUTF8 { ($0.isEmpty ? false : Gradability.hasVerbCueLatin1($0, cues: cues),
                                Gradability.hasVerbCueByCharacters($0, cues: cues)) }
    }

    @Test func everyLatin1ScalarIsReadAsCharactersReadIt() {
        // Each scalar of Latin-1 (and ’) around and inside cue words of each language.
        let scalars = (0x01...0xFF).compactMap(Unicode.Scalar.init) + ["\u{2019}"]
        for language in Self.languages {
            for scalar in scalars {
                let c = String(Character(scalar))
                for text in ["x\(c)est", "\(c)est", "ist\(c)", "Die\(c)IST gut", "n\(c)a", "c\(c)È", "È\(c)", "can\(c)t go",
                             "ÉTAIT\(c)", "l\(c)homme EST", "\(c)\(c)has"] {
                    let (bytes, characters) = both(text, language)
                    #expect(bytes == characters, "\(language) \(text.unicodeScalars.map { String($0.value, radix: 16) })")
                }
            }
        }
    }

    @Test func randomTextsAgree() {
        let pieces = ["is", "IS", "Est", "c'est", "c’est", "n'a", "Kann", "können", "KÖNNEN", "Puede", "está", "È", "c'è", "può",
                      "can't", "Can’t", "don't", "der", "la", "ÉTAIENT", "étaient", "ß", "Straße", "µ", "ª", "º", " ", " ", "  ",
                      ", ", ".", "«", "»", "\u{A0}", "¿", "'", "’", "-", "\r\n", "\t", "2", "×", "÷", "Þ", "þ", "ÿ", "Ÿ"]
        var random = SplitMix64(seed: 20)
        var checked = 0
        for _ in 0..<4_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...8, using: &random) { text += pieces.randomElement(using: &random) ?? "" }
            let language = Self.languages.randomElement(using: &random) ?? .english
            let (bytes, characters) = both(text, language)
            guard let bytes else { continue }   // Ÿ (U+0178) is outside Latin-1: the Character path alone
            checked += 1
            #expect(bytes == characters, "\(language) \(text)")
        }
        #expect(checked > 3_000)
    }

    @Test func otherScalarsTakeTheCharacterPath() {
        let cues = Gradability.verbCues[.french] ?? []
        for text in ["Il e\u{0301}tait est", "Ÿ est", "œuvre est", "Это est"] {
            var text = text
            #expect(text.withUTF8 { Gradability.hasVerbCueLatin1($0, cues: cues) } == nil, "\(text)")
        }
    }
}
