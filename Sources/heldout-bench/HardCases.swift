import Foundation
import HeldoutCore
import HeldoutStore

/// The hard cases of issue 13 for `bench/split.sh`: stores whose links tie much of the data
/// together, each with the spec that splits it. Sentences are random words (``Generator``).
enum HardCase: String, CaseIterable {
    /// Four-way pivots: one English string, translated into fr, de and es (most English strings
    /// have all three); one item per translation. Pair split: de-en, es-en supervised, fr-en held out.
    case pivot
    /// One lexeme in 30% of the grammar and of the held-out tone items.
    case lexeme
    /// One document holding half the corpus; `level: document`.
    case document
    /// `level: document` over 10,000 documents.
    case documents

    var spec: String {
        switch self {
        case .pivot:
            """
            name: hard-pivot
            seed: 1
            axis: language_pair
            columns: { de-en: supervised, es-en: supervised, fr-en: heldout }
            isolation: { level: segment }
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.02 }
            """
        case .lexeme:
            """
            name: hard-lexeme
            seed: 1
            axis: category
            columns: { grammar: supervised, definition: supervised, tone: heldout }
            isolation: { level: segment }
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.02 }
            """
        case .document, .documents:
            """
            name: hard-\(rawValue)
            seed: 1
            axis: category
            columns: { grammar: supervised, definition: supervised, tone: heldout }
            isolation: { level: document }
            partitions: { train: 0.8, dev: 0.1, test: 0.1, tolerance: 0.02 }
            """
        }
    }

    func generate(store path: String, items n: Int) throws {
        try? FileManager.default.removeItem(atPath: path)
        let store = try Store(path: path)
        var g = Generator(state: 1000 + UInt64(rawValue.count))
        let en = LanguageTag("en")!
        var units: [(document: String, texts: [(String, String)])] = []
        switch self {
        case .pivot:
            // ~n/3 English strings; 90% have all three translations, the rest one or two.
            for i in 0..<max(1, n / 3) {
                var texts = [("en", g.sentence())]
                let all = g.next() % 10 != 0
                for lang in ["fr", "de", "es"] where all || g.next() % 2 == 0 { texts.append((lang, g.sentence())) }
                units.append(("doc\(i / 100)", texts))
            }
        case .lexeme, .documents:
            for i in 0..<max(1, n / 2) { units.append(("doc\(i % 10_000)", [("en", g.sentence()), ("fr", g.sentence())])) }
        case .document:
            let count = max(1, n / 2)
            for i in 0..<count { units.append((i < count / 2 ? "big" : "doc\(i / 50)", [("en", g.sentence()), ("fr", g.sentence())])) }
        }
        _ = try store.ingest(CorpusDescriptor(name: "hard-\(rawValue)", format: "test", sha256: "hard-\(rawValue)-\(n)",
                                              size: Int64(n), files: ["hard"])) { sink in
            for unit in units {
                try sink.add(CorpusUnit(document: unit.document,
                                        texts: unit.texts.map { .init(lang: LanguageTag($0.0) ?? en, text: $0.1) }))
            }
        }
        var items: [String: [Item]] = [:]
        func add(_ item: Item) { items[item.template, default: []].append(item) }
        for (i, unit) in units.enumerated() {
            let english = Segment(lang: en, rawText: unit.texts[0].1).id
            switch self {
            case .pivot:
                for (lang, text) in unit.texts.dropFirst() {
                    let id = Segment(lang: LanguageTag(lang) ?? en, rawText: text).id
                    add(Item(template: "t-translate-\(lang)", templateVersion: 1, boundValues: ["unit": String(i)], category: "translation",
                             lang: lang, pair: "\(lang)-en", question: "Translate into English: \(text)", answer: unit.texts[0].1,
                             rubric: ["Is it English?"], segments: [id, english]))
                }
            case .lexeme, .document, .documents:
                let fr = Segment(lang: LanguageTag("fr") ?? en, rawText: unit.texts[1].1).id
                for k in 0..<2 {
                    let category = ["grammar", "definition", "tone"][Int(g.next() % 3)]
                    let hub = self == .lexeme && category != "definition" && g.next() % 10 < 3
                    let lemma = hub ? "hub" : "w\(i).\(k)"
                    add(Item(template: "t-\(category)", templateVersion: 1, boundValues: ["unit": String(i), "k": String(k)],
                             category: category, lang: "fr", pair: "fr-en", question: "Question \(k) about: \(unit.texts[1].1)",
                             answer: "Answer \(i).\(k)", rubric: ["Is it plausible?"], segments: [fr, english],
                             target: Lexeme(lemma: lemma, lang: "fr"), consistencyGroup: "\(category):\(lemma)"))
                }
            }
        }
        for (template, list) in items.sorted(by: { $0.key < $1.key }) {
            try store.replaceItems(ofTemplates: [template], with: list)
        }
        FileHandle.standardError.write(Data("generated \(rawValue): \(items.values.map(\.count).reduce(0, +)) items over \(units.count) units in \(path)\n".utf8))
    }
}
