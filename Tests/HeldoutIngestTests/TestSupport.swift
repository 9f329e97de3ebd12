import Foundation
import Testing
import HeldoutCore
@testable import HeldoutIngest

/// Collects what a reader hands out, to look at a reader's output without a store.
final class CollectingSink: UnitSink {
    var units: [CorpusUnit] = []
    var skipped: [String: Int] = [:]
    var progressReports: [Int64] = []

    func add(_ unit: CorpusUnit) throws { units.append(unit) }
    func skip(_ reason: String, count: Int) { skipped[reason, default: 0] += count }
    func progress(bytesRead: Int64) { progressReports.append(bytesRead) }

    var texts: [String] { units.flatMap { $0.texts.map(\.text) } }
    var lastBytesRead: Int64 { progressReports.last ?? 0 }
}

/// Runs `body`, expects ``HeldoutError/badInput(_:_:)`` on one line, and returns its location
/// and message.
@discardableResult
func expectBadInput(sourceLocation: Testing.SourceLocation = #_sourceLocation,
                    _ body: () throws -> Void) -> (location: HeldoutCore.SourceLocation, message: String)? {
    do {
        try body()
        Issue.record("expected bad input; nothing was thrown", sourceLocation: sourceLocation)
    } catch let HeldoutError.badInput(location, message) {
        #expect(!message.contains("\n"), "messages are one line: \(message)", sourceLocation: sourceLocation)
        return (location, message)
    } catch {
        Issue.record("expected bad input; got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
