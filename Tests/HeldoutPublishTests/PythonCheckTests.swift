import Foundation
import Testing
@testable import HeldoutPublish

/// The ecosystem check: a published release loads with `datasets` and its `croissant.json`
/// validates with `mlcroissant`. Developers without those packages are not blocked; CI sets
/// HELDOUT_REQUIRE_PYTHON_CHECK=1 so a missing install there is a failure, not a silent skip.
@Suite("HeldoutPublishTests python")
struct PythonCheckTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("python/check_release.py")

    static func python(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let available = (try? python(["-c", "import datasets, mlcroissant"]).status) == 0
    static let required = ProcessInfo.processInfo.environment["HELDOUT_REQUIRE_PYTHON_CHECK"] == "1"

    /// Shown as skipped (not passed) where the packages are missing and nobody requires them.
    @Test("datasets.load_dataset reads a release and mlcroissant validates its croissant.json",
          .enabled(if: available || required, "python3 lacks datasets/mlcroissant (pip install datasets mlcroissant)"))
    func loadsInPython() throws {
        guard Self.available else {
            Issue.record("python3 with datasets and mlcroissant is required (HELDOUT_REQUIRE_PYTHON_CHECK=1): pip install datasets mlcroissant")
            return
        }
        let f = try SplitFixture()
        try f.standard()
        try f.write(train: [("c1", "tone"), ("c2", "definition")], dev: [("d1", "tone")], test: [("t1", "tone")],
                    directory: f.root.appendingPathComponent("splits/demo-comparison"), name: "demo-comparison")
        let release = try f.publish("1.0.0")
        let cache = f.root.appendingPathComponent("hf-cache").path
        let result = try Self.python([Self.script.path, release.path], environment: ["HF_HOME": cache, "HF_DATASETS_CACHE": cache])
        #expect(result.status == 0, "\(result.output)")
    }

    /// Issue 14: two releases named `v1.0.0` (of two splits) loaded one after the other into one
    /// cache directory; each must load its own rows. With a `default` config both shared one
    /// cache entry and the second load returned the first's rows.
    @Test("two releases loaded into one cache directory each load their own rows",
          .enabled(if: available || required, "python3 lacks datasets/mlcroissant (pip install datasets mlcroissant)"))
    func twoReleasesOneCache() throws {
        guard Self.available else {
            Issue.record("python3 with datasets and mlcroissant is required (HELDOUT_REQUIRE_PYTHON_CHECK=1): pip install datasets mlcroissant")
            return
        }
        let a = try SplitFixture()
        try a.standard()
        let b = try SplitFixture()
        try b.write(train: [("b1", "definition"), ("b2", "definition"), ("b3", "tone"), ("b4", "tone"), ("b5", "tone")],
                    dev: [("e1", "tone"), ("e2", "definition")], test: [("u1", "tone"), ("u2", "tone"), ("u3", "definition")], name: "by-domain")
        let releases = [try a.publish("1.0.0"), try b.publish("1.0.0")]
        #expect(releases[0].lastPathComponent == releases[1].lastPathComponent)
        let cache = a.root.appendingPathComponent("hf-cache").path
        for release in releases {
            // check_release.py compares each split's rows with the release's own files.
            let result = try Self.python([Self.script.path, release.path], environment: ["HF_HOME": cache, "HF_DATASETS_CACHE": cache])
            #expect(result.status == 0, "\(release.path): \(result.output)")
        }
    }
}
