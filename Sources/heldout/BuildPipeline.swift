import Foundation
import HeldoutCore
import HeldoutGrading
import HeldoutIngest
import HeldoutQuestions
import HeldoutSplit
import HeldoutStore

/// The body of `heldout build`, shared with `heldout rebuild`: a release is only rebuildable if
/// the rebuild takes exactly the path the original build took, so there is one copy of it.
enum BuildPipeline {
    /// Ingest, grade, make questions, split and audit; `output` defaults to `splits/NAME`.
    /// `ingested`: the store already holds the sources (`heldout map replay`, issue 15), so they
    /// are neither planned nor read here.
    static func run(specPath spec: String, storePath: String, output out: String?, ingested: Bool = false) throws -> SplitSummary {
        let parsed = try SplitSpec.load(path: spec)
        // Every source and template is checked before the store is touched.
        let planned = ingested ? [] : try parsed.sources.enumerated().map { index, source in try BuildCommand.plan(source, index: index) }
        let templates = try parsed.templates.map { try TemplateLoader.load(directory: $0) }
        let store = try Store(path: storePath)

        for (ingester, corpora) in planned {
            for corpus in corpora {
                let progress = ProgressLine("ingest \(corpus.name)")
                let report = try ingester.ingest(corpus, into: store) { progress.update(bytesRead: $0, totalBytes: $1, units: $2) }
                progress.finish()
                Console.error("ingest    " + IngestCommand.describe(report))
            }
        }

        var grading = Grader.Options()
        grading.bands = parsed.bands
        let graded = try Grader(options: grading).run(store: store)
        Console.error("grade     \(graded.graded) segments graded (\(graded.ungradable) ungradable), \(graded.segments) in the store")

        if let templates, let directory = parsed.templates {
            let fingerprint = try BuildCommand.questionsFingerprint(templates: directory, store: store)
            if try store.stageFingerprint("questions") == fingerprint {
                Console.error("questions unchanged (same templates, corpora and grader), skipped")
                try checkColumns(parsed, templates: templates, report: nil, store: store)
            } else {
                let report = try QuestionBuilder(templates: templates).run(store: store)
                Console.error("questions \(report.items) items from \(report.templates.count) templates")
                for line in QuestionsCommand.warnings(report) { Console.error(line) }
                // Checked before the fingerprint is kept, so that the next build makes questions again.
                try checkColumns(parsed, templates: templates, report: report, store: store)
                try store.setStageFingerprint("questions", fingerprint)
            }
        }

        let output = URL(fileURLWithPath: out ?? "splits/\(parsed.name)")
        let options = Splitter.Options(output: output, toolVersion: Heldout.version,
                                       auditor: IndependentAudit(storePath: storePath), specPath: spec)
        return try Splitter(spec: parsed, store: store).run(options)
    }

    /// A category column with no item fails the build (exit 1), naming the column's templates and
    /// the input each lacked, rather than writing splits with an empty column.
    static func checkColumns(_ spec: SplitSpec, templates: [Template], report: QuestionsReport?, store: Store) throws {
        guard spec.axis == .category else { return }
        let counts = try store.itemCounts()
        var problems: [String] = []
        for column in spec.columns where (counts[column.name] ?? 0) == 0 {
            let makers = templates.filter { $0.category == column.name }
            guard !makers.isEmpty else {
                problems.append("column \(column.name): no template has category \(column.name)")
                continue
            }
            let reasons = makers.map { template -> String in
                let why = report?.templates.first { $0.template == template.id }?.emptyReason ?? "made no item at the last questions run"
                return "template \(template.id) (\(template.file)): \(why)"
            }
            problems.append("column \(column.name) has no item: " + reasons.joined(separator: "; "))
        }
        guard problems.isEmpty else { throw HeldoutError.checkFailed(problems.joined(separator: "\n")) }
    }
}
