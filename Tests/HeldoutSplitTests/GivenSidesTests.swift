import Foundation
import Testing
import HeldoutCore
@testable import HeldoutSplit

/// Sides chosen elsewhere from the split's component summaries (a cluster's `map choose`) stand
/// in for the split's own choice: the same sides give the same bytes, the split really takes
/// them, and sides over other components than the split's are refused with nothing written.
@Suite("sides given to the split")
struct GivenSidesTests {
    /// No cut keys: lexemes and consistency groups off, so counts decide the sides.
    static func yaml(seed: Int) -> String {
        spec(seed: seed, isolation: "{ level: segment, lexemes: false, consistency_groups: false }", tolerance: 0.05)
    }

    /// What a driver does: the sides `map choose` picks from the summaries, by smallest item.
    static func chosen(_ bench: Workbench, _ yaml: String) throws -> GivenSides {
        let spec = try SplitSpec(yaml: yaml, file: "spec.yaml")
        let summaries = try #require(try Splitter(spec: spec, store: bench.store).componentSummaries())
        let choice = try ComponentChoice(summaries, spec: spec)
        var sides: [ContentID: (partition: Partition, flipped: Bool)] = [:]
        for (index, summary) in summaries.enumerated() { sides[summary.smallestItem] = (choice.partition[index], choice.flipped[index]) }
        return GivenSides(sides: sides, keptUpperBound: choice.keptUpperBound, boundMethod: choice.boundMethod)
    }

    @Test("the chosen sides, given back, give the split's own bytes")
    func sameBytes() throws {
        let bench = try plantedStore()
        for seed in [3, 8] {
            let yaml = Self.yaml(seed: seed)
            let own = try bench.split(yaml, out: "own\(seed)")
            let given = try Self.chosen(bench, yaml)
            #expect(given.sides.count > 50)
            let taken = try bench.split(yaml, out: "given\(seed)") { $0.givenSides = given }
            for file in ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl", "manifest.json"] {
                #expect(try own.bytes(file) == taken.bytes(file), "seed \(seed): \(file)")
            }
        }
    }

    @Test("the split takes the given sides: a component moved from dev to test moves its records")
    func sidesAreTaken() throws {
        let bench = try plantedStore()
        let yaml = Self.yaml(seed: 3)
        let own = try bench.split(yaml, out: "own")
        var given = try Self.chosen(bench, yaml)
        let moved = try #require(given.sides.sorted { $0.key < $1.key }.first { $0.value.partition == .dev }?.key)
        given.sides[moved]?.partition = .test
        // Quotas may no longer hold for one component; the bytes are what is asserted.
        let taken = try bench.split(yaml, out: "moved") { $0.givenSides = given; $0.allowShort = true }
        #expect(own.partition(of: moved) == .dev)
        #expect(taken.partition(of: moved) == .test)
    }

    @Test("sides over other components are refused, and nothing is written")
    func otherComponents() throws {
        let bench = try plantedStore()
        let yaml = Self.yaml(seed: 3)
        var given = try Self.chosen(bench, yaml)
        let dropped = try #require(given.sides.keys.sorted().first)
        given.sides[dropped] = nil
        #expect { try bench.split(yaml, out: "refused") { $0.givenSides = given } } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 1 && $0.userMessage.contains(dropped.hex) } ?? false
        }
        #expect(!FileManager.default.fileExists(atPath: bench.url("refused").path))
        // With lexemes isolated the graph cuts keys: counts decide nothing, sides are refused.
        let keyed = spec(seed: 3, isolation: "{ level: segment }", tolerance: 0.05)
        let sides = try Self.chosen(bench, yaml)
        #expect { try bench.split(keyed, out: "keyed") { $0.givenSides = sides } } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 1 && $0.userMessage.contains("item by item") } ?? false
        }
    }
}
