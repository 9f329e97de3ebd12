import Foundation
import HeldoutCore
import Testing

/// Issue 14: the bytes heldout writes are guarded against a dependency or toolchain update
/// (a float spelled differently, a key order changed). The SHA-256 of every file of the demo
/// split, its siblings and its release v1.0.0 is committed in `Tests/golden/demo.sha256`; any
/// change fails here, naming the files.
///
/// A change on purpose: regenerate the sums with
///
///     HELDOUT_UPDATE_GOLDEN=1 swift test --skip-build --filter GoldenOutputTests
///
/// review the diff of `Tests/golden/demo.sha256`, and bump the output format version the
/// manifest or `release.json` records (`ReleaseRecord.currentFormat`).
@Suite("golden output", .serialized)
struct GoldenOutputTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("golden/demo.sha256")

    /// `HEX  PATH` for every file under `splits/` except the spec (an input), sorted by path.
    static func sums(in root: URL) throws -> [String: String] {
        let fm = FileManager.default
        var out: [String: String] = [:]
        let base = root.appendingPathComponent("splits")
        guard let walker = fm.enumerator(atPath: base.path) else { return out }
        for case let relative as String in walker {
            let url = base.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue, relative != "demo.yaml" else { continue }
            out["splits/" + relative] = try FileDigest.sha256(ofFile: url.path).hex
        }
        return out
    }

    static func text(_ sums: [String: String]) -> String {
        sums.sorted { $0.key < $1.key }.map { "\($0.value)  \($0.key)\n" }.joined()
    }

    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { out[String(parts[1].drop { $0 == " " })] = String(parts[0]) }
        }
        return out
    }

    @Test("every byte of the demo split and its release matches the committed SHA-256")
    func demo() throws {
        let w = try BuildTests().demoWorkspace()
        defer { _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+w", w.url.path]).waitUntilExit() }
        let built = try w.run("build", "splits/demo.yaml")
        try #require(built.status == 0, "\(built.stderr)")
        let published = try w.run("publish", "splits/demo", "--version", "1.0.0", "--date", "2026-01-02")
        try #require(published.status == 0, "\(published.stderr)")
        let actual = try Self.sums(in: w.url)
        #expect(actual.keys.contains("splits/demo/releases/v1.0.0/release.json"))

        if ProcessInfo.processInfo.environment["HELDOUT_UPDATE_GOLDEN"] == "1" {
            try Data(Self.text(actual).utf8).write(to: Self.golden)
            print("golden output: wrote \(actual.count) sums to \(Self.golden.path); review its diff and bump the output format version")
            return
        }
        let expected = Self.parse(try String(contentsOf: Self.golden, encoding: .utf8))
        try #require(!expected.isEmpty, "\(Self.golden.path) is empty")
        var differences: [String] = []
        for path in Set(expected.keys).union(actual.keys).sorted() {
            switch (expected[path], actual[path]) {
            case (nil, _?): differences.append("\(path): new file, not in the golden sums")
            case (_?, nil): differences.append("\(path): no longer written")
            case let (e?, a?) where e != a: differences.append("\(path): SHA-256 \(a), golden \(e)")
            default: break
            }
        }
        #expect(differences.isEmpty, """
            the demo's output bytes changed:
              \(differences.joined(separator: "\n  "))
            If this is on purpose, run `HELDOUT_UPDATE_GOLDEN=1 swift test --skip-build --filter GoldenOutputTests`, \
            review the diff of Tests/golden/demo.sha256, and bump the output format version.
            """)
    }
}
