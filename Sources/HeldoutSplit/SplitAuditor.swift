import Foundation
import HeldoutCore

/// One leak an audit found: two records, one in training and one in evaluation, tied by `kind`.
public struct SplitLeak: Codable, Equatable, Sendable {
    /// An ``IsolationLink`` raw value (`shared_segment`, `translation`, …) or an audit's own
    /// detector name (`ngram13`); only kinds the spec enables fail the split.
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
    /// The audit's own report, written into the split as `audit.json` when it passes.
    public var report: Data?

    public init(leaks: [SplitLeak], report: Data? = nil) {
        self.leaks = leaks
        self.report = report
    }
}

/// The seam through which `split` has an independent check run on its output before the
/// output appears (DESIGN: the audit "re-derives leaks by its own path"). The command line
/// injects the audit module's implementation; `split` never trusts its own graph for this.
///
/// `directory` is the finished temporary directory (`train.jsonl`, `dev.jsonl`, `test.jsonl`,
/// `spec.yaml`, `manifest.json`); an auditor must not change it.
public protocol SplitAuditor: Sendable {
    func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict
}

/// An interim auditor until the audit module is merged: reads only the written records and
/// finds training and evaluation records that share a segment id, a document (at
/// `level: document`), a target lexeme or a consistency group. It does not see translations or
/// near-duplicates, which need the store; the audit module does.
public struct RecordLinkAuditor: SplitAuditor {
    public init() {}

    public func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict {
        func records(_ file: String) throws -> [SplitRecord] {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let decoder = JSONDecoder()
            return try data.split(separator: 0x0A).map { try decoder.decode(SplitRecord.self, from: Data($0)) }
        }
        let train = try records("train.jsonl")
        let evaluation = try records("dev.jsonl") + records("test.jsonl")
        var index: [String: String] = [:]
        func key(_ kind: IsolationLink, _ value: String) -> String { "\(kind.rawValue)\u{1F}\(value)" }
        func keys(_ record: SplitRecord) -> [(IsolationLink, String)] {
            var out: [(IsolationLink, String)] = []
            if spec.isolation.isEnabled(.sharedSegment) { out += record.segments.map { (.sharedSegment, $0) } }
            if spec.isolation.isEnabled(.document) { out += record.documents.map { (.document, $0) } }
            if spec.isolation.isEnabled(.lexeme), let target = record.target { out.append((.lexeme, target.description)) }
            if spec.isolation.isEnabled(.consistencyGroup), let group = record.consistencyGroup { out.append((.consistencyGroup, group)) }
            return out
        }
        for record in train { for (kind, value) in keys(record) { index[key(kind, value)] = index[key(kind, value)] ?? record.id } }
        var leaks: [SplitLeak] = []
        for record in evaluation {
            for (kind, value) in keys(record) {
                if let other = index[key(kind, value)] {
                    leaks.append(SplitLeak(kind: kind.rawValue, trainRecord: other, evaluationRecord: record.id, detail: value))
                }
            }
        }
        return SplitAuditVerdict(leaks: leaks, report: try CanonicalJSON.data(["auditor": "record-links", "leaks": "\(leaks.count)"]))
    }
}
