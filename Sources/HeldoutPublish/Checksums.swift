import Foundation
import HeldoutCore

/// `SHA256SUMS` in the format `sha256sum -c` reads: `HEX␠␠PATH`, sorted by path, paths
/// relative to the release directory.
public struct Checksums: Sendable, Equatable {
    public var entries: [String: String]

    public init(entries: [String: String]) { self.entries = entries }

    public var text: String {
        entries.sorted(by: { $0.key < $1.key }).map { "\($0.value)  \($0.key)\n" }.joined()
    }

    /// Parses the file; a line that is not `HEX  PATH` with a safe relative path is bad input,
    /// so a tampered list cannot make verify read outside the release.
    public static func parse(_ text: String, file: String) throws -> Checksums {
        var entries: [String: String] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy(\.isHexDigit), parts[1].hasPrefix(" ") || parts[1].hasPrefix("*") else {
                throw HeldoutError.badInput(SourceLocation(file: file, line: n + 1), "not a `sha256sum` line (64 hex digits, two spaces, a path)")
            }
            let path = String(parts[1].dropFirst())
            do { try SafePath.check(path) } catch {
                throw HeldoutError.badInput(SourceLocation(file: file, line: n + 1), "\(path): not a path inside the release")
            }
            entries[path] = parts[0].lowercased()
        }
        return Checksums(entries: entries)
    }

    /// Every regular file under `directory`, relative, sorted; hidden files are skipped. With
    /// `includingDirectories`, folders are listed too, with a trailing `/`.
    public static func listFiles(in directory: URL, includingDirectories: Bool = false) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        func walk(_ url: URL, _ prefix: String) throws {
            for name in try fm.contentsOfDirectory(atPath: url.path).sorted() where !name.hasPrefix(".") {
                let child = url.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: child.path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    if includingDirectories { out.append(prefix + name + "/") }
                    try walk(child, prefix + name + "/")
                } else {
                    out.append(prefix + name)
                }
            }
        }
        try walk(directory, "")
        return out
    }
}

/// `heldout verify`'s first half: every file listed is present with the listed hash, and no
/// file is present that is not listed.
public enum ReleaseVerifier {
    public static let checksumsFile = "SHA256SUMS"

    /// Problems found, one line each; empty when every byte matches.
    public static func differences(in release: URL) throws -> [String] {
        let sumsPath = release.appendingPathComponent(checksumsFile).path
        guard let data = FileManager.default.contents(atPath: sumsPath) else {
            throw HeldoutError.badInput(SourceLocation(file: sumsPath), "no SHA256SUMS: not a heldout release directory")
        }
        let sums = try Checksums.parse(String(decoding: data, as: UTF8.self), file: sumsPath)
        var problems: [String] = []
        for (path, expected) in sums.entries.sorted(by: { $0.key < $1.key }) {
            let url = try SafePath.join(release, path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                problems.append("\(path): missing (listed in SHA256SUMS)")
                continue
            }
            let actual = try FileDigest.sha256(ofFile: url.path).hex
            if actual != expected { problems.append("\(path): SHA-256 \(actual), SHA256SUMS says \(expected)") }
        }
        for path in try Checksums.listFiles(in: release) where path != checksumsFile && sums.entries[path] == nil {
            problems.append("\(path): not listed in SHA256SUMS")
        }
        return problems
    }
}
