import Foundation
import HeldoutCore
import HeldoutStore
@testable import HeldoutSplit

/// A store and an output directory in a fresh temporary directory, removed when the test ends.
final class Workbench {
    let directory: URL
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("heldout.sqlite").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Ingests one corpus of units `(document, [(lang, text)])`.
    func ingest(_ name: String, _ units: [(String, [(String, String)])]) throws {
        _ = try store.ingest(CorpusDescriptor(name: name, format: "test", sha256: "sha-\(name)", size: 1, files: [name])) { sink in
            for (document, texts) in units {
                try sink.add(CorpusUnit(document: document, texts: texts.map { .init(lang: LanguageTag($0.0)!, text: $0.1) }))
            }
        }
    }

    func split(_ yaml: String, out: String = "out", auditor: any SplitAuditor = IndependentChecker(),
               configure: (inout Splitter.Options) -> Void = { _ in }) throws -> SplitOutput {
        let spec = try SplitSpec(yaml: yaml, file: "spec.yaml")
        var options = Splitter.Options(output: url(out), toolVersion: "test", auditor: auditor)
        configure(&options)
        try Splitter(spec: spec, store: store).run(options)
        return try SplitOutput(url(out))
    }
}

func segmentID(_ lang: String, _ text: String) -> ContentID { Segment(lang: LanguageTag(lang)!, rawText: text).id }

/// An item on sentences (first is the source), with gold and rubric.
func item(_ key: String, category: String, lang: String = "en", pair: String? = nil, on texts: [(String, String)],
          target: Lexeme? = nil, group: String? = nil, gold: String? = "gold", grade: Double? = 7) -> Item {
    Item(template: "t-\(category)", templateVersion: 1, boundValues: ["key": key], category: category, lang: lang, pair: pair,
         question: "Q \(key)?", answer: gold, rubric: ["r1 \(key)", "r2"], segments: texts.map { segmentID($0.0, $0.1) },
         target: target, consistencyGroup: group, grade: grade)
}

/// A split directory as written: its records by partition, and its files' bytes.
struct SplitOutput {
    let url: URL
    var records: [Partition: [SplitRecord]] = [:]

    init(_ url: URL) throws {
        self.url = url
        for partition in Partition.allCases {
            let data = try Data(contentsOf: url.appendingPathComponent("\(partition.rawValue).jsonl"))
            records[partition] = try data.split(separator: 0x0A).map { try JSONDecoder().decode(SplitRecord.self, from: Data($0)) }
        }
    }

    func partition(of id: ContentID) -> Partition? {
        for (partition, list) in records where list.contains(where: { $0.id == id.hex }) { return partition }
        return nil
    }

    func bytes(_ file: String) throws -> Data { try Data(contentsOf: url.appendingPathComponent(file)) }

    var manifest: [String: Any] {
        get throws { try JSONSerialization.jsonObject(with: bytes("manifest.json")) as? [String: Any] ?? [:] }
    }

    var all: [SplitRecord] { Partition.allCases.flatMap { records[$0] ?? [] } }
}

/// An auditor written apart from the split's graph: from the records and the store alone, it
/// finds training and evaluation records sharing a segment id, or segments in one alignment
/// group (read straight from `segment.grp`).
struct IndependentChecker: SplitAuditor {
    var storePath: String?

    func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict {
        let output = try SplitOutput(directory)
        var groups: [String: String] = [:]
        if let storePath {
            try Store(path: storePath).forEachSegment { if let g = $0.group { groups[$0.id] = g } }
        }
        var trainSegments: [String: String] = [:], trainGroups: [String: String] = [:]
        for record in output.records[.train] ?? [] {
            for s in record.segments {
                trainSegments[s] = record.id
                if let g = groups[s] { trainGroups[g] = record.id }
            }
        }
        var leaks: [SplitLeak] = []
        for record in (output.records[.dev] ?? []) + (output.records[.test] ?? []) {
            for s in record.segments {
                if spec.isolation.isEnabled(.sharedSegment), let other = trainSegments[s] { leaks.append(.init(kind: "shared_segment", trainRecord: other, evaluationRecord: record.id, detail: s)) }
                if spec.isolation.isEnabled(.translation), let g = groups[s], let other = trainGroups[g] {
                    leaks.append(.init(kind: "translation", trainRecord: other, evaluationRecord: record.id, detail: g))
                }
            }
        }
        return SplitAuditVerdict(leaks: leaks)
    }
}

/// `count` sentences nobody else uses, each its own document.
func fillers(_ prefix: String, _ count: Int) -> [(String, [(String, String)])] {
    (0..<count).map { ("\(prefix)-doc-\($0)", [("en", fillerText(prefix, $0))]) }
}

func fillerItems(_ prefix: String, _ count: Int, category: String) -> [Item] {
    (0..<count).map { item("\(prefix)\($0)", category: category, on: [("en", fillerText(prefix, $0))]) }
}

/// A sentence made of random hex words, so no two fillers are near-duplicates of each other.
func fillerText(_ prefix: String, _ index: Int) -> String {
    let h = ContentID(hashing: [prefix, String(index)]).hex
    return "Filler \(h.prefix(8)) \(h.dropFirst(8).prefix(8)) \(h.dropFirst(16).prefix(8)) \(h.suffix(8))."
}

let baseSpec = """
    name: t
    seed: 1
    axis: category
    columns:
      grammar: { role: supervised }
      tone: { role: heldout }
    isolation: { near_duplicates: { threshold: 0.8 } }
    partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.0 }

    """
