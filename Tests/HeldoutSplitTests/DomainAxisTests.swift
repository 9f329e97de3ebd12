import Foundation
import HeldoutCore
import HeldoutStore
import Testing
@testable import HeldoutSplit

/// Issue 19: an `axis: domain` split uses declared domains unless the spec opts in to predicted ones.
@Suite struct DomainAxisTests {
    /// Three domains of 30 items each; `news` items have a domain the classifier predicted.
    func bench() throws -> Workbench {
        let w = try Workbench()
        var items: [Item] = []
        for (domain, source) in [("cooking", "metadata"), ("sport", "metadata"), ("news", "classifier")] {
            try w.ingest(domain, fillers(domain, 30))
            for var item in fillerItems(domain, 30, category: "grammar") {
                item.domain = domain
                item.domainSource = source
                item.domainConfidence = source == "metadata" ? 1 : 0.93
                items.append(item)
            }
        }
        try w.store.replaceItems(ofTemplates: ["t-grammar"], with: items)
        return w
    }

    static let spec = """
        name: d
        seed: 1
        axis: domain
        columns:
          cooking: { role: supervised }
          sport: { role: supervised }
          news: { role: heldout }
        isolation: { near_duplicates: { threshold: 0.8 } }
        partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }

        """

    @Test("a column only predicted domains fill is refused without `predicted_domains: true`, with the key to add")
    func predictedDomainsNeedTheOptIn() throws {
        let w = try bench()
        do {
            _ = try w.split(Self.spec)
            Issue.record("a split on predicted domains was written without the opt-in")
        } catch let HeldoutError.badInput(location, message) {
            #expect(message.contains("predicted_domains: true"), "\(message)")
            #expect(message.contains("30"), "\(message)")
            #expect(location.line != nil)
        }
    }

    @Test("with the opt-in the split is written and its manifest counts declared and predicted domains")
    func optInIsCounted() throws {
        let w = try bench()
        let out = try w.split(Self.spec + "predicted_domains: true\n")
        let domains = try #require(try out.manifest["domains"] as? [String: Any])
        let kept = out.all.count
        #expect(domains["predicted_allowed"] as? Bool == true)
        let predicted = try #require(domains["predicted"] as? Int)
        let declared = try #require(domains["declared"] as? Int)
        #expect(predicted + declared == kept)
        #expect(predicted == out.all.filter { $0.column == "news" }.count && predicted > 0)
        #expect(try String(decoding: out.bytes("spec.yaml"), as: UTF8.self).contains("predicted_domains: true"))
    }

    @Test("declared domains alone: predicted items are left out of the axis, the others split as before")
    func declaredOnly() throws {
        let w = try bench()
        let spec = Self.spec.replacingOccurrences(of: "  news: { role: heldout }\n", with: "")
            .replacingOccurrences(of: "sport: { role: supervised }", with: "sport: { role: heldout }")
        let out = try w.split(spec)
        #expect(Set(out.all.compactMap(\.column)) == ["cooking", "sport"])
        let domains = try #require(try out.manifest["domains"] as? [String: Any])
        #expect(domains["predicted"] as? Int == 0)
        #expect(domains["predicted_allowed"] as? Bool == false)
    }

    @Test("other axes keep their manifest unchanged: no `domains` key")
    func otherAxes() throws {
        let w = try bench()
        let out = try w.split("""
            name: c
            seed: 1
            axis: category
            columns:
              grammar: { role: supervised }
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }

            """)
        #expect(try out.manifest["domains"] == nil)
    }
}
