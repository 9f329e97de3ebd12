import Foundation
import HeldoutCore

/// The files of a split that a cluster writes whole (`dropped.jsonl`, `spec.yaml`,
/// `manifest.json`; issue 15), held to the split's own before they are taken.
enum ClusterFiles {
    /// Takes `given`, a cluster's file, in place of `written`, the split's own: only when they
    /// are the same bytes, else the first line that differs is named and nothing is written.
    /// Neither need exist (an auditor may write no report), but not one without the other.
    static func take(_ given: URL, over written: URL) throws {
        let name = written.lastPathComponent
        let ours = FileManager.default.contents(atPath: written.path)
        guard let theirs = FileManager.default.contents(atPath: given.path) else {
            if ours == nil { return }
            throw HeldoutError.checkFailed("\(given.path): the cluster's \(name) is missing; nothing was written")
        }
        guard let ours else {
            throw HeldoutError.checkFailed("\(given.path): the split writes no \(name) of its own to hold it to; nothing was written")
        }
        guard theirs != ours else { return }
        let a = theirs.split(separator: 0x0A, omittingEmptySubsequences: false)
        let b = ours.split(separator: 0x0A, omittingEmptySubsequences: false)
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        let shown = line < b.count ? String(decoding: b[line], as: UTF8.self) : "(no more lines)"
        throw HeldoutError.checkFailed("\(given.path):\(line + 1): the cluster's \(name) is not the split's, whose line is \(shown); nothing was written")
    }
}
