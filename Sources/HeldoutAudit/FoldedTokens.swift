import HeldoutCore

/// The audit's view of folded text: each folded word (``TextFolder``, shared with the splitter
/// so that both mean the same words) as one of the audit's own 64-bit hashes.
extension TextFolder {
    /// The folded words of `text` as hashes, appended to `out`.
    func tokens(_ text: String, into out: inout [UInt64]) {
        var h = Hash64.fnvOffset
        var inWord = false
        forEachFolded(text) { c in
            if c == 0 {
                if inWord { out.append(Hash64.mix(h)); h = Hash64.fnvOffset; inWord = false }
            } else {
                h = (h ^ UInt64(c)) &* Hash64.fnvPrime
                inWord = true
            }
        }
        if inWord { out.append(Hash64.mix(h)) }
    }

    func tokens(_ text: String) -> [UInt64] {
        var out: [UInt64] = []
        tokens(text, into: &out)
        return out
    }
}
