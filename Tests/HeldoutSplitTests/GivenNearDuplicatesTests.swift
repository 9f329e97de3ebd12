import Foundation
import Testing
import HeldoutCore
@testable import HeldoutSplit

/// Near-duplicate pairs found outside the split (a cluster's band join over
/// ``Splitter/usedSegments()``) stand in for the split's own search: the same pairs give the
/// same bytes, the split really takes them, and a pair naming a segment no item uses is refused.
@Suite("near-duplicate pairs given to the split")
struct GivenNearDuplicatesTests {
    /// What the cluster computes: the search over the used segments' texts, in id order, as ids.
    func searched(_ bench: Workbench, _ yaml: String) throws -> GivenNearDuplicates {
        let spec = try SplitSpec(yaml: yaml, file: "spec.yaml")
        let used = try Splitter(spec: spec, store: bench.store).usedSegments()
        #expect(used.map(\.id) == used.map(\.id).sorted())
        let nd = spec.isolation.nearDuplicates
        let found = NearDuplicateIndex(parameters: .init(threshold: nd.threshold, shingle: nd.shingle, size: nd.size))
            .search(used.map(\.text))
        return GivenNearDuplicates(pairs: found.pairs.map { (used[Int($0.0)].id, used[Int($0.1)].id) }, windowedBuckets: found.windowedBuckets)
    }

    @Test("the used segments' pairs, given in any order, give the searched split's bytes")
    func sameBytes() throws {
        let bench = try plantedStore()
        for seed in [2, 5] {
            let yaml = spec(seed: seed)
            let own = try bench.split(yaml, out: "own\(seed)")
            var given = try searched(bench, yaml)
            #expect(!given.pairs.isEmpty)
            given.pairs = given.pairs.reversed().map { ($0.1, $0.0) }  // order and orientation do not matter
            let taken = try bench.split(yaml, out: "given\(seed)") { $0.givenNearDuplicates = given }
            for file in ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl", "manifest.json"] {
                #expect(try own.bytes(file) == taken.bytes(file), "seed \(seed): \(file)")
            }
        }
    }

    @Test("the split takes the given pairs: without the planted pair, some seed separates its two items")
    func pairsAreTaken() throws {
        let bench = try plantedStore()
        let planted = try #require(plantedItems["nearDuplicate"])
        var separated = false
        for seed in 1...40 where !separated {
            // Shared passages off: they tie the planted pair too (IsolationTests switches both off).
            let yaml = spec(seed: seed, isolation: "{ level: document, shared_passages: false }")
            var given = try searched(bench, yaml)
            let a = segmentID("en", nearA), b = segmentID("en", nearB)
            given.pairs.removeAll { ($0.0 == a && $0.1 == b) || ($0.0 == b && $0.1 == a) }
            let output = try bench.split(yaml, out: "s\(seed)") { $0.givenNearDuplicates = given }
            separated = output.partition(of: planted.0.id) == .train && output.partition(of: planted.1.id)?.isEvaluation == true
        }
        #expect(separated)
    }

    @Test("a pair naming a segment no item uses is refused, and nothing is written")
    func unusedSegment() throws {
        let bench = try plantedStore()
        let stranger = segmentID("en", "A sentence no item of this split asks about.")
        let used = try #require(try Splitter(spec: try SplitSpec(yaml: spec(), file: "spec.yaml"), store: bench.store).usedSegments().first)
        let given = GivenNearDuplicates(pairs: [(used.id, stranger)], windowedBuckets: 0)
        #expect { try bench.split(spec(), out: "refused") { $0.givenNearDuplicates = given } } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 3 && $0.userMessage.contains("no item of the split uses") } ?? false
        }
        #expect(!FileManager.default.fileExists(atPath: bench.url("refused").path))
    }
}
