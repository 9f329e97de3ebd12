import Foundation
import HeldoutCore

/// One leak an audit found: two records, one in training and one in evaluation, tied by `kind`.
public struct SplitLeak: Codable, Equatable, Sendable {
    /// An `IsolationLink` raw value (`shared_segment`, `translation`, …) or an audit's own
    /// rule name when no link covers it (`ngram_overlap`).
    public var kind: String
    public var trainRecord: String
    public var evaluationRecord: String
    public var detail: String

    public init(kind: String, trainRecord: String, evaluationRecord: String, detail: String) {
        self.kind = kind
        self.trainRecord = trainRecord
        self.evaluationRecord = evaluationRecord
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case kind, detail
        case trainRecord = "train_record"
        case evaluationRecord = "evaluation_record"
    }
}

/// What an audit concluded about a split directory.
public struct SplitAuditVerdict: Sendable {
    public var leaks: [SplitLeak]

    public init(leaks: [SplitLeak]) {
        self.leaks = leaks
    }
}

/// The seam through which `split` has an independent check run on its output before the
/// output appears (DESIGN: the audit "re-derives leaks by its own path"). The command line
/// injects the audit module's implementation; `split` never trusts its own graph for this.
///
/// `directory` is the finished temporary directory (`train.jsonl`, `dev.jsonl`, `test.jsonl`,
/// `spec.yaml`, `manifest.json`); an auditor may add its own report files but changes none of these.
/// The verdict's leaks are those of the rules the manifest's `audit.enforce` lists (the links the
/// spec turns on): each of them fails the split. The auditor decides this, once; `split` does not
/// filter its verdict again.
public protocol SplitAuditor: Sendable {
    func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict
}
