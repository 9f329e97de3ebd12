import Foundation
import Testing
import HeldoutCore
@testable import HeldoutSplit

/// Records placed item by item from what a cluster knows of each item (its row, column,
/// component side, step-1 drop, texts and documents), then reduced (sorted by id, siblings'
/// training size-matched), are the split's own files byte for byte; given back to the split,
/// they are taken only when each file holds exactly the items the split keeps there.
@Suite("records placed item by item (a cluster's map records)")
struct ItemPlacementTests {
    /// No cut keys (counts decide the sides) and a comparison, whose training is size-matched.
    static func yaml(seed: Int) -> String {
        spec(seed: seed, isolation: "{ level: segment, lexemes: false, consistency_groups: false }", tolerance: 0.05,
             extra: "comparison: true")
    }

    /// What a cluster's driver hands `map records`: every item the split selects, with its
    /// component's side and step 1's drop, and its segments' texts and documents.
    static func items(_ bench: Workbench, _ spec: SplitSpec) throws -> [ItemPlacement.Item] {
        let (input, graph, assignment) = try Splitter(spec: spec, store: bench.store).sideChoice()
        var stored: [ContentID: Item] = [:]
        try bench.store.forEachItem { stored[$0.id] = $0 }
        let segmentIndex = Dictionary(uniqueKeysWithValues: input.segmentIDs.enumerated().map { ($0.element, $0.offset) })
        return try (0..<input.count).map { i in
            let item = try #require(stored[input.ids[i]])
            func segment(_ s: Int) -> ItemPlacement.Segment {
                ItemPlacement.Segment(id: input.segmentIDs[s], lang: input.segmentLang[s], text: input.segmentText[s],
                                      documents: input.documents(ofSegment: Int32(s)).map { input.documentNames[Int($0)] })
            }
            let segments = try item.segments.map { segment(try #require(segmentIndex[$0])) }
            // The loader appends the translation it looked up in the group after the item's own.
            let used = input.segments(ofItem: i)
            let lookedUp = used.count > segments.count ? used.last.map { segment(Int($0)) } : nil
            return ItemPlacement.Item(item: item, column: spec.columns[Int(input.column[i])].name, segments: segments,
                side: assignment.partition[Int(graph.component[i])], dropped: assignment.isDropped[i], lookedUp: lookedUp)
        }
    }

    /// The shard lines of `items`, in an order fixed by `seed` but unlike the id order (what
    /// the cluster's partitions give): sorted by a hash of the line.
    static func lines(_ placement: ItemPlacement, _ items: [ItemPlacement.Item], seed: UInt64) throws -> [String] {
        var lines: [String] = []
        for placed in items {
            for record in try placement.place(placed) {
                lines.append(String(decoding: record.shardLine(id: placed.item.id.hex), as: UTF8.self))
            }
        }
        let keyed: [(ContentID, String)] = lines.map { (ContentID(hashing: [String(seed), $0]), $0) }
        return keyed.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The reduced files as the folder `Splitter.Options.givenRecords` reads, dropped items included.
    static func folder(_ files: [String: String], variants: [ItemPlacement.Variant], at url: URL) throws {
        for variant in variants {
            try FileManager.default.createDirectory(at: url.appendingPathComponent(variant.name), withIntermediateDirectories: true)
            for name in Partition.allCases.map(\.rawValue) + ["dropped"] {
                let key = "\(variant.name)/\(name).jsonl"
                try Data((files[key] ?? "").utf8).write(to: url.appendingPathComponent(key))
            }
        }
    }

    /// Each variant's `dropped.jsonl` as the cluster builds it from the reduced `files`: an
    /// item's drops from `ItemPlacement.drops`, or `size_match` where a sibling's cut left out a
    /// training record it placed; its partners, per link and side, the smallest kept id holding
    /// the first of its keys (in the split's key order) that any kept item on that side holds —
    /// the cluster's join, not `KeptKeyHolders`; the line from `ItemPlacement.droppedLine`.
    static func droppedFiles(_ bench: Workbench, _ spec: SplitSpec, _ items: [ItemPlacement.Item],
                             files: [String: String]) throws -> (files: [String: String], costByLink: [String: Int]) {
        let placement = ItemPlacement(spec: spec)
        let (input, graph, assignment) = try Splitter(spec: spec, store: bench.store).sideChoice()
        let index = Dictionary(uniqueKeysWithValues: input.ids.enumerated().map { ($0.element.hex, $0.offset) })
        func ids(_ key: String) throws -> [Int] {
            try (files[key] ?? "").split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let id = try #require(object["id"] as? String)
                return try #require(index[id])
            }
        }
        var out: [String: String] = [:]
        var costByLink: [String: Int] = [:]
        for (v, variant) in placement.variants.enumerated() {
            var kept: [Int: KeptKeyHolders.Side] = [:]
            for i in try ids("\(variant.name)/train.jsonl") { kept[i] = .train }
            for partition in ["dev", "test"] {
                for i in try ids("\(placement.variants[0].name)/\(partition).jsonl") { kept[i] = .evaluation }
            }
            var holders: [IsolationLink: [Int32: [KeptKeyHolders.Side: Int]]] = [:]
            for (i, side) in kept {
                for link in graph.links {
                    graph.forEachKey(link, of: i) { key in
                        if let held = holders[link]?[key]?[side], input.ids[held] < input.ids[i] { return }
                        holders[link, default: [:]][key, default: [:]][side] = i
                    }
                }
            }
            var text = ""
            for (i, placed) in items.enumerated() {
                var reason = try placement.drops(placed).first { $0.variant == v }?.reason
                if reason == nil, kept[i] == nil, try placement.place(placed).contains(where: { $0.variant == v && $0.partition == .train }) {
                    reason = .sizeMatch
                }
                guard let reason else { continue }
                var partners: [ItemPlacement.DroppedItem.Partner] = []
                for link in graph.links {
                    for side in [SplitSide.train, .evaluation] {
                        var first: Int?
                        graph.forEachKey(link, of: i) { key in if first == nil { first = holders[link]?[key]?[side] } }
                        if let first { partners.append(.init(link: link, side: side, id: input.ids[first].hex)) }
                    }
                }
                let dropped = ItemPlacement.DroppedItem(
                    variant: v, id: placed.item.id.hex, column: placed.column, side: placed.side, reason: reason,
                    dropLink: assignment.dropLink[i], dropPartner: assignment.dropPartner[i] >= 0 ? input.ids[Int(assignment.dropPartner[i])].hex : nil,
                    partners: partners)
                let (line, costLinks) = try placement.droppedLine(dropped)
                text += String(decoding: line, as: UTF8.self)
                if v == 0 { for link in costLinks { costByLink[link.rawValue, default: 0] += 1 } }
            }
            out["\(variant.name)/dropped.jsonl"] = text
        }
        return (out, costByLink)
    }

    /// What a cluster counts for the manifests (``ManifestFacts``), from the reduced `files`:
    /// each variant's fate per item (a record file that holds it, else the reason it drops,
    /// `size_match` where a sibling's cut left out a record it placed) counted per column; the
    /// split's near-duplicate join over the segments its items use (`map pairs`' search); the
    /// corpora and the items left out for their language. The isolation cost is the
    /// manifest's: the cluster's is held to it in `sameFiles` (by link) and in CI (whole).
    static func manifestFacts(_ bench: Workbench, _ spec: SplitSpec, _ items: [ItemPlacement.Item], files: [String: String],
                              cost: SplitManifest.IsolationCost) throws -> (facts: ManifestFacts, itemsDigest: String) {
        let placement = ItemPlacement(spec: spec)
        let (input, _, _) = try Splitter(spec: spec, store: bench.store).sideChoice()
        func ids(_ key: String) -> Set<String> {
            Set((files[key] ?? "").split(separator: "\n").compactMap { line in
                line.range(of: ",\"id\":\"").map { String(line[$0.upperBound...].prefix(32)) }
            })
        }
        var fates: [[String: [String: Int]]] = []
        for (v, variant) in placement.variants.enumerated() {
            let kept = [("train", ids("\(variant.name)/train.jsonl"))]
                + ["dev", "test"].map { ($0, ids("\(placement.variants[0].name)/\($0).jsonl")) }
            var counts: [String: [String: Int]] = [:]
            for placed in items {
                var fate = kept.first { $0.1.contains(placed.item.id.hex) }?.0
                if fate == nil { fate = try placement.drops(placed).first { $0.variant == v }?.reason.rawValue }
                counts[placed.column, default: [:]][fate ?? DropReason.sizeMatch.rawValue, default: 0] += 1
            }
            fates.append(counts)
        }
        var near: ManifestFacts.NearDuplicateFigures?
        if spec.isolation.isEnabled(.nearDuplicate) {
            let nd = spec.isolation.nearDuplicates
            let used = Set(input.segmentList).sorted()
            let found = NearDuplicateIndex(parameters: .init(threshold: nd.threshold, shingle: nd.shingle, size: nd.size))
                .search(used.map { input.segmentText[Int($0)] })
            near = .init(segments: used.count, pairs: found.pairs.count, windowedBuckets: found.windowedBuckets)
        }
        let facts = ManifestFacts(fates: fates, isolationCost: cost, nearDuplicates: near,
                                  corpora: try bench.store.corpora().map { .init(name: $0.name, sha256: $0.sha256) },
                                  languageMismatch: input.languageMismatch)
        return (facts, input.ids.sorted().reduce(into: ItemsDigest()) { $0.append($1) }.finalize())
    }

    /// The isolation cost a split's manifest states.
    static func cost(_ output: SplitOutput) throws -> SplitManifest.IsolationCost {
        try JSONDecoder().decode(SplitManifest.self, from: try output.bytes("manifest.json")).isolationCost ?? .init()
    }

    /// Training at 96%: most planted pairs (a grammar and a tone item tied by one link) stay on
    /// training, and their tone items are dropped naming the grammar item through that link.
    static func dropYAML(seed: Int) -> String {
        spec(seed: seed, isolation: "{ level: segment, lexemes: false, consistency_groups: false }", tolerance: 0.05,
             extra: "comparison: true")
            .replacingOccurrences(of: "train: 0.8, dev: 0.1, test: 0.1", with: "train: 0.96, dev: 0.02, test: 0.02")
    }

    /// Both columns supervised and swept one at a time: each member trains on one column, the
    /// larger cut to the smaller's size.
    static func sweepYAML(seed: Int) -> String {
        """
        name: t
        seed: \(seed)
        axis: category
        columns:
          grammar: { role: supervised }
          tone: { role: supervised }
        isolation: { level: segment, lexemes: false, consistency_groups: false }
        partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.05 }
        sweep: { supervised: [1] }
        """
    }

    @Test("placed and reduced in any order, the records are every variant's files, size matches included")
    func sameFiles() throws {
        let bench = try plantedStore()
        var cut = 0
        var partnered: Set<String> = []
        for seed in [3, 8] {
            for (k, yaml) in [Self.yaml(seed: seed), Self.sweepYAML(seed: seed), Self.dropYAML(seed: seed)].enumerated() {
                let spec = try SplitSpec(yaml: yaml, file: "spec.yaml")
                let out = "own\(seed)-\(k)"
                let own = try bench.split(yaml, out: out)
                let placement = ItemPlacement(spec: spec)
                let items = try Self.items(bench, spec)
                #expect(items.count > 150)
                let lines = try Self.lines(placement, items, seed: UInt64(seed))
                let files = try ItemPlacement.reduce(lines, variants: placement.variants)
                for partition in Partition.allCases {
                    #expect(Data((files["t/\(partition.rawValue).jsonl"] ?? "").utf8) == (try own.bytes("\(partition.rawValue).jsonl")),
                            "seed \(seed): \(partition)")
                }
                for (v, variant) in placement.variants.enumerated().dropFirst() {
                    let sibling = try SplitOutput(bench.url(out + variant.name.dropFirst(spec.name.count)))
                    #expect(Data((files["\(variant.name)/train.jsonl"] ?? "").utf8) == (try sibling.bytes("train.jsonl")),
                            "seed \(seed): \(variant.name)")
                    if lines.filter({ $0.hasPrefix("\(v)\ttrain\t") }).count > (sibling.records[.train]?.count ?? 0) { cut += 1 }
                }
                // dropped.jsonl from the cluster's join of keys to kept holders: the split's bytes,
                // partners through links included.
                let (dropped, costByLink) = try Self.droppedFiles(bench, spec, items, files: files)
                // The links map dropped says each counts under add up to the manifest's cost.
                let cost = (try own.manifest["isolation_cost"] as? [String: Any])?["by_link"] as? [String: Int]
                #expect(costByLink == (cost ?? [:]), "seed \(seed): \(costByLink) \(String(describing: cost))")
                #expect(Data((dropped["t/dropped.jsonl"] ?? "").utf8) == (try own.bytes("dropped.jsonl")), "seed \(seed)")
                for variant in placement.variants.dropFirst() {
                    let sibling = try SplitOutput(bench.url(out + variant.name.dropFirst(spec.name.count)))
                    #expect(Data((dropped["\(variant.name)/dropped.jsonl"] ?? "").utf8) == (try sibling.bytes("dropped.jsonl")),
                            "seed \(seed): \(variant.name)")
                }
                for line in dropped.values.joined().split(separator: "\n") {
                    if line.contains("\"partner\"") { partnered.insert(String(line.split(separator: "\"link\":\"").last?.prefix(while: { $0 != "\"" }) ?? "")) }
                    if line.contains("size_match") { partnered.insert("size_match") }
                }
                // Every variant's spec.yaml and manifest.json from what the cluster counts.
                let folder = bench.url("cluster\(seed)-\(k)")
                try Self.folder(files.merging(dropped) { $1 }, variants: placement.variants, at: folder)
                let (facts, digest) = try Self.manifestFacts(bench, spec, items, files: files, cost: try Self.cost(own))
                let sides = try GivenSidesTests.chosen(bench, yaml)
                let stated = try Splitter(spec: spec, store: bench.store).statedSpec()
                _ = try facts.write(spec: spec, stated: stated, specPath: nil, into: folder, output: bench.url(out), readFrom: .output, sides: sides,
                                    itemsDigest: digest, toolVersion: "test", origin: SourceLocation(file: "facts"))
                for variant in placement.variants {
                    let written = try SplitOutput(bench.url(out + variant.name.dropFirst(spec.name.count)))
                    for file in ["manifest.json", "spec.yaml"] {
                        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("\(variant.name)/\(file)").path)
                                == (try written.bytes(file)), "seed \(seed), spec \(k): \(variant.name)/\(file)")
                    }
                }
                // Records carry their documents (the planted `story/fox` document).
                #expect(own.all.contains { $0.documents.contains("story/fox") })
                #expect(files.values.contains { $0.contains("\"story/fox\"") })
            }
            #expect(ItemPlacement(spec: try SplitSpec(yaml: Self.sweepYAML(seed: seed), file: "spec.yaml")).variants.map(\.kind)
                    == ["primary", "sweep", "sweep"])
        }
        #expect(cut > 0, "no sibling was cut to size: the size match was not exercised")
        // The planted store's isolation drops name partners through these links.
        #expect(partnered.isSuperset(of: ["size_match", "shared_segment", "translation", "near_duplicate", "shared_passage"]), "\(partnered)")
    }

    @Test("given back with the sides, the records and manifests give the split's bytes; a missing, extra or moved record, a changed or missing dropped.jsonl or manifest.json, is refused and nothing is written")
    func givenRecords() throws {
        let bench = try plantedStore()
        let yaml = Self.dropYAML(seed: 3)
        let spec = try SplitSpec(yaml: yaml, file: "spec.yaml")
        let own = try bench.split(yaml, out: "own")
        let sides = try GivenSidesTests.chosen(bench, yaml)
        let placement = ItemPlacement(spec: spec)
        let items = try Self.items(bench, spec)
        var files = try ItemPlacement.reduce(try Self.lines(placement, items, seed: 1), variants: placement.variants)
        files.merge(try Self.droppedFiles(bench, spec, items, files: files).files) { $1 }
        let folder = bench.url("records")
        try Self.folder(files, variants: placement.variants, at: folder)
        // The manifests as the cluster writes them, for the split at `taken`.
        let stated = try Splitter(spec: spec, store: bench.store).statedSpec()
        let (facts, digest) = try Self.manifestFacts(bench, spec, items, files: files, cost: try Self.cost(own))
        func manifests(_ facts: ManifestFacts, at folder: URL) throws {
            _ = try facts.write(spec: spec, stated: stated, specPath: nil, into: folder, output: bench.url("taken"), readFrom: .output, sides: sides,
                                itemsDigest: digest, toolVersion: "test", origin: SourceLocation(file: "facts"))
        }
        try manifests(facts, at: folder)
        let taken = try bench.split(yaml, out: "taken") { $0.givenSides = sides; $0.givenRecords = folder }
        for file in ["train.jsonl", "dev.jsonl", "test.jsonl", "dropped.jsonl", "manifest.json", "spec.yaml"] {
            #expect(try own.bytes(file) == taken.bytes(file), "\(file)")
        }
        #expect(try SplitOutput(bench.url("own-comparison")).bytes("manifest.json") == SplitOutput(bench.url("taken-comparison")).bytes("manifest.json"))

        // With an auditor that writes a report, the cluster's report is taken only if it is the
        // split's own: the same bytes are taken, a changed or missing audit.json is refused.
        let reporting = ReportingChecker()
        let audited = bench.url("records-audited")
        try Self.folder(files, variants: placement.variants, at: audited)
        try manifests(facts, at: audited)
        for variant in placement.variants {
            try reporting.report(of: audited.appendingPathComponent(variant.name), primary: audited.appendingPathComponent("t"))
        }
        _ = try bench.split(yaml, out: "taken-audited", auditor: reporting) { $0.givenSides = sides; $0.givenRecords = audited }
        for (name, change) in [("changed", Data("{}".utf8)), ("missing", nil)] as [(String, Data?)] {
            let url = bench.url("records-audit-\(name)")
            try FileManager.default.copyItem(at: audited, to: url)
            let report = url.appendingPathComponent("t/audit.json")
            if let change { try change.write(to: report) } else { try FileManager.default.removeItem(at: report) }
            do {
                _ = try bench.split(yaml, out: "refused-audit-\(name)", auditor: reporting) { $0.givenSides = sides; $0.givenRecords = url }
                Issue.record("audit \(name): taken")
            } catch let error as HeldoutError {
                #expect(error.exitStatus == 1 && error.userMessage.contains("audit.json"), "\(name): \(error.userMessage)")
            }
            #expect(!FileManager.default.fileExists(atPath: bench.url("refused-audit-\(name)").path), "\(name)")
        }

        // Each tampered folder is refused (exit 1, the file and line named) and writes nothing.
        let dev = try #require(files["t/dev.jsonl"]).split(separator: "\n", omittingEmptySubsequences: true).map { $0 + "\n" }
        let train = try #require(files["t/train.jsonl"])
        #expect(dev.count > 2)
        let dropped = try #require(files["t/dropped.jsonl"])
        #expect(dropped.contains("\"partner\""))
        let tampered: [(String, [String: String])] = [
            ("missing", ["t/dev.jsonl": dev.dropFirst().joined()]),
            ("dropped item without its partner", ["t/dropped.jsonl": dropped.replacingOccurrences(of: "\"partner\":", with: "\"partner_\":")]),
            ("no dropped items", ["t/dropped.jsonl": ""]),
            ("no dropped.jsonl", [:]),
            ("extra", ["t/train.jsonl": train + dev[0]]),
            ("moved", ["t/dev.jsonl": dev.dropFirst().joined(), "t/test.jsonl": (files["t/test.jsonl"] ?? "") + dev[0]]),
        ]
        // A manifest from other counts (one tone item moved from test to dev) or from another
        // seed's sides, or none at all, is refused too.
        var moved = facts
        moved.fates[0]["tone", default: [:]]["test", default: 0] -= 1
        moved.fates[0]["tone", default: [:]]["dev", default: 0] += 1
        var otherSides = sides
        otherSides.keptUpperBound += 1
        let manifestCases: [(String, ((URL) throws -> Void)?)] = [
            ("manifest from other counts", { try manifests(moved, at: $0) }),
            ("manifest from another bound", { _ = try facts.write(spec: spec, stated: stated, specPath: nil, into: $0, output: bench.url("taken"), readFrom: .output,
                                                                 sides: otherSides, itemsDigest: digest, toolVersion: "test",
                                                                 origin: SourceLocation(file: "facts")) }),
            ("no manifest", nil),
        ]
        for (name, write) in manifestCases {
            let url = bench.url("records-\(name)")
            try Self.folder(files, variants: placement.variants, at: url)
            try manifests(facts, at: url)
            if let write { try write(url) } else { try FileManager.default.removeItem(at: url.appendingPathComponent("t/manifest.json")) }
            do {
                _ = try bench.split(yaml, out: "refused-\(name)") { $0.givenSides = sides; $0.givenRecords = url }
                Issue.record("\(name): taken")
            } catch let error as HeldoutError {
                #expect(error.exitStatus == 1 && error.userMessage.contains("manifest.json"), "\(name): \(error.userMessage)")
            }
            #expect(!FileManager.default.fileExists(atPath: bench.url("refused-\(name)").path), "\(name)")
        }
        for (name, changes) in tampered {
            let url = bench.url("records-\(name)")
            try Self.folder(files.merging(changes) { $1 }, variants: placement.variants, at: url)
            try manifests(facts, at: url)
            if changes.isEmpty { try FileManager.default.removeItem(at: url.appendingPathComponent("t/dropped.jsonl")) }
            #expect(throws: HeldoutError.self, "\(name)") {
                try bench.split(yaml, out: "refused-\(name)") { $0.givenSides = sides; $0.givenRecords = url }
            }
            do {
                _ = try bench.split(yaml, out: "refused-\(name)") { $0.givenSides = sides; $0.givenRecords = url }
            } catch let error as HeldoutError {
                #expect(error.exitStatus == 1 && error.userMessage.contains(".jsonl"), "\(name): \(error.userMessage)")
            }
            #expect(!FileManager.default.fileExists(atPath: bench.url("refused-\(name)").path), "\(name)")
        }
    }

    @Test("the fate rule: a held-out item step 1 dropped is out of evaluation and the primary's training, and the comparison trains on it")
    func droppedHeldOutItem() throws {
        let spec = try SplitSpec(yaml: Self.yaml(seed: 1), file: "spec.yaml")
        let placement = ItemPlacement(spec: spec)
        let segment = ItemPlacement.Segment(id: segmentID("en", "A sentence."), lang: "en", text: "A sentence.", documents: ["c/d", "b/a", "c/d"])
        func item(_ column: String, side: Partition, dropped: Bool, answer: String? = "calm") -> ItemPlacement.Item {
            var item = Item(template: "t", templateVersion: 1, boundValues: ["c": column, "s": side.rawValue, "d": "\(dropped)"],
                            category: column, lang: "en", pair: nil, question: "Which tone?", answer: answer, rubric: [],
                            segments: [segment.id])
            item.grade = nil
            return ItemPlacement.Item(item: item, column: column, segments: [segment], side: side, dropped: dropped)
        }
        func placed(_ item: ItemPlacement.Item) throws -> [String] {
            try placement.place(item).map { "\($0.variant)/\($0.partition.rawValue)/\($0.rank == nil ? "-" : "rank")" }
        }
        #expect(try placed(item("tone", side: .test, dropped: false)) == ["0/test/-"])
        #expect(try placed(item("tone", side: .test, dropped: true)) == [])
        #expect(try placed(item("tone", side: .train, dropped: true)) == ["1/train/rank"])
        #expect(try placed(item("grammar", side: .train, dropped: true)) == [])
        #expect(try placed(item("grammar", side: .train, dropped: false)) == ["0/train/-", "1/train/rank"])
        #expect(try placed(item("grammar", side: .dev, dropped: false, answer: nil)) == [])
        let record = try #require(try placement.place(item("grammar", side: .dev, dropped: false)).first)
        let decoded = try JSONDecoder().decode(SplitRecord.self, from: Data(record.line))
        #expect(decoded.documents == ["b/a", "c/d"] && decoded.partition == .dev && decoded.role == .supervised)
        #expect(throws: ItemPlacement.PlacementError.self) { try placement.place(item("lexicon", side: .dev, dropped: false)) }
    }
}

/// The test auditor, writing a report the way the real audit does (`audit.json`, `audit.html`
/// in the split directory): here the digests of the records it read, so a report depends on
/// exactly the files audited.
struct ReportingChecker: SplitAuditor {
    func report(of directory: URL, primary: URL) throws {
        var text = ""
        for (file, folder) in [("train.jsonl", directory), ("dev.jsonl", primary), ("test.jsonl", primary)] {
            let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path) ?? Data()
            text += "\(file) \(ContentID(hashing: [String(decoding: data, as: UTF8.self)]).hex)\n"
        }
        try Data(text.utf8).write(to: directory.appendingPathComponent("audit.json"))
        try Data("<p>\(text)</p>".utf8).write(to: directory.appendingPathComponent("audit.html"))
    }

    func audit(directory: URL, spec: SplitSpec) throws -> SplitAuditVerdict {
        try report(of: directory, primary: directory)
        return try IndependentChecker().audit(directory: directory, spec: spec)
    }
}
