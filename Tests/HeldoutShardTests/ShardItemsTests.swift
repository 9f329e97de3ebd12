import Foundation
import Testing
import HeldoutBuild
import HeldoutCore
import HeldoutGrading
import HeldoutQuestions
import HeldoutShard
import HeldoutStore

/// Issue 15, "segments + templates → items": `heldout map items` over shards of segment bundles,
/// reduced by ``ShardItems/reduce(_:)``, keeps exactly the items the local questions stage
/// stores, field for field, whatever the sharding and the order of the bundles.
/// The corpus and templates are written here (original sentences): multi-way TMX units joined
/// through an English pivot, a French sentence with two English translations, a source equal to
/// its translation, tone labels (one conflicting, one on a sentence without translation), and a
/// templates whose question is the same for every segment (only the first may be kept: in
/// `tone-across`, the first of its first pass, fr-en, although its fr-de pass meets a smaller
/// segment id: «Il pleut…», 33c4…, against «Le musée…», 515e…).
@Suite("map items agrees with the local questions stage")
struct ShardItemsTests {
    static let tmx = """
        <?xml version="1.0" encoding="UTF-8"?>
        <tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/>
        <body>
        <tu><prop type="x-domain">travel</prop><tuv xml:lang="fr"><seg>Le train part à huit heures.</seg></tuv><tuv xml:lang="en"><seg>The train leaves at eight.</seg></tuv><tuv xml:lang="de"><seg>Der Zug fährt um acht Uhr ab.</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>Ferme la porte, s'il te plaît.</seg></tuv><tuv xml:lang="en"><seg>Close the door, please.</seg></tuv><tuv xml:lang="en-GB"><seg>Please shut the door.</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>Nous avons mangé des crêpes hier soir.</seg></tuv><tuv xml:lang="de"><seg>Wir haben gestern Abend Crêpes gegessen.</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>Je n'en peux plus de ce bruit !</seg></tuv><tuv xml:lang="en"><seg>I cannot stand this noise any more!</seg></tuv></tu>
        <tu><prop type="x-domain">culture</prop><tuv xml:lang="en"><seg>The library opens on Sundays.</seg></tuv><tuv xml:lang="fr"><seg>La bibliothèque ouvre le dimanche.</seg></tuv><tuv xml:lang="es"><seg>La biblioteca abre los domingos.</seg></tuv></tu>
        <tu><tuv xml:lang="de"><seg>Das Wetter ist heute schön.</seg></tuv><tuv xml:lang="en"><seg>The weather is nice today.</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>Toulouse</seg></tuv><tuv xml:lang="en"><seg>Toulouse</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>Merci mille fois pour ton aide.</seg></tuv><tuv xml:lang="en"><seg>Thanks a million for your help.</seg></tuv></tu>
        <tu><tuv xml:lang="en"><seg>Thanks a million for your help.</seg></tuv><tuv xml:lang="de"><seg>Tausend Dank für deine Hilfe.</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>Il pleut depuis ce matin.</seg></tuv><tuv xml:lang="de"><seg>Es regnet seit heute Morgen.</seg></tuv></tu>
        <tu><tuv xml:lang="fr"><seg>Le musée reste fermé pendant les travaux.</seg></tuv><tuv xml:lang="en"><seg>The museum stays closed during the works.</seg></tuv><tuv xml:lang="de"><seg>Das Museum bleibt während der Arbeiten geschlossen.</seg></tuv></tu>
        </body></tmx>
        """

    static let tones = """
        text\ttone
        Ferme la porte, s'il te plaît.\tpolite
        Je n'en peux plus de ce bruit !\tannoyed
        Merci mille fois pour ton aide.\tgrateful
        Le train part à huit heures.\tneutral
        Nous avons mangé des crêpes hier soir.\tneutral
        Nous avons mangé des crêpes hier soir.\tenthusiastic
        Tu es encore en retard, comme toujours.\tannoyed
        Le musée reste fermé pendant les travaux.\tneutral
        Il pleut depuis ce matin.\tneutral

        """

