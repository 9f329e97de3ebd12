import Foundation
import Testing
import HeldoutCore
import HeldoutStore

@Suite("Crash safety and concurrency", .serialized)
struct CrashSafetyTests {
    @Test("kill -9 during a large ingest leaves an intact store without that file, and a rerun completes")
    func killDuringIngest() throws {
        let w = try Workspace()
        let small = try writeMosesPair(in: w, stem: "small", count: 50)
        #expect(try w.run("ingest", small[0], small[1]).status == 0)
        let before = try w.store.rowCounts()

        let large = try writeMosesPair(in: w, stem: "large", count: 400_000)
        let process = HeldoutBinary.start(["ingest", large[0], large[1]], in: w.url)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the ingest is writing (its WAL grows), then kill it without warning.
        let wal = w.path("heldout.sqlite-wal")
        let deadline = Date().addingTimeInterval(60)
        var walSize: Int64 = 0
        while Date() < deadline, process.isRunning {
            walSize = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int64) ?? 0
            if walSize > 2_000_000 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(process.isRunning, "the ingest finished before it could be killed; make the file larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let store = try w.store
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.rowCounts() == before)
        #expect(try store.corpus(named: "large.en+large.fr") == nil)

        let rerun = try w.run("ingest", large[0], large[1])
        #expect(rerun.status == 0)
        #expect(try store.corpus(named: "large.en+large.fr")?.units == 400_000)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("two ingests into one store at once both finish, and both corpora are whole")
    func concurrentIngests() throws {
        let w = try Workspace()
        let a = try writeMosesPair(in: w, stem: "alpha", count: 60_000)
        let b = try writeMosesPair(in: w, stem: "beta", count: 60_000)
        let first = HeldoutBinary.start(["ingest", a[0], a[1]], in: w.url)
        let second = HeldoutBinary.start(["ingest", b[0], b[1]], in: w.url)
        let errors = (Pipe(), Pipe())
        first.standardError = errors.0
        second.standardError = errors.1
        first.standardOutput = FileHandle.nullDevice
        second.standardOutput = FileHandle.nullDevice
        try first.run()
        try second.run()
        let messages = (errors.0.fileHandleForReading.readDataToEndOfFile(), errors.1.fileHandleForReading.readDataToEndOfFile())
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0, "\(String(decoding: messages.0, as: UTF8.self))")
        #expect(second.terminationStatus == 0, "\(String(decoding: messages.1, as: UTF8.self))")
        let store = try w.store
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.corpus(named: "alpha.en+alpha.fr")?.units == 60_000)
        #expect(try store.corpus(named: "beta.en+beta.fr")?.units == 60_000)
        #expect(try store.statistics().segments == 240_000)
    }

    @Test("a writer that waits too long fails with a clear message and changes nothing")
    func busyStore() throws {
        let w = try Workspace()
        let small = try writeMosesPair(in: w, stem: "small", count: 10)
        let store = try Store(path: w.path("heldout.sqlite"), busyTimeout: 1)
        let other = try Store(path: w.path("heldout.sqlite"), busyTimeout: 1)
        // Hold the write lock in one connection while the other tries to ingest.
        try store.write { _ in
            #expect(throws: HeldoutError.storeBusy(path: w.path("heldout.sqlite"), waitedSeconds: 1)) {
                _ = try other.ingest(CorpusDescriptor(name: "x", format: "test", sha256: "s", size: 1, files: small)) { _ in }
            }
        }
        #expect(try store.corpus(named: "x") == nil)
    }
}
