import Foundation

// libFuzzer driver for every reader (issue 18). One binary serves all targets: the target is
// chosen by HELDOUT_FUZZ_TARGET (libFuzzer owns the command line), e.g.
//
//     HELDOUT_FUZZ_TARGET=tmx .build-fuzz/debug/heldout-fuzz -max_total_time=60 CORPUS_DIR
//
// bench/fuzz.sh builds it with `-sanitize=fuzzer,address -D HELDOUT_FUZZ`. In an ordinary
// `swift build` it is a stub that says so (the fuzzer runtime is not linked there).

#if HELDOUT_FUZZ
import CFuzzerDriver
import HeldoutFuzz

let environment = ProcessInfo.processInfo.environment

// `HELDOUT_FUZZ_LIST=1`: each target and its seed files (`name<TAB>path,path`, for bench/fuzz.sh).
if environment["HELDOUT_FUZZ_LIST"] != nil {
    for target in FuzzTarget.allCases {
        print("\(target.rawValue)\t\(target.seeds.joined(separator: ","))")
    }
    exit(0)
}

/// The harness of the target named by HELDOUT_FUZZ_TARGET.
nonisolated(unsafe) let harness: FuzzHarness = {
    let name = environment["HELDOUT_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("HELDOUT_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
    }
    // The repository holds the fixed companion files (this file is Sources/heldout-fuzz/main.swift).
    let root = environment["HELDOUT_FUZZ_ROOT"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let scratch = environment["HELDOUT_FUZZ_SCRATCH"]
        ?? NSTemporaryDirectory() + "heldout-fuzz-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
    do {
        return try FuzzHarness(target: target, root: root, scratch: scratch)
    } catch {
        fatalError("cannot prepare the \(name) target in \(scratch): \(error)")
    }
}()

/// One input: a finding (anything but a read or a located refusal) traps, and libFuzzer keeps it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: size == 0 ? nil : data, count: size)
    if case let .unexpected(problem) = harness.run(bytes) {
        fatalError("heldout-fuzz \(harness.target.rawValue): \(problem)")
    }
    return 0
}

_ = harness
var argc = CommandLine.argc
var argv = Optional(CommandLine.unsafeArgv)
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
#else
FileHandle.standardError.write(Data("heldout-fuzz is a libFuzzer driver; build and run it with bench/fuzz.sh\n".utf8))
exit(2)
#endif
