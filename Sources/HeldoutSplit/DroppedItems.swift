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
            let opposing = KeptKeyHolders.opposingSide(of: i, input: input, spec: spec, assignment: assignment, graph: graph)
            let entry = Self.entry(
                id: input.ids[i].hex, column: spec.columns[Int(input.column[i])].name, reason: reason, opposing: opposing,
                links: graph.links, dropLink: assignment.dropLink[i],
                dropPartner: assignment.dropPartner[i] >= 0 ? input.ids[Int(assignment.dropPartner[i])].hex : nil
            ) { link, side in holders.partner(of: i, link: link, side: side, graph: graph).map { input.ids[Int($0)].hex } }
            out.append(try encoder.data(entry))
            out.append(0x0A)
        }
        try out.write(to: url)
    }

    /// One item's entry. For an item dropped for isolation: the link the side choice named
    /// (`dropLink`), on the side the item gave way to (`opposing`); else any link in `links`'
    /// order, that side first; else the item step 1 named (`dropPartner`). `partner` answers
    /// which kept item on a side shares a key of a link with this one (``KeptKeyHolders``, or
    /// a cluster's join of the same keys).
    static func entry(id: String, column: String, reason: DropReason, opposing: KeptKeyHolders.Side, links: [IsolationLink],
                      dropLink: IsolationLink?, dropPartner: String?,
                      partner: (IsolationLink, KeptKeyHolders.Side) -> String?) -> Entry {
        var entry = Entry(id: id, column: column, reason: reason.rawValue)
        guard reason == .isolation else { return entry }
        let sides: [KeptKeyHolders.Side] = opposing == .train ? [.train, .evaluation] : [.evaluation, .train]
        var found: (IsolationLink, String)?
        if let link = dropLink, let kept = partner(link, opposing) { found = (link, kept) }
        for link in links where found == nil {
            for side in sides where found == nil {
                if let kept = partner(link, side) { found = (link, kept) }
            }
        }
        if let (link, kept) = found {
            entry.link = link.rawValue
            entry.partner = kept
        } else if let dropPartner {
            entry.link = dropLink?.rawValue
            entry.partner = dropPartner
        }
        return entry
    }
}
