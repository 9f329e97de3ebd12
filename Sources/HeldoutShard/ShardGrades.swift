import Foundation
import HeldoutCore
import HeldoutGrading

/// `heldout map grade`: a segment row in (`[id, lang, normalised text]`), its grade out, through
/// the very function `heldout grade` calls per segment (``Grader/grade(_:language:bands:analyzer:)``).
/// Domains are not here: the classifier learns from the whole store, which is a global step.
public struct ShardGrades {
    public struct Row: Codable, Sendable, Equatable {
        public var id: String
        public var grade: Double?
        public var band: String
        public var words: Int
        public var syllables: Int
    }

    public let bands: BandScheme
    private let analyzer = TextAnalyzer()

    public init(bands: BandScheme = .standard) { self.bands = bands }

    /// Grades one segment row; `line` numbers the row in messages.
    public func grade(_ segment: [String], line: Int) throws -> Row {
        guard segment.count >= 3 else { throw ShardError.badRow("line \(line): a segment row is [id, lang, text]") }
        let grade = Grader.grade(segment[2], language: GradingLanguage(tag: segment[1]), bands: bands, analyzer: analyzer)
        return Row(id: segment[0], grade: grade.grade, band: grade.band.label,
                   words: grade.counts.words, syllables: grade.counts.syllables)
    }
}
