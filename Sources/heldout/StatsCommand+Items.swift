import HeldoutBuild
import HeldoutCore
import HeldoutStore

extension StatsCommand {
    /// The items section of `heldout stats`: items per category × pair × band × domain, with the
    /// bands the store was last graded with (the default bands before any grading).
    static func printItemSection(_ store: Store) throws {
        let bands = try store.gradingState("bands").flatMap { try? BandScheme(parsing: $0) } ?? .standard
        let rows = try store.itemBreakdown { bands.assign($0).label }
        guard !rows.isEmpty else { return }
        Console.out("")
        Console.out(Table(["category", "pair", "band", "domain", "items"], rows.map {
            [$0.category, $0.pair, $0.band, $0.domain, "\($0.items)"]
        }).render())
    }
}
