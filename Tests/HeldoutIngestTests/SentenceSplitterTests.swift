import HeldoutCore
import Testing
@testable import HeldoutIngest

/// One input and the sentences it must give. The texts are written for these tests; some
/// restate cases of pySBD's "golden rules" in other words.
struct SplitCase: Sendable, CustomTestStringConvertible {
    var feature: String
    var input: String
    var expected: [String]

    init(_ feature: String, _ input: String, _ expected: [String]) {
        self.feature = feature
        self.input = input
        self.expected = expected
    }

    var testDescription: String { feature }
}

private func splitter(_ language: String) throws -> SentenceSplitter {
    SentenceSplitter(language: try #require(LanguageTag(language)))
}

// MARK: - English

let englishCases: [SplitCase] = [
    SplitCase("full stops", "The tide came in. We went home.", ["The tide came in.", "We went home."]),
    SplitCase("question and exclamation", "Who rang the bell? Nobody did! It rang itself.",
              ["Who rang the bell?", "Nobody did!", "It rang itself."]),
    SplitCase("?! and !?", "You sold the boat?! Really!? Yes.", ["You sold the boat?!", "Really!?", "Yes."]),
    SplitCase("doubled marks", "Wait!! Is anyone there?? Hello.", ["Wait!!", "Is anyone there??", "Hello."]),
    SplitCase("titles", "Mr. Hale met Dr. Osei and Mrs. Brandt at noon. They talked.",
              ["Mr. Hale met Dr. Osei and Mrs. Brandt at noon.", "They talked."]),
    SplitCase("e.g. i.e. vs.", "Bring fruit, e.g. Pears or apples, i.e. Something sweet. The match was Leeds vs. York.",
              ["Bring fruit, e.g. Pears or apples, i.e. Something sweet.", "The match was Leeds vs. York."]),
    SplitCase("initials", "The Hobbit is by J. R. R. Tolkien. It came out in 1937.",
              ["The Hobbit is by J. R. R. Tolkien.", "It came out in 1937."]),
    SplitCase("middle initial", "My neighbour is Clara T. Okafor.", ["My neighbour is Clara T. Okafor."]),
    SplitCase("pronoun I versus an initial", "The winners were you and I. Did you meet Henry I. Marsh there?",
              ["The winners were you and I.", "Did you meet Henry I. Marsh there?"]),
    SplitCase("page number", "The map is on p. 42 of the guide.", ["The map is on p. 42 of the guide."]),
    SplitCase("Co. inside and at the end", "They sold it to Hart & Co. last spring. Ask Hart & Co. They know.",
              ["They sold it to Hart & Co. last spring.", "Ask Hart & Co.", "They know."]),
    SplitCase("etc. at the end", "We packed rope, tents, etc. Then we left.", ["We packed rope, tents, etc.", "Then we left."]),
    SplitCase("dotted acronyms", "She moved to the U.S. in May. He stayed in the E.U. How odd!",
              ["She moved to the U.S. in May.", "He stayed in the E.U.", "How odd!"]),
    SplitCase("acronym before a name", "He joined the U.S. Navy young.", ["He joined the U.S. Navy young."]),
    SplitCase("a.m. before a title", "At 7 a.m. Mr. Grey opened the shop.", ["At 7 a.m. Mr. Grey opened the shop."]),
    SplitCase("decimals and money", "Pi is about 3.14 and the ticket cost $12.50. We paid.",
              ["Pi is about 3.14 and the ticket cost $12.50.", "We paid."]),
    SplitCase("number before a number", "The answer is 7. 8 was wrong.", ["The answer is 7.", "8 was wrong."]),
    SplitCase("e-mail and URL", "Write to kim.lee@example.org. Or see https://example.org/a.html. Thanks.",
              ["Write to kim.lee@example.org.", "Or see https://example.org/a.html.", "Thanks."]),
    SplitCase("ellipsis character", "I thought… Never mind. She waited… and waited.",
              ["I thought…", "Never mind.", "She waited… and waited."]),
    SplitCase("three dots", "It was over... Or was it? Well... maybe not.",
              ["It was over...", "Or was it?", "Well... maybe not."]),
    // A full stop, then an ellipsis that marks an omission before the next sentence (the
    // Chicago convention pySBD's Golden Rules follow): the dots open the next sentence.
    SplitCase("spaced dots", "He hesitated . . . then spoke. . . . Nobody answered.",
              ["He hesitated . . . then spoke.", ". . . Nobody answered."]),
    SplitCase("double quotes close the sentence", "He said, \"It is late.\" She nodded.",
              ["He said, \"It is late.\"", "She nodded."]),
    SplitCase("quote then lower case continues", "\"It is late.\" she said. Then she left.",
              ["\"It is late.\" she said.", "Then she left."]),
    SplitCase("curly quotes", "“Stop!” he cried. “Why?” “Because.”", ["“Stop!” he cried.", "“Why?”", "“Because.”"]),
    SplitCase("single quotes", "She wrote 'We won.' Then she slept.", ["She wrote 'We won.'", "Then she slept."]),
    SplitCase("brackets inside", "He taught maths (he had been a pilot.) at the school.",
              ["He taught maths (he had been a pilot.) at the school."]),
    SplitCase("bracket closes the sentence", "It rained all day. (We stayed in.) Next morning was clear.",
              ["It rained all day.", "(We stayed in.)", "Next morning was clear."]),
    SplitCase("brand with exclamation", "She works at Yahoo! in sales.", ["She works at Yahoo! in sales."]),
    SplitCase("possessive after Jr.", "That is Sam Pike Jr.'s car.", ["That is Sam Pike Jr.'s car."]),
    SplitCase("lower-case brand starts a sentence", "Sales rose. iPads sold well.", ["Sales rose.", "iPads sold well."]),
    SplitCase("line break inside a paragraph", "The road bent\nsharply to the left. We\nfollowed it.",
              ["The road bent sharply to the left.", "We followed it."]),
    SplitCase("blank line ends a heading", "Chapter One\n\nThe house was empty.", ["Chapter One", "The house was empty."]),
    SplitCase("dash list items", "Bring:\n- a torch\n- two ropes\nThen meet us.",
              ["Bring:", "- a torch", "- two ropes", "Then meet us."]),
    SplitCase("star and numbered items", "* first step\n1. second step\n2) third step\na) fourth step",
              ["* first step", "1. second step", "2) third step", "a) fourth step"]),
    SplitCase("indented continuation of an item", "- a long item that\n  wraps onto a second line\n- short",
              ["- a long item that wraps onto a second line", "- short"]),
    SplitCase("item with two sentences", "- Read it. Then sign it.", ["- Read it.", "Then sign it."]),
    SplitCase("numbered items on one line", "1. The first point. 2. The second point.",
              ["1. The first point.", "2. The second point."]),
    SplitCase("item number with bracket", "1.) Check the oil. 2.) Check the tyres.",
              ["1.) Check the oil.", "2.) Check the tyres."]),
    SplitCase("a line starting with an initial is no list item", "The poem is by\nT. S. Eliot and it is long.",
              ["The poem is by T. S. Eliot and it is long."]),
    SplitCase("St. before a name and at the end", "We met at St. Anne's. It lies on Elm St. The bus stops there.",
              ["We met at St. Anne's.", "It lies on Elm St.", "The bus stops there."]),
    SplitCase("no. before a number", "Room No. 12 is free. No. It is taken.", ["Room No. 12 is free.", "No.", "It is taken."]),
    SplitCase("unterminated last sentence", "It works. Or so they say", ["It works.", "Or so they say"]),
    SplitCase("CRLF line ends", "One line\r\nand more. Done.\r\n", ["One line and more.", "Done."]),
]

// MARK: - French

let frenchCases: [SplitCase] = [
    SplitCase("points", "Le train partit. Nous restâmes sur le quai.", ["Le train partit.", "Nous restâmes sur le quai."]),
    SplitCase("M. and Mme", "M. Girard et Mme Roux sont arrivés. Ils ont faim.",
              ["M. Girard et Mme Roux sont arrivés.", "Ils ont faim."]),
    SplitCase("MM. and Dr", "MM. Lenoir et Petit ont vu le Dr. Faure hier.", ["MM. Lenoir et Petit ont vu le Dr. Faure hier."]),
    SplitCase("spaced question and exclamation marks", "Tu viens ? Non ! Pourquoi ?", ["Tu viens ?", "Non !", "Pourquoi ?"]),
    SplitCase("no-break spaces before marks", "Tu viens\u{202F}? Oui\u{00A0}!", ["Tu viens ?", "Oui !"]),
    SplitCase("guillemets close the sentence", "Il a dit : « Je pars. » Puis il est sorti.",
              ["Il a dit : « Je pars. »", "Puis il est sorti."]),
    SplitCase("guillemets then attribution", "« Vraiment ? » demanda-t-elle. « Oui. »",
              ["« Vraiment ? » demanda-t-elle.", "« Oui. »"]),
    SplitCase("period after the guillemet", "Elle assure que le projet « avance bien ». Nous verrons.",
              ["Elle assure que le projet « avance bien ».", "Nous verrons."]),
    SplitCase("dotted abbreviation in guillemets", "Le sigle « S.N.C.F. » désigne le rail.",
              ["Le sigle « S.N.C.F. » désigne le rail."]),
    SplitCase("etc. then a sentence", "On a acheté du pain, du lait, etc. Le reste attendra.",
              ["On a acheté du pain, du lait, etc.", "Le reste attendra."]),
    SplitCase("c.-à-d. and cf.", "Le verbe, c.-à-d. Le mot central, varie. Voir cf. Chapitre 2.",
              ["Le verbe, c.-à-d. Le mot central, varie.", "Voir cf. Chapitre 2."]),
    SplitCase("ordinal 3e", "Elle est arrivée 3e. Son frère a fini 12e.", ["Elle est arrivée 3e.", "Son frère a fini 12e."]),
    SplitCase("elided article after a full stop", "La pluie cessa. L'orage s'éloigna.", ["La pluie cessa.", "L'orage s'éloigna."]),
    SplitCase("hours", "Rendez-vous à 10 h. Ne soyez pas en retard.", ["Rendez-vous à 10 h.", "Ne soyez pas en retard."]),
    SplitCase("big numbers", "La ville compte 1.000.000 d'habitants. C'est beaucoup.",
              ["La ville compte 1.000.000 d'habitants.", "C'est beaucoup."]),
    SplitCase("ellipsis", "Il hésita… puis partit. Attends… Non.", ["Il hésita… puis partit.", "Attends…", "Non."]),
    SplitCase("dialogue dashes", "— Tu pars déjà ?\n— Oui, il est tard.", ["— Tu pars déjà ?", "— Oui, il est tard."]),
    SplitCase("Ltd.", "Les livres de Orbis Ltd. sont ici.", ["Les livres de Orbis Ltd. sont ici."]),
]

// MARK: - German

let germanCases: [SplitCase] = [
    SplitCase("Punkte", "Der Zug fuhr ab. Wir blieben am Bahnsteig.", ["Der Zug fuhr ab.", "Wir blieben am Bahnsteig."]),
    SplitCase("low-high quotes close the sentence", "„Ich habe keine Zeit“, sagte sie leise: „Und keine Lust.“ Wir gingen.",
              ["„Ich habe keine Zeit“, sagte sie leise: „Und keine Lust.“", "Wir gingen."]),
    SplitCase("chevron quotes, German style", "Er rief: »Komm her!« Dann lachte er.", ["Er rief: »Komm her!«", "Dann lachte er."]),
    SplitCase("z. B. spaced and z.B. joined", "Obst, z. B. Äpfel, ist gesund. Gemüse, z.B. Karotten, auch.",
              ["Obst, z. B. Äpfel, ist gesund.", "Gemüse, z.B. Karotten, auch."]),
    SplitCase("u. a. before a noun", "Sie spricht u. a. Spanisch und Polnisch.", ["Sie spricht u. a. Spanisch und Polnisch."]),
    SplitCase("usw. then a sentence", "Wir kauften Brot, Käse usw. Dann fuhren wir heim.",
              ["Wir kauften Brot, Käse usw.", "Dann fuhren wir heim."]),
    SplitCase("Dr. med. and Prof.", "Wir trafen Dr. med. Kühn und Prof. Lang im Park.", ["Wir trafen Dr. med. Kühn und Prof. Lang im Park."]),
    SplitCase("ordinal before a month", "Am 1. Januar schneite es. Was geschah am 12. Juni?",
              ["Am 1. Januar schneite es.", "Was geschah am 12. Juni?"]),
    SplitCase("ordinal after an article", "Sie wohnt im 3. Stock. Der 2. Versuch gelang.",
              ["Sie wohnt im 3. Stock.", "Der 2. Versuch gelang."]),
    SplitCase("number at a sentence end", "Wir zählten bis 12. Dann hörten wir auf.", ["Wir zählten bis 12.", "Dann hörten wir auf."]),
    SplitCase("grouped numbers", "Wir haben 1.000.000 Euro. Sie bekommen 3,50 Euro zurück.",
              ["Wir haben 1.000.000 Euro.", "Sie bekommen 3,50 Euro zurück."]),
    SplitCase("S. and Str. before numbers", "Das steht auf S. 25, s. oben. Wir wohnen in der Parkstr. 5 in Kiel.",
              ["Das steht auf S. 25, s. oben.", "Wir wohnen in der Parkstr. 5 in Kiel."]),
    SplitCase("bzw. and d. h.", "Er kommt heute bzw. morgen, d. h. Bald.", ["Er kommt heute bzw. morgen, d. h. Bald."]),
    SplitCase("numbered list lines", "Zutaten:\n1. Mehl\n2. Eier", ["Zutaten:", "1. Mehl", "2. Eier"]),
    SplitCase("century range", "Funde aus dem 1. -3. Jahrhundert sind selten.", ["Funde aus dem 1. -3. Jahrhundert sind selten."]),
]

// MARK: - Spanish

let spanishCases: [SplitCase] = [
    SplitCase("inverted question mark", "¿Cómo estás hoy? Espero que bien.", ["¿Cómo estás hoy?", "Espero que bien."]),
    SplitCase("inverted exclamation mark", "¡Qué frío! Cierra la ventana.", ["¡Qué frío!", "Cierra la ventana."]),
    SplitCase("mixed ¡¿ ?!", "Juan, ¿adónde vas? ¡¿Qué has hecho?!", ["Juan, ¿adónde vas?", "¡¿Qué has hecho?!"]),
    SplitCase("Sr. Sra. Srta.", "La Sra. Vidal y el Sr. Mora llegaron. Saludos a la Srta. Ruiz.",
              ["La Sra. Vidal y el Sr. Mora llegaron.", "Saludos a la Srta. Ruiz."]),
    SplitCase("Dr. and Lic.", "Soy el Lic. Pardo, y ella es la Dra. Soto.", ["Soy el Lic. Pardo, y ella es la Dra. Soto."]),
    SplitCase("p. ej.", "Frutas, p. ej. Peras, son baratas. Compra muchas.", ["Frutas, p. ej. Peras, son baratas.", "Compra muchas."]),
    SplitCase("EE. UU.", "Viajó a los EE. UU. Nueva York le gustó.", ["Viajó a los EE. UU. Nueva York le gustó."]),
    SplitCase("guillemets with a comma after", "«La prisa es mala consejera.», dijo mi abuela. Tenía razón.",
              ["«La prisa es mala consejera.», dijo mi abuela.", "Tenía razón."]),
    SplitCase("Mar. as a date, mar. as the sea", "La cita es el Mar. 23 de Nov. de 2025. Vimos el mar. Luego volvimos.",
              ["La cita es el Mar. 23 de Nov. de 2025.", "Vimos el mar.", "Luego volvimos."]),
    SplitCase("prices", "¡La casa cuesta $170.500.000,00! Se espera una baja del 12.5% el año próximo.",
              ["¡La casa cuesta $170.500.000,00!", "Se espera una baja del 12.5% el año próximo."]),
    SplitCase("units", "El motor llegó a 120.5°C. Por suerte, terminó la carrera.",
              ["El motor llegó a 120.5°C.", "Por suerte, terminó la carrera."]),
    SplitCase("arithmetic", "1 + 1 es 2. 2 + 2 es 4.", ["1 + 1 es 2.", "2 + 2 es 4."]),
    SplitCase("ellipsis", "Pues... no sé. Quizás… Mañana.", ["Pues... no sé.", "Quizás…", "Mañana."]),
]

@Suite("Sentence splitting")
struct SentenceSplitterTests {
    @Test("English", arguments: englishCases)
    func english(_ example: SplitCase) throws {
        #expect(try splitter("en").split(example.input) == example.expected)
    }

    @Test("French", arguments: frenchCases)
    func french(_ example: SplitCase) throws {
        #expect(try splitter("fr").split(example.input) == example.expected)
    }

    @Test("German", arguments: germanCases)
    func german(_ example: SplitCase) throws {
        #expect(try splitter("de").split(example.input) == example.expected)
    }

    @Test("Spanish", arguments: spanishCases)
    func spanish(_ example: SplitCase) throws {
        #expect(try splitter("es").split(example.input) == example.expected)
    }

    @Test("abbreviations belong to their language")
    func languageSpecificAbbreviations() throws {
        // "usw." is German: in English text it is an ordinary word that ends a sentence.
        #expect(try splitter("de").split("Brot usw. Dann Käse.") == ["Brot usw.", "Dann Käse."])
        #expect(try splitter("de").split("Brot usw. Käse.") == ["Brot usw. Käse."])
        #expect(try splitter("en").split("Bread usw. Cheese.") == ["Bread usw.", "Cheese."])
        // "Sr." is a title before a name in Spanish.
        #expect(try splitter("es").split("Vino el Sr. Gil.") == ["Vino el Sr. Gil."])
    }

    @Test("a language without rules of its own still splits on punctuation")
    func genericLanguage() throws {
        #expect(try splitter("nl").split("Het regent. Wij blijven thuis! Waarom?")
                == ["Het regent.", "Wij blijven thuis!", "Waarom?"])
        #expect(try splitter("ja").split("雨です。家にいます。") == ["雨です。", "家にいます。"])
    }

    @Test("empty and blank input gives no sentence")
    func blank() throws {
        let en = try splitter("en")
        #expect(en.split("") == [])
        #expect(en.split("  \n\t\n ") == [])
    }

    @Test("no text is lost or repeated: the sentences joined give the input back", arguments: ["en", "fr", "de", "es", "nl"])
    func nothingLost(language: String) throws {
        // A fixed-seed generator over the characters the rules look at, so that every odd
        // combination of abbreviations, quotes, numbers and line breaks is tried. (Full-width
        // "。" is left out: sentences cut there are joined without a space.)
        let pieces = ["Mr.", "z.", "B.", "U.S.", "etc.", "J.", "3.14", "12.", "1.", "a)", "- ", "* ", "...", "…",
                      ". . .", "?!", "¿", "¡", "«", "»", "„", "“", "”", "\"", "'", "(", ")", "The", "le", "Der",
                      "el", "word", "Word", " ", " ", " ", "\n", "\n", "\n\n", "\u{A0}", "\u{202F}", ".", "!", "?",
                      "p.", "ej.", "No.", "S.", "Januar", "iPad", ",", ":", "e\u{301}"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let splitter = try splitter(language)
        for _ in 0..<1500 {
            let text = (0..<next(40)).map { _ in pieces[next(pieces.count)] }.joined()
            let sentences = splitter.split(text)
            #expect(sentences.allSatisfy { !$0.isEmpty && $0 == Scan.collapsed(ArraySlice($0.unicodeScalars)) })
            #expect(sentences.joined(separator: " ") == Scan.collapsed(ArraySlice(text.unicodeScalars)), "\(text.debugDescription)")
        }
    }

    @Test("whitespace is collapsed and trimmed")
    func whitespace() throws {
        #expect(try splitter("en").split("  Two   spaces\there.  ") == ["Two spaces here."])
    }

    @Test("a sentence decomposed into combining accents still matches the word lists")
    func decomposedAccents() throws {
        // "Después" with e + U+0301: a sentence starter after "etc.".
        #expect(try splitter("es").split("Pan, leche, etc. Despue\u{0301}s fuimos.")
                == ["Pan, leche, etc.", "Despue\u{0301}s fuimos."])
    }
}

