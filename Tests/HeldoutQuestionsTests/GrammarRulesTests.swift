import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
import HeldoutQuestions
import HeldoutStore

/// The rules of issue 17 for grammar items, one test each, on `grammar-rules.conllu`: original
/// sentences annotated by hand for these cases (compound and passive tenses, participles, a
/// coordinated subject, au/du, a typo, invariable nouns, contraction and elision).
@Suite("grammar rules")
struct GrammarRulesTests {
    func store() throws -> TempStore {
        let t = try TempStore()
        try t.ingest([Fixtures.path("grammar-rules.conllu")], options: options(lang: "fr"))
        return t
    }

    func run(_ yaml: String) throws -> (items: [Item], report: TemplateReport) {
        let t = try store()
        let report = try build(t.store, [try template(yaml)])
        return (try t.items(), report.templates[0])
    }

    static let tense = """
        id: tense
        version: 1
        category: grammar
        languages: [fr]
        selector: { kind: feature, feature: Tense, upos: [VERB, AUX] }
        question: "{{text}} | {{group_ref}}"
        answer: "{{value_name}} | {{lemma}}"
        rubric: ["names one tense"]
        """

    @Test("tense: a verb group's tense, named as French grammar names it; participles and infinitives are never asked")
    func tenseOfGroups() throws {
        let (items, report) = try run(Self.tense)
        let got = Set(items.map { "\($0.question.split(separator: "|").last!.trimmingCharacters(in: .whitespaces)) → \($0.answer ?? "")" })
        #expect(got == [
            "«ont mangé» → passé composé | manger",
            "«avait cueillies» → plus-que-parfait | cueillir",
            "«sera revue» → futur simple (passive voice) | revoir",
            "«seront envoyées» → futur simple (passive voice) | envoyer",
            "«a été signé» → passé composé (passive voice) | signer",
            "«dorment» → présent | dormir",
            "«exportent» → présent | exporter",
            "«rêve» → présent | rêver",
            "«parla» → passé simple | parler",
            "«a changé» → passé composé | changer",
            "«sort» → présent | sortir",
            "«a vu» → passé composé | voir",
            "«faut» → présent | falloir",
            "«partes» → subjonctif présent | partir",
            "«montrent» → présent | montrer",
            "«voudrait» → conditionnel présent | vouloir",
            "«était» → imparfait | être",
            "«aurons terminé» → futur antérieur | terminer",
            "«tombe» → présent | tomber",
        ])
        // «dorment» occurs in two sentences and «était» in two: one item each per sentence.
        #expect(items.count == got.count + 2)
        // No question asks a participle or an infinitive alone.
        for form in ["mangé", "cueillies", "revue", "obtenus", "correspondant", "partir", "terminé", "signé"] {
            #expect(!items.contains { $0.question.hasSuffix("| «\(form)»") }, "\(form) asked alone")
        }
        #expect(report.skipped["a participle outside a finite verb group (no tense of its own)"] == 2)
        #expect(report.skipped["an infinitive or gerund group (no tense)"] == 1)
        #expect(Set(items.compactMap(\.consistencyGroup)).contains("tense:fr:revoir:futur simple (passive voice)"))
    }

    @Test("verb groups: the finite auxiliary, not the participle, gives the tense, and each verb belongs to one group")
    func verbGroupsDirectly() throws {
        let t = try store()
        var sentences: [AnalysedSentence] = []
        try t.store.readAnswerSources { session in
            try session.forEachSegment(lang: "fr", translationLang: nil, analysedOnly: true) {
                sentences.append(AnalysedSentence(text: $0.text, tokens: $0.tokens ?? []))
            }
        }
        let passive = try #require(sentences.first { $0.text.hasPrefix("Le document") })
        var skipped: [VerbGroups.Skip: Int] = [:]
        let groups = VerbGroups.groups(in: passive, skipped: &skipped)
        #expect(groups.count == 1)
        #expect(groups.first?.words == [3, 4, 5])
        #expect(groups.first?.finite == 3)
        #expect(groups.first?.tense == "passé composé")
        #expect(groups.first?.passive == true)
        #expect(skipped.isEmpty)
        var features = Features(["Mood": "Ind", "Tense": "Past"])
        #expect(VerbGroups.simpleTense(features) == "passé simple")
        features = Features(["Mood": "Cnd", "Tense": "Pres"])
        #expect(VerbGroups.simpleTense(features) == "conditionnel présent")
        #expect(VerbGroups.simpleTense(Features(["Tense": "Past", "VerbForm": "Part"])) == nil)
    }

    static let agreement = """
        id: agree
        version: 1
        category: grammar
        languages: [fr]
        selector: { kind: agreement }
        question: "{{text}} | {{word_ref}}"
        answer: "{{controller_ref}} ({{relation}}; {{shared}})"
        rubric: ["names one word"]
        """

    @Test("agreement: repeated forms are named by occurrence, the controller is the HEAD or the subject")
    func agreementOccurrences() throws {
        let (items, _) = try run(Self.agreement)
        let got = Dictionary(items.map { ($0.question, $0.answer ?? "") }, uniquingKeysWith: { a, _ in a })
        let first = "Les enfants ont mangé les pommes que leur grand-mère avait cueillies."
        #expect(got["\(first) | the 1st «Les»"] == "«enfants» (det; plural)")
        #expect(got["\(first) | the 2nd «les»"] == "«pommes» (det; plural)")
        #expect(got["\(first) | «ont»"] == "«enfants» (nsubj; plural third person)")
        #expect(got["\(first) | «avait»"] == "«grand-mère» (nsubj; singular third person)")
        let cond = "Elle voudrait partir, mais elle était fatiguée."
        #expect(got["\(cond) | «voudrait»"] == "the 1st «Elle» (nsubj; singular third person)")
        #expect(got["\(cond) | «était»"] == "the 2nd «elle» (nsubj; singular third person)")
        // Identical question texts never carry two answers.
        #expect(Set(items.map(\.question)).count == items.count)
    }

    @Test("agreement: coordinated subjects, words inside au/du and typos are not asked about, and are counted")
    func agreementSkips() throws {
        let (items, report) = try run(Self.agreement)
        // «dorment» agrees with «Le chat et le chien» (plural), not with «chat».
        #expect(!items.contains { $0.question.hasPrefix("Le chat et le chien") && $0.question.hasSuffix("«dorment»") })
        #expect(report.skipped[AgreementFinder.Skip.coordinated.rawValue] == 1)
        // The «le» of «du service» and «du feu» is not visible: never asked, and the visible «le» keeps its own answer.
        let document = "Le document a été signé par le directeur du service."
        #expect(items.filter { $0.question.hasPrefix(document) }.map { "\($0.question) → \($0.answer ?? "")" }.sorted() == [
            "\(document) | the 1st «Le» → «document» (det; masculine singular)",
            "\(document) | the 2nd «le» → «directeur» (det; masculine singular)",
            "\(document) | «a» → «document» (nsubj; singular third person)",
        ])
        #expect(report.skipped[AgreementFinder.Skip.multiword.rawValue] == 3)
        // «l enfant», both marked Typo=Yes.
        #expect(!items.contains { $0.question.contains("| «l»") || $0.question.contains("«enfant»") })
        #expect((report.skipped[AgreementFinder.Skip.typo.rawValue] ?? 0) >= 1)
        #expect(!items.contains { ($0.answer ?? "").contains("Typo") })
    }

    @Test("agreement: consistency groups join the same target lemma, controller lemma and features, not the lemma alone")
    func agreementGroups() throws {
        let (items, _) = try run(Self.agreement)
        let groups = Set(items.compactMap(\.consistencyGroup))
        #expect(groups.contains("agreement:fr:det:le:enfant:Number=Plur"))
        #expect(groups.contains("agreement:fr:det:le:document:Gender=Masc|Number=Sing"))
        #expect(!groups.contains("agreement:fr:det:le"))
        // «noirs» with «chats» and «noire» with «nuit»: one lemma, two constructions.
        #expect(groups.contains("agreement:fr:amod:noir:chat:Gender=Masc|Number=Plur"))
        #expect(groups.contains("agreement:fr:amod:noir:nuit:Gender=Fem|Number=Sing"))
    }

    static let number = """
        id: number
        version: 1
        category: grammar
        languages: [fr]
        selector: { kind: feature, feature: Number, upos: [NOUN, ADJ] }
        question: "{{text}} | {{word_ref}}"
        answer: "{{value_name}} ({{features}})"
        rubric: ["answers singular or plural"]
        """

    @Test("number: asked only where the sentence shows it; typos skipped; only the asked feature in the answer")
    func numberEvidence() throws {
        let (items, report) = try run(Self.number)
        let got = Dictionary(items.map { ($0.question, $0.answer ?? "") }, uniquingKeysWith: { a, _ in a })
        // «Ces pays»: the determiner shows the plural.
        #expect(got["Ces pays exportent le blé. | «pays»"] == "plural (Number=Plur)")
        // «de pays et de voyages»: nothing shows the number of «pays».
        #expect(got["Elle rêve de pays et de voyages. | «pays»"] == nil)
        #expect(got["Elle rêve de pays et de voyages. | «voyages»"] == "plural (Number=Plur)")
        // «gris» is the same in both numbers, but «était» shows the singular.
        #expect(got["Ce matin, le ciel était gris. | «gris»"] == "singular (Number=Sing)")
        #expect(report.skipped[NumberEvidenceReason.text] == 1)
        #expect(!items.contains { $0.question.contains("«enfant»") })
        #expect(items.allSatisfy { ($0.answer ?? "").hasSuffix("(Number=Sing)") || ($0.answer ?? "").hasSuffix("(Number=Plur)") })
    }

    static let pairs = """
        id: pair
        version: 1
        category: grammar
        languages: [fr]
        selector: { kind: minimal_pair }
        question: "A: {{text}} B: {{changed}}"
        answer: "{{reason}}"
        rubric: ["chooses B"]
        """

    @Test("minimal pairs: contraction respected, elision and invariable controllers skipped, typo forms never used")
    func minimalPairRules() throws {
        let (items, report) = try run(Self.pairs)
        let got = Dictionary(items.map { ($0.question, $0.answer ?? "") }, uniquingKeysWith: { a, _ in a })
        // de + le contracts: «du maison», not «de le maison».
        #expect(got["A: Une amie sort de la maison. B: Une amie sort du maison."]
                == "«du» is masculine, but «maison», which it agrees with (det), is feminine: the gender must match.")
        #expect(!items.contains { $0.question.contains(" de le ") || $0.question.contains(" à le ") || $0.question.contains("d'des") })
        // «mode» is masculine and feminine in the corpus: «le mode» would be French, so only the
        // number is broken (and de + les contracts to des).
        #expect(!items.contains { $0.question.contains("B: Il parla du mode") || $0.question.contains("B: La mode de paiement") })
        #expect(got["A: Il parla de la mode avec un ami. B: Il parla des mode avec un ami."]
                == "«des» is plural, but «mode», which it agrees with (det), is singular: the number must match.")
        // «pays» is the same word in both numbers: «Ce pays exportent» is no number error of «Ce».
        #expect(!items.contains { $0.question.contains("B: Ce pays") })
        #expect(report.skipped[FormLexicon.Skip.controllerAmbiguous.rawValue] == 1)
        // «les enfants» → «le enfants» would be wrong by elision (l'enfant), not by number.
        #expect(!items.contains { $0.question.contains("B: Le enfants") || $0.question.contains("B: La enfants") })
        // «les pommes» → «la pommes»: number alone differs (la and pommes are both feminine).
        #expect(got["A: Les enfants ont mangé les pommes que leur grand-mère avait cueillies. B: Les enfants ont mangé la pommes que leur grand-mère avait cueillies."]
                == "«la» is singular, but «pommes», which it agrees with (det), is plural: the number must match.")
        // The typo «l» is never a replacement.
        #expect(!items.contains { $0.question.contains(" l pommes") || $0.question.contains("B: L ") })
        #expect((report.skipped[FormLexicon.Skip.elision.rawValue] ?? 0) >= 1)
    }

    @Test("minimal pairs: the replacement differs from the target in the named feature only and agrees elsewhere")
    func minimalPairDifference() throws {
        let t = try store()
        var analyses: [FormAnalysis] = []
        var sentences: [AnalysedSentence] = []
        try t.store.readAnswerSources { session in
            analyses = try session.formAnalyses(lang: "fr")
            try session.forEachSegment(lang: "fr", translationLang: nil, analysedOnly: true) {
                sentences.append(AnalysedSentence(text: $0.text, tokens: $0.tokens ?? []))
            }
        }
        let lexicon = FormLexicon(analyses)
        var checked = 0
        for sentence in sentences {
            for agreement in AgreementFinder.agreements(in: sentence) {
                guard let pair = lexicon.minimalPair(for: agreement, in: sentence),
                      let target = sentence.word(agreement.target), let controller = sentence.word(agreement.controller) else { continue }
                checked += 1
                for (name, value) in pair.replacementFeatures.values where name != pair.feature {
                    if let original = target.features[name] { #expect(original == value, "\(pair.replacement): \(name) differs too") }
                    if ["Gender", "Number"].contains(name), let required = controller.features[name] {
                        #expect(required == value, "\(pair.replacement) breaks \(name) as well")
                    }
                }
                #expect(pair.replacementFeatures[pair.feature] != controller.features[pair.feature])
                #expect(!pair.replacementFeatures.values.keys.contains("Typo"))
            }
        }
        #expect(checked >= 4)
        // Invariability: a lemma in -s/-x/-z is the same word in both numbers.
        #expect(lexicon.isAmbiguous(form: "pays", lemma: "pays", upos: "NOUN", feature: "Number"))
        #expect(lexicon.isAmbiguous(form: "mode", lemma: "mode", upos: "NOUN", feature: "Gender"))
        #expect(!lexicon.isAmbiguous(form: "chats", lemma: "chat", upos: "NOUN", feature: "Number"))
    }

    @Test("references: ordinals as a reader counts, case aside, contractions counted as one token")
    func references() throws {
        #expect(GrammarReference.ordinal(1) == "1st")
        #expect(GrammarReference.ordinal(2) == "2nd")
        #expect(GrammarReference.ordinal(3) == "3rd")
        #expect(GrammarReference.ordinal(11) == "11th")
        #expect(GrammarReference.ordinal(22) == "22nd")
        let t = try store()
        var sentence: AnalysedSentence?
        try t.store.readAnswerSources { session in
            try session.forEachSegment(lang: "fr", translationLang: nil, analysedOnly: true) {
                if $0.text.hasPrefix("Le document") { sentence = AnalysedSentence(text: $0.text, tokens: $0.tokens ?? []) }
            }
        }
        let s = try #require(sentence)
        #expect(GrammarReference.word(1, in: s) == "the 1st «Le»")
        #expect(GrammarReference.word(7, in: s) == "the 2nd «le»")
        #expect(s.isInsideMultiword(10))
        #expect(GrammarReference.position(of: 11, in: s) == 10)   // Le document a été signé par le directeur du service
        #expect(GrammarReference.group([3, 4, 5], in: s).reference == "«a été signé»")
    }
}

