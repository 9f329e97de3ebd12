import HeldoutCore

/// Failures of grading, each mapped onto ``HeldoutError`` (and so onto DESIGN's exit statuses)
/// by ``heldoutError``.
public enum GradingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--bands` or `--gap` that cannot be read.
    case badBands(String)
    /// A syllable exception list with a malformed line.
    case badSyllableData(line: Int, text: String)

    public var description: String {
        switch self {
        case let .badBands(reason):
            "bands: \(reason) (expected ascending integer ranges such as 1-5,6-8,9-12,13+)"
        case let .badSyllableData(line, text):
            "syllable exception list, line \(line): expected `word count`, found \(text.debugDescription)"
        }
    }

    public var heldoutError: HeldoutError {
        switch self {
        case .badBands: .usage(description)
        case let .badSyllableData(line, _): .badInput(SourceLocation(file: "syllable exceptions", line: line), description)
        }
    }
}
