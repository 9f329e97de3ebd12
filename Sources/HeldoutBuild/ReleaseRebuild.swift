import Foundation
import HeldoutCore
import HeldoutPublish

/// `heldout rebuild RELEASE_DIR`: builds the release's recorded spec again, with a fresh store in
/// a temporary directory, and compares the data files byte for byte — the proof that the
/// release follows from its inputs and nothing else.
public enum ReleaseRebuild {
    /// Rebuilds `release` and returns how many data files were compared, all byte-identical;
    /// throws a check failure naming every file that differs.
    public static func run(release: String, toolVersion: String) throws -> Int {
        let releaseURL = URL(fileURLWithPath: release)
        let record = try ReleaseRecord.read(release: releaseURL)
        let specPath = releaseURL.appendingPathComponent("spec.yaml").path
        var spec = try SplitSpec.load(path: specPath)
        guard !spec.sources.isEmpty else {
            throw HeldoutError.checkFailed("\(release): cannot be rebuilt: it was made step by step (ingest, grade, questions, split) and its spec.yaml lists no sources; its card lists the corpora it was made from")
        }
        spec.directory = specDirectory(release: releaseURL, record: record, spec: spec)
        // Every input first, named together: a half-run build would only report the first.
        let missing = spec.sources.map { spec.resolve($0.path) }.filter { !FileManager.default.isReadableFile(atPath: $0) }
        guard missing.isEmpty else {
            let hint = spec.base == nil
                ? "this release predates spec-relative paths: its sources are relative to the directory it was built from; run rebuild there, with the same files"
                : "its spec.yaml names them relative to \(spec.pathBase)"
            throw HeldoutError.badInput(SourceLocation(file: missing[0]),
                                        "cannot rebuild \(release): source file(s) not found: " + missing.joined(separator: ", ") + " (\(hint))")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-rebuild-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let output = work.appendingPathComponent(record.name)
        var request = BuildPipeline.Request(specPath: specPath, storePath: work.appendingPathComponent("heldout.sqlite").path, toolVersion: toolVersion)
        request.output = output.path
        request.specDirectory = spec.directory
        _ = try BuildPipeline.run(request)

        var compared: [(release: String, rebuilt: URL)] = []
        for (file, _) in SplitContents.dataFiles { compared.append((file, output.appendingPathComponent(file))) }
        for sibling in record.siblings {
            let rebuilt = work.appendingPathComponent("\(record.name)-\(sibling)")
            for (file, _) in SplitContents.dataFiles { compared.append(("\(sibling)/\(file)", rebuilt.appendingPathComponent(file))) }
        }
        let differences = try compare(compared, release: releaseURL)
        guard differences.isEmpty else {
            throw HeldoutError.checkFailed("\(release): the rebuild differs\n  " + differences.joined(separator: "\n  "))
        }
        return compared.count
    }

    /// Where the release's `spec.yaml` paths start from. A split writes `base` (the way from its
    /// directory to the original spec's folder) into the `spec.yaml` it stores, and publish copies
    /// that file byte for byte and records in `release.json` where the split directory is
    /// (`spec_directory`, `../..`): so the paths resolve from the release, wherever rebuild is
    /// run. A `spec.yaml` without `base` was written before paths were the spec's: its paths are
    /// the working directory's, as they always were for it.
    static func specDirectory(release: URL, record: ReleaseRecord, spec: SplitSpec) -> String {
        guard spec.base != nil else { return FileManager.default.currentDirectoryPath }
        return SpecPaths.resolve(record.specDirectory ?? "../..", against: release.standardizedFileURL.path)
    }

    /// One line per file whose bytes differ, is missing from the release, or was not rebuilt;
    /// a difference names its first differing line.
    static func compare(_ compared: [(release: String, rebuilt: URL)], release releaseURL: URL) throws -> [String] {
        var differences: [String] = []
        for (relative, rebuilt) in compared {
            let original = try SafePath.join(releaseURL, relative)
            let a = FileManager.default.contents(atPath: original.path)
            let b = FileManager.default.contents(atPath: rebuilt.path)
            switch (a, b) {
            case (nil, _): differences.append("\(relative): missing from the release")
            case (_, nil): differences.append("\(relative): the rebuild did not write it")
            case let (a?, b?) where a != b:
                let line = zip(a.split(separator: 0x0A, omittingEmptySubsequences: false),
                               b.split(separator: 0x0A, omittingEmptySubsequences: false)).enumerated().first { $0.element.0 != $0.element.1 }
                differences.append("\(relative): differs" + (line.map { " from line \($0.offset + 1)" } ?? " in length"))
            default: break
            }
        }
        return differences
    }
}
