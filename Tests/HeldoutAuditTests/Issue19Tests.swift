import Foundation
import HeldoutCore
import Testing
@testable import HeldoutAudit

/// Issue 19: what the report adds — nearest training similarity, label balance, split facts.
@Suite struct ReportContentTests {
    @Test("each evaluation record's nearest training similarity lands in its bucket: an exact copy at 1.0, a one-word change at 0.8+, the rest none")
    func nearestSimilarity() throws {
        let plants = AuditTests.plants.filter { ["p1", "p4"].contains($0.record.id) }
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + plants.map(\.record)), store: nil, options: Fixture.options())
        let n = try #require(report.nearest)
        #expect(n.threshold == 0.8)
        // e02 (tone) is copied by p1; e03 (grammar) is p4 with one word changed.
        #expect(n.counts["tone"]?["1.0"] == 1)
        let grammar = n.counts["grammar"] ?? [:]
        #expect((grammar["0.8"] ?? 0) + (grammar["0.9"] ?? 0) == 1, "\(grammar)")
        #expect(n.atOrAbove == 2)
        let total = n.counts.values.reduce(0) { $0 + $1.values.reduce(0, +) }
        #expect(total == Fixture.dev.count + Fixture.test.count)
        // Without the plants nothing comes near.
        let clean = try Audit.run(directory: try Fixture.write(), store: nil, options: Fixture.options())
        #expect(clean.nearest?.atOrAbove == 0)
    }

    @Test("label balance counts classes, and folds a column of many distinct short answers into one value")
    func labelBalance() throws {
        let classes = ["formal", "informal", "neutral"]
        let tone = (0..<12).map { Fixture.rec("c\($0)", "tone", "Sentence number \($0) about the weather in a small town by the sea.",
                                              partition: "test", question: "Describe the tone.", answer: classes[$0 % 3]) }
        let glosses = (0..<(Audit.maximumLabels + 5)).map { Fixture.rec("g\($0)", "definition", "Une phrase numéro \($0) sur le marché du village et ses étals.",
                                                                          lang: "fr", partition: "train", answer: "gloss \($0)") }
        let report = try Audit.run(directory: try Fixture.write(train: Fixture.train + glosses, test: tone), store: nil, options: Fixture.options())
        let labels = report.histograms.filter { $0.field == "label" }
        let toneTest = try #require(labels.first { $0.column == "tone" && $0.partition == "test" })
        #expect(toneTest.counts == ["formal": 4, "informal": 4, "neutral": 4])
        let definition = try #require(labels.first { $0.column == "definition" && $0.partition == "train" })
        #expect(definition.counts.keys.allSatisfy { $0.hasPrefix("(") }, "\(definition.counts.keys.sorted())")
        #expect(definition.counts["(many distinct answers)"] == glosses.count + 2)   // + the fixture's two short glosses
        // The same whatever the thread count.
        var one = Fixture.options()
        one.threads = 1
        let again = try Audit.run(directory: try Fixture.write(train: Fixture.train + glosses, test: tone), store: nil, options: one)
        #expect(again.histograms == report.histograms)
    }

    @Test("split facts come from the manifest and spec.yaml; the date only from SOURCE_DATE_EPOCH")
    func splitFacts() throws {
        let json = #"{"name": "s", "variant": "primary", "tool": {"name": "heldout", "version": "1.2.3"}, "inputs": {"spec": "abc"}, "roles": {"tone": "heldout"}}"#
        let manifest = try JSONDecoder().decode(SplitManifest.self, from: Data(json.utf8))
        let facts = Audit.splitFacts(manifest: manifest, specYAML: "name: s\nseed: 17\naxis: domain\ncolumns:\n  seed: { role: heldout }\n")
        #expect(facts.seed == "17" && facts.axis == "domain" && facts.toolVersion == "1.2.3" && facts.specDigest == "abc")
        #expect(facts.roles == ["tone": "heldout"])
        if ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] == nil { #expect(facts.date == nil) }
    }

    @Test("the page states the manifest's domain evidence: declared and predicted items, the classifier's accuracy")
    func domainEvidence() throws {
        let manifest = #"{"domains": {"declared": 7, "predicted": 3, "predicted_allowed": false, "classifier_accuracy": 0.875, "classifier_minimum_accuracy": 0.8}}"#
        let report = try Audit.run(directory: try Fixture.write(manifest: manifest), store: nil, options: Fixture.options())
        #expect(report.split?.domains?.predicted == 3)
        #expect(AuditHTML.render(report).contains(
            "Columns are domains: 7 item(s) with a declared domain, <b>3 with a predicted one</b>; the classifier's cross-validated accuracy is 87.5% (minimum 80%). The spec does not allow predicted domains"))
    }
}
