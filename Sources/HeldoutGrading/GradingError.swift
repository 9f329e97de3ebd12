import HeldoutCore

/// Failures of grading, each mapped onto ``HeldoutError`` (and so onto DESIGN's exit statuses)
/// by ``heldoutError``.
public enum GradingError: ReportableError, Sendable, Equatable, CustomStringConvertible {
    /// A syllable exception list with a malformed line.
    case badSyllableData(line: Int, text: String)

    public var description: String {
        switch self {
        case let .badSyllableData(line, text):
            "syllable exception list, line \(line): expected `word count`, found \(text.debugDescription)"
        }
    }

    public var exitStatus: Int32 { heldoutError.exitStatus }
    public var userMessage: String { heldoutError.userMessage }

    public var heldoutError: HeldoutError {
        switch self {
        case let .badSyllableData(line, _): .badInput(SourceLocation(file: "syllable exceptions", line: line), description)
        }
    }
}
