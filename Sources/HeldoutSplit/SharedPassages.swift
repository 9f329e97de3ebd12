import Dispatch
import HeldoutCore

/// The shared-passage link (issue 13, item 9): two segments are tied when they share a run of
/// ``runLength`` folded words, or when one of ``minContained``…``runLength - 1`` words is
/// contained, as a contiguous run, in the other. Longer contained texts share a full run anyway.
///
/// Every run is hashed (64 bits, the window's length mixed in) and the (hash, segment) pairs are
/// sorted: a hash met in two or more segments is one passage key. Sorting keeps memory at 16 bytes
/// a window, whatever the corpus, and makes the keys independent of input order.
struct SharedPassages {
    static let runLength = 13
    static let minContained = 8

    /// Passage keys of each segment (CSR: `start[s]..<start[s+1]` in `keys`).
    private(set) var start: [Int32] = [0]
    private(set) var keys: [Int32] = []
    private(set) var keyCount = 0

    func keys(ofSegment s: Int32) -> ArraySlice<Int32> {
        keys[Int(start[Int(s)])..<Int(start[Int(s) + 1])]
    }

    /// `texts` are the segments' texts; `used` the segments any item uses (the others get no key).
    init(texts: [String], used: [Int]) {
        // Word hashes of every used segment, on every core (chunks of `used`).
        let chunk = 4096
        let chunks = (used.count + chunk - 1) / chunk
        var words: [[UInt64]] = Array(repeating: [], count: used.count)
        words.withUnsafeMutableBufferPointer { buffer in
            guard let address = buffer.baseAddress else { return }
            let base = UnsafeSendablePointer(address)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let folder = TextFolder()
                var scratch: [UInt32] = []
                for k in (c * chunk)..<min(used.count, (c + 1) * chunk) {
                    base.pointer[k] = Self.wordHashes(texts[used[k]], folder: folder, scratch: &scratch)
                }
            }
        }
        // Whole texts short enough to be "contained" rather than share a full run.
        var wholeTexts = Set<UInt64>()
        for w in words where w.count >= Self.minContained && w.count < Self.runLength { wholeTexts.insert(Self.window(w[...])) }
        // Windows, per chunk, then concatenated in chunk order (sorted below in any case).
        let wordLists = words, wholes = wholeTexts
        var perChunk = [[(hash: UInt64, segment: Int32)]](repeating: [], count: chunks)
        perChunk.withUnsafeMutableBufferPointer { buffer in
            guard let address = buffer.baseAddress else { return }
            let base = UnsafeSendablePointer(address)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var out: [(hash: UInt64, segment: Int32)] = []
                for k in (c * chunk)..<min(used.count, (c + 1) * chunk) {
                    let w = wordLists[k], s = Int32(used[k])
                    Self.forEachRun(w) { out.append(($0, s)) }
                    guard !wholes.isEmpty else { continue }
                    Self.forEachShorterRun(w) { h in if wholes.contains(h) { out.append((h, s)) } }
                }
                base.pointer[c] = out
            }
        }
        var pairs = perChunk.flatMap { $0 }
        perChunk = []
        words = []
        pairs.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.segment < $1.segment }
        var perSegment = [[Int32]](repeating: [], count: texts.count)
        var i = 0
        while i < pairs.count {
            var j = i + 1
            while j < pairs.count, pairs[j].hash == pairs[i].hash { j += 1 }
            // A key only when two different segments hold it.
            if pairs[j - 1].segment != pairs[i].segment {
                let key = Int32(keyCount)
                keyCount += 1
                var last: Int32 = -1
                for k in i..<j where pairs[k].segment != last {
                    perSegment[Int(pairs[k].segment)].append(key)
                    last = pairs[k].segment
                }
            }
            i = j
        }
        for list in perSegment {
            keys.append(contentsOf: list)
            start.append(Int32(keys.count))
        }
    }

    /// A segment's own passage hashes: each run of ``runLength`` words, or its whole text when
    /// it has ``minContained``…``runLength - 1`` words (none below).
    static func forEachRun(_ w: [UInt64], _ body: (UInt64) -> Void) {
        let n = w.count
        guard n >= minContained else { return }
        if n < runLength {
            body(window(w[...]))
        } else {
            for i in 0...(n - runLength) { body(window(w[i..<(i + runLength)])) }
        }
    }

    /// The hashes of its runs of ``minContained``…``runLength - 1`` words shorter than itself:
    /// a passage where another segment's whole text is one of them.
    static func forEachShorterRun(_ w: [UInt64], _ body: (UInt64) -> Void) {
        let n = w.count
        guard n > minContained else { return }
        for length in minContained..<min(n, runLength) {
            for i in 0...(n - length) { body(window(w[i..<(i + length)])) }
        }
    }

    static func wordHashes(_ text: String, folder: TextFolder, scratch: inout [UInt32]) -> [UInt64] {
        scratch.removeAll(keepingCapacity: true)
        folder.fold(text, into: &scratch)
        return NearDuplicateIndex.wordHashes(folded: scratch)
    }

    static func window(_ words: ArraySlice<UInt64>) -> UInt64 {
        var g = NearDuplicateIndex.mix(UInt64(words.count) &* 0x9E37_79B9_7F4A_7C15)
        for w in words { g = NearDuplicateIndex.mix(g ^ w) }
        return g
    }
}

/// One segment's shared-passage hashes, as the split computes them (`SharedPassages`'s own
/// functions): what a cluster joins to link segments as the split's shared-passage link does.
/// Two segments are linked when their `runs` share a hash, or when one's `within` holds the
/// other's `whole`.
public struct PassageKeys: Sendable, Equatable {
    /// Runs of 13 folded words, or the whole text when it has 8 to 12.
    public var runs: [UInt64]
    /// The whole text's hash when it has 8 to 12 words (then also in `runs`).
    public var whole: UInt64?
    /// Its runs of 8 to 12 words shorter than itself (a shorter segment's whole text may be one).
    public var within: [UInt64]

    public init(text: String, folder: TextFolder) {
        var scratch: [UInt32] = []
        let w = SharedPassages.wordHashes(text, folder: folder, scratch: &scratch)
        var runs: [UInt64] = [], within: [UInt64] = []
        SharedPassages.forEachRun(w) { runs.append($0) }
        SharedPassages.forEachShorterRun(w) { within.append($0) }
        self.runs = runs
        self.within = within
        whole = w.count >= SharedPassages.minContained && w.count < SharedPassages.runLength ? runs.first : nil
    }
}
