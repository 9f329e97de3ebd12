import Foundation
import HeldoutCore
import HeldoutIngest

/// One fuzz target per reader (issue 18): the bytes libFuzzer invents are handed to one reader
/// through the same entry point `heldout ingest` uses (``CorpusFormat/makeReader(files:options:)``,
/// so the segment limit is part of what is fuzzed), or to the spec parser.
///
/// A reader may refuse any input, but only as ``HeldoutError/badInput(_:_:)`` with a location or
/// ``HeldoutError/usage(_:)``: a crash, a trap, any other error, an allocation above the flat
/// ingest bound, or a hang is a finding. Readers that take companion files (XCES sentence
/// documents, a dictd index or body, Tatoeba links) get fixed ones from the test fixtures.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case tmx, xliff, xces
    /// An XCES sentence document, read through a fixed alignment.
    case xcesDocument = "xces-doc"
    case po, tsv, csv
    /// Tatoeba's `sentences.csv`, with a fixed `links.csv`.
    case tatoeba
    /// JSON lines whose languages are found in the keys (`translation.en`, WMT-style).
    case jsonl
    /// JSON lines mapped with `--fields en=source,fr=target`.
    case jsonlFields = "jsonl-fields"
    /// Both sides of a Moses pair get the same bytes, so that every line is read on both sides.
    case moses
    case text
    /// A dictd `.index` against a fixed dictzip body.
    case dictdIndex = "dictd-index"
    /// A plain `.dict` body read through a fixed index.
    case dictdBody = "dictd-body"
    /// A dictzip `.dict.dz` body (gzip header, chunk table, deflate) read through a fixed index.
    case dictdDictzip = "dictd-dz"
    case tei, glossary, conllu, labels
    /// The split spec's YAML (`heldout build` / `heldout split`).
    case spec

    /// The name the fuzzed file is given (some readers take the language or role from it).
    var fileName: String {
        switch self {
        case .tmx: "fuzz.tmx"
        case .xliff: "fuzz.xliff"
        case .xces: "en-fr.xml"
        case .xcesDocument: "en/story.xml"
        case .po: "fr.po"
        case .tsv: "fuzz.tsv"
        case .csv: "fuzz.csv"
        case .tatoeba: "sentences.csv"
        case .jsonl, .jsonlFields: "fuzz.jsonl"
        case .moses: "fuzz.en"
        case .text: "fuzz.fr.txt"
        case .dictdIndex: "fra-eng.index"
        case .dictdBody: "fra-eng.dict"
        case .dictdDictzip: "fra-eng.dict.dz"
        case .tei: "fra-eng.tei"
        case .glossary: "fr-en.glossary.tsv"
        case .conllu: "fr.conllu"
        case .labels: "fr-tone.tsv"
        case .spec: "spec.yaml"
        }
    }

    /// Seed inputs, relative to the repository root: the project's samples and test fixtures.
    public var seeds: [String] {
        let ingest = "Tests/HeldoutIngestTests/Fixtures/"
        let questions = "Tests/HeldoutQuestionsTests/Fixtures/"
        switch self {
        case .tmx: return ["corpora/samples/en-fr.tmx", ingest + "xml/tmx14.tmx", ingest + "xml/tmx11.tmx"]
        case .xliff: return ["corpora/samples/en-fr.xliff", ingest + "xml/xliff12.xlf", ingest + "xml/xliff20.xlf"]
        case .xces: return [ingest + "xml/xces/en-fr.xml"]
        case .xcesDocument: return [ingest + "xml/xces/en/story.xml"]
        case .po: return [ingest + "text/fr.po"]
        case .tsv: return [ingest + "text/pairs.tsv"]
        case .csv: return [ingest + "text/rows.csv"]
        case .tatoeba: return [ingest + "text/tatoeba/sentences.csv"]
        case .jsonl: return [ingest + "text/wmt.jsonl"]
        case .jsonlFields: return [ingest + "text/fields.jsonl"]
        case .moses: return ["corpora/samples/en-de.en", ingest + "text/tiny.en"]
        case .text: return ["corpora/samples/fr.txt", "corpora/samples/en.txt", ingest + "sentences/marche.fr.txt"]
        case .dictdIndex: return [questions + "dz/fra-eng.index", questions + "fra-eng.index"]
        case .dictdBody: return [questions + "fra-eng.dict"]
        case .dictdDictzip: return [questions + "dz/fra-eng.dict.dz"]
        case .tei: return [questions + "fra-eng.tei"]
        case .glossary: return ["corpora/samples/fr-en.glossary.tsv", questions + "def-fr-en.glossary.tsv"]
        case .conllu: return ["corpora/samples/fr.conllu", questions + "grammar-rules.conllu", questions + "def-fr.conllu"]
        case .labels: return ["corpora/samples/fr-tone.tsv", questions + "fr-tone.tsv"]
        case .spec: return ["splits/demo.yaml"]
        }
    }

    /// Fixed files the target's reader needs beside the fuzzed one: name in the scratch
    /// directory → path relative to the repository root.
    var companions: [(name: String, source: String)] {
        let ingest = "Tests/HeldoutIngestTests/Fixtures/"
        let questions = "Tests/HeldoutQuestionsTests/Fixtures/"
        switch self {
        case .xces:
            return ["en/story.xml", "fr/story.xml", "en/notes.xml", "fr/notes.xml"].map { ($0, ingest + "xml/xces/" + $0) }
        case .xcesDocument:
            return [("en-fr.xml", ingest + "xml/xces/en-fr.xml")]
                + ["fr/story.xml", "en/notes.xml", "fr/notes.xml"].map { ($0, ingest + "xml/xces/" + $0) }
        case .tatoeba: return [("links.csv", ingest + "text/tatoeba/links.csv")]
        case .dictdIndex: return [("fra-eng.dict.dz", questions + "dz/fra-eng.dict.dz")]
        case .dictdBody: return [("fra-eng.index", questions + "fra-eng.index")]
        case .dictdDictzip: return [("fra-eng.index", questions + "dz/fra-eng.index")]
        default: return []
        }
    }

    /// The format and files of one corpus, and the options `heldout ingest` would be given.
    /// The segment limit is small, so that the limit's own checks are reached by small inputs.
    func corpus(in directory: String) -> (format: CorpusFormat, files: [String], options: IngestOptions)? {
        var options = IngestOptions()
        options.maxSegmentBytes = FuzzHarness.maxSegmentBytes
        let file = directory + "/" + fileName
        switch self {
        case .tmx: return (.tmx, [file], options)
        case .xliff: return (.xliff, [file], options)
        case .xces, .xcesDocument: return (.xces, [directory + "/en-fr.xml"], options)
        case .po: return (.po, [file], options)
        case .tsv: return (.tsv, [file], options)
        case .csv:
            options.columns = ["id", "lang", "text", "-", "domain", "note"]
            return (.csv, [file], options)
        case .tatoeba:
            options.pair = DirectedPair("en-fr")
            return (.csv, [file, directory + "/links.csv"], options)
        case .jsonl: return (.jsonl, [file], options)
        case .jsonlFields:
            options.fields = [("en", "source"), ("fr", "target")].compactMap { lang, field in LanguageTag(lang).map { ($0, field) } }
            return (.jsonl, [file], options)
        case .moses:
            options.pair = DirectedPair("en-de")
            return (.moses, [file, directory + "/fuzz.de"], options)
        case .text:
            options.lang = LanguageTag("fr")
            return (.text, [file], options)
        case .dictdBody: return (.dictd, [directory + "/fra-eng.index", directory + "/fra-eng.dict"], options)
        case .dictdIndex, .dictdDictzip: return (.dictd, [directory + "/fra-eng.index", directory + "/fra-eng.dict.dz"], options)
        case .tei: return (.tei, [file], options)
        case .glossary: return (.glossary, [file], options)
        case .conllu:
            options.lang = LanguageTag("fr")
            return (.conllu, [file], options)
        case .labels:
            options.lang = LanguageTag("fr")
            options.labels = ["tone": "tone"]
            return (.labels, [file], options)
        case .spec: return nil
        }
    }
}

