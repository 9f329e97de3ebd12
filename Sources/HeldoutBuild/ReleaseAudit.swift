import Foundation
import HeldoutAudit
import HeldoutCore
import HeldoutPublish
import HeldoutStore

/// Plugs the audit into `publish` and `verify` (the publish module never sees the audit
/// module): runs it on a split or release directory with the recorded `--against` files and
/// hands back the verdict and both report files, without writing into the directory.
public enum ReleaseAudit {
    public static func runner(storePath: String?) -> AuditRunner {
        { directory, against in
            let store = try storePath.map { try Store(path: $0, mustExist: true) }
            var options = AuditOptions()
            options.against = against
            let report = try Audit.run(directory: directory.path, store: store, options: options)
            return AuditOutcome(enforcedLeaks: report.enforcedLeaks, summary: AuditSummary.text(report),
                                json: try Audit.jsonData(report), html: Data(AuditHTML.render(report).utf8))
        }
    }
}
