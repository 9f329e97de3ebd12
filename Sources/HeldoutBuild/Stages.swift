import Foundation
import HeldoutCore
import HeldoutGrading
import HeldoutIngest
import HeldoutQuestions
import HeldoutSplit
import HeldoutStore

/// Ingest one planned corpus. Its fingerprint is what the store records of the corpus (bytes,
/// read options, domain, licence), so its files are hashed once, here.
public struct IngestCorpusStage: Stage {
    public let ingester: Ingester
    public let corpus: PlannedCorpus
    public var name: String { "ingest" }
    public var key: String { "ingest:\(corpus.name)" }
    public var unchangedReason: String { "\(corpus.name): same bytes and read options" }
    private let descriptor: Box<CorpusDescriptor>

    public init(ingester: Ingester, corpus: PlannedCorpus) {
        self.ingester = ingester
        self.corpus = corpus
        descriptor = Box()
    }

    public func fingerprint(_ store: Store) throws -> String? {
        let d = try ingester.descriptor(for: corpus)
        descriptor.value = d
        let lines = ["corpus \(d.name)", "format \(d.format)", "sha256 \(d.sha256)", "files \(d.files.joined(separator: "\t"))",
                     "options \(d.readOptions)", "domain \(d.domain ?? "")", "licence \(d.licence ?? "")"]
        return FileDigest.sha256(of: Array(lines.joined(separator: "\n").utf8))
    }

    public func run(_ context: StageContext) throws -> IngestReport {
        let progress = context.progress("ingest \(corpus.name)")
        defer { progress.finish() }
        return try ingester.ingest(corpus, descriptor: descriptor.value, into: context.store) {
            progress.update(bytesRead: $0, totalBytes: $1, units: $2)
        }
    }

    public func summary(_ report: IngestReport) -> String { IngestRequest.describe(report) }
}

/// Grade every segment not graded by this grader version, band and classify. Its fingerprint:
/// the grader's version and options, the effective bands, and the corpora with their domains.
public struct GradeStage: Stage {
    public let options: Grader.Options
    public var name: String { "grade" }
    public var key: String { "grade" }
    public var unchangedReason: String { "same corpora, bands and grader" }

    public init(options: Grader.Options) { self.options = options }

    public func fingerprint(_ store: Store) throws -> String? {
        let bands = try options.bands?.description ?? store.gradingState("bands") ?? BandScheme.standard.description
        var lines = ["grader \(Grader.version)", "bands \(bands)", "classify \(options.classify)"]
        lines += try store.corpusFingerprintLines(includingDomain: true)
        return FileDigest.sha256(of: Array(lines.joined(separator: "\n").utf8))
    }

    public func run(_ context: StageContext) throws -> Grader.RunReport {
        let line = context.progress("grade")
        defer { line.finish() }
        var options = options
        options.progress = context.report(name, line: line, unit: "segments")
        return try Grader(options: options).run(store: context.store)
    }

    public func summary(_ report: Grader.RunReport) -> String {
        "\(report.graded) segments graded (\(report.ungradable) ungradable), \(report.segments) in the store"
    }
}

/// Make items from a directory of templates. Its fingerprint: the templates' bytes, the corpora
/// as stored, and the grader (items copy grades and domains).
public struct QuestionsStage: Stage {
    public let templates: [Template]
    public let directory: String
    /// The build's check that every category column got items, run after the stage (and when
    /// it is skipped) and before its fingerprint is kept.
    public var checkColumns: ((QuestionsReport?) throws -> Void)?
    public var name: String { "questions" }
    public var key: String { "questions" }
    public var unchangedReason: String { "same templates, corpora and grader" }

    public init(templates: [Template], directory: String) {
        self.templates = templates
        self.directory = directory
    }

    public func fingerprint(_ store: Store) throws -> String? {
        try Self.fingerprint(templates: directory, store: store)
    }

    public func run(_ context: StageContext) throws -> QuestionsReport {
        let line = context.progress("questions")
        defer { line.finish() }
        var builder = QuestionBuilder(templates: templates)
        builder.progress = context.report(name, line: line, unit: "template passes")
        let report = try builder.run(store: context.store)
        // Checked before the fingerprint is kept, so that the next build makes questions again.
        try checkColumns?(report)
        return report
    }

    public func checkSkipped(_ context: StageContext) throws { try checkColumns?(nil) }

    public func summary(_ report: QuestionsReport) -> String {
        "\(report.items) items from \(report.templates.count) templates"
    }

    public func warnings(_ report: QuestionsReport) -> [String] { Self.warnings(report) }

    /// One warning per template that made no item, with why.
    public static func warnings(_ report: QuestionsReport) -> [String] {
        report.templates.compactMap { template in
            template.emptyReason.map { "warning: template \(template.template) (\(template.category)) made no item: \($0)" }
        }
    }

    /// The inputs of the questions stage: the templates' bytes, the corpora as stored, and the
    /// grader (items copy grades and domains).
    public static func fingerprint(templates directory: String, store: Store) throws -> String {
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

/// Write the split and its siblings, audited. Always runs: its output is files, not the store.
public struct SplitStage: Stage {
    public let spec: SplitSpec
    public let options: Splitter.Options
    public var name: String { "split" }
    public var key: String { "split" }

    public init(spec: SplitSpec, options: Splitter.Options) {
        self.spec = spec
        self.options = options
    }

    public func fingerprint(_ store: Store) throws -> String? { nil }

    public func run(_ context: StageContext) throws -> SplitSummary {
        let line = context.progress("split")
        defer { line.finish() }
        var options = options
        if context.showProgress {
            // One line, redrawn: each step's name, and the records written with their rate.
            let named = options.progress
            options.progress = { step in
                named?(step)
                line.step(step, base: "split")
            }
        }
        options.counts = context.report(name, line: line, unit: "items")
        return try Splitter(spec: spec, store: context.store).run(options)
    }

    public func summary(_ report: SplitSummary) -> String {
        report.outputs.map { output in
            let records = ["train", "dev", "test"].map { "\(output.records[$0] ?? 0) \($0)" }.joined(separator: ", ")
            return "\(output.name): \(records)"
        }.joined(separator: "; ")
    }
}

/// A value a stage computes while fingerprinting and uses when it runs.
final class Box<T>: @unchecked Sendable { // one stage, one thread
    var value: T?
}

/// Store items made elsewhere instead of making them here: a cluster's `heldout map items`,
/// reduced (``BuildPipeline/Request/importedItems``). The templates' items are replaced by these,
/// in one transaction; the build's column check runs after, as for ``QuestionsStage``. Always
/// runs: the items come from outside the store, so there is nothing to compare a fingerprint with.
public struct ImportedItemsStage: Stage {
    /// The ids of the templates whose items are replaced.
    public let templates: Set<String>
    /// Reads the items (called once, when the stage runs).
    public let items: () throws -> [Item]
    /// The build's check that every category column got items.
    public var checkColumns: ((QuestionsReport?) throws -> Void)?
    public var name: String { "questions" }
    public var key: String { "questions" }
    public var unchangedReason: String { "items given" }

    public init(templates: Set<String>, items: @escaping () throws -> [Item]) {
        self.templates = templates
        self.items = items
    }

    public func fingerprint(_ store: Store) throws -> String? { nil }

    public func run(_ context: StageContext) throws -> Int {
        let list = try items()
        try context.store.replaceItems(ofTemplates: templates, with: list)
        try checkColumns?(nil)
        return list.count
    }

    public func summary(_ count: Int) -> String { "\(count) items given (made on the cluster)" }
}
