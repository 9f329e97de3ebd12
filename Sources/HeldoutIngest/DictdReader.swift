import CZlib
import Foundation
import HeldoutCore

/// A FreeDict dictionary in dictd format: `NAME.index` (`headword<TAB>offset<TAB>length`, numbers in
/// dictd's base 64) and `NAME.dict`, or `NAME.dict.dz` (dictzip: gzip cut into chunks that inflate
/// one by one, so an entry is read without inflating the file before it).
///
/// Streams: one index line at a time, and at most one inflated chunk (≤ 64 KB) is kept. An entry's
/// text is `headword /pron/ <pos>` then its senses, numbered (`1. deck` `2. bridge`) or one per line.
/// The `00database…` entries (the dictionary's own description) are skipped.
public struct DictdReader: CorpusReader {
    public let files: [String]
    let options: IngestOptions
    let languages: (source: String, target: String)

    public init(files: [String], options: IngestOptions) throws {
        guard files.count == 2 else {
            throw HeldoutError.usage("a dictd dictionary is an .index file and its .dict or .dict.dz")
        }
        self.files = files
        self.options = options
        languages = try DictionaryLanguages.resolve(options, path: files[0])
    }

    /// Pairs each `.index` with its `.dict.dz` or `.dict` (given, or found beside it); a `.dict`
    /// given alone is paired with the `.index` beside it.
    static func group(_ files: [String]) throws -> [[String]] {
        var out: [[String]] = []
        var seen: Set<String> = []
        for file in files {
            let stem: String
            if file.hasSuffix(".index") { stem = String(file.dropLast(6)) }
            else if file.hasSuffix(".dict.dz") { stem = String(file.dropLast(8)) }
            else if file.hasSuffix(".dict") { stem = String(file.dropLast(5)) }
            else { throw HeldoutError.usage("\(file): a dictd dictionary is NAME.index with NAME.dict or NAME.dict.dz") }
            guard seen.insert(stem).inserted else { continue }
            let index = stem + ".index"
            let dict = [stem + ".dict.dz", stem + ".dict"].first { files.contains($0) }
                ?? [stem + ".dict.dz", stem + ".dict"].first { FileManager.default.isReadableFile(atPath: $0) }
            guard FileManager.default.isReadableFile(atPath: index) else {
                throw HeldoutError.badInput(SourceLocation(file: index), "the dictionary's index is missing or unreadable")
            }
            guard let dict else {
                throw HeldoutError.badInput(SourceLocation(file: stem + ".dict.dz"), "the dictionary's .dict.dz (or .dict) is missing beside \(index)")
            }
            out.append([index, dict])
        }
        return out
    }

