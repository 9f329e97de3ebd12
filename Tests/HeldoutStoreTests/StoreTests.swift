import Foundation
import Testing
import HeldoutCore
@testable import HeldoutStore

/// A store in a fresh temporary directory, removed when the test ends.
final class TemporaryStore {
    let directory: URL
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("heldout.sqlite").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

func tag(_ raw: String) -> LanguageTag { LanguageTag(raw)! }

func unit(_ texts: (String, String)..., document: String = "") -> CorpusUnit {
    CorpusUnit(document: document, texts: texts.map { CorpusUnit.Text(lang: tag($0.0), text: $0.1) })
}

func descriptor(_ name: String, sha: String = "sha") -> CorpusDescriptor {
    CorpusDescriptor(name: name, format: "test", sha256: sha, size: 1, files: [name])
}

func groups(_ store: Store) throws -> [String: String?] {
    var out: [String: String?] = [:]
    try store.forEachSegment { out[$0.text] = $0.group }
    return out
}

@Suite("Store")
struct StoreTests {
    @Test("the same sentence in two corpora is one segment with two occurrences")
    func sharedSegment() throws {
        let t = try TemporaryStore()
        _ = try t.store.ingest(descriptor("a")) { try $0.add(unit(("en", "The cat sleeps."), ("fr", "Le chat dort."))) }
        let report = try t.store.ingest(descriptor("b")) { try $0.add(unit(("en-GB", "The  cat sleeps. "))) }
        #expect(report.newSegments == 0)
        let stats = try t.store.statistics()
        #expect(stats.segments == 2)
        #expect(stats.occurrences == 3)
        var corpora: [String: [String]] = [:]
        try t.store.forEachSegment { corpora[$0.text] = $0.corpora }
        #expect(corpora["The cat sleeps."] == ["a", "b"])
    }

    @Test("groups that share a segment are one group: an English pivot ties de, es and fr")
    func pivot() throws {
        let t = try TemporaryStore()
        _ = try t.store.ingest(descriptor("en-de")) { try $0.add(unit(("en", "Open the file."), ("de", "Öffne die Datei."))) }
        _ = try t.store.ingest(descriptor("en-es")) { try $0.add(unit(("en", "Open the file."), ("es", "Abre el archivo."))) }
        // Another corpus tags its English en-US: still the same English sentence, still the pivot.
        _ = try t.store.ingest(descriptor("fr-en")) { try $0.add(unit(("fr-FR", "Ouvre le fichier."), ("en-US", "Open the file."))) }
        let g = try groups(t.store)
        let ids = Set(g.values)
        #expect(ids.count == 1)
        let stats = try t.store.statistics()
        #expect(stats.alignmentGroups == 1)
        #expect(stats.pairs == ["de-en": 1, "en-es": 1, "en-fr": 1, "de-es": 1, "de-fr": 1, "es-fr": 1])
    }

