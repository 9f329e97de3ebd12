import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutGrading

/// The classifier's training sample, read without the window query it replaced (for speed),
/// must be the same segments in the same order: the classifier's fingerprint and model follow
/// from it.
@Suite struct LabelledSegmentsTests {
    @Test func labelledSegmentsMatchTheWindowQuery() throws {
        let t = try TemporaryStore()
        var random = SplitMix64(seed: 11)
        let domains: [String?] = [nil, "eco", "zoo", "Éco", "news"]
        for corpus in 0..<3 {
            let units: [(String, String, String?)] = (0..<40).map { k in
                (["en", "fr"][k % 2], "Sentence \(k) of corpus \(corpus) says something plain.",
                 domains.randomElement(using: &random) ?? nil)
            }
            _ = try t.ingest("c\(corpus)", domain: corpus == 2 ? "news" : nil, units)
        }
        var options = Grader.Options()
        options.classify = false
        _ = try Grader(options: options).run(store: t.store)
        for cap in [0, 1, 3, 7, 1_000] {
            let sample = try t.store.grading { try $0.labelledSegments(maxPerDomain: cap) }
            let expected = try t.store.read { db in
                try String.fetchAll(db, sql: """
                    SELECT lower(hex(id)) || '|' || lang || '|' || text || '|' || domain FROM (
                        SELECT s.id, s.lang, s.text, d.domain,
                               row_number() OVER (PARTITION BY d.domain ORDER BY s.id) AS r
                        FROM segment_domain d JOIN segment s ON s.rowid = d.segment
                        WHERE d.source = 'metadata'
                    ) WHERE r <= ? ORDER BY id
                    """, arguments: [cap])
            }
            #expect(sample.map { [$0.id.hex, $0.lang, $0.text, $0.domain].joined(separator: "|") } == expected)
            if cap == 3 {
                // The cap binds for every domain, and the sample spans several.
                #expect(Set(sample.map(\.domain)).count >= 4 && sample.count == 3 * Set(sample.map(\.domain)).count)
            }
        }
    }
}
