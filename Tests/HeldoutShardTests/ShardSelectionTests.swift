import Foundation
import Testing
import HeldoutCore
import HeldoutShard
import HeldoutStore
@testable import HeldoutSplit

/// `heldout map select` decides every item of a real store as the split's loader does: the same
/// candidates in the same columns, under each axis and with `where` filters; a flagged item is
/// left out unless the spec keeps it; a bad line is bad input on its line.
@Suite("map select agrees with the split's loader")
struct ShardSelectionTests {
    /// The store's items as `map select` lines: the `map items` record, flagged as the store flags it.
    static func lines(_ store: Store) throws -> [String] {
        var flagged: Set<String> = []
        try store.scan { reader in try reader.items { if $0.languageFlagged { flagged.insert($0.id.hex) } } }
        return try ShardItemsTests.storedItems(store).map { record in
            var text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
            if flagged.contains(record.id) { text = String(text.dropLast()) + ",\"flagged\":true}" }
            return text
        }
    }

    static let specs = [
        // Category axis, as the fixture's spec.
        "axis: category\ncolumns:\n  translation: { role: supervised }\n  tone: { role: heldout }",
        // Language pairs, one filtered out by `where`, one pair the spec has no column for.
        "axis: language_pair\ncolumns:\n  fr-en: { role: supervised }\n  de-en: { role: heldout }\n  en-fr: { role: supervised }\nwhere: { pairs: [fr-en, de-en, en-fr, fr-de], categories: [translation] }",
        // Reading levels of the standard bands (ungradable has no column), French and English only.
        "axis: complexity\ncolumns:\n  1-5: { role: supervised }\n  6-8: { role: heldout }\nwhere: { languages: [fr, en] }",
    ]

    @Test("every item: the loader's candidates and columns, under three axes")
    func sameAsLoader() throws {
        let (directory, path) = try ShardItemsTests.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try ShardItemsTests.localStore(directory, spec: path)
        let lines = try Self.lines(store)
        #expect(lines.count > 20)
        var outcomes: Set<String> = []
        for (index, body) in Self.specs.enumerated() {
            let path = directory.appendingPathComponent("spec\(index).yaml").path
            try ("name: s\nseed: 1\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
            let spec = try SplitSpec.load(path: path)
            var out = Data()
            try ShardMapper(specPath: path).select(lines, write: { out.append($0) })
            let selected = try ShardItemsTests.lines(out).map { try JSONDecoder().decode(ShardSelection.Output.self, from: Data($0.utf8)) }
            #expect(selected.count == lines.count)
            let input = try SplitInputLoader(spec: spec, store: store).load()
            let loaded = Dictionary(uniqueKeysWithValues: (0..<input.count).map { (input.ids[$0].hex, spec.columns[Int(input.column[$0])].name) })
            let candidates = Dictionary(uniqueKeysWithValues: selected.filter { $0.outcome == "candidate" }.map { ($0.id, $0.column ?? "") })
            #expect(candidates == loaded, "spec \(index)")
            outcomes.formUnion(selected.map(\.outcome))
            // Translation items carry a consistency group, isolated by default: a key to cut.
            #expect(selected.contains { $0.keys.contains { $0.hasPrefix("consistency:translation:") } }, "spec \(index)")
            let gold = Dictionary(uniqueKeysWithValues: (0..<input.count).map { (input.ids[$0].hex, input.hasGold[$0]) })
            #expect(selected.filter { $0.outcome == "candidate" }.allSatisfy { gold[$0.id] == $0.gold })
        }
        // Every step but the flags (tested below) and predicted domains left some item out.
        #expect(outcomes.isSuperset(of: ["candidate", "filtered", "not_a_column"]), "\(outcomes)")
    }

    @Test("a flagged item is a language mismatch, unless the spec keeps those; a bad line is bad input on its line")
    func flaggedAndBadLines() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-select-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func mapping(_ extra: String) throws -> ShardMapper {
            let path = directory.appendingPathComponent("spec.yaml").path
            try ("name: s\nseed: 1\n" + Self.specs[0] + extra).write(toFile: path, atomically: true, encoding: .utf8)
            return try ShardMapper(specPath: path)
        }
        let item = #"{"id":"00112233445566778899aabbccddeeff","category":"tone","lang":"fr","pair":null,"answer":"calm","rubric":[],"segments":["ffeeddccbbaa99887766554433221100"]"#
        var out = Data()
        let mapper = try mapping("")
        try mapper.select([item + "}", item + ",\"flagged\":true}"], write: { out.append($0) })
        let outcomes = try ShardItemsTests.lines(out).map { try JSONDecoder().decode(ShardSelection.Output.self, from: Data($0.utf8)) }
        #expect(outcomes.map(\.outcome) == ["candidate", "language_mismatch"])
        #expect(outcomes.allSatisfy { $0.column == "tone" && $0.gold && !$0.rubric && $0.heldout && $0.keys.isEmpty })
        var kept = Data()
        try mapping("\nlanguage_mismatch: keep").select([item + ",\"flagged\":true}"], write: { kept.append($0) })
        #expect(String(decoding: kept, as: UTF8.self).contains("\"outcome\":\"candidate\""))
        #expect(throws: HeldoutError.self) { try mapper.select([item + "}", "{\"id\": 1}"], write: { _ in }) }
        do {
            try mapper.select([item + "}", "{\"id\": 1}"], write: { _ in })
        } catch let error as HeldoutError {
            #expect(error.exitStatus == 3 && error.userMessage.hasPrefix("<stdin>:2"))
        }
    }
}
