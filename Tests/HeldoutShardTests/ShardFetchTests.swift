import Foundation
import Testing
import HeldoutCore
import HeldoutShard

/// Sources a spec names by URI (`hdfs:`, `s3a:`, `file:`): `plan` lists what a driver must
/// fetch, `units` reads the fetched copies from the folder its line names, and a local build
/// refuses them with the spec's line.
@Suite("sources named by URI")
struct ShardFetchTests {
    func spec(_ sources: String) throws -> (directory: URL, spec: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("fetched"), withIntermediateDirectories: true)
        try Data(ShardMapperTests.tmx.utf8).write(to: directory.appendingPathComponent("fetched/multi.tmx"))
        let path = directory.appendingPathComponent("spec.yaml").path
        try """
            name: fetched
            seed: 3
            sources:
            \(sources)
            axis: category
            columns:
              definition: { role: supervised }
              tone: { role: heldout }
            isolation: { level: segment }
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    @Test("plan lists each URI source, a Moses source with its other side; paths are not fetched")
    func plan() throws {
        let (directory, path) = try spec("""
              - { path: hdfs://namenode/corpora/multi.tmx, format: tmx, license: CC0-1.0 }
              - { path: s3a://bucket/pairs/corpus.en, format: moses, pair: en-fr, license: CC0-1.0 }
              - { path: fetched/multi.tmx, format: tmx, license: CC0-1.0 }
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        struct Plan: Decodable { var fetch: [String]? }
        let plan = try JSONDecoder().decode(Plan.self, from: try ShardMapper(specPath: path).plan())
        #expect(plan.fetch == ["hdfs://namenode/corpora/multi.tmx", "s3a://bucket/pairs/corpus.en", "s3a://bucket/pairs/corpus.fr"])
    }

    @Test("two URI sources with one file name cannot both be fetched: refused before any work")
    func sameName() throws {
        let (directory, path) = try spec("""
              - { path: hdfs://a/multi.tmx, format: tmx, license: CC0-1.0 }
              - { path: hdfs://b/multi.tmx, format: tmx, license: CC0-1.0 }
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try ShardMapper(specPath: path).plan() } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 2 && $0.userMessage.contains("same file name") } ?? false
        }
    }

    @Test("units reads a URI source's copy from the folder after the tab, the same rows as by path; without one it names the spec's line")
    func units() throws {
        let (directory, path) = try spec("  - { path: s3a://bucket/corpora/multi.tmx, format: tmx, license: CC0-1.0 }")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (local, localPath) = try spec("  - { path: fetched/multi.tmx, format: tmx, license: CC0-1.0 }")
        defer { try? FileManager.default.removeItem(at: local) }
        var fetched = Data(), byPath = Data()
        try ShardMapper(specPath: path).units(["0\t" + directory.appendingPathComponent("fetched").path], write: { fetched.append($0) })
        try ShardMapper(specPath: localPath).units(["0"], write: { byPath.append($0) })
        func units(_ data: Data) throws -> [ShardRow] {
            try data.split(separator: 0x0A).enumerated().map { try ShardMapper.row(String(decoding: $0.element, as: UTF8.self), line: $0.offset + 1) }
                .filter { $0.kind != .corpus }
        }
        #expect(try units(fetched).count > 3)
        #expect(try units(fetched) == units(byPath))
        #expect { try ShardMapper(specPath: path).units(["0"], write: { _ in }) } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 3 && $0.userMessage.contains("spec.yaml:4:") && $0.userMessage.contains("is a URI") } ?? false
        }
    }
}
