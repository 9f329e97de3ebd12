import Foundation
import HeldoutCore
import Testing

/// The manifest contract every module reads.
@Suite("split manifest")
struct ManifestTests {
    func write(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url
    }

    @Test("a manifest Split writes reads back with its links, rules, quotas and costs")
    func roundTrip() throws {
        let quotas = SplitManifest.Quotas(tolerance: 0.05, rows: [.init(column: "tone", role: "heldout", partition: "dev", target: 0.5,
                                                                          items: 0, share: 0, met: false)], acceptedShort: false)
        var cost = SplitManifest.IsolationCost()
        cost.total = 3
        let manifest = SplitManifest(
            schema: SplitManifest.currentSchema, tool: .init(name: "heldout", version: "t"), build: [:], name: "demo", variant: "primary",
            roles: ["tone": "heldout"], evaluationRoles: ["tone": "heldout"], counts: [:], records: ["dev": 1], dropped: ["tone": ["isolation": 3]],
            fractions: [:], components: .init(total: 1, evaluation: 1, flipped: 0), isolationCost: cost,
            isolation: ["shared_segment", "translation"], audit: .init(links: [.sharedSegment, .translation]), nearDuplicates: nil,
            inputs: .init(spec: nil, corpora: [:], items: "x", sources: [:]), outputs: ["train.jsonl": "a"], quotas: quotas,
            optimality: nil, cutKeys: [:])
        let url = try write(String(decoding: try manifest.data(), as: UTF8.self))
        let read = try SplitManifest.read(from: url)
        #expect(read.isolation?.links == ["shared_segment", "translation"])
        #expect(read.audit?.enforce == ["exact_segment", "folded_segment", "translation"])
        #expect(read.quotas?.unmet.map(\.column) == ["tone"])
        #expect(read.isolationCost?.total == 3)
        #expect(read.dropped == ["tone": ["isolation": 3]])
    }

    @Test("a hand-written isolation block is read as settings; partial sections take their defaults")
    func handWritten() throws {
        let url = try write(#"{"isolation": {"level": "document", "lexemes": false, "near_duplicates": {"threshold": 0.7}}, "quotas": {"accepted_short": true}}"#)
        let read = try SplitManifest.read(from: url)
        guard case let .settings(settings)? = read.isolation else { Issue.record("not settings: \(String(describing: read.isolation))"); return }
        #expect(settings.level == "document")
        #expect(settings.off == ["lexemes"])
        #expect(settings.nearDuplicateThreshold == 0.7)
        #expect(read.quotas?.acceptedShort == true && read.quotas?.rows.isEmpty == true)
    }

    @Test("a manifest of a newer schema, or not a manifest, is bad input naming the file")
    func refused() throws {
        let newer = try write(#"{"schema": "heldout.split/2"}"#)
        #expect(throws: HeldoutError.self) { try SplitManifest.read(from: newer) }
        let broken = try write(#"{"records": "many"}"#)
        do {
            _ = try SplitManifest.read(from: broken)
            Issue.record("read a manifest whose records are a string")
        } catch let HeldoutError.badInput(location, message) {
            #expect(location.file == broken.path)
            #expect(message.contains("records"))
        }
    }

    @Test("every isolation link has audit rules, and each rule names its link back")
    func vocabulary() {
        for link in IsolationLink.allCases {
            #expect(!link.auditRules.isEmpty)
            for rule in link.auditRules { #expect(IsolationLink(auditRule: rule) == link) }
        }
        #expect(IsolationLink(auditRule: "ngram_overlap") == nil)
    }
}
