import ArgumentParser
import Foundation
import HeldoutCore
import HeldoutPublish

// Exit statuses are DESIGN's, not ArgumentParser's: 0 ok, 1 a check failed, 2 usage error,
// 3 bad input, 4 the store or the disk cannot be used. Only the command line itself is a
// usage error: a failure while a command runs that heldout did not classify is an I/O or
// environment failure (permission denied, disk full), so it exits 4 naming the path.
var command: ParsableCommand
do {
    command = try Heldout.parseAsRoot()
} catch {
    if Heldout.exitCode(for: error) == .success {
        Heldout.exit(withError: error) // --help, --version
    }
    Console.error(Heldout.fullMessage(for: error))
    exit(2)
}
do {
    try command.run()
} catch let error as HeldoutError {
    Console.error("heldout: \(error)")
    exit(error.exitCode)
} catch let error as PublishError {
    Console.error("heldout: \(error.heldoutError)")
    exit(error.heldoutError.exitCode)
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
