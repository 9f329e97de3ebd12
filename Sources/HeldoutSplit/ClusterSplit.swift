import Foundation
import HeldoutCore

/// A split a cluster wrote whole (issue 15): every variant's folder with its records,
/// `dropped.jsonl`, `spec.yaml`, `manifest.json` and audit, put in place as ``Splitter/run(_:)``
/// puts its own, with no store and no split on the driver.
///
/// Nothing here decides anything about the split: the cluster did, and its files already
/// carry the decisions. What is checked is that the folder *is* a finished split, so that a
/// job cut short, or a file changed after `map manifest` digested it, is refused rather than
/// published: each folder holds exactly the files a split writes, its manifest names the
/// variant and digests the files it holds, and its audit found no enforced leak.
public enum ClusterSplit {
    /// The files a finished variant folder holds, no more and no fewer: a split directory's
    /// own files but the releases `publish` adds later.
    static let files = SplitDirectory.ownFiles.subtracting([SplitDirectory.releases])

    /// Puts every variant of `spec` from `folder` (`VARIANT/…`) into place next to `output`,
    /// each first copied into a temporary folder beside its destination and then renamed over
    /// it, so a reader sees the old split or the new one. Every check runs, and every
    /// destination is shown replaceable, before anything is copied; on any failure nothing is
    /// left behind and an existing split is untouched.
    public static func place(from folder: URL, spec: SplitSpec, output: URL) throws -> SplitSummary {
        let fm = FileManager.default
        let variants = SplitVariant.all(for: spec)
        let destinations = variants.map { Splitter.destination(of: $0, output: output, spec: spec) }
        for destination in destinations { try Splitter.checkReplaceable(destination) }
        var summaries: [SplitSummary.Output] = []
        for (variant, destination) in zip(variants, destinations) {
            let manifest = try check(folder.appendingPathComponent(variant.name), variant: variant)
            summaries.append(SplitSummary.Output(name: variant.name, directory: destination.path, records: manifest.records ?? [:],
                                                 isolationCost: manifest.isolationCost?.total))
        }
        try fm.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        var temporaries: [URL] = []
        defer { for url in temporaries { try? fm.removeItem(at: url) } }
        for (variant, destination) in zip(variants, destinations) {
            let temporary = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).tmp-\(UUID().uuidString)")
            try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
            temporaries.append(temporary)
            for file in files.sorted() {
                try fm.copyItem(at: folder.appendingPathComponent(variant.name).appendingPathComponent(file),
                                to: temporary.appendingPathComponent(file))
            }
        }
        for (temporary, destination) in zip(temporaries, destinations) {
            try Splitter.replace(destination, with: temporary)
        }
        temporaries.removeAll()
        return SplitSummary(outputs: summaries)
    }

    /// The variant folder's manifest, once the folder is shown to be the variant's finished split.
    static func check(_ directory: URL, variant: SplitVariant) throws -> SplitManifest {
        let held = Set((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        let missing = files.subtracting(held).sorted()
        let other = held.subtracting(files).sorted()
        guard missing.isEmpty, other.isEmpty else {
            let what = (missing.isEmpty ? [] : ["lacks \(missing.joined(separator: ", "))"])
                + (other.isEmpty ? [] : ["holds \(other.prefix(5).joined(separator: ", ")), which a split does not"])
            throw HeldoutError.checkFailed("\(directory.path): the cluster's split \(variant.name) \(what.joined(separator: " and ")); nothing was written")
        }
        let manifest = try SplitManifest.read(from: directory.appendingPathComponent(SplitDirectory.manifest))
        guard manifest.schema == SplitManifest.currentSchema, manifest.name == variant.name else {
            throw HeldoutError.checkFailed("\(directory.path): the manifest is of \(manifest.name) (schema \(manifest.schema)), not of \(variant.name) (\(SplitManifest.currentSchema)); nothing was written")
        }
        for file in SplitDirectory.recordedOutputs {
            let digest = try FileDigest.sha256(ofFile: directory.appendingPathComponent(file).path).hex
            guard manifest.outputs?[file] == digest else {
                throw HeldoutError.checkFailed("\(directory.path)/\(file): not the file the manifest digests (sha256 \(digest), the manifest's \(manifest.outputs?[file] ?? "none")); nothing was written")
            }
        }
        struct Verdict: Decodable {
            var enforcedLeaks: Int
            enum CodingKeys: String, CodingKey { case enforcedLeaks = "enforced_leaks" }
        }
        let audit = directory.appendingPathComponent(SplitDirectory.audit)
        guard let verdict = try? JSONDecoder().decode(Verdict.self, from: Data(contentsOf: audit)) else {
            throw HeldoutError.checkFailed("\(audit.path): not an audit report; nothing was written")
        }
        guard verdict.enforcedLeaks == 0 else {
            throw HeldoutError.checkFailed("\(audit.path): the audit found \(verdict.enforcedLeaks) enforced leak(s); nothing was written")
        }
        return manifest
    }
}
