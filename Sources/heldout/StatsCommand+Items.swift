import HeldoutStore

extension StatsCommand {
    /// The items section of `heldout stats`: items per category × pair × band × domain. Band is
    /// `n/a` until the grading stage maps grades to bands (wired at merge).
    static func printItemSection(_ store: Store) throws {
        let rows = try store.itemBreakdown()
        guard !rows.isEmpty else { return }
        Console.out("")
        Console.out(Table(["category", "pair", "band", "domain", "items"], rows.map {
            [$0.category, $0.pair, $0.band, $0.domain, "\($0.items)"]
        }).render())
    }
}
