import Foundation
import Testing
import HeldoutCore
import HeldoutStore
@testable import HeldoutSplit

/// A spec over grammar (supervised) and tone (held out) with the given isolation block.
func spec(seed: Int = 1, isolation: String = "{ level: document }", tolerance: Double = 0.0, extra: String = "") -> String {
    """
    name: t
    seed: \(seed)
    axis: category
    columns:
      grammar: { role: supervised }
      tone: { role: heldout }
    isolation: \(isolation)
    partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: \(tolerance) }
    \(extra)
    """
}

/// One planted pair per link kind: a grammar item and a tone item tied by that link only.
enum Planted: String, CaseIterable {
    case sharedSegment, translation, nearDuplicate, document, lexeme, consistencyGroup
    /// A run of 13 words shared by two otherwise different sentences (Jaccard 0.52).
    case sharedPassage
    /// An 8-word sentence inside a longer one.
    case containedPassage
    /// `Hangup → Déconnexion ≈ déconnexion ← logout → Abmelden`: two alignment groups joined only
    /// by a case variant of their French member.
    case foldedTranslationChain

    var link: IsolationLink {
        switch self {
        case .sharedSegment: .sharedSegment
        case .translation: .translation
        case .nearDuplicate: .nearDuplicate
        case .document: .document
        case .lexeme: .lexeme
        case .consistencyGroup: .consistencyGroup
        case .sharedPassage, .containedPassage: .sharedPassage
        case .foldedTranslationChain: .translation
        }
    }

    /// The spec's isolation block with only this link switched off.
    var without: String {
        switch self {
        case .sharedSegment: "{ level: segment, shared_segments: false }"
        case .translation: "{ level: document, translations: false }"
        case .nearDuplicate: "{ level: document, near_duplicates: { enabled: false }, shared_passages: false }"
        case .document: "{ level: segment }"
        case .lexeme: "{ level: document, lexemes: false }"
        case .consistencyGroup: "{ level: document, consistency_groups: false }"
        case .sharedPassage, .containedPassage: "{ level: document, shared_passages: false }"
        case .foldedTranslationChain: "{ level: document, translations: false }"
        }
    }

    var grammar: Item { plantedItems[rawValue]!.0 }
    var tone: Item { plantedItems[rawValue]!.1 }
}

let nearA = "The committee approved the new budget for the coming year after a long and heated debate in the assembly hall."
/// One word changed, and case, punctuation and a diacritic that only folding forgives: the
/// folded word sets have Jaccard 16/18; without folding "assémbly" would leave 15/19 < 0.8.
let nearB = "THE Committee approved the new budget — for the coming year — after a long and heated argument in the assémbly hall!"
let defendre = Lexeme(lemma: "défendre", lang: "fr")

let plantedCorpora: [(String, [(String, [(String, String)])])] = [
    ("a", [("", [("en", "The orange cat sleeps on the warm mat every afternoon.")])]),
    ("b", [("", [("en", "The orange cat sleeps on the warm mat every afternoon.")])]),
    ("en-fr", [("", [("en", "Open the blue door slowly before entering the hall."),
                     ("fr", "Ouvrez lentement la porte bleue avant d'entrer dans le hall.")])]),
    ("en-de", [("", [("en", "Open the blue door slowly before entering the hall."),
                     ("de", "Öffnen Sie langsam die blaue Tür, bevor Sie die Halle betreten.")])]),
    ("nd1", [("", [("en", nearA)])]),
    ("nd2", [("", [("en", nearB)])]),
    ("story", [("fox", [("en", "Once upon a time a fox lived in the quiet forest.")]),
               ("fox", [("en", "Every morning the fox walked to the river to drink.")])]),
    ("lex1", [("", [("fr", "Il a décidé de défendre son ami au tribunal.")])]),
    ("lex2", [("", [("fr", "Elle va défendre le château contre les envahisseurs.")])]),
    ("cg1", [("", [("en", "Rain fell all night over the sleeping village.")])]),
    ("cg2", [("", [("en", "The streets were still wet in the morning light.")])]),
    ("pa1", [("", [("en", passageA)])]),
    ("pa2", [("", [("en", passageB)])]),
    ("pc1", [("", [("en", containedShort)])]),
    ("pc2", [("", [("en", containedLong)])]),
    ("chain1", [("", [("en", "Hangup"), ("fr", "Déconnexion")])]),
    ("chain2", [("", [("en", "Logout"), ("fr", "déconnexion"), ("de", "Abmelden")])]),
    ("fill", fillers("g", 100) + fillers("t", 50)),
]