    @Test("group ids do not depend on the order corpora arrive in")
    func orderIndependentGroups() throws {
        let inputs: [(String, CorpusUnit)] = [
            ("one", unit(("en", "Save your work."), ("fr", "Enregistrez votre travail."))),
            ("two", unit(("en", "Save your work."), ("de", "Speichern Sie Ihre Arbeit."))),
            ("three", unit(("de", "Speichern Sie Ihre Arbeit."), ("es", "Guarde su trabajo."))),
            ("four", unit(("en", "Quit."), ("fr", "Quitter."))),
        ]
        var seen: [[String: String?]] = []
        for order in [inputs, inputs.reversed(), [inputs[2], inputs[0], inputs[3], inputs[1]]] {
            let t = try TemporaryStore()
            for (name, u) in order { _ = try t.store.ingest(descriptor(name)) { try $0.add(u) } }
            seen.append(try groups(t.store))
        }
        #expect(seen[0] == seen[1])
        #expect(seen[0] == seen[2])
        #expect(Set(seen[0].values).count == 2)
        // The group is named by its smallest member id.
        var members: [String: [String]] = [:]
        let t = try TemporaryStore()
        for (name, u) in inputs { _ = try t.store.ingest(descriptor(name)) { try $0.add(u) } }
        try t.store.forEachSegment { if let g = $0.group { members[g, default: []].append($0.id) } }
        for (group, ids) in members { #expect(group == ids.min()) }
    }

    /// Groups as DESIGN defines them, computed from scratch: segments tied by any unit of two
    /// or more segments are one group, named by the smallest segment id; others have none.
    static func referenceGroups(_ corpora: [[CorpusUnit]]) -> [String: String?] {
        var parent: [ContentID: ContentID] = [:]
        func find(_ x: ContentID) -> ContentID {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        var texts: [ContentID: String] = [:]
        for units in corpora {
            for u in units {
                var ids: [ContentID] = []
                for text in u.texts {
                    let segment = Segment(lang: text.lang, rawText: text.text)
                    if segment.text.isEmpty || ids.contains(segment.id) { continue }
                    texts[segment.id] = segment.text
                    ids.append(segment.id)
                }
                guard ids.count > 1 else { continue }
                for id in ids where parent[id] == nil { parent[id] = id }
                for id in ids.dropFirst() {
                    let a = find(ids[0]), b = find(id)
                    if a != b { parent[max(a, b)] = min(a, b) }
                }
            }
        }
        var out: [String: String?] = [:]
        for (id, text) in texts { out[text] = parent[id] == nil ? nil : find(id).hex }
        return out
    }

    @Test("staged ingest groups exactly as the definition says: shared segments within and across files, in any order")
    func randomisedGroups() throws {
        var rng = SplitMix64(seed: 7)
        let langs = ["en", "fr", "de"]
        func randomCorpus(_ size: Int, labelledFrom: Int? = nil) -> [CorpusUnit] {
            (0..<size).map { i in
                let n = 1 + Int(rng.next() % 3)
                var u = CorpusUnit(document: "d\(i % 3)", texts: (0..<n).map { _ in
                    let lang = langs[Int(rng.next() % 3)]
                    return CorpusUnit.Text(lang: tag(lang), text: "\(lang) sentence \(rng.next() % 40)")
                })
                if let labelledFrom, i >= labelledFrom { u.labels = ["tone": "plain"] }
                return u
            }
        }
        let corpora = [randomCorpus(60), randomCorpus(25), randomCorpus(40, labelledFrom: 20), randomCorpus(8)]
        let expected = Self.referenceGroups(corpora)
        #expect(Set(expected.values.compactMap { $0 }).count > 1)
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]] {
            let t = try TemporaryStore()
            for k in order {
                _ = try t.store.ingest(descriptor("c\(k)")) { sink in for u in corpora[k] { try sink.add(u) } }
            }
            #expect(try groups(t.store) == expected)
            #expect(try t.store.integrityCheck() == ["ok"])
            // Replacing a corpus regroups from what is left.
            let replacement = randomCorpus(30)
            _ = try t.store.ingest(descriptor("c\(order[1])", sha: "other")) { sink in for u in replacement { try sink.add(u) } }
            var now = corpora
            now[order[1]] = replacement
            #expect(try groups(t.store) == Self.referenceGroups(now))
            let occurrences = try t.store.statistics().occurrences
            let expectedOccurrences = now.reduce(0) { total, units in
                total + units.reduce(0) { n, u in
                    n + Set(u.texts.map { Segment(lang: $0.lang, rawText: $0.text).id }).count
                }
            }
            #expect(occurrences == expectedOccurrences)
        }
    }

    @Test("the corpus fingerprint changes with the bytes, the read options and the units, and with nothing else")
    func corpusFingerprint() throws {
        let t = try TemporaryStore()
        func ingest(sha: String, options: String, _ texts: [String]) throws {
            let d = CorpusDescriptor(name: "c", format: "tsv", sha256: sha, size: 1, files: ["c.tsv"], readOptions: options)
            _ = try t.store.ingest(d) { sink in for text in texts { try sink.add(unit(("en", text))) } }
        }
        try ingest(sha: "1", options: "{\"columns\":\"en,fr\"}", ["One.", "Two."])
        let first = try t.store.corpusFingerprintLines()
        try ingest(sha: "1", options: "{\"columns\":\"en,fr\"}", ["Not read: unchanged."])
        #expect(try t.store.corpusFingerprintLines() == first)
        // The same bytes read with another mapping give other sentences, as many of them.
        try ingest(sha: "1", options: "{\"columns\":\"fr,en\"}", ["Un.", "Deux."])
        let remapped = try t.store.corpusFingerprintLines()
        #expect(remapped != first)
        try ingest(sha: "2", options: "{\"columns\":\"fr,en\"}", ["Un.", "Deux."])
        #expect(try t.store.corpusFingerprintLines() != remapped)
    }

    @Test("re-ingesting the same bytes is a no-op that says so")
    func unchanged() throws {
        let t = try TemporaryStore()
        var calls = 0
        let first = try t.store.ingest(descriptor("a", sha: "1")) { calls += 1; try $0.add(unit(("en", "Hi."), ("fr", "Salut."))) }
        let second = try t.store.ingest(descriptor("a", sha: "1")) { calls += 1; try $0.add(unit(("en", "Other."))) }
        #expect(first.outcome == .added)
        #expect(second.outcome == .unchanged)
        #expect(calls == 1)
        #expect(try t.store.statistics().segments == 2)
    }