/// The skip reason the number rule reports (kept in one place for the tests).
enum NumberEvidenceReason {
    static let text = "nothing in the sentence shows the number (the form is the same in both numbers)"
}

@Suite("grammar duplicates")
struct GrammarDuplicateTests {
    @Test("a template whose question cannot tell two words apart: every item of that question is dropped and counted")
    func sameQuestionOtherAnswer() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("grammar-rules.conllu")], options: options(lang: "fr"))
        // «{{lemma}}» names «Les» and «les» (det of «enfants» and of «pommes») alike.
        let vague = try template("""
            id: vague
            version: 1
            category: grammar
            languages: [fr]
            selector: { kind: agreement }
            question: "In «{{text}}», what does a form of «{{lemma}}» agree with?"
            answer: "{{controller_ref}}"
            rubric: ["names one word"]
            """)
        let report = try build(t.store, [vague]).templates[0]
        let items = try t.items()
        #expect(Set(items.map(\.question)).count == items.count)
        let first = items.filter { $0.question.hasPrefix("In «Les enfants ont mangé") && $0.question.hasSuffix("«le» agree with?") }
        #expect(first.isEmpty)
        // le ×2 and avoir ×2 in «Les enfants…», le ×2 and être ×2 in «La lettre…», le ×2 in «Le document…»
        // and in «Le chat et le chien…»: 12 items whose question has two right answers.
        #expect(report.skipped["the same question again, with another answer (dropped)"] == 12)
        #expect(report.answered == items.count)
    }
}

