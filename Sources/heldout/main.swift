import ArgumentParser
import Foundation
import HeldoutCore

// Exit statuses are DESIGN's, not ArgumentParser's: 0 ok, 1 a check failed, 2 usage error,
// 3 bad input (4 when the store itself cannot be used).
do {
    var command = try Heldout.parseAsRoot()
    try command.run()
} catch let error as HeldoutError {
    Console.error("heldout: \(error)")
    exit(error.exitCode)
} catch let error as ExitCode {
    exit(error.rawValue)
} catch {
    let code = Heldout.exitCode(for: error)
    if code == .success {
        Heldout.exit(withError: error) // --help, --version
    }
    Console.error(Heldout.fullMessage(for: error))
    exit(2)
}