    public func read(into sink: UnitSink) throws {
        let index = try LineReader(path: files[0], maxLineBytes: options.maxLineBytes)
        let data: DictData = files[1].hasSuffix(".dz") ? try DictzipFile(path: files[1]) : try PlainDictFile(path: files[1])
        while let line = try index.next() {
            if line.text.isEmpty { continue }
            let columns = line.text.split(separator: "\t", omittingEmptySubsequences: false)
            let location = SourceLocation(file: files[0], line: line.number, column: 1)
            guard columns.count >= 3, let offset = Self.base64(columns[1]), let length = Self.base64(columns[2]) else {
                if options.skipInvalid { sink.skip("invalid"); continue }
                throw HeldoutError.badInput(location, "expected headword<TAB>offset<TAB>length with dictd base-64 numbers")
            }
            let headword = String(columns[0])
            if headword.hasPrefix("00database") || headword.hasPrefix("00-database") { continue }
            // The numbers come from the file: an entry is held in memory, so its length is held
            // to the line limit (found by fuzzing: a length of 2^53 was allocated at once).
            guard length <= options.maxLineBytes, !offset.addingReportingOverflow(length).overflow else {
                if options.skipInvalid { sink.skip("invalid"); continue }
                throw HeldoutError.badInput(location, "entry \(headword) claims \(length) bytes at offset \(offset); an entry is at most \(SegmentLimit.describe(options.maxLineBytes)) (four times --max-segment-bytes)")
            }
            let bytes = try data.read(offset: offset, length: length)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw HeldoutError.badInput(SourceLocation(file: files[1], byteOffset: offset), "entry \(headword) is not UTF-8")
            }
            guard let entry = Self.parseEntry(text, headword: headword, languages: languages) else {
                sink.skip("no sense")
                continue
            }
            var located = entry
            located.location = location
            try sink.addEntry(located)
            sink.progress(bytesRead: index.bytesRead)
        }
    }

    /// dictd numbers: base 64 over `A–Z a–z 0–9 + /`, most significant digit first.
    static func base64<S: StringProtocol>(_ raw: S) -> Int? {
        guard !raw.isEmpty else { return nil }
        var value = 0
        for byte in raw.utf8 {
            let digit: Int
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = Int(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): digit = 62
            case UInt8(ascii: "/"): digit = 63
            default: return nil
            }
            guard value < Int.max / 64 else { return nil }
            value = value * 64 + digit
        }
        return value
    }

    /// `défendre /defɑ̃dʀ/ <v>\ndefend\n` → headword, pos `v`, senses [`defend`];
    /// numbered lines (`1. deck`, `2. bridge`) are one sense each, continuation lines join the sense above.
    static func parseEntry(_ text: String, headword: String, languages: (source: String, target: String)) -> DictionaryEntry? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !lines.isEmpty else { return nil }
        let first = lines.removeFirst()
        var pos: String?
        if let open = first.lastIndex(of: "<"), let close = first.lastIndex(of: ">"), open < close {
            pos = String(first[first.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        var senses: [String] = []
        var numbered = false
        for line in lines where !line.isEmpty {
            if let dot = line.firstIndex(of: "."), line[..<dot].allSatisfy(\.isNumber), !line[..<dot].isEmpty {
                numbered = true
                senses.append(line[line.index(after: dot)...].trimmingCharacters(in: .whitespaces))
            } else if numbered, let last = senses.indices.last {
                senses[last] += " " + line
            } else {
                senses.append(line)
            }
        }
        senses = senses.filter { !$0.isEmpty }
        guard !senses.isEmpty else { return nil }
        return DictionaryEntry(headword: headword, pos: pos?.isEmpty == true ? nil : pos, senses: senses,
                               sourceLang: languages.source, targetLang: languages.target)
    }
}

/// Random access to a dictionary's text.
protocol DictData {
    func read(offset: Int, length: Int) throws -> [UInt8]
}

/// An uncompressed `.dict`.
final class PlainDictFile: DictData {
    let path: String
    private let handle: FileHandle

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        self.path = path
        self.handle = handle
    }

    deinit { try? handle.close() }

    func read(offset: Int, length: Int) throws -> [UInt8] {
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: length) ?? Data()
        guard data.count == length else {
            throw HeldoutError.badInput(SourceLocation(file: path, byteOffset: offset), "entry runs past the end of the file")
        }
        return [UInt8](data)
    }
}

