import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutGrading
import HeldoutShard
import HeldoutStore
import Testing

/// `heldout map classifier` decides, from the declared segments alone, whether grading's domain
/// classifier would predict any domain: a cluster driver skips the replay only when it would
/// not (its items and records carry declared domains only). Held here to what grading did in a
/// real store, both ways.
@Suite("map classifier against grading")
struct ClassifierDecisionTests {
    /// Grades the spec's corpora into a store; the store's classifier report and the segments
    /// whose metadata declares a domain, as `map classifier` lines.
    static func graded(_ directory: URL, _ spec: String) throws -> (report: ClassifierReport, declared: [String]) {
        var request = BuildPipeline.Request(specPath: spec, storePath: directory.appendingPathComponent("s.sqlite").path, toolVersion: "test")
        request.stopBeforeSplit = true
        _ = try BuildPipeline.run(request)
        let store = try Store(path: directory.appendingPathComponent("s.sqlite").path, mustExist: true)
        let stored = try #require(try store.gradingState("classifier.report"))
        let report = try JSONDecoder().decode(ClassifierReport.self, from: Data(stored.utf8))
        let declared = try store.grading { try $0.labelledSegments(maxPerDomain: .max) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let lines = try declared.map { String(decoding: try encoder.encode(["id": $0.id.hex, "text": $0.text, "domain": $0.domain]), as: UTF8.self) }
        return (report, lines)
    }

    static func decide(_ spec: String, _ lines: [String]) throws -> (predicts: Bool, report: ClassifierReport) {
        struct Line: Decodable {
            var predicts: Bool
            var report: ClassifierReport
        }
        var out = Data()
        try ShardMapper(specPath: spec).classifier(lines, write: { out.append($0) })
        let line = try JSONDecoder().decode(Line.self, from: out)
        return (line.predicts, line.report)
    }

    /// What the mapper cannot know (what grading then predicted) left out.
    static func trained(_ report: ClassifierReport) -> ClassifierReport {
        var report = report
        report.classified = 0
        report.abstained = nil
        return report
    }

    @Test("where grading's classifier predicted, map classifier says it predicts; where it abstained (mixed vocabularies), that it does not; the same report in any line order")
    func bothWays() throws {
        let (directory, spec) = try ImportedItemsFallbackTests.folder(declared: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let predicting = try Self.graded(directory, spec)
        #expect(predicting.report.predicts && predicting.report.classified > 0, "\(predicting.report)")
        let said = try Self.decide(spec, predicting.declared)
        #expect(said.predicts)
        #expect(said.report == Self.trained(predicting.report))
        var shuffled = predicting.declared
        var generator = SplitMix64(seed: 11)
        shuffled.shuffle(using: &generator)
        #expect(try Self.decide(spec, shuffled).report == said.report)

        // Both corpora now hold the same sentences (each numbered apart): their declared domains
        // say nothing about the text, and grading abstains.
        let (mixed, mixedSpec) = try ImportedItemsFallbackTests.folder(declared: true)
        defer { try? FileManager.default.removeItem(at: mixed) }
        let s = ImportedItemsFallbackTests.self
        for (file, offset) in [("cook.tmx", 0), ("comp.tmx", 100)] {
            try Data(s.tmx((0..<25).map { k in
                let t = s.sentence(k % 2 == 0 ? s.cooking : s.computing, k) + " n\(k + offset)"
                return (t, "Ceci: " + t)
            }).utf8).write(to: mixed.appendingPathComponent(file))
        }
        let abstaining = try Self.graded(mixed, mixedSpec)
        #expect(!abstaining.report.predicts && abstaining.report.classified == 0, "\(abstaining.report)")
        let abstains = try Self.decide(mixedSpec, abstaining.declared)
        #expect(!abstains.predicts)
        #expect(abstains.report == Self.trained(abstaining.report))
    }

    @Test("fewer declared segments than the classifier needs: it is not trained, and says so; a bad line is bad input at its line")
    func untrainedAndBadLines() throws {
        let (directory, spec) = try ImportedItemsFallbackTests.folder(declared: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = String(repeating: "a", count: 32)
        let few = try Self.decide(spec, ["{\"id\":\"\(a)\",\"text\":\"We bake.\",\"domain\":\"cooking\"}"])
        #expect(!few.predicts && few.report.status.hasPrefix("not trained"))
        for (bad, line) in [(["{\"id\":\"\(a)\",\"text\":\"x\",\"domain\":\"d\"}", "{\"id\":\"xyz\",\"text\":\"x\",\"domain\":\"d\"}"], 2),
                            (["[1, 2]"], 1), (["{\"id\":\"\(a)\",\"text\":\"x\"}"], 1)] {
            #expect { _ = try Self.decide(spec, bad) } throws: { error in
                guard let error = error as? HeldoutError, case let .badInput(at, _) = error else { return false }
                return error.exitStatus == 3 && at == SourceLocation(file: "<stdin>", line: line)
            }
        }
    }
}