@Suite("Line blocks")
struct SentenceAccumulatorTests {
    @Test("list markers are recognised, initials are not")
    func listMarkers() {
        for line in ["- x", "* x", "• x", "– x", "1. x", "12) x", "1.) x", "a) x", "b. x", "(a) x", "(3) x", "iv. x", "  - nested"] {
            #expect(Scan.startsListItem(line.unicodeScalars), "\(line)")
        }
        for line in ["A. Smith wrote", "-5 degrees", "1.5 litres", "2024 was", "word. x", "*bold*", "x"] {
            #expect(!Scan.startsListItem(line.unicodeScalars), "\(line)")
        }
    }

    @Test("sentences report the line they start on")
    func lines() throws {
        var accumulator = SentenceAccumulator(splitter: try splitter("en"))
        var out: [Sentence] = []
        accumulator.add(line: "First one. Second", number: 3) { out.append($0) }
        accumulator.add(line: "goes on. Third.", number: 4) { out.append($0) }
        accumulator.finish { out.append($0) }
        #expect(out.map(\.text) == ["First one.", "Second goes on.", "Third."])
        #expect(out.map(\.line) == [3, 3, 4])
    }

    @Test("a long paragraph is handed out before it ends, with the same result")
    func earlyFlush() throws {
        let en = try splitter("en")
        let line = "Mr. Hale read the page twice. Then he closed it, and the rain went on"
        let lines = Array(repeating: line, count: 3000) // ~210 KB, no blank line
        var accumulator = SentenceAccumulator(splitter: en)
        var streamed: [String] = []
        var handedOutEarly = 0
        for (index, text) in lines.enumerated() {
            accumulator.add(line: text, number: index + 1) { streamed.append($0.text) }
            if index == 2000 { handedOutEarly = streamed.count }
        }
        accumulator.finish { streamed.append($0.text) }
        #expect(handedOutEarly > 1000)
        #expect(streamed.count == 3001)
        // The reference: the whole paragraph as one block, cut in one pass.
        let block = Array(lines.joined(separator: " ").unicodeScalars)
        var reference: [String] = []
        var start = 0
        for cut in en.cuts(in: block) + [block.count] {
            reference.append(Scan.collapsed(block[start..<cut]))
            start = cut
        }
        #expect(streamed == reference)
    }

    @Test("a paragraph without any sentence end is cut at the hard limit")
    func hardLimit() throws {
        var accumulator = SentenceAccumulator(splitter: try splitter("en"))
        var out: [String] = []
        let line = String(repeating: "word ", count: 2000)
        for index in 0..<120 { // 1.2 M characters without a full stop
            accumulator.add(line: line, number: index + 1) { out.append($0.text) }
        }
        accumulator.finish { out.append($0.text) }
        #expect(out.count >= 2)
        #expect(out.allSatisfy { $0.unicodeScalars.count <= SentenceAccumulator.hardLimit + line.unicodeScalars.count })
        #expect(out.map { $0.split(separator: " ").count }.reduce(0, +) == 240_000)
    }
}
