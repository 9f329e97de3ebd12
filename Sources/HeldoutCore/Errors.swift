/// Where in an input something is: a file, and a line and column (1-based) or a byte offset
/// where the format has no lines.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var byteOffset: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil, byteOffset: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
    }

    /// `file:line:column`, the form editors and compilers use, or `file (byte N)`.
    public var description: String {
        var out = file
        if let line {
            out += ":\(line)"
            if let column { out += ":\(column)" }
        } else if let byteOffset {
            out += " (byte \(byteOffset))"
        }
        return out
    }
}

/// What every module's error adopts, so that the command line maps a failure to DESIGN's exit
/// statuses in one place (1 a check failed, 2 usage error, 3 bad input, 4 the store or the disk
/// cannot be used) instead of converting each module's error at each catch site.
public protocol ReportableError: Error {
    /// The process's exit status for this failure.
    var exitStatus: Int32 { get }
    /// What the user reads after `heldout: `, naming the file, option or check at fault.
    var userMessage: String { get }
}

/// Every failure heldout reports to a user, each with the exit status DESIGN fixes:
/// 1 a check failed, 2 usage error, 3 bad input.
public enum HeldoutError: ReportableError, Sendable, CustomStringConvertible, Equatable {
    /// An input file is not what it should be. Nothing of it was stored.
    case badInput(SourceLocation, String)
    /// The command line or a spec asks for something that cannot be done.
    case usage(String)
    /// A check ran and failed: a leak was found, a verification did not match.
    case checkFailed(String)
    /// Another process holds the store for writing longer than we were willing to wait.
    case storeBusy(path: String, waitedSeconds: Int)
    /// The store itself is unusable (not a heldout store, newer schema, I/O error).
    case store(String)

    public var exitCode: Int32 {
        switch self {
        case .checkFailed: 1
        case .usage: 2
        case .badInput: 3
        case .storeBusy, .store: 4
        }
    }

    public var exitStatus: Int32 { exitCode }
    public var userMessage: String { description }

    public var description: String {
        switch self {
        case let .badInput(location, reason): "\(location): \(reason)"
        case let .usage(message): message
        case let .checkFailed(message): message
        case let .storeBusy(path, seconds):
            "\(path): the store is busy (another heldout process has been writing for \(seconds) s); try again when it has finished"
        case let .store(message): message
        }
    }
}
