import Foundation
import HeldoutCore

/// `dropped.jsonl`: every item the spec selected that a split does not write, with why — the
/// isolation cost made visible item by item. For an item dropped for isolation, `link` and
/// `partner` name a kept item on the other side that shares a key of that link with it; without
/// one (`link: null`), it was cut off through items that were themselves dropped.
struct DroppedItems {
    struct Entry: Codable {
        var id: String
        var column: String
        var reason: String
        var link: String?
        var partner: String?
    }

    static let fileName = "dropped.jsonl"

    static func write(to url: URL, spec: SplitSpec, input: SplitInput, fates: [ItemFate],
                      assignment: SideAssignment, graph: IsolationGraph) throws {
        // A kept training item per key and link, to name a direct partner.
        var trainingHolder: [IsolationLink: [Int32]] = [:]
        var evaluationHolder: [IsolationLink: [Int32]] = [:]
        for link in graph.links {
            var train = [Int32](repeating: -1, count: graph.keySpace(link))
            var evaluation = [Int32](repeating: -1, count: graph.keySpace(link))
            for i in 0..<input.count {
                guard case let .kept(partition) = fates[i] else { continue }
                graph.forEachKey(link, of: i) { key in
                    if partition == .train {
                        if train[Int(key)] < 0 { train[Int(key)] = Int32(i) }
                    } else if evaluation[Int(key)] < 0 {
                        evaluation[Int(key)] = Int32(i)
                    }
                }
            }
            trainingHolder[link] = train
            evaluationHolder[link] = evaluation
        }
        let encoder = CanonicalJSON.Encoder()
        var out = Data()
        for i in 0..<input.count {
            guard case let .dropped(reason) = fates[i] else { continue }
            var entry = Entry(id: input.ids[i].hex, column: spec.columns[Int(input.column[i])].name, reason: reason.rawValue)
            if reason == .isolation {
                // The other side: training for an item whose component is on evaluation's side of
                // the link, and the reverse.
                // A held-out item left on training is dropped for the training items beside it.
                let onEvaluation = assignment.partition[Int(graph.component[i])].isEvaluation
                let heldoutOnTrain = !onEvaluation && spec.columns[Int(input.column[i])].role == .heldout
                let holders = onEvaluation || heldoutOnTrain ? trainingHolder : evaluationHolder
                let others = onEvaluation || heldoutOnTrain ? evaluationHolder : trainingHolder
                var found: (IsolationLink, Int32)?
                if let link = assignment.dropLink[i], let holder = (holders[link] ?? others[link]) {
                    graph.forEachKey(link, of: i) { key in if found == nil, holder[Int(key)] >= 0 { found = (link, holder[Int(key)]) } }
                }
                for link in graph.links where found == nil {
                    for table in [holders, others] where found == nil {
                        guard let holder = table[link] else { continue }
                        graph.forEachKey(link, of: i) { key in if found == nil, holder[Int(key)] >= 0 { found = (link, holder[Int(key)]) } }
                    }
                }
                if let (link, partner) = found {
                    entry.link = link.rawValue
                    entry.partner = input.ids[Int(partner)].hex
                } else if assignment.dropPartner[i] >= 0 {
                    entry.link = assignment.dropLink[i]?.rawValue
                    entry.partner = input.ids[Int(assignment.dropPartner[i])].hex
                }
            }
            out.append(try encoder.data(entry))
            out.append(0x0A)
        }
        try out.write(to: url)
    }
}
