import Foundation
import GRDB
import HeldoutCore

extension ItemSession {
    /// The grade and domain the grading stage gave a segment (nil where it has not been graded,
    /// is ungradable, or has no known domain). Items copy them at creation, so a split can use
    /// reading level and domain without knowing the grading tables. With the domain come its
    /// evidence: `metadata` (declared) or `classifier` (predicted), and the confidence.
    public func grading(of segment: ContentID) throws -> SegmentGradingLookup {
        if let last = lastGrading, last.segment == segment { return last.result }
        if gradingStatement == nil {
            gradingStatement = try RawStatement(db, """
                SELECT g.grade, d.domain, d.source, d.confidence
                FROM segment s
                LEFT JOIN grade g ON g.segment = s.rowid
                LEFT JOIN segment_domain d ON d.segment = s.rowid
                WHERE s.id = ?1
                """)
        }
        guard let statement = gradingStatement else { return SegmentGradingLookup() }
        defer { statement.reset() }
        statement.bind(1, segment)
        var result = SegmentGradingLookup()
        if try statement.step() {
            result = SegmentGradingLookup(grade: statement.double(0), domain: statement.text(1),
                                          domainSource: statement.text(2), domainConfidence: statement.double(3))
        }
        lastGrading = (segment, result)
        return result
    }
}

/// A segment's grade and domain as items copy them (``ItemSession/grading(of:)``).
public struct SegmentGradingLookup: Sendable, Equatable {
    public var grade: Double?
    public var domain: String?
    /// `metadata` or `classifier`; nil without a domain.
    public var domainSource: String?
    public var domainConfidence: Double?

    public init(grade: Double? = nil, domain: String? = nil, domainSource: String? = nil, domainConfidence: Double? = nil) {
        self.grade = grade
        self.domain = domain
        self.domainSource = domainSource
        self.domainConfidence = domainConfidence
    }
}
