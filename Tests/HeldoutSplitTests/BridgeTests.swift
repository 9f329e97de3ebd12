import Foundation
import Testing
import HeldoutCore
@testable import HeldoutSplit

/// Under document isolation, an item whose sentence sits in two documents ties them together;
/// where that makes a component too large to place, the split drops the item (a bridge) rather
/// than cutting a document. A held-out bridge must stay out of every sibling's training too: its
/// documents may have gone to different sides (the comparison once trained on such items, and
/// its audit refused the split of Debian's catalogues at one document per catalogue).
@Suite("bridges between documents")
struct BridgeTests {
    /// Ten documents of 30 supervised items each, 20 held-out items in documents of their own,
    /// and one held-out item whose sentence sits in documents 0 and 1.
    static func input() -> (input: SplitInput, bridge: Int) {
        var input = SplitInput()
        var rows: [(id: ContentID, column: Int32, documents: [Int32])] = []
        for d in 0..<10 {
            for k in 0..<30 { rows.append((ContentID(hashing: ["a", String(d), String(k)]), 0, [Int32(d)])) }
        }
        for k in 0..<20 { rows.append((ContentID(hashing: ["c", String(k)]), 1, [Int32(10 + k)])) }
        let bridgeID = ContentID(hashing: ["bridge"])
        rows.append((bridgeID, 1, [0, 1]))
        rows.sort { $0.id < $1.id }
        input.documentNames = (0..<30).map { "corpus/d\($0)" }
        input.documentStart = [0]
        for (s, row) in rows.enumerated() {
            input.ids.append(row.id)
            input.column.append(row.column)
            input.hasGold.append(true)
            input.hasRubric.append(false)
            input.band.append(nil)
            input.domain.append(nil)
            input.segmentList.append(Int32(s))
            input.segmentStart.append(Int32(input.segmentList.count))
            input.translation.append(-1)
            input.lexeme.append(-1)
            input.consistency.append(-1)
            input.segmentIDs.append(ContentID(hashing: ["segment", row.id.hex]))
            input.segmentLang.append("en")
            input.segmentText.append("sentence \(s)")
            input.segmentGroup.append(-1)
            input.documentList.append(contentsOf: row.documents)
            input.documentStart.append(Int32(input.documentList.count))
        }
        return (input, rows.firstIndex { $0.id == bridgeID } ?? -1)
    }

    @Test("a held-out bridge is dropped in the primary and stays out of the comparison's training")
    func heldoutBridgeStaysOut() throws {
        let spec = try SplitSpec(yaml: """
            name: b
            seed: 4
            axis: category
            columns:
              a: { role: supervised }
              c: { role: heldout }
            comparison: true
            isolation: { level: document }
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }
            """, file: "spec.yaml")
        let (input, bridge) = Self.input()
        let graph = IsolationGraph(input: input, links: spec.isolation.enabledLinks, nearDuplicatePairs: [],
                                   segmentClass: (0..<Int32(input.segmentIDs.count)).map { $0 }, segmentCount: input.segmentIDs.count,
                                   passages: nil, componentLimits: SideAssignment.placementLimits(input: input, spec: spec))
        #expect(graph.isBridge[bridge])
        #expect(graph.bridges == 1)
        let assignment = try SideAssignment(graph: graph, input: input, spec: spec)
        #expect(assignment.isDropped[bridge])
        #expect(assignment.blockedInTraining[bridge])
        let variants = SplitVariant.all(for: spec)
        #expect(variants.map(\.kind) == [.primary, .comparison])
        for variant in variants {
            #expect(variant.fate(of: bridge, input: input, assignment: assignment, graph: graph) == .dropped(.isolation), "\(variant.name)")
        }
    }
}
