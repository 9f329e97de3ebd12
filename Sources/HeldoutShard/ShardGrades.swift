import Foundation
import HeldoutCore
import HeldoutGrading
import HeldoutSplit

/// `heldout map grade`: a segment row in (`[id, lang, normalised text]`), its grade out, through
/// the very function `heldout grade` calls per segment (``Grader/grade(_:language:bands:analyzer:)``).
/// Domains are not here: the classifier learns from the whole store, which is a global step.
/// Two more per-segment facts the split reads ride along: the grader's language flag (the split
/// leaves out items on a flagged segment) and the folded-text hash (its shared-segment classes
/// and translation closure), so a cluster can select and group items as the split does.
public struct ShardGrades {
    public struct Row: Codable, Sendable, Equatable {
        public var id: String
        public var grade: Double?
        public var band: String
        public var words: Int
        public var syllables: Int
        /// True when the grader flags the text as not in its tag's language (absent otherwise).
        public var flagged: Bool?
        /// The folded-text hash, 16 hex digits (absent: no letters or digits).
        public var folded: String?
    }

    public let bands: BandScheme
    private let analyzer = TextAnalyzer()
    private let folder = TextFolder()

    public init(bands: BandScheme = .standard) { self.bands = bands }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Grades one segment row; `line` numbers the row in messages.
    public func grade(_ segment: [String], line: Int) throws -> Row {
        guard segment.count >= 3 else { throw ShardError.badRow("line \(line): a segment row is [id, lang, text]") }
        let language = GradingLanguage(tag: segment[1])
        let grade = Grader.grade(segment[2], language: language, bands: bands, analyzer: analyzer)
        var text = segment[2]
        let flagged = text.withUTF8 { LanguageIdentifier.shared.check(utf8: $0, tag: language).flagged }
        let folded = FoldedHash.of(segment[2], folder: folder)
        return Row(id: segment[0], grade: grade.grade, band: grade.band.label,
                   words: grade.counts.words, syllables: grade.counts.syllables, flagged: flagged ? true : nil,
                   folded: folded == 0 ? nil : Self.hex(folded))
    }
}
