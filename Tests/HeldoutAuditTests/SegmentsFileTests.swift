import Foundation
import Testing
import HeldoutCore
import HeldoutStore
@testable import HeldoutAudit

/// The audit over a file of segments (what a cluster writes instead of a store) finds what
/// it finds over the store, and writes the same report; a bad line is bad input at its line.
@Suite("audit over a segments file")
struct SegmentsFileTests {
    static let fr = "Le train de nuit pour Vienne partira avec deux heures de retard."
    static let en = "The night train to Vienna will leave two hours late."
    static let de = "Der Nachtzug nach Wien fährt mit zwei Stunden Verspätung ab."
    static let notice = "Passengers for Salzburg should change at Linz for the regional service."

    /// A split whose evaluation record (e06, the French sentence) is tied to two training
    /// records only through the store: p10 (German) through the English pivot of two corpora,
    /// p11 through a shared document.
    static func split() throws -> (directory: String, store: Store) {
        let dir = try Fixture.write(train: Fixture.train + [
            Fixture.rec("p10", "grammar", de, lang: "de", partition: "train", answer: "ja"),
            Fixture.rec("p11", "grammar", notice, partition: "train", answer: "yes"),
        ])
        let store = try Store(path: dir + "/heldout.sqlite")
        func tag(_ s: String) throws -> LanguageTag { try #require(LanguageTag(s)) }
        _ = try store.ingest(CorpusDescriptor(name: "fr-en", format: "test", sha256: "a", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(document: "timetable", texts: [.init(lang: try tag("fr"), text: fr), .init(lang: try tag("en"), text: en)]))
        }
        _ = try store.ingest(CorpusDescriptor(name: "en-de", format: "test", sha256: "b", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(texts: [.init(lang: try tag("en"), text: en), .init(lang: try tag("de"), text: de)]))
        }
        _ = try store.ingest(CorpusDescriptor(name: "rail", format: "test", sha256: "c", size: 1, files: [])) { sink in
            try sink.add(CorpusUnit(document: "notice-7", texts: [.init(lang: try tag("fr"), text: fr)]))
            try sink.add(CorpusUnit(document: "notice-7", texts: [.init(lang: try tag("en"), text: notice)]))
        }
        return (dir, store)
    }

    /// Every segment of `store` as a line of the file, in the order `seed` shuffles them to:
    /// the store's own answer for each (its group and documents), as JSON.
    static func segmentsFile(_ store: Store, seed: UInt64, at path: String) throws {
        var ids: [ContentID] = []
        try store.forEachSegment { if let id = ContentID(hex: $0.id) { ids.append(id) } }
        let segments = try store.auditSegments(ids)
        var lines: [String] = []
        for segment in segments.values {
            var object: [String: Any] = ["id": segment.id.hex, "lang": segment.lang, "text": segment.text,
                                         "documents": segment.documents.map(\.key)]
            if let group = segment.group { object["group"] = group.hex }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        var generator = SplitMix64(seed: seed)
        lines.shuffle(using: &generator)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("translations through a pivot and shared documents are found alike, and the reports are the same bytes")
    func sameReport() throws {
        let (dir, store) = try Self.split()
        let fromStore = try Audit.run(directory: dir, store: store, options: Fixture.options())
        let found = fromStore.leaks.map { "\($0.rule.rawValue) \($0.evaluation.key) \($0.training.key)" }.sorted()
        #expect(found == ["same_document e06 p11", "translation e06 p10"])
        try Audit.write(fromStore, to: dir)
        for seed: UInt64 in [1, 2] {
            let copy = Fixture.scratchRoot.appendingPathComponent("segments-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            for name in ["train.jsonl", "dev.jsonl", "test.jsonl"] {
                try FileManager.default.copyItem(atPath: dir + "/" + name, toPath: copy + "/" + name)
            }
            let file = copy + "/segments.jsonl"
            try Self.segmentsFile(store, seed: seed, at: file)
            let fromFile = try Audit.run(directory: copy, store: try SegmentsFile(path: file), options: Fixture.options())
            try Audit.write(fromFile, to: copy)
            for name in ["audit.json", "audit.html"] {
                #expect(FileManager.default.contents(atPath: copy + "/" + name) == FileManager.default.contents(atPath: dir + "/" + name),
                        "seed \(seed): \(name)")
            }
        }
    }

    @Test("a line that is not a segment, a bad id or group, or an unreadable file is bad input (exit 3) at its line")
    func badLines() throws {
        let (dir, _) = try Self.split()
        let good = #"{"id":"\#(String(repeating: "a", count: 32))","lang":"en","text":"x","documents":[]}"#
        let cases: [(String, String)] = [
            ("not JSON", "{\"id\":"),
            ("no text", #"{"id":"\#(String(repeating: "b", count: 32))","lang":"en"}"#),
            ("is not a segment id", #"{"id":"xyz","lang":"en","text":"x"}"#),
            ("group: ", #"{"id":"\#(String(repeating: "c", count: 32))","lang":"en","text":"x","group":"nope"}"#),
        ]
        for (name, line) in cases {
            let file = dir + "/bad-\(UUID().uuidString).jsonl"
            try (good + "\n" + line + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            do {
                _ = try Audit.run(directory: dir, store: try SegmentsFile(path: file), options: Fixture.options())
                Issue.record("\(name): taken")
            } catch let error as HeldoutError {
                guard case let .badInput(location, message) = error else { Issue.record("\(name): \(error)"); continue }
                #expect(error.exitStatus == 3 && location == SourceLocation(file: file, line: 2), "\(name): \(location)")
                if name != "not JSON" && name != "no text" { #expect(message.contains(name), "\(message)") }
            }
        }
        #expect(throws: HeldoutError.self) { try SegmentsFile(path: dir + "/none.jsonl") }
    }
}
