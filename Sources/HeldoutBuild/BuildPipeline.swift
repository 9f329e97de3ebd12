import Foundation
import HeldoutCore
import HeldoutGrading
import HeldoutIngest
import HeldoutQuestions
import HeldoutSplit
import HeldoutStore

/// The body of `heldout build`, shared with `heldout rebuild`: a release is only rebuildable if
/// the rebuild takes exactly the path the original build took, so there is one copy of it.
public enum BuildPipeline {
    /// What to build and how to report on it.
    public struct Request {
        public var specPath: String
        public var storePath: String
        /// The split's directory; `splits/NAME` when `nil`.
        public var output: String?
        /// Recorded in the manifest.
        public var toolVersion: String
        /// Receives one line per stage (and warnings); standard error in the CLI.
        public var log: (String) -> Void = { _ in }
        /// Draw progress lines on long steps (a terminal).
        public var showProgress = false
        /// Seconds a writer waits for another process's lock on the store.
        public var busyTimeout = 600
        /// Called once when the store is busy and the build starts waiting for it.
        public var onWait: (@Sendable (String) -> Void)?
        /// Each stage's name as it starts, `nil` at the end (`HELDOUT_STAGE_TIMES`).
        public var onStageStart: ((String?) -> Void)?
        /// Test hook, passed on to `Splitter.Options`.
        public var splitProgress: ((String) -> Void)?
        /// Test hook: the counts of each stage's long step (``StageRunner/counts``).
        public var counts: StageCounts?
        /// The store already holds the sources (`heldout map replay`, issue 15), so they are
        /// neither planned nor read here.
        public var ingested = false
        /// Where the split is read from once written, when the caller copies it away from
        /// `output` (the Spark driver's URI target): `spec.yaml`'s `base` is stated against it.
        public var readFrom: SplitLocation = .output
        /// The folder holding local copies of the sources the spec names by URI
        /// (`SplitSpec.fetchedSources`): the manifest's digests read them there.
        public var fetchedSources: String?
        /// Items made elsewhere (a cluster's `heldout map items`, reduced), stored instead of
        /// running the questions stage; the spec's templates still load, and say which items
        /// these replace.
        public var importedItems: (() throws -> [Item])?
        /// Stop once the items are made (a cluster driver then runs the band join over
        /// `Splitter.usedSegments()` and comes back with ``givenNearDuplicates``).
        public var stopBeforeSplit = false
        /// Near-duplicate pairs found by a cluster, taken by the split instead of searching.
        public var givenNearDuplicates: (() throws -> GivenNearDuplicates)?
        /// Sides a cluster chose from the split's component summaries (`map choose`), taken
        /// instead of the split's own choice.
        public var givenSides: (() throws -> GivenSides)?
        /// Records a cluster wrote from those sides (`Splitter.Options.givenRecords`), taken
        /// instead of writing them from the store.
        public var givenRecords: URL?
        /// The folder the spec's relative paths start from, when not the spec file's own
        /// (``ReleaseRebuild``: a release's `spec.yaml` was written in its split directory).
        public var specDirectory: String?

        public init(specPath: String, storePath: String, toolVersion: String) {
            self.specPath = specPath
            self.storePath = storePath
            self.toolVersion = toolVersion
        }
    }

    /// What a build did: every stage's result and the splits written, each with its audit
    /// verdict and what was dropped per column (`build --json`).
    public struct Report: Encodable {
        public var stages: [StageResult]
        public var outputs: [SplitSummary.Output]
        public var splits: [SplitResult]
        /// What was handed in and taken rather than made here (`SplitSummary.taken`).
        public var taken: [String: Bool]?
        public var summary: SplitSummary { SplitSummary(outputs: outputs, taken: taken) }
    }

    /// One split written: the audit's verdict (from its `audit.json`) and the items left out,
    /// per column and reason (from its manifest).
    public struct SplitResult: Codable, Sendable {
        public struct Verdict: Codable, Sendable {
            public var clean: Bool
            public var enforcedLeaks: Int
            enum CodingKeys: String, CodingKey {
                case clean
                case enforcedLeaks = "enforced_leaks"
            }
        }
        public var name: String
        public var audit: Verdict?
        public var dropped: [String: [String: Int]]

