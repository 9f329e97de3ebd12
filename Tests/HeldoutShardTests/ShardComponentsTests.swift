import Foundation
import Testing
import HeldoutCore
import HeldoutShard
import HeldoutSplit

/// `heldout map choose`: component summaries in any order give the sides the split's own
/// choice gives in id order; a bad line is bad input on its line, and what counts cannot decide
/// is refused.
@Suite("map choose")
struct ShardComponentsTests {
    static let yaml = """
        name: chosen
        seed: 11
        axis: category
        columns:
          grammar: { role: supervised }
          meaning: { role: plausibility }
          tone: { role: heldout }
        isolation: { level: segment, translations: true }
        partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.02 }
        """

    /// 600 components of one to four items, counts drawn from the component's number.
    static func summaries(_ spec: SplitSpec) -> [ComponentSummary] {
        (0..<600).map { c in
            var items = [Int32](repeating: 0, count: 3), evaluable = items, keepable = items
            for k in 0..<(1 + c % 4) {
                let x = (c / 4 + k) % 3
                items[x] += 1
                let gold = (c + k) % 5 != 0
                if gold { evaluable[x] += 1 }
                if gold || (x == 1 && (c + k) % 2 == 0) { keepable[x] += 1 }
            }
            return ComponentSummary(smallestItem: ContentID(hashing: ["component", String(c)]), items: items,
                                    evaluable: evaluable, keepable: keepable)
        }.sorted { $0.smallestItem < $1.smallestItem }
    }

    func line(_ summary: ShardComponents.Summary) throws -> String {
        String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
    }

    @Test("summaries in any order: the split's sides in id order, then the bound")
    func sides() throws {
        let spec = try SplitSpec(yaml: Self.yaml, file: "spec.yaml")
        let summaries = Self.summaries(spec)
        let expected = try ComponentChoice(summaries, spec: spec)
        #expect(Set(expected.partition) == [.train, .dev, .test])
        let lines = try summaries.reversed().map { try line(ShardComponents.Summary($0, spec: spec)) }
        let (sides, bound) = try ShardComponents(spec: spec).choose(lines)
        #expect(sides.map(\.id) == summaries.map(\.smallestItem.hex))
        let samePartition = sides.map(\.partition) == expected.partition, sameFlips = sides.map(\.flipped) == expected.flipped
        #expect(samePartition)
        #expect(sameFlips)
        #expect(bound.keptUpperBound == expected.keptUpperBound)
    }

    @Test("bad lines are bad input on their line (exit 3)")
    func badLines() throws {
        let spec = try SplitSpec(yaml: Self.yaml, file: "spec.yaml")
        let good = try line(ShardComponents.Summary(Self.summaries(spec)[0], spec: spec))
        let id = Self.summaries(spec)[1].smallestItem.hex
        let cases: [(String, String)] = [
            ("{\"id\": 3}", "not a component summary"),
            ("{\"id\":\"xyz\",\"items\":{\"tone\":1},\"evaluable\":{},\"keepable\":{}}", "not a 32-hex-digit item id"),
            ("{\"id\":\"\(id)\",\"items\":{\"colour\":1},\"evaluable\":{},\"keepable\":{}}", "names the column colour"),
            ("{\"id\":\"\(id)\",\"items\":{\"tone\":1},\"evaluable\":{\"tone\":2},\"keepable\":{}}", "tone = 2 is not between 0"),
            ("{\"id\":\"\(id)\",\"items\":{},\"evaluable\":{},\"keepable\":{}}", "at least one item"),
            (good, "summarised twice (also line 1)"),
        ]
        for (bad, message) in cases {
            #expect { try ShardComponents(spec: spec).choose([good, bad]) } throws: { error in
                guard let error = error as? HeldoutError, error.exitStatus == 3 else { return false }
                return error.userMessage.hasPrefix("<stdin>:2") && error.userMessage.contains(message)
            }
        }
    }

    @Test("what counts cannot decide is refused (exit 1): a cut key, a component too large to place")
    func undecidable() throws {
        let spec = try SplitSpec(yaml: Self.yaml, file: "spec.yaml")
        var summaries = Self.summaries(spec)
        summaries[5].keyed = 1
        let keyed = try summaries.map { try line(ShardComponents.Summary($0, spec: spec)) }
        #expect { try ShardComponents(spec: spec).choose(keyed) } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 1 && $0.userMessage.contains(summaries[5].smallestItem.hex) } ?? false
        }
        summaries[5].keyed = 0
        // 600 components hold about 1,500 items, ~500 a column: dev's 10% is ~50 of a column.
        summaries[7].items[0] += 400
        let oversized = try summaries.map { try line(ShardComponents.Summary($0, spec: spec)) }
        #expect { try ShardComponents(spec: spec).choose(oversized) } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 1 && $0.userMessage.contains("more than the") } ?? false
        }
    }

    @Test("a sides file reads back what choose wrote; a bad one is bad input naming its file and line (exit 3)")
    func sidesFile() throws {
        let spec = try SplitSpec(yaml: Self.yaml, file: "spec.yaml")
        let summaries = Self.summaries(spec)
        // Written as `map choose` writes it: a side a line (sorted keys), then the bound.
        let (sides, bound) = try ShardComponents(spec: spec).choose(summaries.map { try line(ShardComponents.Summary($0, spec: spec)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = Data()
        for side in sides { out.append(try encoder.encode(side)); out.append(0x0A) }
        out.append(try encoder.encode(["bound": bound])); out.append(0x0A)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-sides-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("sides.jsonl").path
        try out.write(to: URL(fileURLWithPath: path))
        let given = try ShardComponents.sides(at: path)
        let expected = try ComponentChoice(summaries, spec: spec)
        #expect(given.sides.count == summaries.count)
        #expect(summaries.indices.allSatisfy { given.sides[summaries[$0].smallestItem]?.partition == expected.partition[$0] })
        #expect(given.keptUpperBound == expected.keptUpperBound)

        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
        let cases: [([String], String)] = [
            ([lines[0], "not json", lines.last ?? ""], "sides.jsonl:2: not a side"),
            ([lines[0], lines[0], lines.last ?? ""], "sides.jsonl:2: the component"),
            ([lines.last ?? "", lines[0]], "sides.jsonl:2: a side after the bound line"),
            ([lines[0]], "no bound line"),
        ]
        for (body, message) in cases {
            try (body.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            #expect { try ShardComponents.sides(at: path) } throws: { error in
                (error as? HeldoutError).map { $0.exitStatus == 3 && $0.userMessage.contains(message) } ?? false
            }
        }
    }

}
