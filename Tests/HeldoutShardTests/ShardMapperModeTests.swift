import Foundation
import Testing
import HeldoutCore
import HeldoutShard

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

    @Test("plan: a conllu source is refused (exit 2) before any row; a spec without near-duplicates plans null; its links, where sides are chosen, and the variants")
    func plan() throws {
        let (directory, path) = try spec(extraSources: "  - { path: data/x.conllu, format: conllu, lang: fr, license: CC0-1.0 }")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try ShardMapper(specPath: path).plan() } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 2 && $0.userMessage.contains("format conllu") } ?? false
        }
        let (plain, plainPath) = try spec(nearDuplicates: false)
        defer { try? FileManager.default.removeItem(at: plain) }
        let line = String(decoding: try ShardMapper(specPath: plainPath).plan(), as: UTF8.self)
        #expect(line == "{\"links\":[\"shared_segment\",\"translation\",\"lexeme\",\"consistency_group\",\"shared_passage\"],"
                + "\"near_duplicates\":null,\"roles\":{\"definition\":\"supervised\",\"tone\":\"heldout\"},\"sides_on_driver\":null,\"sources\":1,"
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
