import Foundation
import HeldoutCore

/// Lines of a file, handed out in chunks of contiguous bytes so that several threads can parse
/// while one reads. Memory is one read block plus the chunks in flight, whatever the file size.
///
/// Line numbers are 1-based. A trailing `\r` (CRLF files) and a UTF-8 byte-order mark at the
/// start of the file are dropped.
final class LineChunkReader {
    struct Chunk: Sendable {
        var bytes: [UInt8]
        /// Byte ranges of the lines in `bytes`, without the line break.
        var lines: [Range<Int>]
        var firstLine: Int

        func withLine<T>(_ k: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
            try bytes.withUnsafeBufferPointer { all in
                try body(UnsafeBufferPointer(rebasing: all[lines[k]]))
            }
        }
    }

    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var block = [UInt8](repeating: 0, count: LineChunkReader.blockSize)
    private var position = 0
    private var atEOF = false
    private var nextLine = 1
    private var first = true
    private static let blockSize = 4 << 20

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
    }

    deinit { close(fd) }

    /// The next at most `maxLines` lines, or `nil` at the end of the file.
    func next(maxLines: Int = 2048) throws -> Chunk? {
        var out = Chunk(bytes: [], lines: [], firstLine: nextLine)
        out.bytes.reserveCapacity(maxLines * 256)
        while out.lines.count < maxLines {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                append(buffer[position..<newline], to: &out)
                position = newline + 1
                continue
            }
            if atEOF {
                if position < buffer.count {
                    append(buffer[position...], to: &out)
                    position = buffer.count
                }
                break
            }
            try fill()
        }
        return out.lines.isEmpty ? nil : out
    }

    private func append(_ line: ArraySlice<UInt8>, to chunk: inout Chunk) {
        var line = line
        if first {
            first = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        }
        if line.last == 0x0D { line = line.dropLast() }
        let start = chunk.bytes.count
        chunk.bytes.append(contentsOf: line)
        chunk.lines.append(start..<chunk.bytes.count)
        nextLine += 1
    }

    private func fill() throws {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let n = block.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return -1 }
            return read(fd, base, raw.count)
        }
        if n < 0 {
            throw HeldoutError.badInput(SourceLocation(file: path), "read failed: \(String(cString: strerror(errno)))")
        }
        if n == 0 { atEOF = true }
        buffer.append(contentsOf: block[0..<n])
    }
}
