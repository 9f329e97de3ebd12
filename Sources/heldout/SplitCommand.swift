import ArgumentParser
import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutSplit
import HeldoutStore

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Write a split (train/dev/test) with guaranteed held-out isolation.",
        discussion: """
        Reads the spec, selects items from the store, ties items that share a segment, a translation, a near-duplicate, a passage or a document; items about a held-out word or consistency group keep training off it. It chooses sides so that every column gets the train/dev/test shares the spec asks for (within partitions.tolerance) at the least cost, and writes train.jsonl, dev.jsonl, test.jsonl, dropped.jsonl, spec.yaml and manifest.json. A quota that cannot be met fails with exit status 1, naming the column, the links and the spec change that would help, and nothing is written (--allow-short writes it anyway). The output is audited before it appears; a leak fails with exit status 1. The same store and spec give byte-identical files.
        """
    )

    @OptionGroup var common: StoreOptions

    @Argument(help: "The split spec (YAML).")
    var spec: String

    @Option(help: "Output directory (default: splits/NAME). Comparison and sweep splits go next to it. An existing directory must be a split heldout wrote, holding nothing else.")
    var out: String?

    @Flag(help: "Write the split even when a column's quota is not met (as `partitions.allow_short: true`); the manifest and card say it is short.")
    var allowShort = false

    func run() throws {
        let parsed = try SplitSpec.load(path: spec)
        let store = try common.open(mustExist: true)
        let output = URL(fileURLWithPath: out ?? "splits/\(parsed.name)")
        // HELDOUT_STAGE_TIMES=1: each stage's wall time and the peak RSS so far, for bench/split.sh.
        let timings = ProcessInfo.processInfo.environment["HELDOUT_STAGE_TIMES"].map { _ in StageTimer(command: "split") }
        var auditor = IndependentAudit(storePath: common.store)
        if let timings { auditor.progress = { timings.start("audit: " + $0) } }
        var options = Splitter.Options(output: output, toolVersion: Heldout.version, auditor: auditor, specPath: spec)
        options.allowShort = allowShort
        if let timings { options.progress = { timings.start($0) } }
        // On a terminal, one redrawn line: the step, and the records written with rate and ETA.
        let runner = StageRunner(store: store, showProgress: timings == nil && Console.stderrIsTerminal && !common.json)
        let summary = try runner.run(SplitStage(spec: parsed, options: options)) ?? SplitSummary(outputs: [])
        timings?.start(nil)
        if common.json {
            try Console.json(summary)
            return
        }
        summary.printLines()
    }
}

extension SplitSummary {
    /// One line per split written: records per partition, where, and what isolation cost.
    func printLines() {
        for output in outputs {
            let records = ["train", "dev", "test"].map { "\(output.records[$0] ?? 0) \($0)" }.joined(separator: ", ")
            Console.out("\(output.name): \(records) → \(output.directory)"
                        + (output.isolationCost.map { "; isolation dropped \($0) item(s), see manifest.json" } ?? ""))
        }
    }
}