/// A dictzip file: a gzip member whose header's `RA` extra field lists the compressed size of each
/// chunk of `chunkLength` uncompressed bytes; each chunk is flushed, so it inflates on its own.
final class DictzipFile: DictData {
    let path: String
    private let handle: FileHandle
    private let chunkLength: Int
    /// Where each chunk's compressed bytes start, and one past the last chunk's end.
    private var chunkStarts: [UInt64] = []
    private var cached: (index: Int, bytes: [UInt8])?

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        self.path = path
        self.handle = handle
        let header = [UInt8](try handle.read(upToCount: 1 << 16) ?? Data())
        func bad(_ why: String, _ at: Int) -> HeldoutError {
            .badInput(SourceLocation(file: path, byteOffset: at), why)
        }
        guard header.count >= 12, header[0] == 0x1F, header[1] == 0x8B, header[2] == 8 else {
            throw bad("not a gzip file (a .dict.dz is dictzip, a kind of gzip)", 0)
        }
        let flags = header[3]
        guard flags & 0x04 != 0 else {
            throw bad("gzip without dictzip's random-access field; decompress it (gunzip) and ingest the .dict", 3)
        }
        let xlen = Int(header[10]) | Int(header[11]) << 8
        var cursor = 12
        let extraEnd = cursor + xlen
        guard extraEnd <= header.count else { throw bad("truncated gzip header", cursor) }
        var chunkLength = 0
        var sizes: [Int] = []
        while cursor + 4 <= extraEnd {
            let si1 = header[cursor], si2 = header[cursor + 1]
            let length = Int(header[cursor + 2]) | Int(header[cursor + 3]) << 8
            let body = cursor + 4
            guard body + length <= extraEnd else { throw bad("malformed gzip extra field", cursor) }
            if si1 == UInt8(ascii: "R"), si2 == UInt8(ascii: "A"), length >= 6 {
                chunkLength = Int(header[body + 2]) | Int(header[body + 3]) << 8
                let count = Int(header[body + 4]) | Int(header[body + 5]) << 8
                guard length >= 6 + 2 * count else { throw bad("dictzip chunk table is truncated", body) }
                for i in 0..<count {
                    sizes.append(Int(header[body + 6 + 2 * i]) | Int(header[body + 7 + 2 * i]) << 8)
                }
            }
            cursor = body + length
        }
        guard chunkLength > 0, !sizes.isEmpty else {
            throw bad("gzip without dictzip's random-access field; decompress it (gunzip) and ingest the .dict", 12)
        }
        cursor = extraEnd
        if flags & 0x08 != 0 { // file name
            guard let end = header[cursor...].firstIndex(of: 0) else { throw bad("truncated gzip header", cursor) }
            cursor = end + 1
        }
        if flags & 0x10 != 0 { // comment
            guard let end = header[cursor...].firstIndex(of: 0) else { throw bad("truncated gzip header", cursor) }
            cursor = end + 1
        }
        if flags & 0x02 != 0 { cursor += 2 } // header CRC
        self.chunkLength = chunkLength
        var start = UInt64(cursor)
        for size in sizes {
            chunkStarts.append(start)
            start += UInt64(size)
        }
        chunkStarts.append(start)
    }

    deinit { try? handle.close() }

    func read(offset: Int, length: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        var position = offset
        let end = offset + length
        while position < end {
            let index = position / chunkLength
            let chunk = try self.chunk(index, at: position)
            let from = position - index * chunkLength
            let to = min(chunk.count, end - index * chunkLength)
            guard from < to else {
                throw HeldoutError.badInput(SourceLocation(file: path, byteOffset: position), "entry runs past the end of the dictionary")
            }
            out.append(contentsOf: chunk[from..<to])
            position = index * chunkLength + to
        }
        return out
    }

    private func chunk(_ index: Int, at position: Int) throws -> [UInt8] {
        if let cached, cached.index == index { return cached.bytes }
        guard index + 1 < chunkStarts.count else {
            throw HeldoutError.badInput(SourceLocation(file: path, byteOffset: position), "entry offset beyond the dictionary's last chunk")
        }
        try handle.seek(toOffset: chunkStarts[index])
        let compressedSize = Int(chunkStarts[index + 1] - chunkStarts[index])
        var input = [UInt8](try handle.read(upToCount: compressedSize) ?? Data())
        guard input.count == compressedSize else {
            throw HeldoutError.badInput(SourceLocation(file: path, byteOffset: Int(chunkStarts[index])), "dictzip chunk \(index) is truncated")
        }
        var output = [UInt8](repeating: 0, count: chunkLength)
        var stream = z_stream()
        guard heldout_inflateInit2(&stream, -15) == Z_OK else { throw HeldoutError.store("zlib: cannot start inflating") }
        defer { inflateEnd(&stream) }
        let produced: Int = try input.withUnsafeMutableBufferPointer { inBuffer in
            try output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                let rc = inflate(&stream, Z_SYNC_FLUSH)
                guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                    throw HeldoutError.badInput(SourceLocation(file: path, byteOffset: Int(chunkStarts[index])),
                                                "dictzip chunk \(index) does not inflate (zlib error \(rc)); the file is damaged")
                }
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        let bytes = Array(output[..<produced])
        cached = (index, bytes)
        return bytes
    }
}