/// What one input did.
public enum FuzzOutcome: Sendable {
    /// Read to the end: so many units and dictionary entries.
    case accepted(units: Int, entries: Int)
    /// Refused the way a user is told (exit 2 or 3).
    case refused(HeldoutError)
    /// Anything else: a finding (the fuzz entry point traps on it).
    case unexpected(String)
}

/// Runs inputs through one ``FuzzTarget``: writes the bytes to a scratch directory (every reader
/// reads a path) beside the target's fixed companions, and reads them.
public final class FuzzHarness {
    /// The segment limit under fuzzing (the line limit is derived from it: 4096 bytes).
    public static let maxSegmentBytes = 512

    public let target: FuzzTarget
    public let directory: String
    private let path: String

    /// `root` is the repository (for companions); `scratch` a directory of this harness's own.
    public init(target: FuzzTarget, root: String, scratch: String) throws {
        self.target = target
        directory = scratch
        path = scratch + "/" + target.fileName
        let fm = FileManager.default
        try fm.createDirectory(atPath: scratch + "/en", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: scratch + "/fr", withIntermediateDirectories: true)
        for companion in target.companions {
            let destination = scratch + "/" + companion.name
            try? fm.removeItem(atPath: destination)
            try fm.copyItem(atPath: root + "/" + companion.source, toPath: destination)
        }
    }

