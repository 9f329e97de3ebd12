import Foundation
import HeldoutCore
import HeldoutGrading
import HeldoutIngest
import HeldoutSplit
import HeldoutStore

// Benchmark driver for bench/split.sh (not part of the product):
//   heldout-bench generate STORE N        a store of N items over N/2 en–fr units, 1% near-copies
//   heldout-bench hard STORE CASE N       a hard case of issue 13 (pivot, lexeme, document, documents)
//   heldout-bench hard-spec CASE          the spec that splits it
//   heldout-bench neardup FILE THRESHOLD  near-duplicate pairs of FILE's lines → FILE.pairs, timing on stderr
//   heldout-bench read FILE [parse|identity]  the TMX reader alone (no store): units/s of parsing,
//                                         or of parsing plus normalising and hashing every text
//   heldout-bench analyze FILE [LANG]     the grader's text analysis alone, one thread, no store:
//                                         sentences/s over FILE's lines (best of 7 passes)

/// Deterministic pseudo-random words, so every run generates the same store.
struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A vocabulary of 20,000 random words of 2 to 10 letters: real text has thousands of
    /// distinct character 3-grams, and so must the benchmark, or every pair looks similar.
    static let vocabulary: [String] = {
        var g = Generator(state: 7)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return (0..<20_000).map { _ in String((0..<(2 + Int(g.next() % 9))).map { _ in letters[Int(g.next() % 26)] }) }
    }()
    mutating func word() -> String { Self.vocabulary[Int(next() % UInt64(Self.vocabulary.count))] }
    mutating func sentence() -> String {
        let n = 8 + Int(next() % 10)
        return (0..<n).map { _ in word() }.joined(separator: " ")
    }
}

func generate(store path: String, items n: Int) throws {
    try? FileManager.default.removeItem(atPath: path)
    let store = try Store(path: path)
    var g = Generator(state: 42)
    let units = n / 2
    var english: [String] = [], french: [String] = []
    english.reserveCapacity(units)
    french.reserveCapacity(units)
    for i in 0..<units {
        if i > 0, g.next() % 100 == 0 {
            // A near-copy of an earlier sentence: one word changed.
            var words = english[Int(g.next() % UInt64(i))].split(separator: " ").map(String.init)
            words[Int(g.next() % UInt64(words.count))] = g.word()
            english.append(words.joined(separator: " "))
        } else {
            english.append(g.sentence())
        }
        french.append(g.sentence())
    }
    _ = try store.ingest(CorpusDescriptor(name: "bench", format: "test", sha256: "bench-\(n)", size: Int64(n), files: ["bench"])) { sink in
        for i in 0..<units {
            try sink.add(CorpusUnit(document: "doc\(i / 100)", texts: [.init(lang: LanguageTag("en")!, text: english[i]),
                                                                       .init(lang: LanguageTag("fr")!, text: french[i])]))
        }
    }
    let categories = ["grammar", "definition", "tone"]
    var items: [String: [Item]] = [:]
    for i in 0..<units {
        let fr = Segment(lang: LanguageTag("fr")!, rawText: french[i]).id
        let en = Segment(lang: LanguageTag("en")!, rawText: english[i]).id
        for k in 0..<2 {
            let category = categories[Int(g.next() % 3)]
            let item = Item(template: "t-\(category)", templateVersion: 1, boundValues: ["unit": String(i), "k": String(k)],
                            category: category, lang: "fr", pair: "fr-en", question: "Question \(k) about: \(french[i])",
                            answer: "Answer \(i).\(k)", rubric: ["Is it plausible?", "Does it mention the subject?"],
                            segments: [fr, en], grade: Double(g.next() % 14), domain: "news")
            items[item.template, default: []].append(item)
        }
    }
    for (template, list) in items.sorted(by: { $0.key < $1.key }) {
        try store.replaceItems(ofTemplates: [template], with: list)
    }
    FileHandle.standardError.write(Data("generated \(n) items over \(units) units in \(path)\n".utf8))
}

