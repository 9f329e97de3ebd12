import ArgumentParser
import Foundation
import HeldoutAudit
import HeldoutBuild
import HeldoutCore
import HeldoutStore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Look for leaks from evaluation into training in a split directory.",
        discussion: """
        Reads DIR/train.jsonl (training), DIR/dev.jsonl and DIR/test.jsonl (evaluation) and DIR/manifest.json when present (which rules are enforced; isolation cost). Writes DIR/audit.json and DIR/audit.html and prints a summary. audit.json holds exact counts per rule and column pair, and the first 100 leaks of each rule; --full lists them all.

        Rules: \(LeakRule.allCases.map(\.rawValue).joined(separator: ", ")).

        Exit status: 0 clean, 1 a leak of an enforced rule was found, 3 bad input.
        """
    )

    @Argument(help: "The split directory.")
    var directory: String

    @Option(name: .long, help: "Outside data to check evaluation records against (JSONL, plain text or TMX); repeatable.")
    var against: [String] = []

    @Option(name: .long, help: "The store, for translations and documents (default: heldout.sqlite when it exists; none otherwise).")
    var store: String?

    @Option(name: .long, help: "Instead of a store: the segments a cluster wrote, one JSON object a line {id, lang, text, group, documents} (spark/heldout_spark.py).")
    var segments: String?

    @Flag(name: .long, help: "Print audit.json's content on stdout instead of the summary.")
    var json = false

    @Option(name: .long, help: "n of the word n-gram containment check.")
    var ngram: Int = 13

    @Option(name: .long, help: "Shortest sentence (in words) checked whole for containment.")
    var minNgram: Int = 8

    @Option(name: .long, help: "Near-duplicate Jaccard threshold (default: the manifest's, else 0.8).")
    var threshold: Double?

    @Option(name: .long, help: "Threads for the training side (default: the cores).")
    var threads: Int?

    @Flag(name: .long, help: "Do not write audit.json and audit.html.")
    var noWrite = false

    @Flag(name: .long, help: "List every leak in audit.json (default: aggregates and the first 100 leaks of each rule).")
    var full = false

    func run() throws {
        if store != nil, segments != nil { throw HeldoutError.usage("audit: --store and --segments both name the segments; give one") }
        let source: (any AuditSegmentSource)?
        if let segments {
            source = try SegmentsFile(path: segments)
        } else {
            let storePath = store ?? (FileManager.default.fileExists(atPath: "heldout.sqlite") ? "heldout.sqlite" : nil)
            source = try storePath.map { try Store(path: $0, mustExist: true) }
        }
        var options = AuditOptions()
        options.against = against
        options.ngramSize = ngram
        options.minimumNgramSize = minNgram
        options.nearDuplicateThreshold = threshold
        if let threads { options.threads = threads }
        if full { options.maxListedLeaksPerRule = Int.max }
        for file in against where !FileManager.default.isReadableFile(atPath: file) {
            throw HeldoutError.badInput(SourceLocation(file: file), InputProblem.describeUnreadable(file))
        }
        // HELDOUT_STAGE_TIMES=1: each phase's wall time and the peak RSS so far.
        let timings = ProcessInfo.processInfo.environment["HELDOUT_STAGE_TIMES"].map { _ in StageTimer(command: "audit") }
        let report = try Audit.run(directory: directory, store: source, options: options, progress: timings.map { t in { t.start($0) } })
        timings?.start(nil)
        if !noWrite { try Audit.write(report, to: directory) }
        if json {
            try Console.json(report)
        } else {
            Console.out(AuditSummary.text(report))
        }
        if !report.clean {
            // The summary (or the JSON) above names the leaks; this says what the status means.
            throw HeldoutError.checkFailed("\(directory): the audit found \(report.enforcedLeaks) leak(s) of enforced rules")
        }
    }
}
