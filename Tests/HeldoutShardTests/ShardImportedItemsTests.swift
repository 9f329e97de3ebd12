import Foundation
import Testing
import HeldoutCore
@testable import HeldoutShard

/// The replay's `--items`: item records made on the cluster become the store's items unchanged,
/// and a file that is not a reduced list of records is refused with its line.
@Suite("items given to the replay")
struct ShardImportedItemsTests {
    func item(_ n: Int, segments: Int = 2) -> Item {
        var item = Item(template: "translation", templateVersion: 2, boundValues: ["segment": "s\(n)"], category: "translation",
                        lang: "fr", pair: "fr-en", question: "Traduisez la phrase \(n).", answer: "Sentence \(n).",
                        rubric: ["faithful", "fluent"],
                        segments: (0..<segments).compactMap { ContentID(hex: String(format: "%024x%08x", n, $0)) },
                        target: n.isMultiple(of: 2) ? Lexeme(lemma: "phrase", lang: "fr") : nil,
                        consistencyGroup: "group-\(n)", grade: n.isMultiple(of: 3) ? nil : Double(n) + 0.25, domain: "software")
        item.domainSource = "metadata"
        item.domainConfidence = 0.75
        return item
    }

    @Test("a record turns back into the item it was made from, field for field")
    func roundTrip() throws {
        for n in 0..<6 {
            let original = item(n, segments: n % 3 + 1)
            #expect(original.segments.count == n % 3 + 1)
            let line = try JSONEncoder().encode(ShardItems.Record(original, key: ShardItems.key(pass: 0, segment: original.segments[0], rank: n)))
            let decoded = try JSONDecoder().decode(ShardItems.Record.self, from: line)
            #expect(decoded.item == original)
        }
    }

    @Test("the items file: every record read; a bad line or a repeated id is bad input on its line")
    func file() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-items-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let encoder = JSONEncoder()
        func lines(_ items: [Item]) throws -> [String] {
            try items.map { String(decoding: try encoder.encode(ShardItems.Record($0, key: "000000:\($0.id.hex):000000")), as: UTF8.self) }
        }
        let good = directory.appendingPathComponent("items.jsonl").path
        try (try lines([item(1), item(2), item(3)]).joined(separator: "\n") + "\n").write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try ShardMapper.items(at: good) == [item(1), item(2), item(3)])

        let repeated = directory.appendingPathComponent("repeated.jsonl").path
        try (try lines([item(1), item(2), item(1)]).joined(separator: "\n")).write(toFile: repeated, atomically: true, encoding: .utf8)
        #expect { try ShardMapper.items(at: repeated) } throws: { error in
            guard let error = error as? HeldoutError else { return false }
            return error.exitStatus == 3 && error.userMessage.contains("repeated.jsonl:3") && error.userMessage.contains("listed twice")
        }
        let bad = directory.appendingPathComponent("bad.jsonl").path
        try (try lines([item(1)])[0] + "\n{\"id\": \"zz\"}\n").write(toFile: bad, atomically: true, encoding: .utf8)
        #expect { try ShardMapper.items(at: bad) } throws: { error in
            guard let error = error as? HeldoutError else { return false }
            return error.exitStatus == 3 && error.userMessage.contains("bad.jsonl:2")
        }
    }

    @Test("the pairs file: [id, id] lines as `map pairs` writes them; anything else is bad input on its line")
    func pairsFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-pairs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = String(repeating: "a", count: 32), b = String(repeating: "b", count: 32)
        let good = directory.appendingPathComponent("pairs.jsonl").path
        try "[\"\(a)\",\"\(b)\"]\n".write(toFile: good, atomically: true, encoding: .utf8)
        let pairs = try ShardMapper.pairs(at: good)
        #expect(pairs.count == 1 && pairs[0].0.hex == a && pairs[0].1.hex == b)
        let bad = directory.appendingPathComponent("bad.jsonl").path
        try "[\"\(a)\",\"\(b)\"]\n[\"\(a)\"]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect { try ShardMapper.pairs(at: bad) } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 3 && $0.userMessage.contains("bad.jsonl:2") } ?? false
        }
    }
}
