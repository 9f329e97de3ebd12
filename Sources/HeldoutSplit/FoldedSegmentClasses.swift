import Dispatch
import HeldoutCore

/// Segments that are the same sentence once case, punctuation and diacritics are folded
/// (``TextFolder``), whatever their language tag: "Open the file." in one corpus and
/// "open the file" in another. The shared-segment link ties them as if they were one segment,
/// because that is what the audit's `folded_segment` rule checks and what a reader would call
/// the same sentence.
enum FoldedSegmentClasses {
    /// For each segment, the smallest index among `used` segments with the same folded text;
    /// segments not used, or without letters or digits, are their own class.
    static func compute(texts: [String], used: [Int]) -> [Int32] {
        compute(count: texts.count, used: used, foldedHashes: foldedHashes(used.map { texts[$0] }))
    }

    /// The folded-text hash of each text (0: no letters or digits), on every core.
    static func foldedHashes(_ texts: [String]) -> [UInt64] {
        let chunk = 8192
        let chunks = (texts.count + chunk - 1) / chunk
        var hashes = [UInt64](repeating: 0, count: texts.count)
        hashes.withUnsafeMutableBufferPointer { buffer in
            guard let address = buffer.baseAddress else { return }
            let base = UnsafeSendablePointer(address)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let folder = TextFolder()
                var scalars: [UInt32] = []
                for k in (c * chunk)..<min(texts.count, (c + 1) * chunk) {
                    scalars.removeAll(keepingCapacity: true)
                    folder.fold(texts[k], into: &scalars)
                    base.pointer[k] = NearDuplicateIndex.foldedHash(scalars)
                }
            }
        }
        return hashes
    }

    /// The same from folded-text hashes already computed (``NearDuplicateIndex/Result/foldedHashes``,
    /// one per `used` segment, 0 for a text without letters or digits).
    static func compute(count: Int, used: [Int], foldedHashes: [UInt64]) -> [Int32] {
        var classes = (0..<Int32(count)).map { $0 }
        var keys: [(UInt64, Int32)] = []
        keys.reserveCapacity(used.count)
        for (k, s) in used.enumerated() where foldedHashes[k] != 0 { keys.append((foldedHashes[k], Int32(s))) }
        keys.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count && keys[end].0 == keys[start].0 { end += 1 }
            for k in (start + 1)..<end { classes[Int(keys[k].1)] = keys[start].1 }
            start = end
        }
        return classes
    }
}

/// The folded-text hash of one segment: what the split's shared-segment classes and its
/// translation closure compare (0: no letters or digits). A cluster's `map grade` prints it, so
/// the cluster can group segments as the split does.
public enum FoldedHash {
    public static func of(_ text: String, folder: TextFolder) -> UInt64 {
        var scalars: [UInt32] = []
        folder.fold(text, into: &scalars)
        return NearDuplicateIndex.foldedHash(scalars)
    }
}
