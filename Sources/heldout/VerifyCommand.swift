import ArgumentParser
import Foundation
import HeldoutAudit
import HeldoutCore
import HeldoutPublish

/// `heldout verify RELEASE_DIR`: proves a release is the one published — every byte against
/// SHA256SUMS — and that its split still passes the independent audit.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every file of a release against SHA256SUMS and re-run the audit; exit 1 naming what differs."
    )

    @Argument(help: "A release directory, e.g. splits/demo/releases/v1.0.0.")
    var release: String

    func run() throws {
        let url = URL(fileURLWithPath: release)
        var problems: [String]
        do { problems = try ReleaseVerifier.differences(in: url) } catch let error as PublishError { throw error.heldoutError }
        // The audit reads the release as a split directory; it has no store there, so it checks
        // the records' own fields (the store-only links were checked when the split was built).
        // A tampered file may no longer parse: that is one more difference to name, not a reason
        // to stop before naming the others.
        do {
            let report = try Audit.run(directory: url.path, store: nil)
            if !report.clean {
                problems.append("audit: \(report.enforcedLeaks) enforced leak(s)\n" + AuditSummary.text(report))
            }
        } catch {
            problems.append("audit: could not run: \(error)")
        }
        guard problems.isEmpty else {
            throw HeldoutError.checkFailed("\(release): verification failed\n  " + problems.joined(separator: "\n  "))
        }
        Console.out("\(release): every file matches SHA256SUMS; audit clean")
    }
}