    /// Reads `bytes` as the target's input.
    public func run(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
        if target == .spec { return runSpec(bytes) }
        guard let corpus = target.corpus(in: directory) else { return .unexpected("no corpus for \(target)") }
        for file in [path] + (target == .moses ? [directory + "/fuzz.de"] : []) {
            guard Self.write(bytes, to: file) else { return .unexpected("cannot write the scratch file \(file)") }
        }
        let sink = DiscardingSink()
        do {
            let reader = try corpus.format.makeReader(files: corpus.files, options: corpus.options)
            try reader.read(into: sink)
            return .accepted(units: sink.units, entries: sink.entries)
        } catch let error as HeldoutError {
            return Self.judge(error)
        } catch {
            return .unexpected("\(type(of: error)): \(error)")
        }
    }

    private func runSpec(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
        // As `SplitSpec.load` does: bytes that are not UTF-8 never reach the parser.
        guard let text = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else {
            return .refused(.badInput(SourceLocation(file: path), "not UTF-8 text"))
        }
        do {
            let spec = try SplitSpec(yaml: text, file: path)
            return .accepted(units: spec.columns.count, entries: 0)
        } catch let error as HeldoutError {
            return Self.judge(error)
        } catch {
            return .unexpected("\(type(of: error)): \(error)")
        }
    }

    /// A refusal is what a user should get: bad input located in a file, or a usage message.
    static func judge(_ error: HeldoutError) -> FuzzOutcome {
        switch error {
        case let .badInput(location, _) where !location.file.isEmpty: .refused(error)
        case .usage: .refused(error)
        default: .unexpected("a reader failed with \(error) (exit \(error.exitCode)) instead of bad input")
        }
    }

    /// Writes without Foundation's `Data.write`, which syncs every file to disk (100× slower).
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, base + offset, bytes.count - offset)
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Removes the scratch directory.
    public func removeScratch() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Counts what a reader hands out, and touches every text (so that a text built from freed or
/// out-of-range memory is read while the address sanitizer watches).
final class DiscardingSink: UnitSink {
    var units = 0
    var entries = 0
    var bytes = 0

    func add(_ unit: CorpusUnit) throws {
        units += 1
        for text in unit.texts { bytes &+= text.text.utf8.count &+ text.lang.value.utf8.count }
    }

    func skip(_ reason: String, count: Int) {}

    func addEntry(_ entry: DictionaryEntry) throws {
        entries += 1
        bytes &+= entry.headword.utf8.count &+ entry.senses.reduce(0) { $0 &+ $1.utf8.count }
    }
}
