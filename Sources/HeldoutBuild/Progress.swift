import Foundation
import HeldoutCore

/// A one-line progress report on stderr, redrawn at most ten times a second, and only when
/// stderr is a terminal: logs and pipes get no control characters. Two kinds of count: bytes of
/// a file read (ingest) and items of a known total (grade, questions, split), each with its rate
/// and an ETA from the rate so far.
public final class ProgressLine: @unchecked Sendable { // drawn from the thread that runs the stage
    private var label: String
    private let clock: () -> Double
    private let write: (String) -> Void
    private var start: Double
    private var lastDraw = -Double.infinity
    private var drawn = false
    private let enabled: Bool
    /// Least time between two redraws.
    public static let interval = 0.1

    /// Whether standard error is a terminal: only then are progress lines drawn.
    public static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    /// `clock` (seconds, monotone) and `write` are for tests; by default the system's uptime
    /// clock and standard error.
    public init(_ label: String, enabled: Bool = ProgressLine.stderrIsTerminal,
                clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime },
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.enabled = enabled
        self.clock = clock
        self.write = write
        start = clock()
    }

    /// A new step under the same line (`split: writing records`): its counts start again.
    public func step(_ name: String, base: String) {
        guard enabled else { return }
        label = "\(base): \(name)"
        start = clock()
        draw(label, force: true)
    }

    public func update(bytesRead: Int64, totalBytes: Int64, units: Int) {
        guard enabled, let now = due() else { return }
        let elapsed = max(now - start, 0.001)
        let fraction = totalBytes > 0 ? Double(bytesRead) / Double(totalBytes) : 0
        var line = "\(label): \(units) units, \(Int(Double(units) / elapsed)) units/s, \(bytesRead / 1_048_576)/\(totalBytes / 1_048_576) MB"
        if let eta = Self.eta(elapsed: elapsed, fraction: fraction) { line += ", ETA \(Self.duration(eta))" }
        draw(line)
    }

    /// `done` of `total` `unit`s: `grade: 52000/200000 segments (26%), 12480/s, ETA 12 s`.
    public func update(done: Int, total: Int, unit: String) {
        guard enabled, let now = due() else { return }
        draw(Self.format(label: label, done: done, total: total, unit: unit, elapsed: now - start))
    }

    /// A `ProgressReport` that draws on this line; `nil` when nothing is drawn, so the
    /// reporting loop does not even count.
    public func report(unit: String) -> ProgressReport? {
        guard enabled else { return nil }
        return { [self] done, total in update(done: done, total: total, unit: unit) }
    }

    /// Clears the line, if anything was drawn.
    public func finish() {
        guard enabled, drawn else { return }
        write("\r\u{1B}[K")
        drawn = false
    }

    /// The line for `done` of `total` after `elapsed` seconds.
    public static func format(label: String, done: Int, total: Int, unit: String, elapsed: Double) -> String {
        let seconds = max(elapsed, 0.001)
        let rate = Double(done) / seconds
        var line = "\(label): \(done)/\(total) \(unit)"
        if total > 0 { line += " (\(Int(Double(done) * 100 / Double(total)))%)" }
        line += ", \(Int(rate.rounded()))/s"
        if total > 0, let eta = eta(elapsed: seconds, fraction: Double(done) / Double(total)) { line += ", ETA \(duration(eta))" }
        return line
    }

    /// Seconds left at the rate so far; none before 1% is done (too early to say).
    static func eta(elapsed: Double, fraction: Double) -> Double? {
        guard fraction >= 0.01 else { return nil }
        return max(0, elapsed * (1 - fraction) / fraction)
    }

    /// `42 s`, `3 min 05 s`, `2 h 07 min`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(String(format: "%02d", s % 60)) s" }
        return "\(s / 3600) h \(String(format: "%02d", (s % 3600) / 60)) min"
    }

    /// The time now if a redraw is due.
    private func due() -> Double? {
        let now = clock()
        guard now - lastDraw >= Self.interval else { return nil }
        lastDraw = now
        return now
    }

    private func draw(_ line: String, force: Bool = false) {
        if force { lastDraw = clock() }
        write("\r\u{1B}[K" + line)
        drawn = true
    }
}

/// Prints, as each stage ends, its wall time and the process's peak RSS so far (VmHWM).
public final class StageTimer: @unchecked Sendable { // used from one thread at a time
    private var stage: String?
    private var started = Date()
    /// What the lines are about: `split` or `audit`.
    private let command: String

    public init(command: String) { self.command = command }

    public func start(_ next: String?) {
        let now = Date()
        if let stage {
            FileHandle.standardError.write(Data((String(format: "%@ stage %@: %.2f s, peak RSS %d MB", command, stage, now.timeIntervalSince(started), Self.peakRSSMegabytes()) + "\n").utf8))
        }
        stage = next
        started = now
    }

    public static func peakRSSMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
}
