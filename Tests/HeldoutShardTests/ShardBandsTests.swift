import Foundation
import Testing
import HeldoutCore
import HeldoutShard
import HeldoutSplit

/// Issue 15: `heldout map bands` emits, per segment, the keys the local near-duplicate stage
/// (``NearDuplicateIndex/search(_:)``) computes for it, so that a band join over the rows — the
/// one spark/heldout_spark.py runs, written out plainly here — finds exactly the stage's pairs.
@Suite("map bands agrees with the near-duplicate stage")
struct ShardBandsTests {
    /// Generated segments (invented words): random sentences, near-copies (one word changed),
    /// copies that differ only in case and punctuation (identical shingle sets), texts without
    /// letters, and a crowd of sentences sharing most words (buckets larger than the window).
    static func segments() -> [[String]] {
        var rng = SplitMix64(seed: 15)
        let syllables = ["ka", "lo", "mi", "ren", "to", "su", "vel", "an", "or", "pi", "dra", "quo"]
        func word() -> String { (0..<Int.random(in: 1...3, using: &rng)).map { _ in syllables.randomElement(using: &rng)! }.joined() }
        var texts: [String] = []
        for _ in 0..<300 {
            let words = (0..<Int.random(in: 6...14, using: &rng)).map { _ in word() }
            texts.append(words.joined(separator: " ") + ".")
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: // a near-copy: one word replaced
                var copy = words
                copy[Int.random(in: 0..<copy.count, using: &rng)] = "zz" + word()
                texts.append(copy.joined(separator: " ") + ".")
            case 1: // the same shingles: case and punctuation only
                texts.append(words.joined(separator: ", ").uppercased() + "!")
            case 2: // no letters or digits: no shingles, in no tie and no bucket
                texts.append("— ¿? —")
            default: break
            }
        }
        let common = (0..<10).map { _ in word() }
        for k in 0..<40 { texts.append((common + ["crowd\(k)"]).joined(separator: " ")) }
        texts.shuffle(using: &rng)
        // Ids in the order the texts are searched: the local stage sees them sorted by id.
        return texts.enumerated().map { [String(format: "%06d", $0.offset), "xx", $0.element] }
    }

    @Test("record for record: folded text, folded hash and shingles are the index's; a band join over the rows finds the index's pairs")
    func keysMatchIndex() throws {
        var parameters = NearDuplicateIndex.Parameters(threshold: 0.8)
        parameters.bucketWindow = 8
        let bands = ShardBands(parameters: parameters)
        let index = NearDuplicateIndex(parameters: parameters)
        let segments = Self.segments()
        let texts = segments.map { $0[2] }
        let local = index.search(texts)
        let rows = try segments.enumerated().map { try bands.keys($0.element, line: $0.offset + 1) }

        let folder = TextFolder()
        for (i, row) in rows.enumerated() {
            #expect(row.id == segments[i][0])
            #expect(row.shingles == index.shingles(texts[i]), "\(texts[i])")
            #expect(row.foldedHash == local.foldedHashes[i], "\(texts[i])")
            #expect(row.folded == folder.folded(texts[i]), "\(texts[i])")
            #expect(row.bands.count == (row.shingles.isEmpty ? 0 : parameters.bands))
            #expect((row.set == nil) == row.shingles.isEmpty)
        }

        // The join, as the Spark driver runs it: tie identical sets to the first row (in id
        // order) that has the set; bucket the other rows by (band, bucket key); pair each member
        // with its next `window` neighbours in id order; keep pairs of Jaccard ≥ threshold.
        var ties: [(Int, Int)] = []
        var leaders: [Int] = []
        var bySet: [UInt64: [Int]] = [:]
        for i in rows.indices { if let set = rows[i].set { bySet[set, default: []].append(i) } }
        for (_, members) in bySet {
            var groupLeaders: [Int] = []
            for i in members.sorted() {
                if let leader = groupLeaders.first(where: { rows[$0].shingles == rows[i].shingles }) {
                    ties.append((leader, i))
                } else {
                    groupLeaders.append(i)
                    leaders.append(i)
                }
            }
        }
        leaders.sort()
        var buckets: [[UInt64]: [Int]] = [:]
        for i in leaders {
            for (band, hash) in rows[i].bands.enumerated() {
                buckets[[UInt64(band), NearDuplicateIndex.bucketKey(hash, representatives: leaders.count)], default: []].append(i)
            }
        }
        var candidates: Set<[Int]> = []
        var windowed = 0
        for (_, members) in buckets where members.count > 1 {
            if members.count > parameters.bucketWindow + 1 { windowed += 1 }
            for x in members.indices {
                for y in (x + 1)..<min(members.count, x + 1 + parameters.bucketWindow) { candidates.insert([members[x], members[y]]) }
            }
        }
        var joined = Set(ties.map { [$0.0, $0.1] })
        for c in candidates where NearDuplicateIndex.jaccard(rows[c[0]].shingles, rows[c[1]].shingles) >= parameters.threshold - 1e-12 {
            joined.insert([min(c[0], c[1]), max(c[0], c[1])])
        }
        let expected = local.pairs.map { [Int($0.0), Int($0.1)] }
        #expect(joined.sorted { $0.lexicographicallyPrecedes($1) } == expected)
        // The corpus reaches every case: ties, confirmed near-copies, windowed buckets.
        #expect(!ties.isEmpty && expected.count > ties.count + 40)
        #expect(rows.contains { $0.set == nil && $0.bands.isEmpty })
        #expect(local.windowedBuckets > 0 && windowed == local.windowedBuckets)

        // `map pairs`, the stage over the rows in any order, names the same pairs by id.
        let reference = try bands.pairs(segments.reversed())
        #expect(reference == expected.map { [segments[$0[0]][0], segments[$0[1]][0]] })
        #expect(throws: ShardError.self) { try bands.keys(["only-an-id"], line: 1) }
    }
}
