import Foundation
import HeldoutAudit
import HeldoutCore
import HeldoutSplit
import HeldoutStore

/// Plugs the audit module into `split`'s seam: the split's output is checked by a second,
/// independent path (its own indexes, its own MinHash) before it is allowed to appear.
///
/// The two modules never see each other; this adapter, in the pipeline library, is the only place
/// that knows both. It writes `audit.json` and `audit.html` into the split directory and hands
/// back the enforced leaks, named by the isolation link they break.
public struct IndependentAudit: SplitAuditor {
    public let storePath: String
    /// Called with each audit phase as it begins (stage timings).
    public var progress: (@Sendable (String) -> Void)?

    public init(storePath: String, progress: (@Sendable (String) -> Void)? = nil) {
        self.storePath = storePath
        self.progress = progress
    }

    public func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict {
        let store = try Store(path: storePath, mustExist: true)
        let report = try Audit.run(directory: directory.path, store: store, progress: progress)
        try Audit.write(report, to: directory.path)
        let leaks = report.leaks.filter(\.enforced).map { leak in
            SplitLeak(kind: Self.link(for: leak.rule),
                      trainRecord: leak.training.record?.id ?? "\(leak.training.file):\(leak.training.line)",
                      evaluationRecord: leak.evaluation.record?.id ?? "\(leak.evaluation.file):\(leak.evaluation.line)",
                      detail: leak.rule.rawValue)
        }
        return SplitAuditVerdict(leaks: leaks)
    }

    /// The isolation link a leak of `rule` breaks (`IsolationLink(auditRule:)`, in HeldoutCore); rules
    /// that no link covers keep their name, which fails the split whenever the audit enforces them.
    public static func link(for rule: LeakRule) -> String {
        IsolationLink(auditRule: rule.rawValue)?.rawValue ?? rule.rawValue
    }
}
