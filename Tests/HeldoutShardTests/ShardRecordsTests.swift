import Foundation
import Testing
import HeldoutBuild
import HeldoutCore
import HeldoutShard
import HeldoutStore
@testable import HeldoutSplit

/// `heldout map records` over the lines a driver assembles (each `map items` record with its
/// column, side, drop and sources spliced in) gives, reduced, the local split's files byte for
/// byte; a bad line is bad input on its line.
@Suite("map records agrees with the split's record writer")
struct ShardRecordsTests {
    static let spec = """
        name: s
        seed: 4
        axis: category
        columns:
          translation: { role: supervised }
          tone: { role: heldout }
        isolation: { level: segment, lexemes: false, consistency_groups: false }
        partitions: { train: 0.6, dev: 0.2, test: 0.2, tolerance: 0.5 }
        comparison: true
        """

    /// The driver's lines: the store's item records with what the split decided of them.
    static func lines(_ store: Store, spec: SplitSpec) throws -> [String] {
        let (input, graph, assignment) = try Splitter(spec: spec, store: store).sideChoice()
        let records = Dictionary(uniqueKeysWithValues: try ShardItemsTests.storedItems(store).map { ($0.id, $0) })
        return try (0..<input.count).map { i in
            let record = try #require(records[input.ids[i].hex])
            var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(record)) as? [String: Any])
            object["column"] = spec.columns[Int(input.column[i])].name
            object["side"] = assignment.partition[Int(graph.component[i])].rawValue
            if assignment.isDropped[i] { object["dropped"] = true }
            // The item's own segments, then the translation the split looked up for it, if any.
            let used = input.segments(ofItem: i)
            #expect(used.prefix(record.segments.count).map { input.segmentIDs[Int($0)].hex } == record.segments)
            object["sources"] = used.map { s -> [String: Any] in
                ["id": input.segmentIDs[Int(s)].hex, "lang": input.segmentLang[Int(s)], "text": input.segmentText[Int(s)],
                 "documents": input.documents(ofSegment: s).map { input.documentNames[Int($0)] }]
            }
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
    }

    @Test("the records of every item, reduced, are the split's train, dev and test and the comparison's train")
    func sameAsSplit() throws {
        let (directory, _) = try ShardItemsTests.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("records.yaml").path
        try Self.spec.write(toFile: path, atomically: true, encoding: .utf8)
        let spec = try SplitSpec.load(path: path)
        let store = try ShardItemsTests.localStore(directory, spec: directory.appendingPathComponent("spec.yaml").path)
        let out = directory.appendingPathComponent("split")
        try Splitter(spec: spec, store: store).run(Splitter.Options(output: out, toolVersion: "test", auditor: IndependentAudit(storePath: directory.appendingPathComponent("local.sqlite").path)))

        let lines = try Self.lines(store, spec: spec)
        #expect(lines.count > 10)
        // `tone-across` and `tone-translation` items show a translation the split looks up in
        // the alignment group: those lines carry one source more than their segments.
        #expect(lines.contains { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            return ((object?["sources"] as? [Any])?.count ?? 0) > ((object?["segments"] as? [Any])?.count ?? 0)
        })
        var mapped = Data()
        let mapper = try ShardMapper(specPath: path)
        // Two shards, the second first: order does not matter to the reduce.
        try mapper.records(lines.suffix(from: lines.count / 2), write: { mapped.append($0) })
        try mapper.records(lines.prefix(lines.count / 2), write: { mapped.append($0) })
        let files = try ItemPlacement.reduce(ShardItemsTests.lines(mapped), variants: ItemPlacement(spec: spec).variants)
        for partition in Partition.allCases {
            let own = try Data(contentsOf: out.appendingPathComponent("\(partition.rawValue).jsonl"))
            #expect(Data((files["s/\(partition.rawValue).jsonl"] ?? "").utf8) == own, "\(partition)")
        }
        let comparison = try Data(contentsOf: directory.appendingPathComponent("split-comparison/train.jsonl"))
        #expect(Data((files["s-comparison/train.jsonl"] ?? "").utf8) == comparison)
        #expect(!comparison.isEmpty)
        // The drop lines: each item the primary leaves out, with the split's reason.
        let drops = ShardItemsTests.lines(mapped).filter { $0.hasPrefix("0\tdropped\t") }.map { line in
            let fields = line.split(separator: "\t")
            return "\(fields[3]) \(fields[4])"
        }.sorted()
        let own = try String(contentsOf: out.appendingPathComponent("dropped.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            return "\(object?["id"] as? String ?? "") \(object?["reason"] as? String ?? "")"
        }
        #expect(drops == own && !own.isEmpty, "\(drops) \(own)")
    }

    @Test("map dropped writes the split's line (step 1's link first, then the links in order, that side first) and the links the cost counts; a bad line is bad input on its line")
    func dropped() throws {
        let (directory, _) = try ShardItemsTests.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dropped.yaml").path
        try Self.spec.replacingOccurrences(of: "lexemes: false, consistency_groups: false", with: "lexemes: true")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let mapper = try ShardMapper(specPath: path)
        let a = "00112233445566778899aabbccddeeff", b = String(repeating: "b", count: 32), c = String(repeating: "c", count: 32)
        func run(_ lines: [String]) throws -> String {
            var out = Data()
            try mapper.dropped(lines, write: { out.append($0) })
            return String(decoding: out, as: UTF8.self)
        }
        let base = #"{"variant":0,"id":"\#(a)","column":"tone","side":"train","reason":"isolation""#
        // Step 1 named a lexeme: its partner on training wins over an earlier link's.
        #expect(try run([base + #","drop_link":"lexeme","drop_partner":"\#(c)","partners":[{"link":"shared_segment","side":"train","id":"\#(b)"},{"link":"lexeme","side":"train","id":"\#(c)"}]}"#])
                == "0\t\(a)\tshared_segment,lexeme\t{\"column\":\"tone\",\"id\":\"\(a)\",\"link\":\"lexeme\",\"partner\":\"\(c)\",\"reason\":\"isolation\"}\n")
        // Else the first link in order with a partner, training before evaluation; the cost
        // counts only the links with a partner on the side it gave way to (training here).
        let ordered = try run([base + #","partners":[{"link":"translation","side":"train","id":"\#(c)"},{"link":"shared_segment","side":"evaluation","id":"\#(b)"}]}"#])
        #expect(ordered.hasPrefix("0\t\(a)\ttranslation\t") && ordered.contains(#""link":"shared_segment","partner":"\#(b)""#), "\(ordered)")
        // Else step 1's own partner; without any, no link.
        #expect(try run([base + #","drop_link":"lexeme","drop_partner":"\#(c)","partners":[]}"#]).contains(#""link":"lexeme","partner":"\#(c)""#))
        #expect(try run([base + "}"]) == "0\t\(a)\t\t{\"column\":\"tone\",\"id\":\"\(a)\",\"reason\":\"isolation\"}\n")
        // Other reasons carry no partner.
        #expect(try run([#"{"variant":1,"id":"\#(a)","column":"tone","side":"train","reason":"size_match","partners":[{"link":"shared_segment","side":"train","id":"\#(b)"}]}"#])
                == "1\t\(a)\t\t{\"column\":\"tone\",\"id\":\"\(a)\",\"reason\":\"size_match\"}\n")
        let good = base + "}"
        let bad = [
            "not json",
            good.replacingOccurrences(of: #""column":"tone""#, with: #""column":"lexicon""#),
            good.replacingOccurrences(of: #""variant":0"#, with: #""variant":7"#),
            good.replacingOccurrences(of: #""reason":"isolation""#, with: #""reason":"tired""#),
            good.replacingOccurrences(of: a, with: "xyz"),
            good.replacingOccurrences(of: "}", with: #","partners":[{"link":"shared_segment","side":"dev","id":"\#(b)"}]}"#),
            good.replacingOccurrences(of: "}", with: #","partners":[{"link":"shared_segment","side":"train","id":"nope"}]}"#),
            good.replacingOccurrences(of: "}", with: #","drop_link":"telepathy"}"#),
        ]
        for line in bad {
            do {
                _ = try run([good, line])
                Issue.record("accepted: \(line)")
            } catch let error as HeldoutError {
                #expect(error.exitStatus == 3 && error.userMessage.hasPrefix("<stdin>:2"), "\(error.userMessage)")
            }
        }
    }

    @Test("a bad line is bad input on its line: not JSON, an unknown column, sources out of order, a needless looked-up translation")
    func badLines() throws {
        let (directory, _) = try ShardItemsTests.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("records.yaml").path
        try Self.spec.write(toFile: path, atomically: true, encoding: .utf8)
        let mapper = try ShardMapper(specPath: path)

        let good = #"{"key":"k","id":"00112233445566778899aabbccddeeff","template":"t","template_version":1,"category":"tone","lang":"fr","pair":null,"question":"Q?","answer":"calm","rubric":[],"target_lemma":null,"target_lang":null,"consistency_group":null,"grade":null,"domain":null,"domain_source":null,"domain_confidence":null,"segments":["ffeeddccbbaa99887766554433221100"],"column":"tone","side":"test","sources":[{"id":"ffeeddccbbaa99887766554433221100","lang":"fr","text":"Bonjour."}]}"#
        var out = Data()
        try mapper.records([good], write: { out.append($0) })
        #expect(String(decoding: out, as: UTF8.self).hasPrefix("0\ttest\t-\t00112233445566778899aabbccddeeff\t{\"answer\":\"calm\""))
        let bad = [
            "{\"id\": 1}",
            good.replacingOccurrences(of: #""column":"tone""#, with: #""column":"lexicon""#),
            good.replacingOccurrences(of: #""sources":[{"id":"ffeeddccbbaa99887766554433221100""#, with: #""sources":[{"id":"00112233445566778899aabbccddeeff""#),
            good.replacingOccurrences(of: #""side":"test""#, with: #""side":"eval""#),
            // A looked-up translation for an item without a pair (the split looks none up).
            good.replacingOccurrences(of: #""text":"Bonjour."}]"#, with: #""text":"Bonjour."},{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","lang":"en","text":"Hello."}]"#),
            // Two sources more than segments.
            good.replacingOccurrences(of: #""text":"Bonjour."}]"#, with: #""text":"Bonjour."},{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","lang":"en","text":"Hello."},{"id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","lang":"en","text":"Hi."}]"#),
        ]
        for line in bad {
            do {
                try mapper.records([good, line], write: { _ in })
                Issue.record("accepted: \(line)")
            } catch let error as HeldoutError {
                #expect(error.exitStatus == 3 && error.userMessage.hasPrefix("<stdin>:2"), "\(error.userMessage)")
            }
        }
    }
}