@Suite("grammar duplicates across sentences")
struct GrammarRunWideDuplicateTests {
    @Test("a question that does not name its sentence is asked once in the whole run; one that does is checked per sentence")
    func acrossSentences() throws {
        let t = try TempStore()
        try t.ingest([Fixtures.path("grammar-rules.conllu")], options: options(lang: "fr"))
        // «dorment» is présent in two sentences: without the text, one question, one item.
        let bare = try template("""
            id: bare
            version: 1
            category: grammar
            languages: [fr]
            selector: { kind: feature, feature: Tense }
            question: "What tense is {{group_ref}}?"
            answer: "{{value_name}}"
            rubric: ["names one tense"]
            """)
        let report = try build(t.store, [bare]).templates[0]
        let items = try t.items()
        #expect(items.filter { $0.question == "What tense is «dorment»?" }.count == 1)
        // «dorment» (présent) and «était» (imparfait) each occur in two sentences.
        #expect(report.skipped["the same question again, with the same answer (merged)"] == 2)
        #expect(items.filter { $0.question == "What tense is «était»?" }.count == 1)
        #expect(Set(items.map(\.question)).count == items.count)
        // A section may hide the text: such a question does not count as naming its sentence.
        #expect(!GrammarQuestionLedger.namesSegment("{{#has_translation}}{{text}}{{/has_translation}} {{word}}"))
        #expect(GrammarQuestionLedger.namesSegment("In «{{text}}», what is {{word_ref}}?"))
    }
}
