import Foundation
import Testing
import HeldoutCore
import HeldoutStore

/// Crash safety under load (issue 18): kills at many points of a bulk load, and one reader with
/// two writers on one store for a while.
@Suite("Crash safety under load", .serialized)
struct CrashSafetyUnderLoadTests {
    /// What the store holds, exactly enough to tell "as before" and "complete" from anything else:
    /// row counts, groups, corpora and their unit counts, and a digest of every segment's id,
    /// group and corpora.
    struct State: Equatable, CustomStringConvertible {
        var rows: [String: Int]
        var groups: Int
        var corpora: [String: Int]
        var digest: UInt64

        init(_ store: Store) throws {
            rows = try store.rowCounts()
            let statistics = try store.statistics()
            groups = statistics.alignmentGroups
            corpora = Dictionary(uniqueKeysWithValues: statistics.corpora.map { ($0.name, $0.units) })
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325 // FNV-1a
            try store.forEachSegment { segment in
                for byte in (segment.id + "|" + (segment.group ?? "-") + "|" + segment.corpora.joined(separator: ",") + "\n").utf8 {
                    hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
                }
            }
            digest = hash
        }

        var description: String { "\(rows), \(groups) groups, corpora \(corpora), digest \(String(digest, radix: 16))" }
    }

    /// Copies a closed store (no WAL left behind) to `destination`, replacing what is there.
    func copyStore(_ source: String, to destination: String) throws {
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm"] {
            try? fm.removeItem(atPath: destination + suffix)
            if fm.fileExists(atPath: source + suffix) { try fm.copyItem(atPath: source + suffix, toPath: destination + suffix) }
        }
    }

    @Test("kill -9 at 20 seeded points of a bulk load: each time the store is as before or complete, and intact")
    func killsDuringBulkLoad() throws {
        let w = try Workspace()
        let small = try writeMosesPair(in: w, stem: "small", count: 50)
        #expect(try w.run("ingest", "--store", "before.sqlite", small[0], small[1]).status == 0)
        // A file that brings far more segments than the store holds: the bulk load path
        // (indexes dropped and rebuilt, Bloom filter, held-back units) — DESIGN "As built (ingest)".
        let lines = 20_000
        let large = try writeMosesPair(in: w, stem: "large", count: lines)
        let before = try State(try Store(path: w.path("before.sqlite"), mustExist: true))

        // The complete store, and how long the load takes here: kills are spread over that time.
        try copyStore(w.path("before.sqlite"), to: w.path("complete.sqlite"))
        let started = Date()
        let full = try w.run("ingest", "--store", "complete.sqlite", large[0], large[1])
        let duration = Date().timeIntervalSince(started)
        #expect(full.status == 0, "\(full.stderr)")
        let complete = try State(try Store(path: w.path("complete.sqlite"), mustExist: true))
        #expect(complete.corpora["large.en+large.fr"] == lines)
        #expect(complete != before)

        var random = SplitMix64(seed: 18)
        var outcomes: [String] = []
        for attempt in 0..<20 {
            try copyStore(w.path("before.sqlite"), to: w.path("heldout.sqlite"))
            // Points from just after the start to just past the end of an undisturbed load
            // (process start-up is in it too; a kill after the end must find the store complete).
            let delay = duration * (0.02 + 1.06 * Double(random.next() % 10_000) / 10_000)
            let process = HeldoutBinary.start(["ingest", large[0], large[1]], in: w.url)
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            let killed = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let store = try Store(path: w.path("heldout.sqlite"), mustExist: true)
            #expect(try store.integrityCheck() == ["ok"], "attempt \(attempt), killed after \(delay) s")
            let state = try State(store)
            if state == before {
                outcomes.append("before")
            } else if state == complete {
                outcomes.append("complete")
            } else {
                Issue.record("attempt \(attempt), killed after \(String(format: "%.2f", delay)) s (running: \(killed)): \(state); before: \(before); complete: \(complete)")
            }
        }
        print("bulk load of \(lines) line pairs: \(String(format: "%.2f", duration)) s undisturbed; after each kill: \(outcomes.joined(separator: " "))")
        // Most kills must land inside the load, or the test proves little.
        #expect(outcomes.filter { $0 == "before" }.count >= 10, "\(outcomes)")

        // The last killed store loads completely on a rerun.
        try copyStore(w.path("before.sqlite"), to: w.path("heldout.sqlite"))
        let victim = HeldoutBinary.start(["ingest", large[0], large[1]], in: w.url)
        victim.standardError = FileHandle.nullDevice
        victim.standardOutput = FileHandle.nullDevice
        try victim.run()
        Thread.sleep(forTimeInterval: duration / 2)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        let rerun = try w.run("ingest", large[0], large[1])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try State(try Store(path: w.path("heldout.sqlite"), mustExist: true)) == complete)
    }

    /// Seconds the reader and writers run: HELDOUT_STRESS_SECONDS, 20 by default (the issue asks
    /// for a minute; CI keeps the suite short — set 60 to run the issue's figure).
    static var stressSeconds: Double {
        Double(ProcessInfo.processInfo.environment["HELDOUT_STRESS_SECONDS"] ?? "") ?? 20
    }

    @Test("one reader and two writers on one store: no error, every corpus whole, nothing lost")
    func readerAndTwoWriters() throws {
        let w = try Workspace()
        let deadline = Date().addingTimeInterval(Self.stressSeconds)
        let linesPerCorpus = 2_000, shared = 100
        // Every corpus holds the same `shared` translation pairs (so the writers join groups
        // across corpora) and lines of its own.
        let directory = w.url
        let writeCorpus: @Sendable (String) throws -> [String] = { stem in
            var en = "", fr = ""
            for i in 0..<shared {
                en += "A sentence every corpus shares, number \(i).\n"
                fr += "Une phrase que partagent tous les corpus, numéro \(i).\n"
            }
            for i in 0..<(linesPerCorpus - shared) {
                en += "Line \(i) belongs to \(stem) alone.\n"
                fr += "La ligne \(i) n'appartient qu'à \(stem).\n"
            }
            let files = [directory.appendingPathComponent("\(stem).en"), directory.appendingPathComponent("\(stem).fr")]
            try Data(en.utf8).write(to: files[0])
            try Data(fr.utf8).write(to: files[1])
            return files.map(\.path)
        }
        // The store exists before the three start (so the reader never meets a missing store).
        let seed = try writeCorpus("seed")
        #expect(try w.run("ingest", seed[0], seed[1]).status == 0)

        final class Log: @unchecked Sendable {
            private let lock = NSLock()
            private(set) var errors: [String] = []
            private(set) var ingested: [String] = []
            private(set) var reads = 0
            func error(_ message: String) { lock.withLock { errors.append(message) } }
            func done(_ corpus: String) { lock.withLock { ingested.append(corpus) } }
            func read() { lock.withLock { reads += 1 } }
        }
        let log = Log()
        let group = DispatchGroup()
        for writer in ["a", "b"] {
            DispatchQueue.global().async(group: group) {
                var round = 0
                while Date() < deadline {
                    let stem = "w\(writer)\(round)"
                    do {
                        let files = try writeCorpus(stem)
                        let result = try HeldoutBinary.run(["ingest", files[0], files[1]], in: directory)
                        if result.status == 0 { log.done("\(stem).en+\(stem).fr") } else { log.error("\(stem): exit \(result.status): \(result.stderr)") }
                    } catch {
                        log.error("\(stem): \(error)")
                    }
                    round += 1
                }
            }
        }
        DispatchQueue.global().async(group: group) {
            var last = 0
            while Date() < deadline {
                do {
                    let result = try HeldoutBinary.run(["stats", "--json"], in: directory)
                    guard result.status == 0,
                          let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                          let segments = object["segments"] as? Int else {
                        log.error("stats: exit \(result.status): \(result.stderr) \(result.stdout.prefix(200))")
                        continue
                    }
                    // A reader sees whole corpora only: the count never goes back, and is always
                    // the seed plus whole corpora (each brings its own lines on both sides).
                    if segments < last { log.error("stats: \(segments) segments after \(last)") }
                    if (segments - 2 * linesPerCorpus) % (2 * (linesPerCorpus - shared)) != 0 {
                        log.error("stats: \(segments) segments is not a number of whole corpora")
                    }
                    last = segments
                    log.read()
                } catch {
                    log.error("stats: \(error)")
                }
            }
        }
        group.wait()

        #expect(log.errors.isEmpty, "\(log.errors.prefix(5))")
        #expect(log.reads > 0)
        #expect(log.ingested.contains { $0.hasPrefix("wa") } && log.ingested.contains { $0.hasPrefix("wb") }, "\(log.ingested)")
        let store = try w.store
        #expect(try store.integrityCheck() == ["ok"])
        let statistics = try store.statistics()
        let units = Dictionary(uniqueKeysWithValues: statistics.corpora.map { ($0.name, $0.units) })
        #expect(Set(units.keys) == Set(log.ingested + ["seed.en+seed.fr"]))
        for name in units.keys { #expect(units[name] == linesPerCorpus, "\(name)") }
        let corpora = log.ingested.count + 1
        #expect(statistics.segments == 2 * shared + 2 * (linesPerCorpus - shared) * corpora)
        #expect(statistics.occurrences == 2 * linesPerCorpus * corpora)
        // One group per translation pair: the shared pairs are one group each, whoever wrote them.
        #expect(statistics.alignmentGroups == shared + (linesPerCorpus - shared) * corpora)
    }
}