func nearDuplicates(file: String, threshold: Double, shingle: ShingleKind, size: Int) throws {
    let text = try String(contentsOfFile: file, encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    let parameters = NearDuplicateIndex.Parameters(threshold: threshold, shingle: shingle, size: size)
    let index = NearDuplicateIndex(parameters: parameters)
    let start = Date()
    let pairs = index.pairs(lines)
    let seconds = Date().timeIntervalSince(start)
    let out = pairs.map { "\($0.0)\t\($0.1)" }.joined(separator: "\n")
    try Data((out + "\n").utf8).write(to: URL(fileURLWithPath: file + ".pairs"))
    let report = """
        {"sentences": \(lines.count), "seconds": \(seconds), "sentences_per_second": \(Double(lines.count) / seconds), \
        "pairs": \(pairs.count), "bands": \(parameters.bands), "rows": \(parameters.rows)}
        """
    print(report)
}

/// Counts what the reader hands over; with `identity`, also does the reader thread's share of
/// an ingest (normalise and hash every text), so the store's share is what is left.
final class ReadSink: UnitSink {
    let identity: Bool
    var units = 0, texts = 0, checksum: UInt8 = 0
    init(identity: Bool) { self.identity = identity }
    func add(_ unit: CorpusUnit) throws {
        units += 1
        for text in unit.texts {
            texts += 1
            if identity { checksum ^= UInt8(truncatingIfNeeded: Segment(lang: text.lang, rawText: text.text).id.low) }
        }
    }
    func skip(_ reason: String, count: Int) {}
}

func read(file: String, identity: Bool) throws {
    let reader = try TMXReader(path: file, options: IngestOptions())
    let sink = ReadSink(identity: identity)
    let start = Date()
    try reader.read(into: sink)
    let seconds = Date().timeIntervalSince(start)
    let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
    print(String(format: "%@: %d units, %d texts in %.2f s: %.0f units/s, %.1f MB/s (checksum %d)",
                 identity ? "parse+identity" : "parse", sink.units, sink.texts, seconds,
                 Double(sink.units) / seconds, Double(bytes) / 1e6 / seconds, Int(sink.checksum)))
}

/// The analysis alone (counts and syllables, one analyzer, one thread), each pass over every
/// line with a fresh analyzer so that its word cache starts cold as in a grading run.
func analyze(file: String, language: GradingLanguage) throws {
    let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
    var best = Double.infinity
    var checksum = 0
    for _ in 0..<7 {
        let analyzer = TextAnalyzer()
        let start = Date()
        for line in lines { checksum &+= analyzer.analyze(line, language: language).syllables }
        best = min(best, Date().timeIntervalSince(start))
    }
    print(String(format: "analyze: %d sentences, best of 7 passes %.1f ms: %.0f sentences/s, %.0f ns/sentence (checksum %d)",
                 lines.count, best * 1000, Double(lines.count) / best, best * 1e9 / Double(max(lines.count, 1)), checksum))
}

/// `heldout-bench langid FILE [TAG]`: the language identifier alone, one thread: FILE's lines
/// → one line each on stdout (detected language or `-`, whether flagged against TAG, the
/// per-n-gram scores); sentences/s (best of 7 passes) on stderr.
func languageIdentification(file: String, tag: GradingLanguage) throws {
    let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let identifier = LanguageIdentifier.shared
    var best = Double.infinity
    var checksum = 0
    for _ in 0..<7 {
        let start = Date()
        for var line in lines {
            let (detected, flagged) = line.withUTF8 { identifier.check(utf8: $0, tag: tag) }
            checksum &+= (detected?.utf8.count ?? 0) + (flagged ? 1 : 0)
        }
        best = min(best, Date().timeIntervalSince(start))
    }
    var out = ""
    for var line in lines {
        let (detected, flagged) = line.withUTF8 { identifier.check(utf8: $0, tag: tag) }
        let scores = identifier.identify(line)?.scores.map { String(format: "%.3f", $0) }.joined(separator: " ") ?? "-"
        out += "\(detected ?? "-")\t\(flagged ? 1 : 0)\t\(scores)\n"
    }
    FileHandle.standardOutput.write(Data(out.utf8))
    FileHandle.standardError.write(Data(String(format: "langid: %d sentences, best of 7 passes %.1f ms: %.0f sentences/s (checksum %d)\n",
                                               lines.count, best * 1000, Double(lines.count) / best, checksum).utf8))
}

/// The sentence splitter alone, one thread, on a text's paragraphs (blank-line separated), as
/// `bench/segment.sh` gives pySBD the same paragraphs: characters per second (best of 5 passes)
/// on stderr, and the number of sentences on stdout.
func segment(file: String, language: String) throws {
    let text = try String(contentsOfFile: file, encoding: .utf8)
    guard let tag = LanguageTag(language) else { throw HeldoutError.usage("segment: \(language) is not a language tag") }
    let paragraphs = text.components(separatedBy: "\n\n").filter { !$0.allSatisfy(\.isWhitespace) }
    let splitter = SentenceSplitter(language: tag)
    var best = Double.infinity
    var sentences = 0
    for _ in 0..<5 {
        let start = Date()
        sentences = 0
        for paragraph in paragraphs { sentences += splitter.split(paragraph).count }
        best = min(best, Date().timeIntervalSince(start))
    }
    print(sentences)
    FileHandle.standardError.write(Data(String(format: "segment: %d characters, %d sentences, best of 5 passes %.1f ms: %.0f characters/s\n",
                                               text.count, sentences, best * 1000, Double(text.count) / best).utf8))
}

let arguments = CommandLine.arguments
do {
    switch arguments.count > 1 ? arguments[1] : "" {
    case "generate" where arguments.count == 4:
        try generate(store: arguments[2], items: Int(arguments[3]) ?? 1000)
    case "hard" where arguments.count == 5:
        guard let hard = HardCase(rawValue: arguments[3]) else {
            throw HeldoutError.usage("hard cases: \(HardCase.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try hard.generate(store: arguments[2], items: Int(arguments[4]) ?? 1000)
    case "hard-spec" where arguments.count == 3:
        guard let hard = HardCase(rawValue: arguments[2]) else { throw HeldoutError.usage("unknown hard case \(arguments[2])") }
        print(hard.spec)
    case "neardup" where arguments.count == 4 || arguments.count == 6:
        try nearDuplicates(file: arguments[2], threshold: Double(arguments[3]) ?? 0.8,
                           shingle: arguments.count == 6 ? ShingleKind(rawValue: arguments[4]) ?? .word : .word,
                           size: arguments.count == 6 ? Int(arguments[5]) ?? 1 : 1)
    case "read" where arguments.count == 3 || arguments.count == 4:
        try read(file: arguments[2], identity: arguments.count == 4 && arguments[3] == "identity")
    case "analyze" where arguments.count == 3 || arguments.count == 4:
        try analyze(file: arguments[2], language: GradingLanguage(tag: arguments.count == 4 ? arguments[3] : "en"))
    case "segment" where arguments.count == 4:
        try segment(file: arguments[2], language: arguments[3])
    case "langid" where arguments.count == 3 || arguments.count == 4:
        try languageIdentification(file: arguments[2], tag: GradingLanguage(tag: arguments.count == 4 ? arguments[3] : "other"))
    default:
        FileHandle.standardError.write(Data("usage: heldout-bench segment FILE LANG | langid FILE [TAG] |  generate STORE N | hard STORE CASE N | hard-spec CASE | neardup FILE THRESHOLD [word|char SIZE] | read FILE [parse|identity] | analyze FILE [LANG]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("heldout-bench: \(error)\n".utf8))
    exit(1)
}
