import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest

/// Collects what a reader yields, to look at a reader's output without a store.
final class CollectingSink: UnitSink {
    var units: [CorpusUnit] = []
    var skipped: [String: Int] = [:]
    var lastBytesRead: Int64 = 0

    func add(_ unit: CorpusUnit) throws { units.append(unit) }
    func skip(_ reason: String, count: Int) { skipped[reason, default: 0] += count }
    func progress(bytesRead: Int64) { lastBytesRead = bytesRead }
}

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

/// Runs `body`, expects ``HeldoutError/badInput(_:_:)`` and returns its location and message.
func expectBadInput(_ body: () throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation)
    -> (location: HeldoutCore.SourceLocation, message: String)? {
    do {
        try body()
        Issue.record("expected bad input, but it was read", sourceLocation: sourceLocation)
    } catch let HeldoutError.badInput(location, message) {
        #expect(!message.contains("\n"), "messages are one line: \(message)", sourceLocation: sourceLocation)
        return (location, message)
    } catch {
        Issue.record("expected bad input, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func options(pair: String? = nil, skipInvalid: Bool = false) -> IngestOptions {
    var options = IngestOptions()
    options.pair = pair.flatMap(DirectedPair.init)
    options.skipInvalid = skipInvalid
    return options
}
