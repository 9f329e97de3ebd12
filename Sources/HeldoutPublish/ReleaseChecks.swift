import Foundation
import HeldoutCore

/// A `--against` input of the split's audit (as `audit.json` records it), with its SHA-256 when
/// publish read it, so `verify` can tell the same file from a changed or missing one.
public struct AgainstInput: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// What the independent audit found. The publish module never sees the audit module (the command
/// line plugs it in), so the audit hands back its verdict and its two report files.
public struct AuditOutcome: Sendable {
    public var enforcedLeaks: Int
    /// The human summary (leaks named by rule and record), printed when publish refuses.
    public var summary: String
    /// `audit.json` and `audit.html` of this run, shipped in the release.
    public var json: Data
    public var html: Data

    public init(enforcedLeaks: Int, summary: String, json: Data, html: Data) {
        self.enforcedLeaks = enforcedLeaks
        self.summary = summary
        self.json = json
        self.html = html
    }
}

/// Runs the audit on a split or release directory with these `--against` files.
public typealias AuditRunner = @Sendable (_ directory: URL, _ against: [String]) throws -> AuditOutcome

/// The checks `publish` makes before it writes, and that `verify` makes again on a release:
/// one place, so the two can never check different things.
public enum ReleaseChecks {
    /// Mode of every file of a release: nobody, not even its owner, rewrites a citable release.
    public static let fileMode: Int = 0o444
    /// Mode of its folders: no file can be added, removed or renamed.
    public static let directoryMode: Int = 0o555

    /// Split files whose bytes no longer match the SHA-256 the manifest recorded when the split
    /// was written (`outputs`), one line each; a data file the manifest records no digest for is
    /// a problem too, since nothing would then vouch for it.
    public static func outputProblems(in directory: URL, label: String = "") throws -> [String] {
        guard let manifest = Publisher.readManifest(directory) else {
            return ["\(label)manifest.json: missing or not JSON"]
        }
        let outputs = manifest.outputs ?? [:]
        var problems: [String] = []
        for (file, _) in SplitContents.dataFiles where outputs[file] == nil {
            problems.append("\(label)\(file): manifest.json records no SHA-256 for it (`outputs`); build the split again")
        }
        for (file, expected) in outputs.sorted(by: { $0.key < $1.key }) {
            let url = try SafePath.join(directory, file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                problems.append("\(label)\(file): missing (manifest.json records it)")
                continue
            }
            let actual = try FileDigest.sha256(ofFile: url.path).hex
            if actual != expected {
                problems.append("\(label)\(file): SHA-256 \(actual), but manifest.json recorded \(expected) when the split was written; the file was changed after the split — build it again")
            }
        }
        return problems
    }

    /// The `--against` files of the split's last audit, as `audit.json` names them.
    public static func recordedAgainst(in directory: URL) -> [String] {
        guard let inputs = Publisher.readJSON(directory.appendingPathComponent("audit.json"))?["inputs"] as? [[String: Any]] else { return [] }
        return inputs.filter { $0["side"] as? String == "against" }.compactMap { $0["file"] as? String }
    }

    /// Data files (`train.jsonl`, `dev.jsonl`, `test.jsonl`, in that order) that are empty or
    /// missing: a release loads as train/dev/test, so each must hold something (unless the split
    /// was accepted as short, which the callers check).
    public static func emptyDataFiles(in directory: URL) -> [String] {
        SplitContents.dataFiles.map(\.file).filter { file in
            ((try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(file).path)[.size] as? Int) ?? 0) == 0
        }
    }

    /// Columns with no record in dev or test: a score on them would be computed over nothing.
    /// Columns are the manifest's (`evaluation_roles`, else `roles`); per-partition shares are
    /// the quotas' business.
    public static func emptyEvaluationColumns(contents: SplitContents, manifest: SplitManifest?) -> [String] {
        let roles = manifest?.evaluationRoles ?? manifest?.roles ?? [:]
        return roles.keys.sorted().filter { column in
            ["dev", "test"].allSatisfy { (contents.byPartitionColumn[$0]?[column] ?? 0) == 0 }
        }.map { "column \($0) has no item in dev.jsonl or test.jsonl" }
    }

    /// Makes a release read-only: files 0444, folders 0555 (the release folder last, so the
    /// walk can still read what it is changing).
    public static func seal(_ release: URL) throws {
        var directories: [URL] = [release]
        for relative in try Checksums.listFiles(in: release, includingDirectories: true) {
            let url = release.appendingPathComponent(relative)
            if relative.hasSuffix("/") {
                directories.append(url)
            } else {
                try setMode(fileMode, url)
            }
        }
        for directory in directories.reversed() { try setMode(directoryMode, directory) }
    }

    /// Files and folders of a release whose mode is not the one publish set, one line each.
    public static func modeProblems(in release: URL) throws -> [String] {
        var problems: [String] = []
        func check(_ url: URL, _ name: String, _ expected: Int) throws {
            let mode = try (FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? -1
            if mode & 0o7777 != expected {
                problems.append("\(name): mode \(octal(mode & 0o7777)), published \(octal(expected)) (read-only); a release is never edited")
            }
        }
        try check(release, ".", directoryMode)
        for relative in try Checksums.listFiles(in: release, includingDirectories: true) {
            let isDirectory = relative.hasSuffix("/")
            try check(release.appendingPathComponent(relative), isDirectory ? String(relative.dropLast()) : relative,
                      isDirectory ? directoryMode : fileMode)
        }
        return problems
    }

    static func octal(_ mode: Int) -> String { "0" + String(mode, radix: 8) }

    static func setMode(_ mode: Int, _ url: URL) throws {
        do {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        } catch {
            throw PublishError.io(path: url.path, reason: "cannot set mode \(octal(mode)): \(error.localizedDescription)")
        }
    }
}
