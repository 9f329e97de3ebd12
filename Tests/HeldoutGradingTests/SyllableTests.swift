import Testing
@testable import HeldoutGrading

/// Syllable counts on word lists whose answers are known (dictionaries, or counted by hand for
/// the languages whose rules are regular).
@Suite struct SyllableTests {
    let counter = SyllableCounter.standard

    func check(_ expected: [String: Int], _ language: GradingLanguage) {
        for (word, count) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(counter.count(word, language: language) == count, "\(word)")
        }
    }

    @Test func exceptionTableIsCompiledIn() {
        // A malformed generated table would load as empty; the rules alone would then grade.
        #expect(counter.exceptionCount > 9_000)
        #expect(SyllableCounter.rulesOnly.exceptionCount == 0)
    }

    @Test func english() {
        check(["cat": 1, "the": 1, "table": 2, "beautiful": 3, "university": 5, "syllable": 3,
               "readability": 5, "jumped": 1, "wanted": 2, "boxes": 2, "makes": 1, "every": 3,
               "fire": 2, "lovely": 2, "crash's": 2, "well-known": 2, "don't": 1, "Queue": 1,
               "people": 2, "video": 3, "actual": 3, "being": 2, "rhythm": 2, "idea": 3], .english)
    }

    @Test func englishRulesAloneOnRegularWords() {
        let rules = SyllableCounter.rulesOnly
        for (word, count) in ["cat": 1, "make": 1, "table": 2, "wanted": 2, "jumped": 1, "boxes": 2, "happy": 2,
                              "lovely": 2, "verifying": 4, "reinstall": 3, "grumbled": 2, "radio": 3] {
            #expect(rules.count(word, language: .english) == count, "\(word)")
        }
    }

    @Test func french() {
        check(["chat": 1, "table": 1, "tables": 1, "réalité": 4, "naïf": 2, "année": 2, "l'homme": 1,
               "quelque": 1, "maison": 2, "aujourd'hui": 3, "le": 1, "payer": 2, "théâtre": 2], .french)
    }

    @Test func spanish() {
        check(["día": 2, "ciudad": 2, "leer": 2, "que": 1, "hay": 1, "aéreo": 4, "manzana": 3,
               "guitarra": 3, "pingüino": 3, "muy": 1, "poeta": 3], .spanish)
    }

    @Test func german() {
        check(["Theater": 3, "Feier": 2, "Bauer": 2, "Quelle": 2, "Haus": 1, "Kinder": 2, "Schule": 2,
               "Boot": 1, "Meer": 1, "Familie": 3], .german)
    }

    @Test func italian() {
        check(["paese": 3, "idea": 3, "azione": 3, "quando": 2, "gatto": 2, "divano": 3, "poeta": 3,
               "l'uomo": 2], .italian)
    }

    @Test func numbersAndNonWords() {
        let analyzer = TextAnalyzer()
        let c = analyzer.analyze("In 2024 we had 3 cats", language: .english)
        #expect(c.words == 6 && c.syllables == 6 && c.letters == 11)
    }

    @Test func exceptionListParsing() throws {
        let custom = try SyllableCounter(exceptionList: "# test\nfoo 4\n\nbar 2\n")
        #expect(custom.count("foo", language: .english) == 4)
        #expect(throws: GradingError.self) { try SyllableCounter(exceptionList: "foo\n") }
        #expect(throws: GradingError.self) { try SyllableCounter(exceptionList: "foo zero\n") }
    }
}