    @Test("a changed file replaces its earlier occurrences and splits the groups it held together")
    func replacement() throws {
        let t = try TemporaryStore()
        _ = try t.store.ingest(descriptor("bridge", sha: "1")) {
            try $0.add(unit(("en", "Close the window."), ("fr", "Fermez la fenêtre.")))
            try $0.add(unit(("en", "Gone soon."), ("fr", "Bientôt parti.")))
        }
        _ = try t.store.ingest(descriptor("other")) { try $0.add(unit(("fr", "Fermez la fenêtre."), ("de", "Schließen Sie das Fenster."))) }
        #expect(Set(try groups(t.store).values.compactMap { $0 }).count == 2)

        let report = try t.store.ingest(descriptor("bridge", sha: "2")) { try $0.add(unit(("en", "Close the window."), ("es", "Cierre la ventana."))) }
        #expect(report.outcome == .replaced)
        let g = try groups(t.store)
        #expect(g["Gone soon."] == nil)        // only the old version held it
        #expect(g["Bientôt parti."] == nil)
        // fr–de still aligned by "other"; en–es by the new version; nothing ties the two now.
        #expect(g["Fermez la fenêtre."]! == g["Schließen Sie das Fenster."]!)
        #expect(g["Close the window."]! == g["Cierre la ventana."]!)
        #expect(g["Close the window."]! != g["Fermez la fenêtre."]!)
        #expect(try t.store.statistics().corpora.map(\.name) == ["bridge", "other"])
    }

    @Test("a failing reader leaves the store exactly as it was")
    func rollback() throws {
        let t = try TemporaryStore()
        _ = try t.store.ingest(descriptor("kept")) { try $0.add(unit(("en", "Stay."), ("fr", "Reste."))) }
        let before = try t.store.rowCounts()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try t.store.ingest(descriptor("broken")) { sink in
                try sink.add(unit(("en", "Stay."), ("de", "Bleib.")))
                try sink.add(unit(("en", "Half."), ("fr", "Moitié.")))
                throw Boom()
            }
        }
        #expect(try t.store.rowCounts() == before)
        #expect(Set(try groups(t.store).values.compactMap { $0 }).count == 1)
        #expect(try t.store.integrityCheck() == ["ok"])
    }

    @Test("texts that normalise to nothing are dropped; a unit left empty is counted")
    func emptyTexts() throws {
        let t = try TemporaryStore()
        let report = try t.store.ingest(descriptor("a")) { sink in
            try sink.add(unit(("en", "  "), ("fr", "\n")))
            try sink.add(unit(("en", "Yes."), ("fr", " ")))
        }
        #expect(report.units == 1)
        #expect(report.skipped == ["empty": 1])
        #expect(try groups(t.store) == ["Yes.": nil])
    }

    @Test("a file that is not a heldout store is refused with a message")
    func notAStore() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-store-\(UUID().uuidString)").path
        try Data("this is not sqlite, just some text that is long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: HeldoutError.self) { try Store(path: path) }
        #expect(throws: HeldoutError.self) { try Store(path: path + ".missing", mustExist: true) }
    }
}

@Suite("Items")
struct ItemStoreTests {
    func item(_ question: String, template: String = "t", category: String = "definition", segment: String = "Il pleut.") -> Item {
        let seg = Segment(lang: tag("fr"), rawText: segment)
        return Item(template: template, templateVersion: 1, boundValues: ["segment": seg.id.hex, "q": question],
                    category: category, lang: "fr", pair: "fr-en", question: question, answer: "rain",
                    rubric: ["names a meaning"], segments: [seg.id], target: Lexeme(lemma: "pleuvoir", lang: "fr"),
                    consistencyGroup: "lexeme:fr:pleuvoir", grade: 2.5, domain: "news")
    }

    @Test("items round-trip through the store, and a template's items are replaced whole")
    func roundTrip() throws {
        let t = try TemporaryStore()
        let a = item("What does «pleut» mean?"), b = item("Why «pleut»?", template: "u", category: "grammar")
        try t.store.replaceItems(ofTemplates: ["t", "u"], with: [a, b])
        var read: [Item] = []
        try t.store.forEachItem { read.append($0) }
        #expect(Set(read) == Set([a, b]))
        let c = item("Another question?")
        try t.store.replaceItems(ofTemplates: ["t"], with: [c])
        read = []
        try t.store.forEachItem { read.append($0) }
        #expect(Set(read) == Set([b, c]))
        #expect(try t.store.itemCounts() == ["definition": 1, "grammar": 1])
    }

    @Test("item ids come from the template, its version and the bound values only")
    func ids() {
        let one = Item.id(template: "def", version: 1, boundValues: ["a": "1", "b": "2"])
        #expect(one == Item.id(template: "def", version: 1, boundValues: ["b": "2", "a": "1"]))
        #expect(one != Item.id(template: "def", version: 2, boundValues: ["a": "1", "b": "2"]))
        #expect(one != Item.id(template: "def", version: 1, boundValues: ["a": "1", "b": "3"]))
    }
}
