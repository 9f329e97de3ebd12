import Foundation
import Testing
import HeldoutCore
import HeldoutShard
import HeldoutSplit

/// `heldout map`'s modes run in-process through ``ShardMapper``, as the command runs them: the
/// spec's relative sources are the spec's folder's, a bad line is bad input naming its line, and
/// what the cluster path does not carry is refused before an executor starts.
@Suite("map modes in-process")
struct ShardMapperModeTests {
    /// A spec beside a copy of the mapper tests' TMX (original sentences), plus `extra` sources.
    func spec(extraSources: String = "", nearDuplicates: Bool = true) throws -> (directory: URL, spec: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data(ShardMapperTests.tmx.utf8).write(to: directory.appendingPathComponent("data/multi.tmx"))
        let path = directory.appendingPathComponent("spec.yaml").path
        try """
            name: mapped
            seed: 3
            sources:
              - { path: data/multi.tmx, format: tmx, license: CC0-1.0 }
            \(extraSources)
            axis: category
            columns:
              definition: { role: supervised }
              tone: { role: heldout }
            isolation:
              level: segment
              near_duplicates: \(nearDuplicates ? "{ threshold: 0.8 }" : "false")
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    func lines(_ data: Data) -> [String] {
        data.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("units: source 0 read from the spec's folder; its rows are a corpus row, then units in order")
    func units() throws {
        let (directory, path) = try spec()
        defer { try? FileManager.default.removeItem(at: directory) }
        var out = Data()
        try ShardMapper(specPath: path).units(["0"], write: { out.append($0) })
        let rows = try lines(out).enumerated().map { try ShardMapper.row($0.element, line: $0.offset + 1) }
        #expect(rows.first?.kind == .corpus)
        #expect(rows.first?.descriptor?.files.first?.hasSuffix("data/multi.tmx") == true)
        #expect(rows.count > 3)
        #expect(rows.map(\.ordinal) == rows.map(\.ordinal).sorted())
    }

    @Test("units: a line that is not a source index is bad input on its line")
    func badIndex() throws {
        let (directory, path) = try spec()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mapper = try ShardMapper(specPath: path)
        #expect(throws: HeldoutError.badInput(SourceLocation(file: "<stdin>", line: 2),
                                              "not a source index of \(path) (0..<1): 7")) {
            try mapper.units(["0", "7"], write: { _ in })
        }
    }

    @Test("plan: a conllu source is refused (exit 2) before any row; a spec without near-duplicates plans null; its axis, the classifier's training cap, its links, where sides are chosen, and the variants")
    func plan() throws {
        let (directory, path) = try spec(extraSources: "  - { path: data/x.conllu, format: conllu, lang: fr, license: CC0-1.0 }")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try ShardMapper(specPath: path).plan() } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 2 && $0.userMessage.contains("format conllu") } ?? false
        }
        let (plain, plainPath) = try spec(nearDuplicates: false)
        defer { try? FileManager.default.removeItem(at: plain) }
        let line = String(decoding: try ShardMapper(specPath: plainPath).plan(), as: UTF8.self)
        #expect(line == "{\"axis\":\"category\",\"classifier_training_per_domain\":50000,\"links\":[\"shared_segment\",\"translation\",\"lexeme\",\"consistency_group\",\"shared_passage\"],"
                + "\"manifest_on_driver\":null,\"near_duplicates\":null,\"roles\":{\"definition\":\"supervised\",\"tone\":\"heldout\"},\"sides_on_driver\":null,\"sources\":1,"
                + "\"variants\":[{\"kind\":\"primary\",\"name\":\"mapped\"}]}\n")
        // The variants a cluster writes records for, named as their directories.
        let (swept, sweptPath) = try spec(nearDuplicates: false)
        defer { try? FileManager.default.removeItem(at: swept) }
        try (try String(contentsOfFile: sweptPath, encoding: .utf8) + "\ncomparison: true\n").write(toFile: sweptPath, atomically: true, encoding: .utf8)
        let sweptLine = String(decoding: try ShardMapper(specPath: sweptPath).plan(), as: UTF8.self)
        #expect(sweptLine.contains("\"variants\":[{\"kind\":\"primary\",\"name\":\"mapped\"},{\"kind\":\"comparison\",\"name\":\"mapped-comparison\"}]"), "\(sweptLine)")
        // A document-level spec: the cluster does not join documents, so the replay chooses sides.
        let (document, documentPath) = try spec(nearDuplicates: false)
        defer { try? FileManager.default.removeItem(at: document) }
        let yaml = try String(contentsOfFile: documentPath, encoding: .utf8).replacingOccurrences(of: "level: segment", with: "level: document")
        try yaml.write(toFile: documentPath, atomically: true, encoding: .utf8)
        let documentLine = String(decoding: try ShardMapper(specPath: documentPath).plan(), as: UTF8.self)
        #expect(documentLine.contains("\"sides_on_driver\":\"isolation.level: document"))
        #expect(throws: HeldoutError.self) { try ShardMapper(specPath: plainPath).bands(["[\"s1\",\"en\",\"x\"]"], write: { _ in }) }
        // A domain split's manifest holds the classifier's accuracy, which only the store has.
        let (domain, domainPath) = try spec(nearDuplicates: false)
        defer { try? FileManager.default.removeItem(at: domain) }
        try (try String(contentsOfFile: domainPath, encoding: .utf8).replacingOccurrences(of: "axis: category", with: "axis: domain"))
            .write(toFile: domainPath, atomically: true, encoding: .utf8)
        #expect(String(decoding: try ShardMapper(specPath: domainPath).plan(), as: UTF8.self).contains("\"manifest_on_driver\":\"axis: domain"))
    }

    @Test("manifest: spec.yaml and manifest.json from the facts, the sides and the ids; bad facts, ids or sides are bad input (exit 3), a domain split is refused (exit 2)")
    func manifest() throws {
        let (directory, path) = try spec(nearDuplicates: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let records = directory.appendingPathComponent("records")
        try FileManager.default.createDirectory(at: records.appendingPathComponent("mapped"), withIntermediateDirectories: true)
        for file in ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl"] {
            try Data().write(to: records.appendingPathComponent("mapped/\(file)"))
        }
        let a = String(repeating: "a", count: 32), b = String(repeating: "b", count: 32)
        let sides = directory.appendingPathComponent("sides.jsonl").path
        try "{\"id\":\"\(a)\",\"partition\":\"test\",\"flipped\":true}\n{\"bound\":{\"kept_upper_bound\":2,\"method\":\"m\"}}\n"
            .write(toFile: sides, atomically: true, encoding: .utf8)
        func facts(_ text: String) throws -> String {
            let file = directory.appendingPathComponent("facts-\(UUID().uuidString).json").path
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        let good = try facts("""
            {"fates": [{"definition": {"train": 1, "no_gold": 2}, "tone": {"test": 1}}], "isolation_cost": {"total": 0},
             "near_duplicates": null, "corpora": [{"name": "multi.tmx", "sha256": "00"}], "language_mismatch": {"tone": 3}}
            """)
        func run(_ ids: [String], facts: String, sides: String = sides, spec: ShardMapper? = nil) throws -> [String] {
            var out = Data()
            try (spec ?? ShardMapper(specPath: path)).manifest(ids, factsPath: facts, sidesPath: sides, recordsPath: records.path, output: directory.appendingPathComponent("out").path,
                              readFrom: .output, fetched: nil, toolVersion: "test", write: { out.append($0) })
            return lines(out)
        }
        // One item a column cannot meet 80/10/10: refused as the split refuses it (exit 1),
        // nothing written, unless the spec accepts a short split.
        #expect { _ = try run([a, b], facts: good) } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 1 && $0.userMessage.contains("cannot be met") } ?? false
        }
        #expect(!FileManager.default.fileExists(atPath: records.appendingPathComponent("mapped/manifest.json").path))
        try (try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "tolerance: 0.05 }", with: "tolerance: 0.05, allow_short: true }"))
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try run([a, b], facts: good) == ["{\"name\":\"mapped\",\"records\":{\"test\":1,\"train\":1}}"])
        let manifest = try JSONDecoder().decode(SplitManifest.self, from: try Data(contentsOf: records.appendingPathComponent("mapped/manifest.json")))
        #expect(manifest.dropped == ["definition": ["no_gold": 2]])
        #expect(manifest.components.map { [$0.total, $0.evaluation, $0.flipped] } == [1, 1, 1])
        #expect(manifest.optimality.map { [$0.kept, $0.upperBound] } == [2, 2])
        #expect(manifest.languageMismatch == ["tone": 3])
        #expect(manifest.inputs?.corpora == ["multi.tmx": "00"])
        #expect(manifest.inputs?.items == [a, b].compactMap(ContentID.init(hex:)).reduce(into: ItemsDigest()) { $0.append($1) }.finalize())
        #expect(manifest.quotas?.acceptedShort == true)
        #expect(FileManager.default.fileExists(atPath: records.appendingPathComponent("mapped/spec.yaml").path))

        func refused(_ ids: [String], facts: String, sides: String = sides, at location: HeldoutCore.SourceLocation, _ why: String) {
            do {
                _ = try run(ids, facts: facts, sides: sides)
                Issue.record("taken: \(why)")
            } catch let error as HeldoutError {
                guard case let .badInput(at, message) = error else { Issue.record("\(why): \(error)"); return }
                #expect(error.exitStatus == 3 && at == location && message.contains(why), "\(why): \(at) \(message)")
            } catch {
                Issue.record("\(why): \(error)")
            }
        }
        let missing = directory.appendingPathComponent("none.json").path
        refused([a], facts: missing, at: HeldoutCore.SourceLocation(file: missing), "cannot read")
        let notJSON = try facts("{\"fates\": [")
        refused([a], facts: notJSON, at: HeldoutCore.SourceLocation(file: notJSON), "not the facts of a manifest")
        let column = try facts(#"{"fates": [{"grammar": {"train": 1}}], "isolation_cost": {}, "corpora": [], "language_mismatch": {}}"#)
        refused([a], facts: column, at: HeldoutCore.SourceLocation(file: column), "grammar is not a column")
        let fate = try facts(#"{"fates": [{"tone": {"lost": 1}}], "isolation_cost": {}, "corpora": [], "language_mismatch": {}}"#)
        refused([a], facts: fate, at: HeldoutCore.SourceLocation(file: fate), "lost is neither a partition nor a reason")
        let variants = try facts(#"{"fates": [{}, {}], "isolation_cost": {}, "corpora": [], "language_mismatch": {}}"#)
        refused([a], facts: variants, at: HeldoutCore.SourceLocation(file: variants), "fates for 2 variant(s)")
        refused([b, a], facts: good, at: HeldoutCore.SourceLocation(file: "<stdin>", line: 2), "is not after")
        refused([a, a], facts: good, at: HeldoutCore.SourceLocation(file: "<stdin>", line: 2), "is not after")
        refused(["xyz"], facts: good, at: HeldoutCore.SourceLocation(file: "<stdin>", line: 1), "not an item id")
        let noBound = directory.appendingPathComponent("sides-cut.jsonl").path
        try "{\"id\":\"\(a)\",\"partition\":\"test\",\"flipped\":true}\n".write(toFile: noBound, atomically: true, encoding: .utf8)
        refused([a], facts: good, sides: noBound, at: HeldoutCore.SourceLocation(file: noBound), "no bound line")

        let (domain, domainPath) = try spec(nearDuplicates: false)
        defer { try? FileManager.default.removeItem(at: domain) }
        try (try String(contentsOfFile: domainPath, encoding: .utf8).replacingOccurrences(of: "axis: category", with: "axis: domain"))
            .write(toFile: domainPath, atomically: true, encoding: .utf8)
        #expect(performing: { _ = try run([a], facts: good, spec: try ShardMapper(specPath: domainPath)) }, throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 2 && $0.userMessage.contains("axis: domain") } ?? false
        })
    }

    @Test("grade and bands: one line out per segment row; a row that is not [id, lang, text] is bad input on its line")
    func segmentRows() throws {
        let (directory, path) = try spec()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mapper = try ShardMapper(specPath: path)
        let rows = ["[\"a\",\"en\",\"The rain stopped before noon.\"]", "[\"b\",\"en\",\"The rain stopped before noon today.\"]"]
        var graded = Data(), banded = Data(), paired = Data()
        try mapper.grades(rows, write: { graded.append($0) })
        try mapper.bands(rows, write: { banded.append($0) })
        try mapper.pairs(rows, write: { paired.append($0) })
        #expect(lines(graded).count == 2)
        #expect(lines(banded).count == 2)
        #expect(lines(paired).count <= 1)
        #expect(throws: HeldoutError.badInput(SourceLocation(file: "<stdin>", line: 2), "not a segment row [id, lang, text]")) {
            try mapper.grades([rows[0], "{}"], write: { _ in })
        }
    }
}
