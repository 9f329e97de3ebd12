import Foundation
import HeldoutCore
@testable import HeldoutAudit

/// A small clean split, written by hand: original sentences, no two sharing a sentence, an
/// 8-word run, a document, a lexeme, a consistency group or a quotable answer across sides.
enum Fixture {
    static func rec(_ id: String, _ column: String, _ text: String, lang: String = "en", partition: String,
                    band: String = "6-8", domain: String = "news", question: String? = nil, answer: String? = nil,
                    translation: String? = nil, pair: String? = nil, group: String? = nil,
                    documents: [String]? = nil, target: DatasetRecord.Lexeme? = nil, segments: [String]? = nil) -> DatasetRecord {
        DatasetRecord(id: id, partition: partition, column: column, role: column == "tone" ? "heldout" : "supervised",
                      category: column, pair: pair, band: band, domain: domain,
                      question: question ?? "Is this sentence well formed? \(text)", answer: answer,
                      rubric: nil, source: .init(lang: lang, text: text, translation: translation),
                      consistencyGroup: group, messages: [.init(role: "user", content: question ?? "Is this sentence well formed? \(text)")],
                      segments: segments, documents: documents, target: target)
    }

    static var train: [DatasetRecord] {
        [
            rec("t01", "grammar", "The old lighthouse keeper painted the railing blue every spring before the storms arrived.",
                partition: "train", answer: "yes", documents: ["news/day-1"]),
            rec("t02", "grammar", "My neighbour grows enormous pumpkins in a garden no bigger than a bathtub.",
                partition: "train", band: "1-5", domain: "fiction", answer: "yes", group: "cg-1"),
            rec("t03", "definition", "Il faut défendre les droits des travailleurs saisonniers dans toute la région.", lang: "fr",
                partition: "train", band: "college", question: "What does « défendre » mean here?", answer: "to defend",
                target: .init(lemma: "défendre", lang: "fr")),
            rec("t04", "definition", "Un arbre centenaire s'est effondré sur la route départementale cette nuit.", lang: "fr",
                partition: "train", question: "What does « arbre » mean here?", answer: "a tree",
                target: .init(lemma: "arbre", lang: "fr")),
            rec("t05", "grammar", "Children learn to swim faster when lessons start in warm shallow water.",
                partition: "train", band: "1-5", answer: "yes", group: "cg-1"),
        ]
    }

    static var dev: [DatasetRecord] {
        [
            rec("e03", "grammar", "A flock of starlings twisted above the harbour like smoke caught in a gust.",
                partition: "dev", domain: "fiction", answer: "yes", group: "cg-2"),
            rec("e05", "tone", "The museum will reopen its east wing once the roof repairs are fully complete.",
                partition: "dev", question: "Describe the tone of this sentence.", answer: "neutral and informative tone", group: "cg-3"),
        ]
    }

    static var test: [DatasetRecord] {
        [
            rec("e01", "tone", "Honestly, I could not care less about whatever the quarterly forecast might say.",
                partition: "test", band: "college", domain: "dialogue", question: "Describe the tone.", answer: "informal and dismissive"),
            rec("e02", "tone", "We regret to inform you that your application has not been successful on this occasion.",
                partition: "test", band: "college", question: "Describe the tone.", answer: "formal polite refusal"),
            rec("e04", "definition", "Elle aime courir le long du canal avant que la ville ne se réveille.", lang: "fr",
                partition: "test", domain: "fiction", question: "What does « courir » mean here?", answer: "to run",
                documents: ["novels/chapter-3"], target: .init(lemma: "courir", lang: "fr")),
            rec("e06", "tone", "Le train de nuit pour Vienne partira avec deux heures de retard.", lang: "fr",
                partition: "test", question: "Describe the tone.", answer: "neutral", target: .init(lemma: "partir", lang: "fr")),
        ]
    }

    static func line(_ r: DatasetRecord) -> String { (try? CanonicalJSON.string(r)) ?? "" }

    /// One folder per test process for every fixture split, removed when the process exits:
    /// the tests that write them hand the path on to audits and commands, so none removes its own.
    static let scratchRoot: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-audit-fixtures-\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-audit-fixtures-\(getpid())")
            try? FileManager.default.removeItem(at: root)
        }
        return root
    }()

    /// Writes the split into a fresh temporary directory and returns its path.
    static func write(train: [DatasetRecord] = train, dev: [DatasetRecord] = dev, test: [DatasetRecord] = test,
                      manifest: String? = nil) throws -> String {
        let dir = scratchRoot.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, records) in [("train.jsonl", train), ("dev.jsonl", dev), ("test.jsonl", test)] {
            try (records.map(line).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        if let manifest {
            try manifest.write(to: dir.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    static func options() -> AuditOptions {
        var o = AuditOptions()
        o.threads = 2
        return o
    }
}
