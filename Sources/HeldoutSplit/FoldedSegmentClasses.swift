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
        var classes = (0..<Int32(texts.count)).map { $0 }
        let chunk = 8192
        let chunks = (used.count + chunk - 1) / chunk
        var keys = [(UInt64, Int32)](repeating: (0, -1), count: used.count)
        keys.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendablePointer(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let folder = TextFolder()
                for k in (c * chunk)..<min(used.count, (c + 1) * chunk) {
                    let s = used[k]
                    var h: UInt64 = 0xCBF2_9CE4_8422_2325
                    var letters = false, pendingBreak = false
                    folder.forEachFolded(texts[s]) { v in
                        if v == 0 { pendingBreak = true; return }
                        if pendingBreak && letters { h = (h ^ 0x20) &* 0x100_0000_01B3 }
                        pendingBreak = false
                        letters = true
                        h = (h ^ UInt64(v)) &* 0x100_0000_01B3
                    }
                    base.pointer[k] = (letters ? NearDuplicateIndex.mix(h) : 0, letters ? Int32(s) : -1)
                }
            }
        }
        keys.removeAll { $0.1 < 0 }
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
