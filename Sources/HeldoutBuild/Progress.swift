import Foundation

/// A one-line progress report on stderr (units/s, bytes read, ETA), redrawn at most every
/// half second, and only when stderr is a terminal: logs and pipes get no control characters.
public final class ProgressLine {
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let enabled: Bool

    /// Whether standard error is a terminal: only then are progress lines drawn.
    public static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    public init(_ label: String, enabled: Bool = ProgressLine.stderrIsTerminal) {
        self.label = label
        self.enabled = enabled
    }

    public func update(bytesRead: Int64, totalBytes: Int64, units: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.5 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(units) / elapsed
        let fraction = totalBytes > 0 ? Double(bytesRead) / Double(totalBytes) : 0
        let eta = fraction > 0.01 ? elapsed * (1 - fraction) / fraction : nil
        var line = "\(label): \(units) units, \(Int(rate)) units/s, \(bytesRead / 1_048_576)/\(totalBytes / 1_048_576) MB"
        if let eta { line += ", ETA \(Int(eta.rounded())) s" }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    public func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
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
