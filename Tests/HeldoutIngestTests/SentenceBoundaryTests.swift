import HeldoutCore
import Testing
@testable import HeldoutIngest

/// Issue 18, item 3: the kinds of boundary the splitter got wrong against the Golden Rules,
/// in the project's own sentences (written for these tests), in each of the four languages.
/// Each case names the language it is split in.
struct BoundaryCase: Sendable, CustomTestStringConvertible {
    var language: String
    var feature: String
    var input: String
    var expected: [String]

    init(_ language: String, _ feature: String, _ input: String, _ expected: [String]) {
        self.language = language
        self.feature = feature
        self.input = input
        self.expected = expected
    }

    var testDescription: String { "\(language): \(feature)" }
}

let abbreviationCases: [BoundaryCase] = [
    BoundaryCase("en", "Mt. before a name", "We hiked up Mt. Rainier at dawn. The air was thin.",
                 ["We hiked up Mt. Rainier at dawn.", "The air was thin."]),
    BoundaryCase("en", "Rs. before an amount", "The ferry ticket cost Rs. 450 at the pier.",
                 ["The ferry ticket cost Rs. 450 at the pier."]),
    BoundaryCase("en", "Inc. ending a sentence", "Orbital Inc. hired forty engineers. They start in May. We met Orbital Inc. The talks went well.",
                 ["Orbital Inc. hired forty engineers.", "They start in May.", "We met Orbital Inc.", "The talks went well."]),
    BoundaryCase("es", "párrf. before a number", "Lean el párrf. 3 y el párrf. 4 antes del lunes.",
                 ["Lean el párrf. 3 y el párrf. 4 antes del lunes."]),
    BoundaryCase("es", "Mt. before a name", "Subimos al Mt. Aconcagua en enero. Hacía frío.",
                 ["Subimos al Mt. Aconcagua en enero.", "Hacía frío."]),
    BoundaryCase("fr", "Inc. and Rs. in French", "La société Lumen Inc. Paris paie Rs. 300 par mois. Elle recrute.",
                 ["La société Lumen Inc. Paris paie Rs. 300 par mois.", "Elle recrute."]),
    BoundaryCase("de", "GmbH and Rs.", "Die Nordlicht GmbH zahlt Rs. 90 pro Stunde. Das ist wenig.",
                 ["Die Nordlicht GmbH zahlt Rs. 90 pro Stunde.", "Das ist wenig."]),
]

let listCases: [BoundaryCase] = [
    BoundaryCase("en", "numbers and a bracket, inline", "1) Boil the water 2) Add the rice 3) Stir twice",
                 ["1) Boil the water", "2) Add the rice", "3) Stir twice"]),
    BoundaryCase("en", "letters, inline", "a. Read the notice b. Sign the form",
                 ["a. Read the notice", "b. Sign the form"]),
    BoundaryCase("es", "numbers, period and bracket", "1.) Abrir la caja 2.) Sacar el manual",
                 ["1.) Abrir la caja", "2.) Sacar el manual"]),
    BoundaryCase("fr", "numbers with a period", "1. Lire le texte 2. Répondre aux questions",
                 ["1. Lire le texte", "2. Répondre aux questions"]),
    BoundaryCase("de", "bullets and numbers", "• 4. Fenster schließen • 5. Licht ausmachen",
                 ["• 4. Fenster schließen", "• 5. Licht ausmachen"]),
    BoundaryCase("de", "a number out of sequence is no new item", "1. Wir treffen uns um 3. Dann gehen wir.",
                 ["1. Wir treffen uns um 3.", "Dann gehen wir."]),
]

let ellipsisCases: [BoundaryCase] = [
    BoundaryCase("en", "three spaced dots between words", "She waited . . . I never knew why.",
                 ["She waited . . . I never knew why."]),
    BoundaryCase("en", "four dots end a sentence", "He stopped talking.... Everyone left.",
                 ["He stopped talking....", "Everyone left."]),
    BoundaryCase("fr", "a full stop, then an omission", "Il attendit. . . . Personne ne vint.",
                 ["Il attendit.", ". . . Personne ne vint."]),
    BoundaryCase("de", "spaced dots before lower case", "Er wartete . . . und ging dann.",
                 ["Er wartete . . . und ging dann."]),
    BoundaryCase("es", "unspaced dots before a capital", "Pensó... Luego se fue.",
                 ["Pensó...", "Luego se fue."]),
]