    static let templates: [String: String] = [
        "translation.yaml": """
            id: translation
            version: 1
            category: translation
            pairs: [fr-en, de-en, en-fr, fr-de]
            selector:
              kind: translation
            question: |
              Translate this {{lang_name}} sentence into {{translation_lang_name}}: «{{text}}»
            answer: |
              {{translation}}
            rubric:
              - "is written in {{translation_lang_name}} only"
            """,
        "tone-source.yaml": """
            id: tone-source
            version: 1
            category: tone
            pairs: [fr-en, fr-de]
            selector:
              kind: label
              label: tone
            question: |
              Here is a French sentence{{#has_translation}} and its translation{{/has_translation}}: «{{text}}»{{#has_translation}} “{{translation}}”{{/has_translation}}. What tone does the speaker take?
            answer: |
              {{value}}
            rubric:
              - "names one tone"
            consistency_group: "{{label}}:{{group}}"
            """,
        "tone-translation.yaml": """
            id: tone-translation
            version: 1
            category: tone
            pairs: [fr-en, fr-de]
            selector:
              kind: label
              label: tone
              side: translation
            question: |
              What tone does the speaker take in this sentence: «{{text}}»?
            answer: |
              {{value}}
            rubric:
              - "names one tone"
            """,
        "tone-across.yaml": """
            id: tone-across
            version: 1
            category: tone
            pairs: [fr-en, fr-de]
            selector:
              kind: label
              label: tone
              side: translation
            question: |
              Which tone did annotators give to the French original of a translated sentence?
            answer: |
              {{value}}
            rubric:
              - "names one tone"
            """,
        "tone-any.yaml": """
            id: tone-any
            version: 1
            category: tone
            languages: [fr]
            selector:
              kind: label
              label: tone
            question: |
              Name one tone that annotators gave to {{lang_name}} sentences.
            answer: |
              {{value}}
            rubric:
              - "names one tone"
            """,
    ]

