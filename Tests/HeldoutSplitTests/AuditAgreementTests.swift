import Foundation
import Testing
import HeldoutAudit
import HeldoutCore
import HeldoutStore
@testable import HeldoutSplit

/// The real audit as the split's checker, as the command line wires it.
struct RealAudit: SplitAuditor {
    let storePath: String

    func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict {
        let report = try Audit.run(directory: directory.path, store: try Store(path: storePath, mustExist: true))
        return SplitAuditVerdict(leaks: report.leaks.filter(\.enforced).map {
            SplitLeak(kind: $0.rule.rawValue, trainRecord: $0.training.record?.id ?? "?",
                      evaluationRecord: $0.evaluation.record?.id ?? "?", detail: "\($0.evidence.jaccard ?? 0)")
        })
    }
}

/// Sentences of `count` distinct words drawn from a fixed vocabulary (deterministic).
private func sentence(_ seed: Int, words count: Int) -> [String] {
    var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
    var out: [String] = []
    while out.count < count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let word = "w" + String(state >> 40, radix: 36)
        if !out.contains(word) { out.append(word) }
    }
    return out
}

@Suite("Split and audit agree")
struct AuditAgreementTests {
    @Test("near-copies at the threshold, folded or not, are all tied: the real audit finds no leak for any seed")
    func splitPassesTheRealAudit() throws {
        let bench = try Workbench()
        var units: [(String, [(String, String)])] = []
        var items: [Item] = []
        for i in 0..<120 {
            let words = sentence(i, words: 9)
            let base = words.joined(separator: " ") + "."
            // One word of nine replaced: Jaccard 8/10 = 0.8, exactly the threshold.
            var changed = words
            changed[i % 9] = "swap\(i)"
            // Folding only: capitals, punctuation, a diacritic on a word the audit folds back.
            let shouted = words.map { $0.uppercased() }.joined(separator: ", ") + "!"
            let accented = words.joined(separator: " ").replacingOccurrences(of: "w", with: "ŵ")
            // Two words of nine replaced: 7/11, not a near-copy (stays free to separate).
            var far = words
            far[0] = "farA\(i)"
            far[1] = "farB\(i)"
            let texts = [base, changed.joined(separator: " "), shouted, accented, far.joined(separator: " ")]
            for (k, text) in texts.enumerated() {
                units.append(("d\(i)-\(k)", [("en", text)]))
                items.append(item("a\(i)-\(k)", category: k % 2 == 0 ? "grammar" : "tone", on: [("en", text)]))
            }
        }
        try bench.ingest("planted", units)
        try bench.store.replaceItems(ofTemplates: ["t-grammar", "t-tone"], with: items)
        let auditor = RealAudit(storePath: bench.store.path)
        for seed in 1...4 {
            let output = try bench.split(spec(seed: seed, isolation: "{ level: segment }", tolerance: 0.05), out: "s\(seed)", auditor: auditor)
            let manifest = try output.manifest
            let near = manifest["near_duplicates"] as? [String: Any]
            // Each group of four near-copies gives at least three pairs; the far copy none.
            #expect((near?["pairs"] as? Int ?? 0) >= 120 * 3)
            // Every group is on one side: no column split a group between training and evaluation.
            for i in 0..<120 {
                let sides = Set((0..<4).compactMap { output.partition(of: items[i * 5 + $0].id).map { $0 == .train } })
                #expect(sides.count <= 1, "seed \(seed): group \(i) on both sides")
            }
        }
        // The same split with the near-duplicate link left out of the graph is refused.
        #expect(throws: HeldoutError.self) {
            _ = try bench.split(spec(seed: 1, isolation: "{ level: segment }", tolerance: 0.05), out: "bad", auditor: auditor) {
                $0.graphLinksOverride = [.sharedSegment, .translation, .document, .lexeme, .consistencyGroup]
            }
        }
    }
}