        /// Read back from the split directory Split and the audit wrote.
        public static func read(_ output: SplitSummary.Output) throws -> SplitResult {
            let directory = URL(fileURLWithPath: output.directory)
            let manifest = try SplitManifest.read(directory: directory)
            let verdict = (try? Data(contentsOf: directory.appendingPathComponent(SplitDirectory.audit)))
                .flatMap { try? JSONDecoder().decode(Verdict.self, from: $0) }
            return SplitResult(name: output.name, audit: verdict, dropped: manifest?.dropped ?? [:])
        }
    }

    /// Ingest, grade, make questions, split and audit.
    public static func run(_ request: Request) throws -> Report {
        let spec = request.specPath
        var parsed = try SplitSpec.load(path: spec)
        if let directory = request.specDirectory { parsed.directory = directory }
        parsed.fetchedSources = request.fetchedSources
        // Every source and template is checked before the store is touched.
        let planned = request.ingested ? [] : try parsed.sources.enumerated().map { index, source in try IngestRequest(source: source, index: index, in: parsed).plan() }
        // Relative to the spec's folder, as its sources are.
        let templateDirectory = parsed.templates.map(parsed.resolve)
        let templates = try templateDirectory.map { try TemplateLoader.load(directory: $0) }
        let store = try Store(path: request.storePath, busyTimeout: request.busyTimeout, onWait: request.onWait)
        let runner = StageRunner(store: store, log: request.log, showProgress: request.showProgress)
        runner.onStageStart = request.onStageStart
        runner.counts = request.counts

        for (ingester, corpora) in planned {
            for corpus in corpora {
                try runner.run(IngestCorpusStage(ingester: ingester, corpus: corpus))
            }
        }

        var grading = Grader.Options()
        grading.bands = parsed.bands
        try runner.run(GradeStage(options: grading))

        // Items made elsewhere carry declared domains only: once the classifier has predicted
        // some, they are made here again, so that the split is still a local build's.
        // So do records a cluster wrote from its own items: they are written here instead.
        let classified = request.importedItems == nil && request.givenRecords == nil ? 0 : try store.classifiedDomainCount()
        if classified > 0, request.importedItems != nil {
            request.log("questions: the classifier predicted the domain of \(classified) segments, which the given items lack; the items are made here instead")
        }
        if classified > 0, request.givenRecords != nil {
            request.log("split: the classifier predicted the domain of \(classified) segments, which the cluster's records lack; the records are written here instead")
        }
        if let templates, let imported = request.importedItems, classified == 0 {
            var questions = ImportedItemsStage(templates: Set(templates.map(\.id)), items: imported)
            questions.checkColumns = { report in try checkColumns(parsed, templates: templates, report: report, store: store) }
            try runner.run(questions)
        } else if let templates, let directory = templateDirectory {
            var questions = QuestionsStage(templates: templates, directory: directory)
            questions.checkColumns = { report in try checkColumns(parsed, templates: templates, report: report, store: store) }
            try runner.run(questions)
        }

        if request.stopBeforeSplit {
            request.onStageStart?(nil)
            return Report(stages: runner.results, outputs: [], splits: [])
        }
        let output = URL(fileURLWithPath: request.output ?? "splits/\(parsed.name)")
        var options = Splitter.Options(output: output, toolVersion: request.toolVersion,
                                       auditor: IndependentAudit(storePath: request.storePath), specPath: spec)
        options.progress = request.splitProgress
        options.readFrom = request.readFrom
        options.givenNearDuplicates = try request.givenNearDuplicates?()
        options.givenSides = try request.givenSides?()
        options.givenRecords = classified > 0 ? nil : request.givenRecords
        let summary = try runner.run(SplitStage(spec: parsed, options: options)) ?? SplitSummary(outputs: [])
        request.onStageStart?(nil)
        var taken: [String: Bool] = [:]
        if request.importedItems != nil { taken["items"] = classified == 0 && templates != nil }
        if request.givenRecords != nil { taken["records"] = options.givenRecords != nil }
        return Report(stages: runner.results, outputs: summary.outputs, splits: try summary.outputs.map(SplitResult.read),
                      taken: taken.isEmpty ? nil : taken)
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
