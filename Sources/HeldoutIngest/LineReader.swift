import Foundation
import HeldoutCore

/// Reads a text file line by line in constant memory, and refuses what is not UTF-8 text with
/// the line and column of the first bad byte.
///
/// Accepts LF and CRLF line ends; a UTF-8 byte-order mark at the start is skipped (spreadsheet
/// exports write one). UTF-16 (a UTF-16 BOM, or NUL bytes) is refused with the command that
/// converts it. Lines longer than ``maxLineBytes`` are refused: in a sentence corpus they are
/// a wrong format or a broken file, and keeping them would make memory unbounded.
public final class LineReader {
    public struct Line {
        /// The line without its end (`\n` or `\r\n`).
        public var text: String
        /// 1-based.
        public var number: Int
        /// Offset of the line's first byte in the file.
        public var byteOffset: Int64
    }

    public let path: String
    public let maxLineBytes: Int
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var lineNumber = 0
    private var consumed: Int64 = 0
    public private(set) var bytesRead: Int64 = 0

    public static let defaultMaxLineBytes = 1 << 20

    public init(path: String, maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        self.path = path
        self.maxLineBytes = maxLineBytes
        self.handle = handle
        try fill()
        try checkEncoding()
    }

    deinit { try? handle.close() }

    /// Is the file empty (no bytes, or only a byte-order mark)?
    public var isEmpty: Bool { eof && start >= buffer.count && lineNumber == 0 }

    public func next() throws -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                return try emit(upTo: newline, consumedThrough: newline + 1)
            }
            if buffer.count - start > maxLineBytes {
                throw HeldoutError.badInput(SourceLocation(file: path, line: lineNumber + 1, column: 1),
                                            "line is longer than \(maxLineBytes / 1024) KiB; this is not a sentence file, or its line ends are not LF/CRLF")
            }
            if eof {
                guard start < buffer.count else { return nil }
                return try emit(upTo: buffer.count, consumedThrough: buffer.count)
            }
            try fill()
        }
    }

    private func emit(upTo end: Int, consumedThrough next: Int) throws -> Line {
        lineNumber += 1
        var stop = end
        if stop > start, buffer[stop - 1] == 0x0D { stop -= 1 }
        if stop - start > maxLineBytes {
            throw HeldoutError.badInput(SourceLocation(file: path, line: lineNumber, column: 1),
                                        "line is longer than \(maxLineBytes / 1024) KiB; this is not a sentence file, or its line ends are not LF/CRLF")
        }
        let bytes = buffer[start..<stop]
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw invalidUTF8(in: bytes)
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw HeldoutError.badInput(SourceLocation(file: path, line: lineNumber, column: nul - start + 1),
                                        "NUL byte in text; is this file UTF-16 or binary? (convert with: iconv -f UTF-16 -t UTF-8)")
        }
        let line = Line(text: text, number: lineNumber, byteOffset: consumed + Int64(start))
        start = next
        return line
    }

    private func invalidUTF8(in bytes: ArraySlice<UInt8>) -> HeldoutError {
        // Find the first byte that does not start a valid sequence; report it as a column.
        var index = bytes.startIndex
        var column = 1
        while index < bytes.endIndex {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: length = 0
            }
            if length == 0 || index + length > bytes.endIndex
                || String(validating: bytes[index..<(index + length)], as: UTF8.self) == nil {
                break
            }
            index += length
            column += 1
        }
        let byte = index < bytes.endIndex ? String(format: "0x%02X", bytes[index]) : "end of line"
        return .badInput(SourceLocation(file: path, line: lineNumber, column: column),
                         "invalid UTF-8 (byte \(byte)); convert the file to UTF-8, e.g. iconv -f LATIN1 -t UTF-8")
    }

    private func fill() throws {
        if start > 0 {
            consumed += Int64(start)
            buffer.removeFirst(start)
            start = 0
        }
        let block = try handle.read(upToCount: 1 << 20) ?? Data()
        if block.isEmpty {
            eof = true
        } else {
            bytesRead += Int64(block.count)
            buffer.append(contentsOf: block)
        }
    }

    private func checkEncoding() throws {
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
            start = 3
        } else if buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) {
            throw HeldoutError.badInput(SourceLocation(file: path, byteOffset: 0),
                                        "file is UTF-16 (byte-order mark); convert it: iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8")
        }
    }
}
