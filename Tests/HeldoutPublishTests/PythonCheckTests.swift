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
}
