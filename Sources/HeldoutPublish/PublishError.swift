import Foundation
import HeldoutCore

/// Why a release could not be published, verified or rebuilt. Each case says what to do next;
/// ``heldoutError`` maps it onto DESIGN's exit statuses (2 usage, 3 bad input, 1 check failed).
public enum PublishError: Error, Sendable, Equatable, CustomStringConvertible {
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
        case let .unusable(why):
            "not published: \(why). Build the split again so that its quotas are met, or accept it as short (`partitions.allow_short: true` or `heldout split --allow-short`), and the card will say so"
        }
    }

    static func nextMajor(_ version: String) -> String {
        guard let v = ReleaseVersion(version) else { return "a new major version" }
        return ReleaseVersion(major: v.major + 1, minor: 0, patch: 0).description
    }

    /// The exit status DESIGN fixes for this failure.
    public var heldoutError: HeldoutError {
        switch self {
        case .invalidVersion, .versionExists, .versionNotNewer, .majorBumpRequired, .unsafePath, .badDate, .badLicense:
            .usage(description)
        case let .notASplit(path): .badInput(SourceLocation(file: path), description)
        case .unusable: .checkFailed(description)
        case let .badNotes(path): .badInput(SourceLocation(file: path), description)
        }
    }
}
