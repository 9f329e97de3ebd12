import Foundation
import HeldoutBuild
import HeldoutCore
import Testing

/// Issue 16: long steps draw a line with count, rate and ETA on a terminal, and nothing
/// otherwise; the modules report counts through a callback they cannot draw with.
@Suite("progress lines and counts")
struct ProgressTests {
    /// A clock the test moves by hand, and what the line wrote.
    final class Recorder: @unchecked Sendable {
        var now = 100.0
        var written: [String] = []
    }

    @Test("count, share, rate and ETA from an injected clock")
    func formatting() {
        #expect(ProgressLine.format(label: "grade", done: 50, total: 200, unit: "segments", elapsed: 5)
                == "grade: 50/200 segments (25%), 10/s, ETA 15 s")
        #expect(ProgressLine.format(label: "split: writing records", done: 1000, total: 1000, unit: "items", elapsed: 4)
                == "split: writing records: 1000/1000 items (100%), 250/s, ETA 0 s")
        // Before 1% is done, no ETA: the rate is not yet worth extrapolating.
        #expect(ProgressLine.format(label: "q", done: 0, total: 500, unit: "template passes", elapsed: 2) == "q: 0/500 template passes (0%), 0/s")
        #expect(ProgressLine.duration(42.4) == "42 s")
        #expect(ProgressLine.duration(125) == "2 min 05 s")
        #expect(ProgressLine.duration(7_500) == "2 h 05 min")
    }

    @Test("redraws at most every 0.1 s of the clock, rate measured from the line's start; nothing when disabled")
    func throttled() {
        let r = Recorder()
        let line = ProgressLine("grade", enabled: true, clock: { r.now }, write: { r.written.append($0) })
        r.now += 2
        line.update(done: 20, total: 100, unit: "segments")
        r.now += 0.05
        line.update(done: 21, total: 100, unit: "segments")
        r.now += 0.2
        line.update(done: 40, total: 100, unit: "segments")
        #expect(r.written == ["\r\u{1B}[Kgrade: 20/100 segments (20%), 10/s, ETA 8 s",
                              "\r\u{1B}[Kgrade: 40/100 segments (40%), 18/s, ETA 3 s"])
        line.finish()
        #expect(r.written.last == "\r\u{1B}[K")

        let quiet = Recorder()
        let off = ProgressLine("grade", enabled: false, clock: { quiet.now }, write: { quiet.written.append($0) })
        off.update(done: 1, total: 2, unit: "segments")
        off.step("x", base: "split")
        off.finish()
        #expect(quiet.written.isEmpty)
        #expect(off.report(unit: "segments") == nil, "a disabled line asks the loop for no counts")
    }

    @Test("a ticker reports monotone counts, about a thousand at most, ending at the total; without a report, none")
    func ticker() {
        let calls = Recorder()
        var ticker = ProgressTicker(total: 10_000) { done, total in
            calls.written.append("\(done)/\(total)")
        }
        for i in 1...9_999 { ticker.tick(i) }
        ticker.finish()
        ticker.finish()
        let seen = calls.written.map { let p = $0.split(separator: "/"); return (Int(p[0]) ?? -1, Int(p[1]) ?? -1) }
        #expect(seen.count > 10 && seen.count <= 1_002, "\(seen.count) calls")
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.0 < $1.0 })
        #expect(seen.allSatisfy { $0.1 == 10_000 })
        #expect(seen.last?.0 == 10_000)

        var silent = ProgressTicker(total: 5, report: nil)
        for i in 1...5 { silent.tick(i) }
        silent.finish()
    }

    final class Counts: @unchecked Sendable {
        let lock = NSLock()
        var byStage: [String: [(done: Int, total: Int)]] = [:]
        func add(_ stage: String, _ done: Int, _ total: Int) {
            lock.lock()
            byStage[stage, default: []].append((done, total))
            lock.unlock()
        }
    }

    @Test("grade, questions and split report counts that only grow and end at their total")
    func pipelineCounts() throws {
        let folder = try PipelineTests.Folder()
        let spec = try PipelineTests().demoSpec(in: folder)
        let counts = Counts()
        var request = PipelineTests().request(folder, spec: spec)
        request.counts = { counts.add($0, $1, $2) }
        _ = try BuildPipeline.run(request)
        for stage in ["grade", "questions", "split"] {
            let seen = try #require(counts.byStage[stage], "\(stage) reported no count")
            let total = try #require(seen.first?.total)
            #expect(total > 0, "\(stage)")
            #expect(seen.allSatisfy { $0.total == total }, "\(stage): one total")
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.0.done < $0.1.done }, "\(stage): \(seen.map(\.done))")
            #expect(seen.last?.done == total, "\(stage) ends at its total")
        }
    }
}
