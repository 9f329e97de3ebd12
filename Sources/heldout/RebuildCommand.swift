import ArgumentParser
import HeldoutBuild

/// `heldout rebuild RELEASE_DIR`: the release's spec built again into a temporary directory, its
/// data files compared byte for byte (``ReleaseRebuild``).
struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild a release from its spec.yaml into a temporary directory and compare the data files' bytes.",
        discussion: "The sources are found from the release's own folder, whatever the working directory. A release older than heldout-release/3 (its spec.yaml has no base) names them relative to the directory its split was built from: run it there."
    )

    @Argument(help: "A release directory, e.g. splits/demo/releases/v1.0.0.")
    var release: String

    func run() throws {
        let compared = try ReleaseRebuild.run(release: release, toolVersion: Heldout.version)
        Console.out("\(release): rebuilt \(compared) data file(s), byte-identical")
    }
}
