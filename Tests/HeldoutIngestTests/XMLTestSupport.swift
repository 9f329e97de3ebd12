import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest

extension CorpusUnit {
    /// Text by language tag, for exact comparisons.
    var byLanguage: [String: String] {
        Dictionary(texts.map { ($0.lang.value, $0.text) }, uniquingKeysWith: { a, b in a + " | " + b })
    }
}

enum XMLFixtures {
    /// `Tests/HeldoutIngestTests/Fixtures/xml`, found from this file so that the tests need
    /// no resource bundle.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/xml")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// A fresh directory for files a test writes, removed by `cleanUp()`.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` as UTF-8 and returns the file's path.
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }

    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

/// Reads `path` with the reader for `format` into a fresh collecting sink.
func readXML(_ format: CorpusFormat, _ path: String, options: IngestOptions = IngestOptions()) throws -> CollectingSink {
    let sink = CollectingSink()
    try format.makeReader(files: [path], options: options).read(into: sink)
    return sink
}

func xmlOptions(pair: String? = nil, skipInvalid: Bool = false) -> IngestOptions {
    var options = IngestOptions()
    options.pair = pair.flatMap(DirectedPair.init)
    options.skipInvalid = skipInvalid
    return options
}

/// Runs `body` on a new thread and waits for it, rethrowing what it threw: for behaviour that
/// depends on what a thread has already set up (libxml2 keeps its error handler per thread).
func onFreshThread(_ body: @escaping @Sendable () throws -> Void) throws {
    final class Outcome: @unchecked Sendable {
        var error: (any Error)?
        let done = DispatchSemaphore(value: 0)
    }
    let outcome = Outcome()
    Thread {
        do { try body() } catch { outcome.error = error }
        outcome.done.signal()
    }.start()
    outcome.done.wait()
    if let error = outcome.error { throw error }
}
