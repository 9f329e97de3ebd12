import Foundation
import HeldoutCore

/// Output for people on stderr, results on stdout.
enum Console {
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func json<T: Encodable>(_ value: T) throws {
        out(try CanonicalJSON.string(value))
    }
}

/// JSON Lines on stdout for commands that stream many records (`segments`, `items`): one
/// encoder for all of them, and one write per 64 KB instead of one per line. What is buffered
/// is written when the stream ends, however it ends.
final class JSONLinesOutput {
    private let encoder = CanonicalJSON.Encoder()
    private var buffer = Data()

    init() { buffer.reserveCapacity(1 << 17) }

    deinit { flush() }

    func write<T: Encodable>(_ value: T) throws {
        buffer.append(try encoder.data(value))
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A one-line progress report on stderr (units/s, bytes read, ETA), redrawn at most every
/// half second, and only when stderr is a terminal: logs and pipes get no control characters.
final class ProgressLine {
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let enabled: Bool

    init(_ label: String, enabled: Bool = Console.stderrIsTerminal) {
        self.label = label
        self.enabled = enabled
    }

    func update(bytesRead: Int64, totalBytes: Int64, units: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.5 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(units) / elapsed
        let fraction = totalBytes > 0 ? Double(bytesRead) / Double(totalBytes) : 0
        let eta = fraction > 0.01 ? elapsed * (1 - fraction) / fraction : nil
        var line = "\(label): \(units) units, \(Int(rate)) units/s, \(bytesRead / 1_048_576)/\(totalBytes / 1_048_576) MB"
        if let eta { line += ", ETA \(Int(eta.rounded())) s" }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