let quoteCases: [BoundaryCase] = [
    BoundaryCase("en", "a curly closing quote after a space stays", "He called the plan “finished. ” Then he left.",
                 ["He called the plan “finished. ”", "Then he left."]),
    BoundaryCase("en", "a bare quote at the end is never a sentence", "The crowd cheered. \"",
                 ["The crowd cheered. \""]),
    BoundaryCase("en", "citation before the full stop", "“Old oaks remember drought [...]” (Okafor 12). Rain came late.",
                 ["“Old oaks remember drought [...]” (Okafor 12).", "Rain came late."]),
    BoundaryCase("fr", "omission in a quotation", "Il écrit que « la ville [...] change vite » (Durand 44). Nous verrons.",
                 ["Il écrit que « la ville [...] change vite » (Durand 44).", "Nous verrons."]),
    BoundaryCase("de", "German quotes close the sentence", "Sie rief: „Komm her!“ Dann lachte sie.",
                 ["Sie rief: „Komm her!“", "Dann lachte sie."]),
    BoundaryCase("es", "a verse slash continues", "Cantó: «Voy despacio. / Nadie me espera.» Luego calló.",
                 ["Cantó: «Voy despacio. / Nadie me espera.»", "Luego calló."]),
    BoundaryCase("de", "a bracket left after a space", "Das gilt ab Montag (siehe Aushang. ) Wir danken Ihnen.",
                 ["Das gilt ab Montag (siehe Aushang. )", "Wir danken Ihnen."]),
]

let dashCases: [BoundaryCase] = [
    BoundaryCase("en", "an exclamation between dashes", "The cat -- what luck! -- landed on its feet.",
                 ["The cat -- what luck! -- landed on its feet."]),
    BoundaryCase("de", "an exclamation between em dashes", "Er rief — welch ein Glück! — und alle drehten sich um.",
                 ["Er rief — welch ein Glück! — und alle drehten sich um."]),
    BoundaryCase("fr", "an exclamation in guillemets mid-sentence", "Elle a crié « Au secours ! » et tout le monde a couru.",
                 ["Elle a crié « Au secours ! » et tout le monde a couru."]),
    BoundaryCase("es", "a question mid-sentence", "Le pregunté ¿vienes? y no contestó. Después se fue.",
                 ["Le pregunté ¿vienes? y no contestó.", "Después se fue."]),
]

@Suite("Sentence boundaries (issue 18)")
struct SentenceBoundaryTests {
    func check(_ example: BoundaryCase) throws {
        let splitter = SentenceSplitter(language: try #require(LanguageTag(example.language)))
        #expect(splitter.split(example.input) == example.expected)
    }

    @Test("abbreviations: titles, places, currencies, company and academic forms", arguments: abbreviationCases)
    func abbreviations(_ example: BoundaryCase) throws { try check(example) }

    @Test("numbered and lettered lists written inline", arguments: listCases)
    func lists(_ example: BoundaryCase) throws { try check(example) }

    @Test("ellipses, spaced and unspaced", arguments: ellipsisCases)
    func ellipses(_ example: BoundaryCase) throws { try check(example) }

    @Test("quotes, brackets and citations around sentence ends", arguments: quoteCases)
    func quotes(_ example: BoundaryCase) throws { try check(example) }

    @Test("dashes and sentence-internal exclamation and question marks", arguments: dashCases)
    func dashes(_ example: BoundaryCase) throws { try check(example) }

    @Test("no piece is bare punctuation, whatever the input", arguments: ["en", "fr", "de", "es"])
    func noBarePieces(_ language: String) throws {
        let splitter = SentenceSplitter(language: try #require(LanguageTag(language)))
        let inputs = ["Done. ” ” Next one.", "” Start. Then more.", "Wait! ) ] Go on.", "End. \" ' «", "A. » B."]
        for input in inputs {
            for sentence in splitter.split(input) {
                #expect(sentence.unicodeScalars.contains { Scan.isLetter($0) || Scan.isDigit($0) },
                        "\(language): \(input) gave \(splitter.split(input))")
            }
        }
    }
}
