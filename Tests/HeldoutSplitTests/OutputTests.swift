import Foundation
import Testing
import HeldoutCore
import HeldoutStore
@testable import HeldoutSplit

let files = ["train.jsonl", "dev.jsonl", "test.jsonl", "spec.yaml", "manifest.json"]

@Suite("Outputs")
struct OutputTests {
    @Test("the same store and spec give byte-identical files, also after ingesting in reverse order into a fresh store")
    func byteIdentical() throws {
        let forward = try plantedStore()
        let again = try forward.split(spec(), out: "one")
        let twice = try forward.split(spec(), out: "two")
        let reversed = try plantedStore(reverse: true)
        let other = try reversed.split(spec(), out: "one")
        for file in files {
            #expect(try again.bytes(file) == twice.bytes(file), "\(file) differs between two runs")
            #expect(try again.bytes(file) == other.bytes(file), "\(file) differs after reverse-order ingest")
        }
        // Sorted by id in every file; a different seed gives a different split.
        for (_, list) in again.records { #expect(list.map(\.id) == list.map(\.id).sorted()) }
        let seeded = try forward.split(spec(seed: 99), out: "three")
        #expect(try seeded.bytes("train.jsonl") != again.bytes("train.jsonl"))
    }

    @Test("records carry the DESIGN fields; plausibility training records have no answer, only a user turn, the rubric in its field")
    func recordShape() throws {
        let bench = try plantedStore()
        let output = try bench.split("""
            name: p
            seed: 3
            columns:
              grammar: { role: plausibility }
              tone: { role: heldout }
            partitions: { train: 0.8, dev: 0.1, test: 0.1 }
            """)
        let train = try #require(output.records[.train]?.first)
        #expect(train.role == .plausibility && train.answer == nil)
        // Standard chat roles only; the rubric is its own field.
        #expect(train.messages.map(\.role) == ["user"])
        #expect(!train.rubric.isEmpty)
        #expect(output.all.allSatisfy { $0.messages.allSatisfy { ["system", "user", "assistant"].contains($0.role) } })
        let evaluation = try #require(output.records[.test]?.first ?? output.records[.dev]?.first)
        #expect(evaluation.answer == "gold")
        #expect(evaluation.messages.map(\.role) == ["user", "assistant"])
        #expect(!evaluation.segments.isEmpty && !evaluation.documents.isEmpty)
        let lex = try #require(output.all.first { $0.id == Planted.lexeme.grammar.id.hex || $0.id == Planted.lexeme.tone.id.hex })
        #expect(lex.target == defendre && lex.band == "6-8")
        let line = String(decoding: try output.bytes("train.jsonl"), as: UTF8.self).split(separator: "\n")[0]
        #expect(line.hasPrefix("{\"answer\":null,\"band\":"))
    }

    @Test("the hand-written JSON line equals CanonicalJSON byte for byte, escapes included")
    func jsonWriter() throws {
        let record = SplitRecord(id: "ab", partition: .dev, column: "c/1", role: .heldout, category: "tone", pair: "fr-en", band: nil,
                                 domain: "news", question: "Quote \" back\\slash\n tab\t ctl\u{1} é 😀 </x>", answer: nil,
                                 rubric: ["a", "b\r"], source: .init(lang: "fr", text: "Été", translation: nil),
                                 consistencyGroup: nil, messages: [.init(role: "user", content: "q\u{8}\u{c}")],
                                 segments: ["x"], documents: [], target: Lexeme(lemma: "défendre", lang: "fr"), template: "t")
        var bytes: [UInt8] = []
        record.appendJSON(to: &bytes)
        var expected = try CanonicalJSON.data(record)
        expected.append(0x0A)
        #expect(Data(bytes) == expected)
        #expect(try JSONDecoder().decode(SplitRecord.self, from: Data(bytes.dropLast())) == record)
    }

    @Test("comparison: evaluation files are the primary's bytes; training supervises tone and matches in size")
    func comparison() throws {
        let bench = try plantedStore()
        let primary = try bench.split(spec(extra: "comparison: true"), out: "t")
        let comparison = try SplitOutput(bench.url("t-comparison"))
        #expect(try primary.bytes("dev.jsonl") == comparison.bytes("dev.jsonl"))
        #expect(try primary.bytes("test.jsonl") == comparison.bytes("test.jsonl"))
        #expect(comparison.records[.train]!.count == primary.records[.train]!.count)
        #expect(comparison.records[.train]!.contains { $0.column == "tone" && $0.role == .supervised && $0.answer != nil })
        #expect(!primary.records[.train]!.contains { $0.column == "tone" })
        let manifest = try comparison.manifest
        #expect(manifest["variant"] as? String == "comparison")
        #expect((manifest["roles"] as? [String: String])?["tone"] == "supervised")
        // Records and manifest agree: training records carry `roles`, evaluation records `evaluation_roles`.
        let evaluationRoles = try #require(manifest["evaluation_roles"] as? [String: String])
        #expect(evaluationRoles["tone"] == "heldout")
        for record in comparison.all {
            let expected = record.partition == .train ? (manifest["roles"] as? [String: String])?[record.column] : evaluationRoles[record.column]
            #expect(record.role.rawValue == expected)
        }
    }

    @Test("sweeps: one split per subset of supervised columns, all with the primary's evaluation bytes")
    func sweeps() throws {
        let bench = try Workbench()
        let categories = ["a", "b", "c", "tone"]
        try bench.ingest("c", categories.flatMap { fillers($0, 30) })
        for category in categories {
            try bench.store.replaceItems(ofTemplates: ["t-\(category)"], with: fillerItems(category, 30, category: category))
        }
        _ = try bench.split("""
            name: w
            columns: { a: supervised, b: supervised, c: supervised, tone: heldout }
            sweep: { supervised: [1, 2] }
            """, out: "w")
        let primary = try SplitOutput(bench.url("w"))
        let names = ["a", "b", "c", "a+b", "a+c", "b+c"]
        let siblings = try FileManager.default.contentsOfDirectory(atPath: bench.directory.path).filter { $0.hasPrefix("w-sweep-") }.sorted()
        #expect(siblings == names.map { "w-sweep-\($0)" }.sorted())
        for name in names {
            let sweep = try SplitOutput(bench.url("w-sweep-\(name)"))
            #expect(try sweep.bytes("test.jsonl") == primary.bytes("test.jsonl"))
            #expect(try sweep.bytes("dev.jsonl") == primary.bytes("dev.jsonl"))
            let trained = Set(sweep.records[.train]!.map(\.column))
            #expect(trained == Set(name.split(separator: "+").map(String.init)))
        }
        // Every member trains on as many items: only which columns are supervised differs.
        let sizes = try Set(names.map { try SplitOutput(bench.url("w-sweep-\($0)")).records[.train]!.count })
        #expect(sizes.count == 1)
    }

    @Test("a failing split leaves no directory, and an existing split untouched")
    func atomic() throws {
        let bench = try plantedStore()
        let first = try bench.split(spec(), out: "t")
        let before = try files.map { try first.bytes($0) }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try bench.split(spec(seed: 2), out: "t") { $0.beforeRename = { _ in throw Boom() } }
        }
        #expect(try files.map { try first.bytes($0) } == before)
        struct Leaky: SplitAuditor {
            func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict {
                SplitAuditVerdict(leaks: [.init(kind: "shared_segment", trainRecord: "r1", evaluationRecord: "r2", detail: "planted")])
            }
        }
        #expect(throws: HeldoutError.self) { _ = try bench.split(spec(seed: 3), out: "t", auditor: Leaky()) }
        #expect(throws: HeldoutError.self) { _ = try bench.split(spec(seed: 3), out: "fresh", auditor: Leaky()) }
        #expect(try files.map { try first.bytes($0) } == before)
        #expect(!FileManager.default.fileExists(atPath: bench.url("fresh").path))
        let hidden = try FileManager.default.contentsOfDirectory(atPath: bench.directory.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty)
        // What is enforced is the auditor's decision (from the manifest's `audit.enforce`), made
        // once: the split does not filter the verdict again, so every leak handed back fails it.
        #expect(throws: HeldoutError.self) { _ = try bench.split(spec(isolation: "{ shared_segments: false }"), out: "off", auditor: Leaky()) }
        #expect(!FileManager.default.fileExists(atPath: bench.url("off").path))
        // A successful rerun replaces the old split whole.
        let rerun = try bench.split(spec(seed: 5), out: "t")
        #expect(try rerun.bytes("manifest.json") != before[4])
    }

    @Test("re-splitting into a directory keeps its published releases byte for byte")
    func releasesSurviveAResplit() throws {
        let bench = try plantedStore()
        _ = try bench.split(spec(), out: "r")
        let release = bench.url("r/releases/1.0.0")
        try FileManager.default.createDirectory(at: release, withIntermediateDirectories: true)
        let card = Data("a published card\n".utf8)
        try card.write(to: release.appendingPathComponent("README.md"))
        // A failing re-split leaves it where it was; a successful one carries it over.
        struct Boom: Error {}
        #expect(throws: Boom.self) { _ = try bench.split(spec(seed: 2), out: "r") { $0.beforeRename = { _ in throw Boom() } } }
        #expect(try Data(contentsOf: release.appendingPathComponent("README.md")) == card)
        let rerun = try bench.split(spec(seed: 2), out: "r")
        #expect(try Data(contentsOf: release.appendingPathComponent("README.md")) == card)
        #expect(try rerun.bytes("manifest.json") != Data())
    }
}
