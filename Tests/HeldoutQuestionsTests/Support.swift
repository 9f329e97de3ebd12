import Foundation
import Testing
import HeldoutCore
import HeldoutIngest
import HeldoutQuestions
import HeldoutStore

/// A store in a fresh temporary directory, removed when the test ends.
final class TempStore {
    let directory: URL
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-questions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("heldout.sqlite").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes `text` to a file in the store's directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Ingests files as `heldout ingest` does.
    @discardableResult
    func ingest(_ files: [String], format: CorpusFormat? = nil, options: IngestOptions = IngestOptions(),
                corpus: String? = nil) throws -> [IngestReport] {
        let ingester = Ingester(options: options)
        return try ingester.plan(files: files, format: format, corpusName: corpus).map { try ingester.ingest($0, into: store) }
    }

    /// Ingests French–English pairs as one aligned corpus (what a TMX would give).
    func ingestPairs(_ name: String, _ pairs: [(fr: String, en: String)]) throws {
        _ = try store.ingest(CorpusDescriptor(name: name, format: "test", sha256: name, size: 1, files: [name])) { sink in
            for pair in pairs {
                try sink.add(CorpusUnit(texts: [.init(lang: LanguageTag("fr-FR")!, text: pair.fr),
                                                .init(lang: LanguageTag("en-GB")!, text: pair.en)]))
            }
        }
    }

    /// Every stored item, in id order.
    func items(category: String? = nil) throws -> [Item] {
        var out: [Item] = []
        try store.forEachItem(category: category) { out.append($0) }
        return out
    }
}

enum Fixtures {
    static let directory: URL = {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

func options(pair: String? = nil, lang: String? = nil, labels: [String: String] = [:]) -> IngestOptions {
    var options = IngestOptions()
    options.pair = pair.flatMap(DirectedPair.init)
    options.lang = lang.flatMap(LanguageTag.init)
    options.labels = labels
    return options
}

func template(_ yaml: String, file: String = "test.yaml") throws -> Template {
    try TemplateLoader.parse(yaml, file: file)
}

func build(_ store: Store, _ templates: [Template], annotator: SegmentAnnotator = GradedSegments()) throws -> QuestionsReport {
    try QuestionBuilder(templates: templates, annotator: annotator).run(store: store)
}

func segmentID(_ lang: String, _ text: String) -> ContentID {
    Segment(lang: LanguageTag(lang)!, rawText: text).id
}

/// The HeldoutError a throwing call raised, if any.
func heldoutError(_ body: () throws -> Void) -> HeldoutError? {
    do {
        try body()
        return nil
    } catch let error as HeldoutError {
        return error
    } catch {
        return nil
    }
}

extension HeldoutError {
    var location: HeldoutCore.SourceLocation? {
        if case let .badInput(location, _) = self { return location }
        return nil
    }
    var message: String { description }
}
