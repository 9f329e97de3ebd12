import Foundation
import Testing
import HeldoutCore
import HeldoutFuzz

/// The fuzz targets of every reader (issue 18). Locally: each target's seeds are read whole and
/// with a few hundred seeded mutations, and every saved finding (Regressions/TARGET/) is replayed,
/// in process. In CI (`HELDOUT_REQUIRE_FUZZ=1`, set by .ci/run): bench/fuzz.sh builds the
/// libFuzzer binary and runs every target for HELDOUT_FUZZ_SECONDS (default 20), and a crash,
/// hang or allocation over the bound fails the test.
@Suite("Fuzz targets")
struct FuzzSmokeTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func harness(_ target: FuzzTarget) throws -> FuzzHarness {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("heldout-fuzz-test-\(target.rawValue)-\(UUID().uuidString)").path
        return try FuzzHarness(target: target, root: Self.repository, scratch: scratch)
    }

    func run(_ harness: FuzzHarness, _ bytes: [UInt8]) -> FuzzOutcome {
        bytes.withUnsafeBytes { harness.run($0) }
    }

    @Test("every seed is read whole, and its mutations are read or refused with a location", arguments: FuzzTarget.allCases)
    func seedsAndMutations(_ target: FuzzTarget) throws {
        let harness = try harness(target)
        defer { harness.removeScratch() }
        #expect(!target.seeds.isEmpty)
        var random = SplitMix64(seed: UInt64(target.rawValue.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        for seed in target.seeds {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.repository + "/" + seed)))
            switch run(harness, bytes) {
            case let .accepted(units, entries):
                #expect(target == .spec || units + entries > 0, "\(seed) gave nothing")
            case let .refused(error): Issue.record("\(target.rawValue): the seed \(seed) is refused: \(error)")
            case let .unexpected(problem): Issue.record("\(target.rawValue): \(seed): \(problem)")
            }
            for _ in 0..<150 {
                let mutated = Mutation.apply(to: bytes, using: &random)
                if case let .unexpected(problem) = run(harness, mutated) {
                    Issue.record("\(target.rawValue): a mutation of \(seed) gives \(problem): \(mutated.prefix(200))")
                }
            }
        }
    }

    @Test("every saved finding is now read or refused with a location", arguments: FuzzTarget.allCases)
    func regressions(_ target: FuzzTarget) throws {
        let directory = Self.repository + "/Tests/HeldoutFuzzTests/Regressions/" + target.rawValue
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard !names.isEmpty else { return }
        let harness = try harness(target)
        defer { harness.removeScratch() }
        for name in names.sorted() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            if case let .unexpected(problem) = run(harness, bytes) {
                Issue.record("\(target.rawValue)/\(name): \(problem)")
            }
        }
    }

    @Test("a dictd index entry claiming more than the line limit, or an offset that overflows, is refused at its line (found by fuzzing: it was allocated at once)",
          arguments: ["huge-length.index", "offset-overflow.index"])
    func dictdEntryLength(_ name: String) throws {
        let harness = try harness(.dictdIndex)
        defer { harness.removeScratch() }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.repository + "/Tests/HeldoutFuzzTests/Regressions/dictd-index/" + name)))
        guard case let .refused(.badInput(location, message)) = run(harness, bytes) else {
            Issue.record("\(name) is not refused as bad input")
            return
        }
        #expect(location.file.hasSuffix("fra-eng.index") && location.line == 1, "\(location)")
        #expect(message.contains("maison") && message.contains("at most"), "\(message)")
    }

    @Test("CI: every libFuzzer target runs for HELDOUT_FUZZ_SECONDS without a finding",
          .enabled(if: ProcessInfo.processInfo.environment["HELDOUT_REQUIRE_FUZZ"] == "1"))
    func libFuzzer() throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = Int(environment["HELDOUT_FUZZ_SECONDS"] ?? "") ?? 20
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-fuzz-ci-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.repository + "/bench/fuzz.sh", String(seconds)]
        process.currentDirectoryURL = URL(fileURLWithPath: Self.repository)
        var env = environment
        env["FUZZ_OUT"] = out
        env["FUZZ_JOBS"] = env["FUZZ_JOBS"] ?? String(max(1, ProcessInfo.processInfo.activeProcessorCount))
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(text.split(separator: "\n").suffix(40).joined(separator: "\n"))
        #expect(process.terminationStatus == 0, "bench/fuzz.sh failed:\n\(text.suffix(6000))")
        // Every target ran (a line `name executions …` with a positive count), none found anything.
        let rows = Dictionary(text.split(separator: "\n").compactMap { line -> (String, [Substring])? in
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            return cells.first.map { (String($0), Array(cells.dropFirst())) }
        }, uniquingKeysWith: { _, last in last })
        for target in FuzzTarget.allCases {
            let row = rows[target.rawValue]
            #expect((row?.first).flatMap { Int($0) }.map { $0 > 0 } == true, "\(target.rawValue) did not run: \(row ?? [])")
            #expect(row?.last == "none", "\(target.rawValue): \(row ?? [])")
        }
    }
}

/// Small, deterministic damage to a valid input: the kinds of broken file a user meets
/// (truncated, a byte changed, a stretch lost or repeated, markup characters in odd places).
enum Mutation {
    static let special: [UInt8] = Array("<>&;\"'=/\\\t\n\r\0#:-[]{}".utf8) + [0xFF, 0xC3, 0xE2, 0x80]

    static func apply(to input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...random.next(below: 3) {
            let at = bytes.isEmpty ? 0 : random.next(below: bytes.count)
            switch random.next(below: 6) {
            case 0: bytes.removeSubrange(at...)
            case 1 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: random.next(below: 256))
            case 2: bytes.insert(special[random.next(below: special.count)], at: at)
            case 3:
                let end = min(bytes.count, at + random.next(below: 64))
                bytes.removeSubrange(at..<end)
            case 4:
                let end = min(bytes.count, at + random.next(below: 256))
                bytes.insert(contentsOf: bytes[at..<end], at: random.next(below: bytes.count + 1))
            default:
                let end = min(bytes.count, at + random.next(below: 16))
                bytes.insert(contentsOf: repeatElement(bytes[at..<end], count: 8).joined(), at: at)
            }
        }
        return bytes
    }
}

/// Mutations are drawn from a seeded generator, so they are the same on every run.
extension SplitMix64 {
    mutating func next(below bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
