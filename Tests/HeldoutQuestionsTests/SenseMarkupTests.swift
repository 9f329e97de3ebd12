import Testing
@testable import HeldoutQuestions

@Suite("dictionary lines that are not senses")
struct SenseMarkupTests {
    @Test("synonym lists, notes, usage examples and bracketed remarks never reach an answer")
    func dingLines() {
        // The shapes of FreeDict's Ding-derived entries (deu-eng), written here for the test.
        let raw = ["[einmaliger] mistake, error", "Synonyms: Irrtum, Versehen", "Note: to sb.",
                   "\"einen Fehler machen\" - make a mistake", "[tech.] fault", "mistake, error"]
        #expect(SenseText.clean(senses: raw) == ["mistake, error", "fault"])
    }

    @Test("a sense that only mentions a note or a quote inside it is kept")
    func ordinarySensesKept() {
        #expect(SenseText.clean(senses: ["to note, to notice", "quotation \"mark\""]) == ["to note, to notice", "quotation \"mark\""])
    }
}
