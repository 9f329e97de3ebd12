import Foundation

/// A release's version, `MAJOR.MINOR.PATCH` (semantic versioning 2.0 core, no pre-release or
/// build suffix): a cited dataset version must order unambiguously, and the major number is the
/// one promise readers rely on — evaluation membership only changes with it.
public struct ReleaseVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `X.Y.Z`, or the directory form `vX.Y.Z`. Leading zeros are refused (semver §2),
    /// so `1.01.0` and `1.1.0` can never name two different directories for one version.
    public init?(_ text: String) {
        let body = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || !part.hasPrefix("0"), let n = Int(part) else { return nil }
            numbers.append(n)
        }
        self.init(major: numbers[0], minor: numbers[1], patch: numbers[2])
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    /// The release directory's name, `vX.Y.Z`.
    public var directoryName: String { "v\(description)" }

    public static func < (l: ReleaseVersion, r: ReleaseVersion) -> Bool {
        (l.major, l.minor, l.patch) < (r.major, r.minor, r.patch)
    }
}