    /// A spec folder: the corpus, the labels and `templates` (relative paths, as a user writes them).
    static func fixture(templates: [String: String] = templates) throws -> (directory: URL, spec: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-items-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("templates"), withIntermediateDirectories: true)
        try Data(tmx.utf8).write(to: directory.appendingPathComponent("multi.tmx"))
        try Data(tones.utf8).write(to: directory.appendingPathComponent("fr-tone.tsv"))
        for (name, text) in templates {
            try Data(text.utf8).write(to: directory.appendingPathComponent("templates").appendingPathComponent(name))
        }
        let spec = directory.appendingPathComponent("spec.yaml").path
        try """
            name: items
            seed: 5
            sources:
              - { path: multi.tmx, format: tmx, license: CC0-1.0 }
              - { path: fr-tone.tsv, format: labels, lang: fr, label: tone, license: CC0-1.0 }
            templates: templates
            axis: category
            columns:
              translation: { role: supervised }
              tone: { role: heldout }
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        return (directory, spec)
    }

    /// The local way: ingest every source, grade (with the domain classifier), make questions.
    static func localStore(_ directory: URL, spec path: String) throws -> Store {
        let spec = try SplitSpec.load(path: path)
        let store = try Store(path: directory.appendingPathComponent("local.sqlite").path)
        for (index, source) in spec.sources.enumerated() {
            let (ingester, corpora) = try IngestRequest(source: source, index: index, in: spec).plan()
            for corpus in corpora { _ = try ingester.ingest(corpus, into: store) }
        }
        _ = try Grader().run(store: store)
        let templates = try TemplateLoader.load(directory: spec.resolve(try #require(spec.templates)))
        _ = try QuestionBuilder(templates: templates).run(store: store)
        return store
    }

    struct NotAnID: Error { var hex: String }

    /// One bundle per segment of the store, as a driver assembles them from `map units` rows
    /// (segments, groups, labels) and the grading stage's rows.
    static func bundles(_ store: Store) throws -> [ShardItems.Bundle] {
        var segments: [SegmentRecord] = []
        try store.forEachSegment { segments.append($0) }
        var groups: [String: [SegmentRecord]] = [:]
        for segment in segments { if let group = segment.group { groups[group, default: []].append(segment) } }
        return try store.readAnswerSources { session in
            func grading(_ hex: String) throws -> SegmentGradingLookup {
                guard let id = ContentID(hex: hex) else { throw NotAnID(hex: hex) }
                return try session.grading(of: id)
            }
            var labels: [String: [String: [String]]] = [:]
            for lang in Set(segments.map { String($0.lang.prefix { $0 != "-" }) }) {
                try session.forEachLabelledSegment(label: "tone", lang: lang, translationLang: nil) {
                    labels[$0.segment.id.hex, default: [:]]["tone"] = $0.values
                }
            }
            return try segments.map { segment in
                let members = try (segment.group.flatMap { groups[$0] } ?? []).filter { $0.id != segment.id }.map {
                    ShardItems.Bundle.Member(id: $0.id, lang: $0.lang, text: $0.text, grading: try grading($0.id))
                }
                return ShardItems.Bundle(id: segment.id, lang: segment.lang, text: segment.text, group: segment.group,
                                         labels: labels[segment.id], grading: try grading(segment.id),
                                         members: members.isEmpty ? nil : members)
            }
        }
    }

    static func lines(_ data: Data) -> [String] {
        data.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The store's items as records (no key): the `item` row and its `item_segment` rows.
    static func storedItems(_ store: Store) throws -> [ShardItems.Record] {
        var out: [ShardItems.Record] = []
        try store.forEachItem { out.append(ShardItems.Record($0, key: "")) }
        return out.sorted { $0.id < $1.id }
    }

    @Test("3 shards in shuffled orders (and 1 and 7): the reduced records are the store's items, field for field")
    func shardsAgreeWithLocalStage() throws {
        let (directory, spec) = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.localStore(directory, spec: spec)
        let local = try Self.storedItems(store)
        // The fixture exercises what the reduce must get right.
        let templates = Dictionary(grouping: local, by: \.template).mapValues(\.count)
        #expect(templates["translation"] ?? 0 >= 6 && templates["tone-source"] ?? 0 >= 4 && templates["tone-translation"] ?? 0 >= 4, "\(templates)")
        #expect(templates["tone-any"] == 1 && templates["tone-across"] == 1, "one question, one item: \(templates)")
        #expect(local.first { $0.template == "tone-across" }?.pair == "fr-en", "the first pass's item, not the smallest segment id's")
        #expect(local.contains { $0.grade != nil } && local.contains { $0.domain != nil } && local.contains { $0.pair == nil })
        #expect(local.contains { $0.segments.count == 2 } && local.contains { $0.segments.count == 1 })

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bundles = try Self.bundles(store).map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let mapper = try ShardMapper(specPath: spec)
        var sawCrossShardDuplicate = false
        for (seed, shardCount) in [(1, 3), (2, 3), (3, 3), (4, 1), (5, 7)] as [(UInt64, Int)] {
            var random = SplitMix64(seed: seed)
            let shuffled = bundles.shuffled(using: &random)
            var raw: [ShardItems.Record] = []
            for shard in 0..<shardCount {
                let lines = shuffled.enumerated().filter { $0.offset % shardCount == shard }.map(\.element)
                var out = Data()
                try mapper.items(lines, write: { out.append($0) })
                raw += try Self.lines(out).map { try JSONDecoder().decode(ShardItems.Record.self, from: Data($0.utf8)) }
            }
            let reduced = ShardItems.reduce(raw.shuffled(using: &random))
            #expect(reduced.map(\.template) == reduced.map(\.template).sorted())
            let unkeyed = reduced.map { record -> ShardItems.Record in
                var copy = record
                copy.key = ""
                return copy
            }.sorted { $0.id < $1.id }
            #expect(unkeyed.count == local.count, "seed \(seed), \(shardCount) shards")
            for (mapped, stored) in zip(unkeyed, local) {
                #expect(mapped == stored, "seed \(seed), \(shardCount) shards")
            }
            if raw.count > reduced.count { sawCrossShardDuplicate = true }
        }
        #expect(sawCrossShardDuplicate, "some sharding left a duplicate question for the reduce to drop")
    }

    @Test("reduce: per (template, question) the smallest key wins, whatever the order of the records")
    func reduceKeepsSmallestKey() throws {
        let segment = try #require(ContentID(hex: String(repeating: "0", count: 31) + "1"))
        let later = try #require(ContentID(hex: String(repeating: "0", count: 31) + "2"))
        func record(_ question: String, answer: String, segment: ContentID, pass: Int, rank: Int = 0) -> ShardItems.Record {
            let item = Item(template: "t", templateVersion: 1, boundValues: ["text": question, "value": answer], category: "c",
                            lang: "fr", pair: nil, question: question, answer: answer, rubric: ["r"], segments: [segment])
            return ShardItems.Record(item, key: ShardItems.key(pass: pass, segment: segment, rank: rank))
        }
        let first = record("q", answer: "a", segment: later, pass: 0)
        let records = [record("q", answer: "b", segment: segment, pass: 1), first, record("q", answer: "a", segment: segment, pass: 12),
                       record("other", answer: "a", segment: later, pass: 0, rank: 1)]
        for order in [records, records.reversed()] {
            #expect(ShardItems.reduce(order).map(\.question) == ["q", "other"])
            #expect(ShardItems.reduce(order).first == first)
        }
        // Keys compare as the local order does: pass, then segment id, then rank.
        #expect(ShardItems.key(pass: 2, segment: segment, rank: 0) < ShardItems.key(pass: 10, segment: segment, rank: 0))
        #expect(ShardItems.key(pass: 0, segment: segment, rank: 11) < ShardItems.key(pass: 0, segment: later, rank: 0))
    }

    @Test("a template that needs treebanks or dictionaries is refused (exit 2), naming it; so is a spec without templates")
    func grammarTemplateRefused() throws {
        var templates = Self.templates
        templates["grammar-number.yaml"] = """
            id: grammar-number
            version: 1
            category: grammar
            languages: [fr]
            selector:
              kind: feature
              feature: Number
              upos: [NOUN]
            question: |
              In «{{text}}», is {{word_ref}} singular or plural?
            answer: |
              {{value_name}}
            rubric:
              - "answers singular or plural"
            """
        let (directory, spec) = try Self.fixture(templates: templates)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try ShardMapper(specPath: spec).items([], write: { _ in }) } throws: { error in
            guard let error = error as? HeldoutError else { return false }
            return error.exitStatus == 2 && error.userMessage.contains("template grammar-number")
                && error.userMessage.contains("selects feature") && error.userMessage.contains("translation and label templates only")
        }
        try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: "templates: templates\n", with: "")
            .write(toFile: spec, atomically: true, encoding: .utf8)
        #expect { try ShardMapper(specPath: spec).items([], write: { _ in }) } throws: { error in
            (error as? HeldoutError).map { $0.exitStatus == 2 && $0.userMessage.contains("names no templates directory") } ?? false
        }
    }

    @Test("a line that is not a bundle is bad input (exit 3) on its line: bad JSON, a missing field, an id that is not hex, a segment twice")
    func badLines() throws {
        let (directory, spec) = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mapper = try ShardMapper(specPath: spec)
        let good = #"{"id":"000000000000000000000000000000a1","lang":"fr","text":"Bonjour.","group":null}"#
        let cases: [(lines: [String], line: Int, says: String)] = [
            ([good, "{"], 2, "not a segment bundle"),
            ([good, good.replacingOccurrences(of: "a1", with: "a2"), #"{"id":"000000000000000000000000000000a3","lang":"fr"}"#], 3, "field text is missing"),
            ([#"{"id":"XYZ","lang":"fr","text":"x"}"#], 1, "id is not a segment id"),
            ([good, good], 2, "has a bundle already"),
        ]
        for (lines, line, says) in cases {
            #expect { try mapper.items(lines, write: { _ in }) } throws: { error in
                guard let error = error as? HeldoutError, case let .badInput(location, message) = error else { return false }
                return error.exitStatus == 3 && location.line == line && location.file == "<stdin>" && message.contains(says)
            }
        }
    }
}
