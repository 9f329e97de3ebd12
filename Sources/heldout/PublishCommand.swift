import ArgumentParser
import Foundation
import HeldoutBuild
import HeldoutCore
import HeldoutPublish
import HeldoutStore

/// `heldout publish DIR --version X.Y.Z`: freezes a built split as an immutable, citable release.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write DIR/releases/vX.Y.Z/: data, dataset card, croissant.json, SHA256SUMS, CHANGES.md.",
        discussion: """
        Releases are immutable: an existing version fails. When dev/test membership changed since the previous release, only a major version bump is accepted. The date comes from --date, else SOURCE_DATE_EPOCH, else today (UTC), and is recorded in release.json.

        Before writing anything, publish checks that the split's files match the SHA-256 its manifest recorded, that no partition or evaluation column is empty (unless the split was accepted as short), and re-runs the audit with the --against files the split's audit used.

        Exit status: 0 published, 1 a check failed (nothing written), 2 usage, 3 bad input, 4 the store or the output folder cannot be used (the path is named).
        """
    )

    @Argument(help: "The split directory (e.g. splits/demo) that `heldout build` wrote.")
    var directory: String

    @Option(help: "Semantic version MAJOR.MINOR.PATCH.")
    var version: String

    @Option(help: "A text file whose contents go into CHANGES.md.")
    var notes: String?

    @Option(help: "SPDX licence identifier (default: the one every source states, else 'other').")
    var license: String?

    @Option(help: "Publication date YYYY-MM-DD.")
    var date: String?

    @Option(help: "The dataset's URL for croissant.json.")
    var url: String?

    @Option(help: "The creator named in croissant.json.")
    var creator: String?

    @Option(help: "The store the split was built from, for the corpora's licences (skipped when absent).")
    var store: String = "heldout.sqlite"

    @Flag(help: "Publish even though the audit finds enforced leaks; the card then warns at its top and verify reports them.")
    var allowLeaks = false

    @Flag(help: "Print the release directory as JSON.")
    var json = false

    func run() throws {
        var options = Publisher.Options(version: version, toolVersion: Heldout.version)
        options.notes = notes
        options.license = license
        options.date = date
        options.url = url
        options.creator = creator
        options.displayPath = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        options.allowLeaks = allowLeaks
        let hasStore = FileManager.default.fileExists(atPath: store)
        options.auditRunner = ReleaseAudit.runner(storePath: hasStore ? store : nil)
        if hasStore {
            let corpora = try Store(path: store, mustExist: true).corpora()
            options.corpusLicences = Dictionary(corpora.compactMap { c in c.licence.map { (c.name, $0) } }, uniquingKeysWith: { a, _ in a })
            // Paths relative to where publish runs, as the spec's are: an absolute temporary path
            // would help no reader and would make the card's bytes depend on the folder.
            let here = FileManager.default.currentDirectoryPath + "/"
            func relative(_ path: String) -> String { path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path }
            options.corpusDetails = Dictionary(corpora.map { ($0.name, CorpusDetail(files: $0.files.map(relative), format: $0.format, bytes: $0.size)) },
                                               uniquingKeysWith: { a, _ in a })
        }
        let release = try Publisher(split: URL(fileURLWithPath: directory)).publish(options)
        if license == nil {
            let spec = try? SplitSpec.load(path: URL(fileURLWithPath: directory).appendingPathComponent("spec.yaml").path)
            for problem in Publisher.licenceProblems(spec: spec, corpora: options.corpusLicences) {
                Console.error("heldout: warning: licence: \(problem); the card says so")
            }
        }
        if allowLeaks, let record = try? ReleaseRecord.read(release: release), let leaks = record.allowedLeaks {
            Console.error("heldout: warning: published with \(leaks) known leak(s) (--allow-leaks); the card says so at its top")
        }
        if json { try Console.json(["release": release.path]) } else { Console.out(release.path) }
    }
}
