import Foundation
import GRDB
import HeldoutCore

extension ItemSession {
    /// The grade and domain the grading stage gave a segment (nil where it has not been graded,
    /// is ungradable, or has no known domain). Items copy them at creation, so a split can use
    /// reading level and domain without knowing the grading tables.
    public func grading(of segment: ContentID) throws -> (grade: Double?, domain: String?) {
        if let last = lastGrading, last.segment == segment { return (last.grade, last.domain) }
        if gradingStatement == nil {
            gradingStatement = try RawStatement(db, """
                SELECT g.grade, d.domain
                FROM segment s
                LEFT JOIN grade g ON g.segment = s.rowid
                LEFT JOIN segment_domain d ON d.segment = s.rowid
                WHERE s.id = ?1
                """)
        }
        guard let statement = gradingStatement else { return (nil, nil) }
        defer { statement.reset() }
        statement.bind(1, segment)
        var result: (grade: Double?, domain: String?) = (nil, nil)
        if try statement.step() { result = (statement.double(0), statement.text(1)) }
        lastGrading = (segment, result.grade, result.domain)
        return result
    }
}
