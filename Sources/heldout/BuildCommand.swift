import ArgumentParser
import Foundation
import HeldoutCore
import HeldoutGrading
import HeldoutIngest
import HeldoutQuestions
import HeldoutSplit
import HeldoutStore

/// `heldout build SPEC.yaml`: the whole dataset from one spec — ingest its sources, grade,
/// make questions from its templates, split and audit. Each stage is skipped when its inputs
/// did not change, so a second build of the same spec only rewrites (identical) split files.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Ingest, grade, make questions and split, as one spec describes; unchanged stages are skipped."
    )

    @OptionGroup var common: StoreOptions

    @Argument(help: "The split spec (YAML) with its sources and templates.")
    var spec: String

    @Option(help: "Output directory (default: splits/NAME).")
    var out: String?

    func run() throws {
        let summary = try BuildPipeline.run(specPath: spec, storePath: common.store, output: out)
        if common.json {
            try Console.json(summary)
            return
        }
        summary.printLines()
    }

    /// A spec source as `heldout ingest` would take it. A Moses source names one side
    /// (`corpus.en`); its other side is the sibling with the pair's other language.
    static func plan(_ source: SplitSpec.Source, index: Int) throws -> (Ingester, [PlannedCorpus]) {
        let key = "sources[\(index)]"
        var options = IngestOptions()
        options.pair = source.pair.flatMap(DirectedPair.init)
        options.lang = source.lang.flatMap(LanguageTag.init)
        options.domain = source.domain
        options.columns = source.columns
        options.fields = source.fields?.sorted { $0.key < $1.key }.compactMap { lang, field in
            LanguageTag(lang).map { ($0, field) }
        }
        if let label = source.label { options.labels = [label: ""] }
        if let documents = source.documents {
            guard let mode = DocumentMode(documents) else {
                throw HeldoutError.usage("\(key).documents: \(documents) is not one of \(DocumentMode.spellings)")
            }
            options.documents = mode
        }
        options.skipInvalid = source.skipInvalid ?? false
        if let limit = source.maxSegmentBytes {
            guard limit >= 1 else { throw HeldoutError.usage("\(key).max_segment_bytes: \(limit) must be at least 1") }
            options.maxSegmentBytes = limit
        }
        var format: CorpusFormat?
        if let name = source.format {
            guard let known = CorpusFormat(rawValue: name) else {
                throw HeldoutError.usage("\(key).format: \(name) is not one of \(CorpusFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = known
        }
        var files = [source.path]
        if format == .moses, let pair = options.pair {
            let url = URL(fileURLWithPath: source.path)
            let ext = url.pathExtension
            let other = LanguageTag(ext)?.primary == pair.source.primary ? pair.target : pair.source
            files.append(url.deletingPathExtension().appendingPathExtension(other.value).path)
            if LanguageTag(ext)?.primary != pair.source.primary { files.reverse() }
        }
        let ingester = Ingester(options: options, licence: source.license)
        do {
            return (ingester, try ingester.plan(files: files, format: format, corpusName: source.corpus))
        } catch let HeldoutError.usage(message) {
            // The readers speak of command-line options; say which spec source it is.
            throw HeldoutError.usage("\(key): \(message)")
        }
    }

    /// The inputs of the questions stage: the templates' bytes, the corpora as stored, and the
    /// grader (items copy grades and domains).
    static func questionsFingerprint(templates directory: String, store: Store) throws -> String {
        var lines: [String] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.sorted()
        for name in names {
            lines.append("template \(name) \(try FileDigest.sha256(ofFile: URL(fileURLWithPath: directory).appendingPathComponent(name).path).hex)")
        }
        lines += try store.corpusFingerprintLines()
        lines.append("grader \(Grader.version)")
        return FileDigest.sha256(of: Array(lines.joined(separator: "\n").utf8))
    }
}
