/// What a long loop in a module that draws nothing itself (grading, questions, split) hands
/// its counts to: `(done, total)`, `done` never decreasing and ending at `total`.
public typealias ProgressReport = @Sendable (_ done: Int, _ total: Int) -> Void

/// Calls a ``ProgressReport`` about every thousandth of `total` and once at the end, so the
/// loop pays one integer compare per item; the drawing side throttles by time. Without a
/// report it never calls anything.
public struct ProgressTicker {
    public let total: Int
    private let report: ProgressReport?
    private let step: Int
    private var next: Int
    private var last = -1

    public init(total: Int, report: ProgressReport?) {
        self.total = total
        self.report = report
        step = max(1, total / 1000)
        next = report == nil ? Int.max : 0
    }

    /// `done` items are finished.
    @inline(__always)
    public mutating func tick(_ done: Int) {
        if done >= next { fire(min(done, total)) }
    }

    /// Every item is finished: reports `total` unless it was the last count reported.
    public mutating func finish() {
        guard report != nil, last != total else { return }
        fire(total)
    }

    private mutating func fire(_ done: Int) {
        guard let report else { return }
        if done > last {
            report(done, total)
            last = done
        }
        next = done + step
    }
}
