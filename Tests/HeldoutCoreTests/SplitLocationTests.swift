import Foundation
import Testing
@testable import HeldoutCore

/// Where a split is read from decides how its `spec.yaml` finds the sources again (`base`): the
/// Spark driver writes locally and copies to `--out`, which may be a URI.
@Suite struct SplitLocationTests {
    @Test func argumentsNameAFolderOrElsewhere() {
        #expect(SplitLocation(argument: "file:///data/splits/pairs") == .folder(URL(fileURLWithPath: "/data/splits/pairs")))
        #expect(SplitLocation(argument: "/data/splits/pairs") == .folder(URL(fileURLWithPath: "/data/splits/pairs")))
        #expect(SplitLocation(argument: "hdfs://namenode:8020/splits/pairs") == .elsewhere)
        #expect(SplitLocation(argument: "s3a://bucket/splits/pairs") == .elsewhere)
        let relative = SplitLocation(argument: "splits/pairs")
        #expect(relative == .folder(URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/splits/pairs")))
    }

    @Test func baseIsRelativeToWhereTheSplitIsReadAbsoluteOffThisMachine() throws {
        var spec = try SplitSpec(yaml: """
            name: pairs
            axis: category
            columns:
              definition: { role: supervised }
              tone: { role: heldout }
            """, file: "/data/specs/pairs.yaml")
        spec.directory = "/data/specs"
        let written = URL(fileURLWithPath: "/tmp/heldout-spark-1/split")
        let output = SplitLocation.output.folder(output: written)
        #expect(spec.stored(in: output).base == "../../../data/specs")
        let copied = SplitLocation.folder(URL(fileURLWithPath: "/data/splits/pairs")).folder(output: written)
        #expect(spec.stored(in: copied).base == "../../specs")
        #expect(spec.stored(in: SplitLocation.elsewhere.folder(output: written)).base == "/data/specs")
    }
}
