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
