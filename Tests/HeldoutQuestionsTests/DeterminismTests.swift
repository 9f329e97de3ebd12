import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
import HeldoutQuestions
import HeldoutStore

@Suite("determinism")
struct DeterminismTests {
    func templates() throws -> [Template] {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        return try TemplateLoader.load(directory: shipped)
    }

    let pairs: [(fr: String, en: String)] = [
        ("Le chien refusa de traverser l'étang gelé.", "The dog refused to cross the frozen pond."),
        ("Il défendait son frère même quand tout le monde se moquait de lui.", "He defended his brother even when everyone laughed at him."),
        ("Tu peux me passer le sel, s'il te plaît ?", "Could you pass me the salt, please?"),
    ]

    func populate(_ t: TempStore, reversed: Bool) throws {
        let steps: [() throws -> Void] = [
            { try t.ingest([Fixtures.path("fr-en.glossary.tsv")]) },
            { try t.ingest([Fixtures.path("dz/fra-eng.index")]) },
            { try t.ingest([Fixtures.path("fr.conllu")], options: options(lang: "fr")) },
            { try t.ingest([Fixtures.path("fr-tone.tsv")], format: .labels, options: options(lang: "fr", labels: ["tone": ""])) },
            { try t.ingestPairs("pairs", reversed ? self.pairs.reversed() : self.pairs) },
        ]
        for step in reversed ? steps.reversed() : steps { try step() }
    }

    @Test("the same inputs give the same items, ids and order, whatever order they were ingested in, run after run")
    func stable() throws {
        let a = try TempStore(), b = try TempStore()
        try populate(a, reversed: false)
        try populate(b, reversed: true)
        let templates = try templates()
        let reportA = try build(a.store, templates)
        let first = try a.items()
        _ = try build(a.store, templates.reversed())
        let second = try a.items()
        let reportB = try build(b.store, templates)
        let other = try b.items()
        #expect(first.count > 50)
        #expect(first == second)
        #expect(first == other)
        #expect(first.map(\.id) == first.map(\.id).sorted())
        #expect(reportA == reportB)
        #expect(Set(first.map(\.category)) == ["definition", "grammar", "tone", "register"] || Set(first.map(\.category)).isSuperset(of: ["definition", "grammar", "tone"]))
    }
}
