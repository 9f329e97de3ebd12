import Foundation
import HeldoutCore
import HeldoutStore

/// One step of the pipeline (ingest a corpus, grade, make questions, split): what it reads, how
/// it runs, and what it says about what it did. A stage never decides by itself whether to run:
/// ``StageRunner`` does, from the fingerprint the stage gives of its inputs.
public protocol Stage {
    associatedtype Report: Sendable
    /// The word shown in the log (`ingest`, `grade`, `questions`, `split`).
    var name: String { get }
    /// The `stage_state` key its fingerprint is kept under (`questions`, `ingest:en-fr.tmx`).
    var key: String { get }
    /// A digest of everything the stage's result depends on; `nil` for a stage that always runs.
    func fingerprint(_ store: Store) throws -> String?
    /// Does the work. Throwing leaves the fingerprint as it was, so the next run tries again.
    func run(_ context: StageContext) throws -> Report
    /// One line for people: what the run did.
    func summary(_ report: Report) -> String
    /// Lines for standard error beside the summary (a template that made no item).
    func warnings(_ report: Report) -> [String]
    /// What must still hold when the stage is skipped (the build's column check).
    func checkSkipped(_ context: StageContext) throws
    /// Why an unchanged stage is skipped, in words (`same templates, corpora and grader`).
    var unchangedReason: String { get }
}

extension Stage {
    public func warnings(_ report: Report) -> [String] { [] }
    public func checkSkipped(_ context: StageContext) throws {}
    public var unchangedReason: String { "same inputs" }
}

/// What a running stage may use besides its own inputs.
public struct StageContext {
    public let store: Store
    /// Whether long steps draw a progress line (stderr is a terminal, not a test or a pipe).
    public let showProgress: Bool

    /// Receives the counts of every long step too (``StageRunner/counts``).
    public var counts: StageCounts?

    /// A progress line for a long step of this stage; draws nothing unless ``showProgress``.
    public func progress(_ label: String) -> ProgressLine { ProgressLine(label, enabled: showProgress) }

    /// What a module's loop reports its counts to: `line` (on a terminal) and ``counts``;
    /// `nil` when neither listens, so the loop does not count.
    public func report(_ stage: String, line: ProgressLine, unit: String) -> ProgressReport? {
        let drawn = line.report(unit: unit)
        guard let counts else { return drawn }
        return { done, total in
            drawn?(done, total)
            counts(stage, done, total)
        }
    }
}

/// A stage's name and the counts of its long step, `(done, total)`.
public typealias StageCounts = @Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void

/// What one stage did, for the log and for `build --json`.
public struct StageResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case ran, skipped }
    public var stage: String
    public var key: String
    public var status: Status
    public var summary: String
    public var seconds: Double
}

/// Runs stages: skips one whose inputs' fingerprint is the one recorded in the store's
/// `stage_state` when it last succeeded (the one skipping mechanism of the pipeline), logs what
/// each did, and times it.
public final class StageRunner {
    public let store: Store
    /// Receives the log lines (`ingest    en-fr.tmx: added …`); standard error in the CLI.
    public var log: (String) -> Void
    /// Receives the stages' warnings; ``log`` unless set.
    public var warn: ((String) -> Void)?
    public var showProgress: Bool
    /// Skip unchanged stages (`build`); a single-stage command runs its stage anyway and only
    /// records the fingerprint, as a user asking for it expects.
    public var skipUnchanged: Bool
    /// Called with each stage's name as it starts and `nil` at the end (`HELDOUT_STAGE_TIMES`).
    public var onStageStart: ((String?) -> Void)?
    /// Receives the counts each long step reports, whether or not a line is drawn (tests).
    public var counts: StageCounts?
    public private(set) var results: [StageResult] = []

    public init(store: Store, log: @escaping (String) -> Void = { _ in }, showProgress: Bool = false, skipUnchanged: Bool = true) {
        self.store = store
        self.log = log
        self.showProgress = showProgress
        self.skipUnchanged = skipUnchanged
    }

    /// Runs `stage` unless unchanged; returns its report, or `nil` when it was skipped.
    @discardableResult
    public func run<S: Stage>(_ stage: S) throws -> S.Report? {
        let started = Date()
        onStageStart?(stage.name)
        var context = StageContext(store: store, showProgress: showProgress)
        context.counts = counts
        let fingerprint = try stage.fingerprint(store)
        if skipUnchanged, let fingerprint, try store.stageFingerprint(stage.key) == fingerprint {
            try stage.checkSkipped(context)
            let line = "unchanged (\(stage.unchangedReason)), skipped"
            log(Self.pad(stage.name) + line)
            results.append(StageResult(stage: stage.name, key: stage.key, status: .skipped, summary: line,
                                       seconds: Date().timeIntervalSince(started)))
            return nil
        }
        let report = try stage.run(context)
        if let fingerprint { try store.setStageFingerprint(stage.key, fingerprint) }
        let summary = stage.summary(report)
        log(Self.pad(stage.name) + summary)
        for line in stage.warnings(report) { (warn ?? log)(line) }
        results.append(StageResult(stage: stage.name, key: stage.key, status: .ran, summary: summary,
                                   seconds: Date().timeIntervalSince(started)))
        return report
    }

    /// `questions ` and `grade     `: the log's columns line up.
    static func pad(_ name: String) -> String {
        name.count >= 9 ? name + " " : name.padding(toLength: 10, withPad: " ", startingAt: 0)
    }
}
