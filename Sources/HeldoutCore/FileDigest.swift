import Crypto
import Foundation

/// SHA-256 of files, streamed in 1 MiB blocks, so a 2 GB corpus is hashed in constant memory.
public enum FileDigest {
    public static func sha256(ofFile path: String) throws -> (hex: String, size: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HeldoutError.badInput(SourceLocation(file: path), InputProblem.describeUnreadable(path))
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let block = try handle.read(upToCount: 1 << 20) ?? Data()
            if block.isEmpty { break }
            size += Int64(block.count)
            hasher.update(data: block)
        }
        return (hex(hasher.finalize()), size)
    }

    public static func sha256(of data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }
}

/// Messages for the ways a file can be wrong before its format even matters.
public enum InputProblem {
    public static func describeUnreadable(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "no such file"
        }
        if isDirectory.boolValue { return "is a directory, not a file" }
        return "cannot be read (permission denied?)"
    }
}
