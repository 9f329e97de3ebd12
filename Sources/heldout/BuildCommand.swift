import ArgumentParser
import Foundation
import HeldoutBuild

/// `heldout build SPEC.yaml`: the whole dataset from one spec — ingest its sources, grade,
/// make questions from its templates, split and audit (``BuildPipeline``). Each stage is skipped
/// when its inputs did not change, so a second build of the same spec only rewrites (identical)
/// split files.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Ingest, grade, make questions and split, as one spec describes; unchanged stages are skipped."
    )

    @OptionGroup var common: StoreOptions

    @Argument(help: "The split spec (YAML) with its sources and templates; their relative paths are relative to the spec's folder.")
    var spec: String

    @Option(help: "Output directory (default: splits/NAME).")
    var out: String?

    func run() throws {
        var request = BuildPipeline.Request(specPath: spec, storePath: common.store, toolVersion: Heldout.version)
        request.output = out
        request.log = { Console.error($0) }
        request.showProgress = Console.stderrIsTerminal
        request.busyTimeout = common.busyTimeout
        request.onWait = StoreOptions.waitNotice(common.busyTimeout)
        let report = try BuildPipeline.run(request)
        if common.json {
            try Console.json(report)
            return
        }
        report.summary.printLines()
    }
}
