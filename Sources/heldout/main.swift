import ArgumentParser
import Foundation
import HeldoutCore

// Exit statuses are DESIGN's, not ArgumentParser's: 0 ok, 1 a check failed, 2 usage error,
// 3 bad input, 4 the store or the disk cannot be used. Only the command line itself is a
// usage error: a failure while a command runs that heldout did not classify is an I/O or
// environment failure (permission denied, disk full), so it exits 4 naming the path.
if Array(CommandLine.arguments.dropFirst()) == ["--version"] {
    Console.out(Heldout.version)
    exit(0)
}
var command: ParsableCommand
do {
    command = try Heldout.parseAsRoot()
} catch {
    if Heldout.exitCode(for: error) == .success {
        Heldout.exit(withError: error) // --help, --version
    }
    Console.error(Heldout.fullMessage(for: error))
    // A misspelled subcommand (`heldout bulid`): name the one probably meant.
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let first = arguments.first, !first.hasPrefix("-"), !Heldout.subcommandNames.contains(first),
       let guess = Heldout.suggestion(for: first) {
        Console.error("Did you mean '\(guess)'? (heldout \(([guess] + arguments.dropFirst()).joined(separator: " ")))")
    }
    exit(2)
}
do {
    try command.run()
} catch let error as ReportableError {
    // Every module's error: the one place a failure becomes an exit status.
    Console.error("heldout: \(error.userMessage)")
    exit(error.exitStatus)
} catch let error as ExitCode {
    exit(error.rawValue)
} catch {
    // ArgumentParser's own errors may come from `run()` too (help of a command group,
    // ValidationError): those keep their meaning.
    switch Heldout.exitCode(for: error) {
    case .success: Heldout.exit(withError: error)
    case .validationFailure:
        Console.error(Heldout.fullMessage(for: error))
        exit(2)
    default: break
    }
    let path = IOFailure.path(error).map { "\($0): " } ?? ""
    Console.error("heldout: \(path)\(IOFailure.reason(error))")
    exit(HeldoutError.store("").exitCode)
}
