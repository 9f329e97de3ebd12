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
}