let passageA = "Before you start the engine please check that the oil level is between the two marks on the dipstick."
let passageB = "Mechanics always check that the oil level is between the two marks on the dipstick when the car is cold."
let containedShort = "The red kettle whistles loudly in the small kitchen."
let containedLong = "Every winter morning the red kettle whistles loudly in the small kitchen while grandmother reads the newspaper aloud."

let plantedItems: [String: (Item, Item)] = [
    "sharedSegment": (item("s1", category: "grammar", on: [("en", "The orange cat sleeps on the warm mat every afternoon.")]),
                      item("s2", category: "tone", on: [("en", "The orange cat sleeps on the warm mat every afternoon.")])),
    "translation": (item("tr1", category: "grammar", lang: "fr", on: [("fr", "Ouvrez lentement la porte bleue avant d'entrer dans le hall.")]),
                    item("tr2", category: "tone", lang: "de", on: [("de", "Öffnen Sie langsam die blaue Tür, bevor Sie die Halle betreten.")])),
    "nearDuplicate": (item("n1", category: "grammar", on: [("en", nearA)]), item("n2", category: "tone", on: [("en", nearB)])),
    "document": (item("d1", category: "grammar", on: [("en", "Once upon a time a fox lived in the quiet forest.")]),
                 item("d2", category: "tone", on: [("en", "Every morning the fox walked to the river to drink.")])),
    "lexeme": (item("l1", category: "grammar", lang: "fr", on: [("fr", "Il a décidé de défendre son ami au tribunal.")], target: defendre),
               item("l2", category: "tone", lang: "fr", on: [("fr", "Elle va défendre le château contre les envahisseurs.")], target: defendre)),
    "consistencyGroup": (item("c1", category: "grammar", on: [("en", "Rain fell all night over the sleeping village.")], group: "cg-1"),
                         item("c2", category: "tone", on: [("en", "The streets were still wet in the morning light.")], group: "cg-1")),
    "sharedPassage": (item("p1", category: "grammar", on: [("en", passageA)]), item("p2", category: "tone", on: [("en", passageB)])),
    "containedPassage": (item("q1", category: "grammar", on: [("en", containedLong)]), item("q2", category: "tone", on: [("en", containedShort)])),
    "foldedTranslationChain": (item("h1", category: "grammar", lang: "de", on: [("de", "Abmelden")]),
                               item("h2", category: "tone", lang: "fr", on: [("fr", "Déconnexion")])),
]

func plantedStore(reverse: Bool = false) throws -> Workbench {
    let bench = try Workbench()
    let corpora = reverse ? Array(plantedCorpora.reversed()) : plantedCorpora
    for (name, units) in corpora { try bench.ingest(name, reverse ? units.reversed() : units) }
    var items = plantedItems.values.flatMap { [$0.0, $0.1] } + fillerItems("g", 100, category: "grammar") + fillerItems("t", 50, category: "tone")
    items.sort { $0.id < $1.id }
    if reverse { items.reverse() }
    for group in Dictionary(grouping: items, by: \.template).sorted(by: { reverse ? $0.key > $1.key : $0.key < $1.key }) {
        try bench.store.replaceItems(ofTemplates: [group.key], with: group.value)
    }
    return bench
}

@Suite("Isolation")
struct IsolationTests {
    @Test("each planted link keeps its two items on one side, whatever the seed", arguments: Planted.allCases)
    func linkHolds(_ planted: Planted) throws {
        let bench = try plantedStore()
        for seed in 1...6 {
            let output = try bench.split(spec(seed: seed), out: "s\(seed)")
            let g = output.partition(of: planted.grammar.id), t = output.partition(of: planted.tone.id)
            #expect(!(g == .train && t != nil), "seed \(seed): grammar in train, tone in \(String(describing: t))")
            #expect(g != nil || t != nil)
        }
    }

    @Test("with only that link switched off, some seed puts the two items on opposite sides", arguments: Planted.allCases)
    func linkSwitchesOff(_ planted: Planted) throws {
        let bench = try plantedStore()
        var separated = false
        for seed in 1...40 where !separated {
            let output = try bench.split(spec(seed: seed, isolation: planted.without), out: "s\(seed)")
            separated = output.partition(of: planted.grammar.id) == .train && output.partition(of: planted.tone.id)?.isEvaluation == true
        }
        #expect(separated)
    }

