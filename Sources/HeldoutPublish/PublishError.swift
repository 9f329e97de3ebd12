import Foundation
import HeldoutCore

/// Why a release could not be published, verified or rebuilt. Each case says what to do next;
/// ``heldoutError`` maps it onto DESIGN's exit statuses (1 check failed, 2 usage, 3 bad input, 4 I/O).
public enum PublishError: ReportableError, Sendable, Equatable, CustomStringConvertible {
    case invalidVersion(String)
    /// Releases are immutable: the directory already exists.
    case versionExists(String)
    /// A new version must sort after every earlier release.
    case versionNotNewer(new: String, latest: String)
    /// Evaluation membership changed, so readers' scores are not comparable: major bump only.
    case majorBumpRequired(new: String, previous: String, added: Int, removed: Int)
    /// A name or path would land outside the split directory.
    case unsafePath(String)
    case notASplit(String)
    case badDate(String)
    case badNotes(String)
    case badLicense(String)
    /// A partition is empty, or a quota unmet, and the split was not accepted as short.
    case unusable(String)
    /// Split files differ from the SHA-256 its manifest recorded: one line per file.
    case splitChanged([String])
    /// The audit found leaks of enforced rules, and `--allow-leaks` was not given.
    case leaking(count: Int, summary: String)
    /// A `--against` file the split's audit used cannot be read now, so the audit cannot be repeated.
    case againstUnavailable(String)
    /// Reading or writing a file or folder failed (permission denied, disk full): exit 4.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidVersion(v):
            "--version \(v) is not semantic versioning MAJOR.MINOR.PATCH (e.g. 1.0.0)"
        case let .versionExists(path):
            "\(path) already exists: releases are immutable; publish a new version instead"
        case let .versionNotNewer(new, latest):
            "version \(new) is not newer than the latest release \(latest); choose a version after \(latest)"
        case let .majorBumpRequired(new, previous, added, removed):
            "evaluation membership changed since \(previous) (\(added) evaluation item(s) added, \(removed) removed): "
                + "scores are not comparable, so only a major bump is accepted — use \(Self.nextMajor(previous)) instead of \(new)"
        case let .unsafePath(path):
            "\(path): refused — release names and paths must stay inside the split directory (no '..', no absolute paths)"
        case let .notASplit(path):
            "\(path) is not a split directory (expected train.jsonl, dev.jsonl, test.jsonl, spec.yaml, manifest.json); run `heldout build SPEC.yaml` first"
        case let .badDate(d):
            "\(d) is not a date YYYY-MM-DD (from --date or SOURCE_DATE_EPOCH)"
        case let .badLicense(l):
            "--license \(l) is not an SPDX identifier (e.g. CC-BY-4.0, MIT)"
        case let .badNotes(path):
            "--notes \(path) cannot be read as UTF-8 text"
        case let .splitChanged(lines):
            "not published: the split's files are not the ones it was built with\n  " + lines.joined(separator: "\n  ")
        case let .leaking(count, summary):
            "not published: the audit finds \(count) leak(s) of enforced rules (including the split's recorded --against files)\n"
                + summary + "\nFix the split, or publish the known leak with --allow-leaks (the card then says so at the top, and verify reports it)"
        case let .againstUnavailable(path):
            "not published: \(path) was checked with `heldout audit --against` for this split and cannot be read now, so that audit cannot be repeated; restore it, or audit the split again without it"
        case let .io(path, reason):
            "\(path): \(reason)"
        case let .unusable(why):
            "not published: \(why). Build the split again so that its quotas are met, or accept it as short (`partitions.allow_short: true` or `heldout split --allow-short`), and the card will say so"
        }
    }

    static func nextMajor(_ version: String) -> String {
        guard let v = ReleaseVersion(version) else { return "a new major version" }
        return ReleaseVersion(major: v.major + 1, minor: 0, patch: 0).description
    }

    public var exitStatus: Int32 { heldoutError.exitStatus }
    public var userMessage: String { heldoutError.userMessage }

    /// The exit status DESIGN fixes for this failure.
    public var heldoutError: HeldoutError {
        switch self {
        case .invalidVersion, .versionExists, .versionNotNewer, .majorBumpRequired, .unsafePath, .badDate, .badLicense:
            .usage(description)
        case let .notASplit(path): .badInput(SourceLocation(file: path), description)
        case .unusable, .splitChanged, .leaking, .againstUnavailable: .checkFailed(description)
        case .io: .store(description)
        case let .badNotes(path): .badInput(SourceLocation(file: path), description)
        }
    }
}
