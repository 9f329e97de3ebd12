import Foundation
import HeldoutCore

/// Reads a Moses-style parallel corpus: two plain-text files in which line *i* of one is the
/// translation of line *i* of the other (OPUS "Moses" downloads, `train.en` / `train.fr`).
///
/// The languages come from `--pair` (the first file is the source) or from the files' last
/// extensions (`corpus.en`, `x.en-fr.fr`). When both are there they must agree: the files are
/// then ordered by the pair, so `corpus.fr corpus.en --pair en-fr` reads as en→fr.
///
/// Both files are read in lock step, in constant memory. Files of unequal length are refused:
/// one missing line shifts every later pair, and a misaligned corpus is worse than none. A line
/// that is blank on either side is skipped and counted (`empty`).
public struct MosesReader: CorpusReader {
    /// Source first.
    public let files: [String]
    public let sourceLanguage: LanguageTag
    public let targetLanguage: LanguageTag
    let maxLineBytes: Int

    public init(files: [String], options: IngestOptions) throws {
        guard files.count == 2 else {
            throw HeldoutError.usage("a Moses corpus is two files, one per language (got \(files.count))")
        }
        let resolved = try Self.resolveLanguages(files[0], files[1], options: options)
        self.files = [resolved.source.file, resolved.target.file]
        self.sourceLanguage = resolved.source.tag
        self.targetLanguage = resolved.target.tag
        self.maxLineBytes = options.maxLineBytes
    }

    /// Pairs the files of one ingest call: two files are one corpus; more are paired by their
    /// common stem (`a.en` + `a.fr`, `b.en` + `b.fr`). A file without a partner is a usage error,
    /// as are languages that cannot be told, so nothing is read before the plan is sound.
    static func groupIntoCorpora(_ files: [String], options: IngestOptions) throws -> [[String]] {
        if files.count == 2 {
            return [try MosesReader(files: files, options: options).files]
        }
        var stems: [String: [String]] = [:]
        var order: [String] = []
        for file in files {
            let stem = URL(fileURLWithPath: file).deletingPathExtension().path
            if stems[stem] == nil { order.append(stem) }
            stems[stem, default: []].append(file)
        }
        let unpaired = order.filter { stems[$0]?.count != 2 }.flatMap { stems[$0] ?? [] }
        guard unpaired.isEmpty else {
            throw HeldoutError.usage("Moses files come in pairs with a common stem (corpus.en + corpus.fr); these do not pair up: \(unpaired.joined(separator: ", "))")
        }
        return try order.map { try MosesReader(files: stems[$0] ?? [], options: options).files }
    }

    typealias Side = (file: String, tag: LanguageTag)

    /// Decides which file is the source and in what languages, from `--pair` and the extensions.
    static func resolveLanguages(_ a: String, _ b: String, options: IngestOptions) throws -> (source: Side, target: Side) {
        if let lang = options.lang {
            throw HeldoutError.usage("--lang \(lang) names one language, but a Moses corpus has two; use --pair SRC-TGT")
        }
        let selection = try LanguageSelection(options)
        let extA = LanguageNames.fromExtension(of: a)
        let extB = LanguageNames.fromExtension(of: b)
        let names = "\(URL(fileURLWithPath: a).lastPathComponent), \(URL(fileURLWithPath: b).lastPathComponent)"
        guard let (source, target) = selection.pairTags else {
            guard let extA, let extB else {
                throw HeldoutError.usage("cannot tell the languages of \(names): pass --pair SRC-TGT (the first file is the source), or name the files NAME.en and NAME.fr")
            }
            guard extA.reconciled(with: extB) == nil else {
                throw HeldoutError.usage("\(names): both file names declare \(extA); a Moses pair needs two languages")
            }
            return ((a, extA), (b, extB))
        }
        func matches(_ declared: LanguageTag?, _ wanted: LanguageTag) -> LanguageTag? {
            guard let declared else { return wanted }
            return declared.reconciled(with: wanted)
        }
        if let s = matches(extA, source), let t = matches(extB, target) {
            return ((a, s), (b, t))
        }
        if let s = matches(extB, source), let t = matches(extA, target) {
            return ((b, s), (a, t))
        }
        let declared = [extA, extB].compactMap { $0?.value }.joined(separator: " and ")
        throw HeldoutError.usage("--pair \(source)-\(target) contradicts the file names \(names), which declare \(declared)")
    }

    public func read(into sink: UnitSink) throws {
        let source = try LineReader(path: files[0], maxLineBytes: maxLineBytes)
        let target = try LineReader(path: files[1], maxLineBytes: maxLineBytes)
        var ticker = ProgressTicker()
        var lines = 0
        while true {
            let left = try source.next()
            let right = try target.next()
            guard let left, let right else {
                if left == nil, right == nil { break }
                try unequal(longer: left == nil ? files[1] : files[0], shorter: left == nil ? files[0] : files[1], after: lines)
            }
            lines += 1
            ticker.tick(sink, source.bytesRead + target.bytesRead)
            if ReaderSupport.isBlank(left.text) || ReaderSupport.isBlank(right.text) {
                sink.skip("empty")
                continue
            }
            try sink.add(CorpusUnit(texts: [.init(lang: sourceLanguage, text: left.text),
                                            .init(lang: targetLanguage, text: right.text)],
                                    location: SourceLocation(file: files[0], line: left.number)))
        }
        if lines == 0 {
            throw HeldoutError.badInput(SourceLocation(file: files[0]), "file is empty (and so is \(files[1]))")
        }
        sink.progress(bytesRead: source.bytesRead + target.bytesRead)
    }

    private func unequal(longer: String, shorter: String, after lines: Int) throws -> Never {
        if lines == 0 {
            throw HeldoutError.badInput(SourceLocation(file: shorter), "file is empty (its partner \(longer) is not)")
        }
        throw HeldoutError.badInput(SourceLocation(file: longer, line: lines + 1, column: 1),
                                    "has more lines than \(shorter), which ends after line \(lines); Moses files must have the same number of lines, one sentence per line")
    }
}
