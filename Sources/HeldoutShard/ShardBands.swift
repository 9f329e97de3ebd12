import Foundation
import HeldoutCore
import HeldoutSplit

/// `heldout map bands`: a segment row in (`[id, lang, normalised text]`), its folded text and
/// near-duplicate keys out (shingle hashes, the tie hash, MinHash band hashes), through
/// ``NearDuplicateIndex/keys(of:folder:)``, the per-text half of the local near-duplicate stage.
/// The cluster joins the rows on their band keys and confirms candidates by exact Jaccard of the
/// shingles (spark/heldout_spark.py); `map pairs` is the local stage on the same rows.
public struct ShardBands {
    public struct Row: Codable, Sendable, Equatable {
        public var id: String
        public var folded: String
        public var foldedHash: UInt64
        /// Absent when the text has no letters or digits (it enters no tie and no bucket).
        public var set: UInt64?
        public var bands: [UInt64]
        public var shingles: [UInt64]

        enum CodingKeys: String, CodingKey {
            case id, folded, foldedHash = "folded_hash", set, bands, shingles
        }
    }

    /// What the join needs besides the rows: the stage's own threshold and bucket window.
    public struct Parameters: Codable, Sendable, Equatable {
        public var threshold: Double
        public var bands: Int
        public var rows: Int
        public var window: Int
    }

    public let index: NearDuplicateIndex
    private let folder = TextFolder()

    /// The index the split builds for `spec` (``Splitter``: threshold, shingle kind and size).
    public init(spec: SplitSpec) {
        let nd = spec.isolation.nearDuplicates
        self.init(parameters: .init(threshold: nd.threshold, shingle: nd.shingle, size: nd.size))
    }

    /// Any parameters (tests use a small bucket window to reach the windowed case cheaply).
    public init(parameters: NearDuplicateIndex.Parameters) {
        index = NearDuplicateIndex(parameters: parameters)
    }

    public var parameters: Parameters {
        let p = index.parameters
        return Parameters(threshold: p.threshold, bands: p.bands, rows: p.rows, window: p.bucketWindow)
    }

    /// The keys of one segment row; `line` numbers the row in messages.
    public func keys(_ segment: [String], line: Int) throws -> Row {
        guard segment.count >= 3 else { throw ShardError.badRow("line \(line): a segment row is [id, lang, text]") }
        let keys = index.keys(of: segment[2], folder: folder)
        return Row(id: segment[0], folded: keys.folded, foldedHash: keys.foldedHash, set: keys.setHash,
                   bands: keys.bands, shingles: keys.shingles)
    }

    /// The local stage itself over segment rows (`heldout map pairs`): the rows in id order,
    /// deduplicated by id, searched by ``NearDuplicateIndex/search(_:)``; pairs as `[id, id]`,
    /// smaller id first, sorted. The reference the cluster's band join is held equal to.
    public func pairs(_ segments: [[String]]) throws -> [[String]] {
        var byID: [String: String] = [:]
        for (number, segment) in segments.enumerated() {
            guard segment.count >= 3 else { throw ShardError.badRow("line \(number + 1): a segment row is [id, lang, text]") }
            byID[segment[0]] = byID[segment[0]] ?? segment[2]
        }
        let ids = byID.keys.sorted()
        return index.search(ids.map { byID[$0] ?? "" }).pairs.map { [ids[Int($0.0)], ids[Int($0.1)]] }
    }
}
