import Foundation
import GRDB
import HeldoutCore

extension ItemSession {
    /// The grade and domain the grading stage gave a segment (nil where it has not been graded,
    /// is ungradable, or has no known domain). Items copy them at creation, so a split can use
    /// reading level and domain without knowing the grading tables.
    public func grading(of segment: ContentID) throws -> (grade: Double?, domain: String?) {
        let row = try Row.fetchOne(db, sql: """
            SELECT g.grade, d.domain
            FROM segment s
            LEFT JOIN grade g ON g.segment = s.rowid
            LEFT JOIN segment_domain d ON d.segment = s.rowid
            WHERE s.id = ?
            """, arguments: [Data(segment.bytes)])
        return (row?[0], row?[1])
    }
}
