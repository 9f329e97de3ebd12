import ArgumentParser
import Foundation
import HeldoutCore
import HeldoutSplit
import HeldoutStore

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Write a split (train/dev/test) with guaranteed held-out isolation.",
        discussion: """
        Reads the spec, selects items from the store, ties items that share a segment, a
        translation, a near-duplicate, a document, a target word or a consistency group, assigns
        every tied group whole to training or evaluation by SHA-256(seed, smallest item id), and
        writes train.jsonl, dev.jsonl, test.jsonl, spec.yaml and manifest.json. The output is
        audited before it appears; a leak fails with exit status 1 and nothing is written. The
        same store and spec give byte-identical files.
        """
    )

    @OptionGroup var common: StoreOptions

    @Argument(help: "The split spec (YAML).")
    var spec: String

    @Option(help: "Output directory (default: splits/NAME). Comparison and sweep splits go next to it.")
    var out: String?

    func run() throws {
        let parsed = try SplitSpec.load(path: spec)
        let store = try Store(path: common.store, mustExist: true)
        let output = URL(fileURLWithPath: out ?? "splits/\(parsed.name)")
        var options = Splitter.Options(output: output, toolVersion: Heldout.version, auditor: IndependentAudit(storePath: common.store), specPath: spec)
        if Console.stderrIsTerminal && !common.json {
            options.progress = { Console.error("split: \($0)…") }
        }
        let summary = try Splitter(spec: parsed, store: store).run(options)
        if common.json {
            try Console.json(summary)
            return
        }
        for output in summary.outputs {
            let records = ["train", "dev", "test"].map { "\(output.records[$0] ?? 0) \($0)" }.joined(separator: ", ")
            Console.out("\(output.name): \(records) → \(output.directory)"
                        + (output.isolationCost.map { "; isolation dropped \($0) item(s), see manifest.json" } ?? ""))
        }
    }
}
