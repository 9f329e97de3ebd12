import Foundation
import Testing

/// `heldout build` and `heldout questions` when the data cannot serve a template.
@Suite("template requirements on the command line", .serialized)
struct RequirementsBuildTests {
    /// A monolingual treebank, a glossary, and one template that needs a translation.
    func workspace() throws -> Workspace {
        let w = try Workspace()
        try w.write("data/fr.conllu", """
            # sent_id = r1
            # text = Le chat dort.
            1	Le	le	DET	_	Definite=Def|Gender=Masc|Number=Sing|PronType=Art	2	det	_	_
            2	chat	chat	NOUN	_	Gender=Masc|Number=Sing	3	nsubj	_	_
            3	dort	dormir	VERB	_	Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin	0	root	_	SpaceAfter=No
            4	.	.	PUNCT	_	_	3	punct	_	_


            """)
        try w.write("data/fr-en.glossary.tsv", "chat\tn\tcat\ndormir\tv\tsleep\n")
        try w.write("templates/in-context.yaml", """
            id: in-context
            version: 1
            category: definition
            pairs: [fr-en]
            selector: { kind: word }
            question: "What does «{{word}}» mean in «{{text}}»?"
            answer: "{{gloss}}"
            rubric: ["one meaning"]
            """)
        try w.write("spec.yaml", """
            name: needs
            seed: 1
            sources:
              - { path: data/fr-en.glossary.tsv, format: glossary, pair: fr-en }
              - { path: data/fr.conllu, format: conllu, lang: fr }
            templates: templates/
            axis: category
            columns:
              definition: { role: supervised }
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.5 }
            """)
        return w
    }

    @Test("a category column left with no item fails the build with exit 1, naming the template and the missing input")
    func emptyColumnFails() throws {
        let w = try workspace()
        let result = try w.run("build", "spec.yaml")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("column definition has no item"))
        #expect(result.stderr.contains("template in-context"))
        #expect(result.stderr.contains("no French segment has a translation into English"))
        #expect(!FileManager.default.fileExists(atPath: w.path("splits/needs/train.jsonl")))
    }

    @Test("questions warns on standard error about a template that made no item, and says why in --json")
    func questionsWarns() throws {
        let w = try workspace()
        #expect(try w.run("ingest", "data/fr-en.glossary.tsv", "--pair", "fr-en").status == 0)
        #expect(try w.run("ingest", "data/fr.conllu", "--lang", "fr").status == 0)
        let result = try w.run("questions", "--templates", "templates", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: template in-context (definition) made no item: needs an aligned translation of each segment"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let template = try #require((json["templates"] as? [[String: Any]])?.first)
        #expect((template["requirements"] as? [String]) == ["context_sense", "dictionary", "translation"])
        let unmet = try #require(template["unmet"] as? [[String: Any]])
        #expect(unmet.map { $0["requirement"] as? String } == ["translation"])
    }
}