    @Test("held-out items go to evaluation as far as the training column's evaluation share allows; the rest are dropped, counted and listed")
    func evaluationCapacity() throws {
        let bench = try Workbench()
        // 200 components holding one grammar and one tone item (a shared sentence), 200 grammar alone.
        let shared = (0..<200).map { ("m\($0)", [("en", fillerText("m", $0))]) }
        try bench.ingest("c", shared + fillers("g", 200))
        let items = (0..<200).flatMap { i in
            [item("mg\(i)", category: "grammar", on: [("en", fillerText("m", i))]),
             item("mt\(i)", category: "tone", on: [("en", fillerText("m", i))])]
        } + fillerItems("g", 200, category: "grammar")
        try bench.store.replaceItems(ofTemplates: ["t-grammar", "t-tone"], with: items)
        let output = try bench.split(spec(tolerance: 0.02), out: "cap")
        let tone = output.all.filter { $0.column == "tone" }
        let grammarEvaluation = output.all.filter { $0.column == "grammar" && $0.partition != .train }.count
        // Grammar may give 20% (±2%) of its 400 items to evaluation: 80 shared components, so 80 tone items.
        #expect(abs(grammarEvaluation - 80) <= 8)
        #expect(tone.count == grammarEvaluation)
        #expect(!output.records[.train]!.contains { $0.column == "tone" })
        let manifest = try output.manifest
        let cost = (manifest["isolation_cost"] as? [String: Any])?["by_column"] as? [String: Any]
        let toneCost = cost?["tone"] as? [String: Any]
        #expect(toneCost?["total"] as? Int == 200 - tone.count)
        #expect(((toneCost?["by_link"] as? [String: Int])?["shared_segment"] ?? 0) == 200 - tone.count)
        // dropped.jsonl lists each with the training item that shares its sentence.
        let dropped = try String(contentsOf: bench.url("cap").appendingPathComponent("dropped.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(dropped.count == 200 - tone.count)
        let trainIDs = Set(output.records[.train]!.map(\.id))
        #expect(dropped.allSatisfy { $0["reason"] as? String == "isolation" && $0["link"] as? String == "shared_segment"
                                     && trainIDs.contains($0["partner"] as? String ?? "") })
        // Every column meets its quota, and the bound is stated.
        let quotas = (manifest["quotas"] as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        #expect(!quotas.isEmpty && quotas.allSatisfy { $0["met"] as? Bool == true })
        let optimality = manifest["optimality"] as? [String: Any]
        #expect((optimality?["upper_bound"] as? Int ?? 0) >= (optimality?["kept"] as? Int ?? .max))
    }

    @Test("the audit seam refuses a split whose graph missed a link, and nothing is written")
    func auditRefusesLeak() throws {
        let bench = try plantedStore()
        let checker = IndependentChecker(storePath: bench.store.path)
        // A correct split passes the independent check.
        _ = try bench.split(spec(), out: "good", auditor: checker)
        // A graph that ignores translations and shared segments leaks for some seed; the audit catches it.
        var refused: HeldoutError?
        for seed in 1...40 where refused == nil {
            do {
                _ = try bench.split(spec(seed: seed), out: "bad\(seed)", auditor: checker) {
                    $0.graphLinksOverride = [.nearDuplicate, .document, .lexeme, .consistencyGroup]
                }
            } catch let error as HeldoutError {
                refused = error
                #expect(!FileManager.default.fileExists(atPath: bench.url("bad\(seed)").path))
            }
        }
        #expect(refused?.exitCode == 1)
        #expect(refused?.description.contains(Planted.translation.grammar.id.hex) == true
                || refused?.description.contains(Planted.sharedSegment.grammar.id.hex) == true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: bench.directory.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("a folded copy under another language tag is a shared segment, with near-duplicates off")
    func foldedCopyIsASharedSegment() throws {
        let bench = try Workbench()
        let original = "The Café opens at nine, every day of the week."
        let copy = "the cafe OPENS at nine every day of the week"
        try bench.ingest("x", [("", [("en", original)])])
        try bench.ingest("y", [("", [("fr", copy)])])
        try bench.ingest("fill", fillers("g", 60) + fillers("t", 30))
        let g = item("fg", category: "grammar", on: [("en", original)])
        let t = item("ft", category: "tone", lang: "fr", on: [("fr", copy)])
        try bench.store.replaceItems(ofTemplates: ["t-grammar", "t-tone"],
                                     with: [g, t] + fillerItems("g", 60, category: "grammar") + fillerItems("t", 30, category: "tone"))
        for seed in 1...12 {
            let output = try bench.split(spec(seed: seed, isolation: "{ level: segment, near_duplicates: { enabled: false } }"), out: "f\(seed)")
            let gp = output.partition(of: g.id), tp = output.partition(of: t.id)
            #expect(!(gp == .train && tp != nil), "seed \(seed): the folded copy crossed into \(String(describing: tp))")
            // One component: both on one side of the split, or the tone item dropped.
            #expect(tp == nil || gp == nil || gp!.isEvaluation == tp!.isEvaluation)
        }
    }
}

