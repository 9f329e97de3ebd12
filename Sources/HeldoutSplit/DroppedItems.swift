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

    static let fileName = SplitDirectory.dropped

    static func write(to url: URL, spec: SplitSpec, input: SplitInput, fates: [ItemFate],
                      assignment: SideAssignment, graph: IsolationGraph, holders: KeptKeyHolders) throws {
        let encoder = CanonicalJSON.Encoder()
        var out = Data()
        for i in 0..<input.count {
            guard case let .dropped(reason) = fates[i] else { continue }
            var entry = Entry(id: input.ids[i].hex, column: spec.columns[Int(input.column[i])].name, reason: reason.rawValue)
            if reason == .isolation {
                // The link the assignment named, on the side the item gave way to; else any link,
                // that side first.
                let opposing = KeptKeyHolders.opposingSide(of: i, input: input, spec: spec, assignment: assignment, graph: graph)
                let sides: [KeptKeyHolders.Side] = opposing == .train ? [.train, .evaluation] : [.evaluation, .train]
                var found: (IsolationLink, Int32)?
                if let link = assignment.dropLink[i], let partner = holders.partner(of: i, link: link, side: opposing, graph: graph) {
                    found = (link, partner)
                }
                for link in graph.links where found == nil {
                    for side in sides where found == nil {
                        if let partner = holders.partner(of: i, link: link, side: side, graph: graph) { found = (link, partner) }
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
