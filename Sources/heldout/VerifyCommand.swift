import ArgumentParser
import Foundation
import HeldoutAudit
import HeldoutBuild
import HeldoutCore
import HeldoutPublish

/// `heldout verify RELEASE_DIR`: proves a release is the one published, by re-checking exactly
/// what `publish` checked — every byte against SHA256SUMS, the data files against the
/// manifest's SHA-256, no empty partition, the modes publish set, and the audit with the
/// `--against` files it recorded (by path and SHA-256).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check a release as publish did (SHA256SUMS, manifest digests, modes, audit with its --against files); exit 1 naming what differs.",
        discussion: """
        Run it from the directory the release was published from, so the recorded --against paths resolve; one that is missing or changed is named, and the audit runs without it.

        Exit status: 0 verified, 1 a check failed, 3 not a release, 4 a file cannot be read.
        """
    )

    @Argument(help: "A release directory, e.g. splits/demo/releases/v1.0.0.")
    var release: String

    func run() throws {
        let url = URL(fileURLWithPath: release)
        var problems = try ReleaseVerifier.differences(in: url)
        var notes: [String] = []
        let record = try ReleaseRecord.read(release: url)
        problems += try ReleaseChecks.modeProblems(in: url)
        // The data files against the manifest, as publish checked the split (SHA256SUMS would
        // agree with a file changed before publish; the manifest would not).
        problems += try ReleaseChecks.outputProblems(in: url).filter { !$0.hasPrefix("dropped.jsonl: missing") || record.format != nil }
        for sibling in record.siblings {
            problems += try ReleaseChecks.outputProblems(in: url.appendingPathComponent(sibling), label: "\(sibling)/")
        }
        if let manifest = try? SplitManifest.read(from: url.appendingPathComponent(SplitDirectory.manifest)),
           manifest.quotas?.acceptedShort != true {
            for file in ReleaseChecks.emptyDataFiles(in: url) {
                problems.append("\(file): empty, and the split was not accepted as short")
            }
            if let contents = try? SplitContents.read(directory: url) {
                problems += ReleaseChecks.emptyEvaluationColumns(contents: contents, manifest: manifest)
            }
        }

        // The --against inputs: the same bytes, or a plain statement that they are gone.
        var against: [String] = []
        for input in record.auditAgainst ?? [] {
            guard FileManager.default.isReadableFile(atPath: input.path) else {
                notes.append("--against \(input.path) is no longer available; the audit ran without it")
                continue
            }
            let sha = try FileDigest.sha256(ofFile: input.path).hex
            if sha == input.sha256 {
                against.append(input.path)
            } else {
                notes.append("--against \(input.path) has changed since publication (SHA-256 \(sha), recorded \(input.sha256)); the audit ran without it")
            }
        }
        // The audit reads the release as a split directory; it has no store there, so it checks
        // the records' own fields (the store-only links were checked when the split was built).
        // A tampered file may no longer parse: that is one more difference to name, not a reason
        // to stop before naming the others.
        var auditLine = "audit clean"
        do {
            let outcome = try ReleaseAudit.runner(storePath: nil)(url, against)
            let known = record.allowedLeaks ?? 0
            if outcome.enforcedLeaks > known {
                problems.append("audit: \(outcome.enforcedLeaks) enforced leak(s)" + (known > 0 ? " (\(known) published knowingly)" : "") + "\n" + outcome.summary)
            } else if outcome.enforcedLeaks > 0 {
                auditLine = "audit: \(outcome.enforcedLeaks) KNOWN leak(s), published with --allow-leaks"
            }
        } catch {
            problems.append("audit: could not run: \(error)")
        }
        if !against.isEmpty { auditLine += " (with --against \(against.joined(separator: ", ")))" }
        if let known = record.allowedLeaks, against.count < (record.auditAgainst ?? []).count {
            auditLine += "; published with \(known) known leak(s) (--allow-leaks) found with --against files no longer at hand"
        }
        for note in notes { Console.error("heldout: note: \(note)") }
        guard problems.isEmpty else {
            throw HeldoutError.checkFailed("\(release): verification failed\n  " + problems.joined(separator: "\n  "))
        }
        Console.out("\(release): every file matches SHA256SUMS and the manifest, modes are read-only; \(auditLine)")
    }
}
